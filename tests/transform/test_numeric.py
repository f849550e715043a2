"""round and noise on amounts: types kept, halves away from zero, noise bounded, keyed and consistent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.errors import UsageError
from ringfence.keys import Keyset
from ringfence.transform.base import TransformContext, TransformSpec
from ringfence.transform.numeric import Noise, Round

KEYSET = Keyset.generate()


def run(
    frame: pl.DataFrame,
    spec: TransformSpec,
    column: str = "v",
    keyset: Keyset = KEYSET,
    recipient: str | None = "acme",
) -> list[object]:
    ctx = TransformContext(schema=frame.schema, keyset=keyset, recipient=recipient, as_of=dt.date(2026, 1, 1))
    return frame.select(spec.expr(column, ctx))[column].to_list()


def frame(values: list[object], dtype: pl.DataType | None = None) -> pl.DataFrame:
    return pl.DataFrame({"v": values}, schema={"v": dtype} if dtype else None, strict=False)


def test_round_integers_to_integer_multiples() -> None:
    assert run(frame([125, -125, 124, 5, None], pl.Int64), Round(10)) == [130, -130, 120, 10, None]
    out = frame([1234], pl.Int32).select(Round(100).expr("v", TransformContext(schema={"v": pl.Int32})))
    assert out.schema["v"] == pl.Int32


def test_round_floats_decimals_and_text() -> None:
    assert run(frame([12.344, 12.345, -0.03, float("nan"), None]), Round(0.05)) == [
        12.35,
        12.35,
        -0.05,
        None,
        None,
    ]
    amounts = [Decimal("1234.56"), Decimal("-0.25"), None]
    out = frame(amounts, pl.Decimal(12, 2)).select(
        Round(0.5).expr("v", TransformContext(schema={"v": pl.Decimal(12, 2)}))
    )
    assert out.schema["v"] == pl.Decimal(12, 2)
    assert out["v"].to_list() == [Decimal("1234.50"), Decimal("-0.50"), None]
    assert run(frame(["1234.5", " 12 ", "abc", None]), Round(10)) == ["1230", "10", None, None]
    assert run(frame(["1234.56"]), Round(0.1)) == ["1234.6"]
    assert run(frame([7], pl.Int64), Round(2.5)) == [7.5]  # a fractional multiple becomes a float


def test_noise_is_bounded_consistent_and_keeps_types() -> None:
    values = [100.0, 100.0, 2500.0, -40.0, None, 0.0]
    out = run(frame(values), Noise(0.1, scope="global"))
    assert out[0] == out[1]  # the same value always gets the same noise
    assert out[4] is None and out[5] == 0.0
    for before, after in zip(values, out, strict=True):
        if before:
            assert isinstance(after, float) and 0.9 * abs(before) <= abs(after) <= 1.1 * abs(before)
    ints = run(frame([1000, 1000, None], pl.Int64), Noise(0.05))
    assert ints[0] == ints[1] and isinstance(ints[0], int) and 950 <= ints[0] <= 1050
    dec = frame([Decimal("99.99")], pl.Decimal(10, 2))
    out_dec = dec.select(
        Noise().expr("v", TransformContext(schema=dec.schema, keyset=KEYSET, recipient="acme"))
    )
    assert out_dec.schema["v"] == pl.Decimal(10, 2)


def test_noise_is_keyed_and_separates_recipients_and_subjects() -> None:
    values = frame([float(v) for v in range(1, 201)])
    base = run(values, Noise(0.2))
    assert run(values, Noise(0.2)) == base  # deterministic
    assert run(values, Noise(0.2), recipient="other-bank") != base
    assert run(values, Noise(0.2), keyset=Keyset.generate()) != base
    assert run(values, Noise(0.2, scope="global"), recipient="a") == run(
        values, Noise(0.2, scope="global"), recipient="b"
    )
    with_subject = pl.DataFrame({"v": [500.0, 500.0, 500.0], "customer": ["C1", "C1", "C2"]})
    out = run(with_subject, Noise(0.2, subject="customer"))
    assert out[0] == out[1] and out[0] != out[2]
    assert not Noise(subject="customer").joinable and Noise().joinable


def test_noise_spreads_over_the_whole_range() -> None:
    values = frame([float(v) for v in range(1, 2001)])
    ratios = [a / b for a, b in zip(run(values, Noise(0.1)), values["v"].to_list(), strict=True)]  # type: ignore[operator]
    assert min(ratios) < 0.91 and max(ratios) > 1.09


def test_keyed_transforms_need_a_keyset_and_a_recipient_for_recipient_scope() -> None:
    f = frame([1.0])
    with pytest.raises(UsageError, match="needs the workspace keyset"):
        f.select(Noise().expr("v", TransformContext(schema=f.schema, recipient="acme")))
    with pytest.raises(UsageError, match="scope: recipient needs a recipient"):
        f.select(Noise().expr("v", TransformContext(schema=f.schema, keyset=KEYSET)))


def test_parameters_are_checked() -> None:
    with pytest.raises(UsageError):
        Round(0)
    with pytest.raises(UsageError):
        Noise(0.9)
    assert Round(10).describe() == {"transform": "round", "reversible": False, "joinable": True, "to": 10.0}


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-(10**9), 10**9) | st.none(), min_size=1, max_size=30),
    st.sampled_from([1, 5, 10, 100, 1000]),
)
def test_rounded_integers_are_the_nearest_multiple(values: list[int | None], step: int) -> None:
    for before, after in zip(values, run(frame(values, pl.Int64), Round(step)), strict=True):
        if before is None:
            assert after is None
            continue
        assert isinstance(after, int) and after % step == 0
        assert abs(after - before) <= step / 2
