"""The contract every registered entity module keeps (the robustness test of python-stdnum, columnar)."""

from __future__ import annotations

import doctest
import importlib

import polars as pl
import pytest

from ringfence.detect import entities
from ringfence.detect.entities import ENTITIES, EntityModule
from ringfence.errors import UsageError, ValidationError
from tests.detect.helpers import column, disagreements, literal

VOCABULARY = [
    "PERSON_NAME",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CN_RESIDENT_ID",
    "KR_RRN",
    "PASSPORT_NUMBER",
    "PAYMENT_CARD",
    "BANK_ACCOUNT",
    "IBAN",
    "POSTAL_ADDRESS",
    "IP_ADDRESS",
    "IMEI",
    "DATE_OF_BIRTH",
    "GEO_COORDINATE",
    "INTERNAL_ID",
]

JUNK: list[object] = [
    None,
    "",
    0,
    1.5,
    b"110105194912310021",
    object(),
    "€",
    "３",
    "3²",
    "ⅷ",
    "😀",
    "😀" * 30,
    "\x00",
    "\x00" * 18,
    " ",
    "\n",
    "-",
    "@",
    ":::",
    "x" * 10_000,
    "1" * 10_000,
    "北" * 10_000,
    "가" * 5_000 + "시",
    "1" * 5_000 + "-" * 5_000,
    "ΣΣΣ",
    "\ud800",  # a lone surrogate: a Python str that is not valid UTF-8
]
JUNK_TEXT = [v for v in JUNK if isinstance(v, str) and v != "\ud800"]
MODULES = sorted(ENTITIES.items())


def test_the_registry_holds_the_vocabulary() -> None:
    assert sorted(ENTITIES) == sorted(VOCABULARY)
    for name, module in ENTITIES.items():
        assert name == module.ENTITY
        assert entities.get(name) is module


def test_unknown_entity_names_are_refused_with_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown entity type 'SSN'.*CN_RESIDENT_ID"):
        entities.get("SSN")


@pytest.mark.parametrize(("name", "module"), MODULES)
def test_display_name_is_the_first_docstring_line(name: str, module: EntityModule) -> None:
    title = entities.display_name(name)
    assert title and title[0].isupper() and "\n" not in title


@pytest.mark.parametrize(("name", "module"), MODULES)
def test_is_valid_is_false_and_never_raises_on_junk(name: str, module: EntityModule) -> None:
    assert [v for v in JUNK if module.is_valid(v)] == []


@pytest.mark.parametrize(("name", "module"), MODULES)
def test_columns_of_junk_are_not_valid_and_do_not_raise(name: str, module: EntityModule) -> None:
    for run in (column, literal):
        assert run(module, JUNK_TEXT) == [False] * len(JUNK_TEXT)
        assert run(module, JUNK_TEXT, "score_expr") == [0.0] * len(JUNK_TEXT)
        run(module, JUNK_TEXT, "compact_expr")
    assert disagreements(module, JUNK_TEXT) == []


@pytest.mark.parametrize(("name", "module"), MODULES)
def test_null_in_null_out(name: str, module: EntityModule) -> None:
    for run in (column, literal):
        assert run(module, [None, None]) == [None, None]
        assert run(module, [None], "score_expr") == [None]
        assert run(module, [None], "compact_expr") == [None]


@pytest.mark.parametrize(("name", "module"), MODULES)
def test_validate_raises_validation_errors_without_the_value(name: str, module: EntityModule) -> None:
    secret = "11010519491231002190123"  # an ID-like value, too long to be valid for any entity
    for value in (secret, secret + "@x", "北京 " + secret, "ZZ" + secret):
        with pytest.raises(ValidationError) as caught:
            module.validate(value)
        message = str(caught.value)
        assert message.startswith(name + ":")
        assert secret not in message and "\n" not in message


@pytest.mark.parametrize(("name", "module"), MODULES)
def test_doctests_hold(name: str, module: EntityModule) -> None:
    result = doctest.testmod(importlib.import_module(module.__name__), optionflags=doctest.ELLIPSIS)  # type: ignore[attr-defined]
    assert result.failed == 0 and result.attempted > 0


def test_registry_doctest_holds() -> None:
    assert doctest.testmod(entities).failed == 0


def test_typed_columns_are_read_as_text() -> None:
    import datetime as dt

    frame = pl.DataFrame(
        {
            "phone": [13812345678, 1012345678],
            "born": [dt.date(1990, 1, 31), dt.date(1985, 7, 1)],
            "stamp": [dt.datetime(1990, 1, 31), dt.datetime(1990, 1, 31, 14, 5)],
        }
    )
    out = frame.select(
        entities.get("PHONE_NUMBER").valid_expr(pl.col("phone")),
        entities.get("DATE_OF_BIRTH").valid_expr(pl.col("born")),
        entities.get("DATE_OF_BIRTH").valid_expr(pl.col("stamp")),
    )
    assert out.rows() == [(True, True, True), (True, True, False)]
