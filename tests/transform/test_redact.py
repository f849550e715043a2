"""keep, drop, suppress and redact: what is removed is gone, the rest of the table is untouched."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.transform.base import TransformContext, TransformSpec
from ringfence.transform.redact import Drop, Keep, Redact, Suppress

FRAME = pl.DataFrame(
    {
        "customer_id": ["C001", "C002", None],
        "phone": ["13812345678", None, "010-1234-5678"],
        "amount": [12.5, None, 3.0],
        "ts": [dt.datetime(2026, 1, 2, 3, 4), None, dt.datetime(2026, 5, 6, 7, 8)],
    }
)


def apply(frame: pl.DataFrame, plan: dict[str, TransformSpec]) -> pl.DataFrame:
    ctx = TransformContext(schema=frame.schema)
    return frame.select([e for column, spec in plan.items() for e in spec.expr(column, ctx)])


def test_a_plan_of_whole_column_transforms() -> None:
    out = apply(FRAME, {"customer_id": Keep(), "phone": Drop(), "amount": Suppress(), "ts": Redact()})
    assert out.columns == ["customer_id", "amount", "ts"]
    assert out["customer_id"].to_list() == FRAME["customer_id"].to_list()
    assert out.schema["amount"] == pl.Float64 and out["amount"].null_count() == 3
    assert out["ts"].to_list() == ["[REDACTED]", None, "[REDACTED]"]  # null stays null


def test_suppress_keeps_the_type_of_every_column() -> None:
    out = apply(FRAME, {c: Suppress() for c in FRAME.columns})
    assert out.schema == FRAME.schema and out.height == FRAME.height
    assert all(out[c].null_count() == FRAME.height for c in out.columns)


def test_output_columns_and_guarantees() -> None:
    assert Drop().output_columns("phone") == []
    assert Keep().output_columns("phone") == ["phone"]
    assert [(t.reversible, t.joinable) for t in (Keep(), Drop(), Suppress(), Redact("x"))] == [
        (True, True),
        (False, False),
        (False, False),
        (False, False),
    ]
    assert Redact("***").describe() == {
        "transform": "redact",
        "reversible": False,
        "joinable": False,
        "value": "***",
    }


def test_streaming_gives_the_same_result() -> None:
    ctx = TransformContext(schema=FRAME.schema)
    exprs = [*Suppress().expr("amount", ctx), *Redact().expr("phone", ctx)]
    assert FRAME.lazy().select(exprs).collect(engine="streaming").equals(FRAME.select(exprs))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=20) | st.none(), min_size=1, max_size=30))
def test_removed_values_never_appear(values: list[str | None]) -> None:
    frame = pl.DataFrame({"secret": values, "other": list(range(len(values)))})
    out = apply(frame, {"secret": Redact("[X]"), "other": Keep()})
    assert set(out["secret"].drop_nulls().to_list()) <= {"[X]"}
    assert out["secret"].is_null().to_list() == [v is None for v in values]
    dropped = apply(frame, {"secret": Drop(), "other": Keep()})
    assert dropped.columns == ["other"]
    suppressed = apply(frame, {"secret": Suppress(), "other": Keep()})
    assert suppressed["secret"].null_count() == len(values)
