"""date_shift: one keyed shift per subject (intervals survive, true dates do not); date-like text; keys
never travel with a plan."""

from __future__ import annotations

import datetime as dt
import pickle

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.errors import UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.policy import parse_policy
from ringfence.policy.rules import DateShift as DateShiftRule
from ringfence.transform.base import TransformContext, keyed_uniform
from ringfence.transform.dates import DateShift, _parse_batch, _parse_by_pattern, parse_date_text

KEYSET = Keyset.generate()


def shifted(frame: pl.DataFrame, spec: DateShift, column: str = "ts", **ctx: object) -> list[object]:
    context = TransformContext(
        schema=frame.schema, keyset=ctx.get("keyset", KEYSET), recipient=ctx.get("recipient", "acme")
    )  # type: ignore[arg-type]
    return frame.select(spec.expr(column, context))[column].to_list()


def test_date_like_text_is_read_in_common_layouts() -> None:
    texts = [
        "2026-03-05",
        "2026/3/5 7:08",
        "2026.03.05",
        "20260305",
        "2026年3月5日",
        "2026년 3월 5일",
        "2026-03-05T12:34:56.789+08:00",
        "2026-02-30",
        "05/03/2026",
        "",
        None,
    ]
    parsed, timed = parse_date_text(pl.col("t"))
    out = pl.DataFrame({"t": texts}).select(parsed.alias("p"), timed.alias("h"))
    assert out["p"].to_list() == [
        dt.datetime(2026, 3, 5),
        dt.datetime(2026, 3, 5, 7, 8),
        dt.datetime(2026, 3, 5),
        dt.datetime(2026, 3, 5),
        dt.datetime(2026, 3, 5),
        dt.datetime(2026, 3, 5),
        dt.datetime(2026, 3, 5, 12, 34, 56),
        None,
        None,  # day/month order is ambiguous: not guessed
        None,
        None,
    ]
    assert out["h"].to_list()[:2] == [False, True]


def test_every_date_of_a_subject_moves_by_the_same_days() -> None:
    frame = pl.DataFrame(
        {
            "customer": ["C1", "C1", "C1", "C2", "C2", None],
            "ts": [
                dt.datetime(2026, 1, 1, 9),
                dt.datetime(2026, 1, 8, 10),
                dt.datetime(2026, 3, 1),
                dt.datetime(2026, 1, 1, 9),
                dt.datetime(2026, 2, 1),
                dt.datetime(2026, 1, 1),
            ],
        }
    )
    out = shifted(frame, DateShift("customer", max_days=30))
    deltas = [a - b for a, b in zip(out[:5], frame["ts"].to_list()[:5], strict=True)]  # type: ignore[operator]
    assert deltas[0] == deltas[1] == deltas[2] and deltas[3] == deltas[4]
    assert all(dt.timedelta(days=1) <= abs(d) <= dt.timedelta(days=30) and d.seconds == 0 for d in deltas)
    assert out[5] is None  # no subject, no consistent shift: nulled, never passed through


def test_dates_and_text_keep_their_form() -> None:
    frame = pl.DataFrame({"customer": ["C1", "C1", "C1"], "ts": ["2026-01-01", "2026-01-08 10:00:00", "bad"]})
    out = shifted(frame, DateShift("customer"))
    first, second = dt.date.fromisoformat(out[0]), dt.datetime.fromisoformat(out[1])  # type: ignore[arg-type]
    assert second - dt.datetime.combine(first, dt.time()) == dt.timedelta(days=7, hours=10)
    assert out[2] is None
    dates = pl.DataFrame({"customer": ["C1"], "ts": [dt.date(2026, 1, 1)]})
    moved = dates.select(
        DateShift("customer").expr(
            "ts", TransformContext(schema=dates.schema, keyset=KEYSET, recipient="acme")
        )
    )
    assert moved.schema["ts"] == pl.Date and moved["ts"][0] != dt.date(2026, 1, 1)
    with pytest.raises(UsageError, match="not dates"):
        shifted(pl.DataFrame({"customer": ["C1"], "ts": [1]}), DateShift("customer"))


