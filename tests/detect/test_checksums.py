"""The scalar, NumPy and Polars forms of every check-digit algorithm agree, and match python-stdnum."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban
from stdnum import luhn as std_luhn
from stdnum.cn import ric as std_ric
from stdnum.iso7064 import mod_97_10

from ringfence.detect import checksums as c

digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=19)
batches = st.lists(digit_strings, min_size=1, max_size=60)


def _polars(expr_fn, values: list[str]) -> list[bool | None]:  # type: ignore[no-untyped-def]
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(expr_fn(pl.col("v"))).to_series().to_list()


def _matrix(values: list[str], width: int) -> np.ndarray:  # type: ignore[type-arg]
    return np.frombuffer("".join(values).encode(), dtype=np.uint8).reshape(-1, width) - 48


@settings(max_examples=60, deadline=None)
@given(batches)
def test_luhn_forms_agree_with_stdnum(values: list[str]) -> None:
    expected = [std_luhn.is_valid(v) for v in values]
    assert [c.luhn_is_valid(v) for v in values] == expected
    assert _polars(c.luhn_valid_expr, values) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=15, max_size=15), min_size=1, max_size=40))
def test_luhn_numpy_check_digits_complete_valid_numbers(payloads: list[str]) -> None:
    digits = c.luhn_check_digits(_matrix(payloads, 15))
    numbers = [p + str(d) for p, d in zip(payloads, digits.tolist(), strict=True)]
    assert all(std_luhn.is_valid(n) for n in numbers)
    assert [c.luhn_check_digit(p) for p in payloads] == [str(d) for d in digits.tolist()]
    assert _polars(c.luhn_valid_expr, numbers) == [True] * len(numbers)


def test_luhn_expr_handles_long_strings_when_asked() -> None:
    number = "79927398713" * 3  # 33 digits
    expected = c.luhn_is_valid(number)
    assert _polars(lambda e: c.luhn_valid_expr(e, max_len=40), [number, None]) == [expected, None]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=17, max_size=17), min_size=1, max_size=40))
def test_mod11_2_forms_agree_with_stdnum(payloads: list[str]) -> None:
    chars = [c.mod11_2_check_char(p) for p in payloads]
    assert chars == [std_ric.calc_check_digit(p + "0") for p in payloads]
    values = c.mod11_2_check_values(_matrix(payloads, 17)).tolist()
    assert ["X" if v == 10 else str(v) for v in values] == chars
    good = [p + ch for p, ch in zip(payloads, chars, strict=True)]
    bad = [p + ("0" if ch == "X" else "X") for p, ch in zip(payloads, chars, strict=True)]
    lower = [g[:17] + g[17].lower() for g in good]
    assert _polars(c.mod11_2_valid_expr, good + lower + bad) == [True] * (2 * len(good)) + [False] * len(bad)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=13, max_size=13), min_size=1, max_size=40))
def test_rrn_forms_agree(numbers: list[str]) -> None:
    expected = [c.rrn_check_digit(n[:12]) == n[12] for n in numbers]
    numpy_digits = c.rrn_check_digits(_matrix([n[:12] for n in numbers], 12)).tolist()
    assert [str(d) for d in numpy_digits] == [c.rrn_check_digit(n[:12]) for n in numbers]
    assert _polars(c.rrn_check_expr, numbers) == expected
    # The NumPy column form, with rows it must skip (not 13 digits, null) between the checked ones.
    column = pl.Series([v for n in numbers for v in (n, "12-34", None)], dtype=pl.String)
    where = column.str.contains("^[0-9]{13}$")
    assert c.rrn_check_series(column, where).to_list() == [v for e in expected for v in (e, False, False)]


def test_digit_matrix_refuses_what_is_not_digits() -> None:
    assert c.digit_matrix(pl.Series(["0123", "9876"]), 4).tolist() == [[0, 1, 2, 3], [9, 8, 7, 6]]
    assert c.digit_matrix(pl.Series([], dtype=pl.String), 4).shape == (0, 4)
    for bad in (["0123", "987"], ["0123", None], ["01/3"], ["０１２３"], ["01234", "567"]):
        with pytest.raises(ValueError):
            c.digit_matrix(pl.Series(bad, dtype=pl.String), 4)


iban_like = st.builds(
    lambda cc, bban: (cc, bban),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=30),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(iban_like, min_size=1, max_size=30), st.integers(0, 99))
def test_mod97_10_forms_agree_with_stdnum(parts: list[tuple[str, str]], wrong: int) -> None:
    good = [cc + c.mod97_10_check_digits(cc, bban) + bban for cc, bban in parts]
    assert [std_iban.calc_check_digits(g) for g in good] == [g[2:4] for g in good]
    other = [g[:2] + f"{wrong:02d}" + g[4:] for g in good]
    values = good + other
    expected = [mod_97_10.is_valid(v[4:] + v[:4]) for v in values]
    assert [c.mod97_10_is_valid(v) for v in values] == expected
    assert _polars(c.mod97_10_valid_expr, values) == expected


def test_polars_forms_keep_nulls() -> None:
    assert _polars(c.luhn_valid_expr, [None]) == [None]
    assert _polars(c.mod11_2_valid_expr, [None]) == [None]
    assert _polars(c.rrn_check_expr, [None]) == [None]
    assert _polars(c.mod97_10_valid_expr, [None]) == [None]
