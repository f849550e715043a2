"""mask: realistic cards, phones, e-mails, names and IDs; and the guarantee that removed characters never
appear in the output, checked on generated values."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.transform.base import TransformContext
from ringfence.transform.mask import Mask, mask_value


def masked(values: list[object], mask: Mask, dtype: pl.DataType = pl.String) -> list[str | None]:
    df = pl.DataFrame({"v": values}, schema={"v": dtype})
    out = df.select(mask.expr("v", TransformContext(schema=df.schema)))
    return out["v"].to_list()


def test_cards_keep_only_the_last_4_in_every_format() -> None:
    cards = ["6222 0212 3456 7890", "6222-0212-3456-7890", "6222021234567890", "3782 822463 10005", None]
    assert masked(cards, Mask(entity="PAYMENT_CARD")) == [
        "**** **** **** 7890",
        "****-****-****-7890",
        "************7890",
        "**** ****** *0005",
        None,
    ]


def test_phones_keep_a_prefix_and_the_last_4() -> None:
    phones = ["13812345678", "138-1234-5678", "+86 138 1234 5678", "010-1234-5678", "02-123-4567"]
    assert masked(phones, Mask(entity="PHONE_NUMBER")) == [
        "138****5678",
        "138-****-5678",
        "+86 1** **** 5678",
        "010-****-5678",
        "02-1**-4567",
    ]


def test_emails_keep_the_first_character_and_the_domain() -> None:
    emails = ["zhang.wei@example.com", "a@b.cn", "김민수@naver.com", "not-an-email", "x@y@z.kr"]
    assert masked(emails, Mask(entity="EMAIL_ADDRESS")) == [
        "z****.***@example.com",
        "*@b.cn",
        "김**@naver.com",
        "***-**-*****",
        "x@*@z.kr",  # the domain is after the last @
    ]


def test_names_keep_the_family_name_and_ids_keep_nothing() -> None:
    assert masked(["张三", "欧阳娜娜", "김민수", "Li"], Mask(entity="PERSON_NAME")) == [
        "张*",
        "欧***",
        "김**",
        "L*",
    ]
    ids = ["11010519491231002X", "900101-1234568"]
    assert masked(ids, Mask(entity="CN_RESIDENT_ID")) == ["******************", "******-*******"]
    assert masked(ids, Mask(entity="KR_RRN")) == ["******************", "******-*******"]


def test_explicit_keeps_replace_the_entity_defaults() -> None:
    assert masked(["6222021234567890"], Mask(keep_first=6, keep_last=4, entity="PAYMENT_CARD")) == [
        "622202******7890"
    ]
    # giving only keep_last means keep_first is 0, not the phone default of 3
    assert masked(["13812345678"], Mask(keep_last=2, entity="PHONE_NUMBER")) == ["*********78"]


def test_short_values_are_masked_completely() -> None:
    assert masked(["1234", "12345", "12-34"], Mask(entity="PAYMENT_CARD")) == ["****", "*2345", "**-**"]
    assert masked(["1234567"], Mask(entity="PHONE_NUMBER")) == ["*******"]


def test_numbers_are_masked_as_text_and_special_mask_characters_are_literal() -> None:
    assert masked([6222021234567890, None], Mask(keep_last=4, char="$"), pl.Int64) == [
        "$$$$$$$$$$$$7890",
        None,
    ]
    assert masked(["12-34-56"], Mask(keep_last=1, char="\\")) == ["\\\\-\\\\-\\6"]


def test_describe_states_the_guarantees() -> None:
    described = Mask(entity="PAYMENT_CARD").describe()
    assert described == {
        "transform": "mask",
        "reversible": False,
        "joinable": False,
        "entity": "PAYMENT_CARD",
        "keep_first": 0,
        "keep_last": 4,
        "char": "*",
    }


ALNUM = re.compile(r"[\w]", re.UNICODE)
values = (
    st.text(alphabet=st.sampled_from(list("0123456789abcXYZ张김ß -.+@/()")), min_size=0, max_size=30)
    | st.none()
)


def _alnum(s: str) -> list[str]:
    return [c for c in s if c.isalnum()]


@settings(max_examples=200, deadline=None)
@given(st.lists(values, min_size=1, max_size=20), st.integers(0, 6), st.integers(0, 6))
def test_mask_never_emits_a_removed_character(vs: list[str | None], first: int, last: int) -> None:
    out = masked(list(vs), Mask(keep_first=first, keep_last=last))
    for before, after in zip(vs, out, strict=True):
        if before is None:
            assert after is None
            continue
        assert after is not None and len(after) == len(before)
        chars = _alnum(before)
        kept = (
            chars[:first] + (chars[len(chars) - last :] if last else []) if len(chars) > first + last else []
        )
        assert _alnum(after) == kept
        # separators stay exactly where they were
        assert [(i, c) for i, c in enumerate(before) if not c.isalnum()] == [
            (i, c) for i, c in enumerate(after) if not c.isalnum() and c != "*"
        ]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=16, max_size=16), min_size=1, max_size=20))
def test_a_masked_card_never_contains_its_first_12_digits(cards: list[str]) -> None:
    spaced = [" ".join(c[i : i + 4] for i in range(0, 16, 4)) for c in cards]
    for card, out in zip(cards, masked(spaced, Mask(entity="PAYMENT_CARD")), strict=True):
        assert out is not None
        assert out[:15] == "**** **** **** " and out[15:] == card[12:]


@pytest.mark.parametrize("entity", ["EMAIL_ADDRESS", "PHONE_NUMBER", None])
def test_nulls_stay_null(entity: str | None) -> None:
    assert masked([None, None], Mask(entity=entity)) == [None, None]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(max_size=25) | st.none(), min_size=1, max_size=20),
    st.integers(0, 5),
    st.integers(0, 5),
    st.booleans(),
)
def test_the_column_kernel_matches_the_scalar_reference_on_any_text(
    vs: list[str | None], first: int, last: int, email: bool
) -> None:
    entity = "EMAIL_ADDRESS" if email else None
    out = masked(list(vs), Mask(keep_first=first, keep_last=last, entity=entity))
    assert out == [mask_value(v, first, last, "*", email) for v in vs]


def test_non_ascii_separators_stay_and_unknown_symbols_are_masked() -> None:
    assert masked(["张三·李四", "138　1234　5678", "ID：€123"], Mask()) == [
        "**·**",
        "***　****　****",
        "**：****",
    ]


def test_long_columns_run_in_slices_and_keep_row_order() -> None:
    values = [f"6222 0212 {i // 10000:04d} {i % 10000:04d}" if i % 7 else None for i in range(60_000)]
    out = masked(values, Mask(entity="PAYMENT_CARD"))  # type: ignore[arg-type]
    assert out == [None if v is None else "**** **** **** " + v[-4:] for v in values]
    sliced = pl.Series("v", values).slice(123, 1000).to_frame()
    got = sliced.select(Mask(entity="PAYMENT_CARD").expr("v", TransformContext(schema=sliced.schema)))["v"]
    assert got.to_list() == out[123:1123]