def test_shifts_depend_on_key_and_recipient_and_use_the_whole_range() -> None:
    subjects = [f"C{i:05d}" for i in range(3000)]
    frame = pl.DataFrame({"customer": subjects, "ts": [dt.date(2026, 1, 1)] * len(subjects)})
    base = shifted(frame, DateShift("customer", max_days=10))
    days = {(d - dt.date(2026, 1, 1)).days for d in base}  # type: ignore[operator]
    assert days == set(range(-10, 0)) | set(range(1, 11))
    assert shifted(frame, DateShift("customer", max_days=10), recipient="other") != base
    assert shifted(frame, DateShift("customer", max_days=10), keyset=Keyset.generate()) != base
    glob = DateShift("customer", max_days=10, scope="global")
    assert shifted(frame, glob, recipient="a") == shifted(frame, glob, recipient="b")


def test_the_key_never_travels_with_the_plan() -> None:
    uniform = keyed_uniform(TransformContext(keyset=KEYSET), "date_shift", "global")
    assert KEYSET.primary_id("hmac") in repr(uniform)
    secret = KEYSET.secret(KEYSET.primary_id("hmac"), SECRET_ACCESS)
    assert secret.hex() not in repr(uniform)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(uniform)  # a plan that captured it cannot be serialized with the keyset inside


def test_from_rule_and_requirements() -> None:
    rule = parse_policy(
        "ringfence_policy: 1\nname: p\ncolumns:\n  ts: {action: date_shift, subject: c, max_days: 7}\n"
    ).columns["ts"]
    assert isinstance(rule, DateShiftRule)
    spec = DateShift.from_rule(rule)
    assert spec.describe() == {
        "transform": "date_shift",
        "reversible": False,
        "joinable": False,
        "subject": "c",
        "max_days": 7,
        "scope": "recipient",
    }
    frame = pl.DataFrame({"c": ["C1"], "ts": [dt.date(2026, 1, 1)]})
    with pytest.raises(UsageError, match="needs the workspace keyset"):
        frame.select(spec.expr("ts", TransformContext(schema=frame.schema, recipient="r")))
    with pytest.raises(UsageError, match="needs a recipient"):
        frame.select(spec.expr("ts", TransformContext(schema=frame.schema, keyset=KEYSET)))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.dates(dt.date(1950, 1, 1), dt.date(2050, 1, 1))),
        min_size=2,
        max_size=40,
    )
)
def test_intervals_within_a_subject_survive(rows: list[tuple[str, dt.date]]) -> None:
    frame = pl.DataFrame({"customer": [r[0] for r in rows], "ts": [r[1] for r in rows]})
    out = shifted(frame, DateShift("customer", max_days=365))
    for (s1, d1), o1 in zip(rows, out, strict=True):
        assert o1 != d1
        for (s2, d2), o2 in zip(rows, out, strict=True):
            if s1 == s2:
                assert o1 - o2 == d1 - d2  # type: ignore[operator]


LAYOUTS = [
    "{d:%Y-%m-%d}",
    "{d:%Y-%m-%d %H:%M:%S}",
    "{d:%Y/%m/%d}",
    "{d.year}/{d.month}/{d.day}",
    "{d:%Y/%m/%d %H:%M:%S}",
    "{d:%Y.%m.%d}",
    "{d:%Y%m%d}",
    "{d:%Y-%m-%dT%H:%M:%S}",
    "{d.year}年{d.month}月{d.day}日",
    " {d:%Y-%m-%d} ",
]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.datetimes(dt.datetime(1000, 1, 1), dt.datetime(9999, 12, 31)), st.sampled_from(LAYOUTS)),
        min_size=1,
        max_size=30,
    )
)
def test_the_fast_readers_agree_with_the_general_one(rows: list[tuple[dt.datetime, str]]) -> None:
    texts = [layout.format(d=moment) for moment, layout in rows]
    fast = _parse_batch(pl.Series("t", texts)).struct.unnest()
    slow = _parse_by_pattern(pl.DataFrame({"t": texts}))
    assert fast.equals(slow)
    for (moment, layout), at in zip(rows, fast["at"].to_list(), strict=True):
        expected = (
            moment.replace(microsecond=0)
            if "%H" in layout
            else moment.replace(hour=0, minute=0, second=0, microsecond=0)
        )
        assert at == expected


def test_strptime_leniency_is_not_inherited() -> None:
    out = _parse_batch(
        pl.Series("t", ["24-03-05", "-2024-03-05", "+2024-03-05", "0024-03-05"])
    ).struct.unnest()
    assert out["at"].to_list() == [None, None, None, None]
