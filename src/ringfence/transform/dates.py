"""Dates: reading date-like text, truncation, ages and age bands, and the keyed per-subject date shift.

Date-like text is read without guessing a format from the first row: ``2024-03-05``, ``2024/3/5``,
``2024.03.05``, ``20240305``, ``2024年3月5日``, ``2024년 3월 5일``, each optionally followed by a time
``12:34[:56][.fff]`` (after a space or ``T``) and a zone, which is ignored. Anything else, and impossible
dates (``2024-02-30``), read as null, so a transform never passes an unreadable value through.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from ringfence.errors import UsageError
from ringfence.policy.rules import DateUnit
from ringfence.transform.base import Scope, TransformContext, TransformSpec, keyed_uniform, staged, text

_DATE_TEXT = (
    r"^\s*(\d{4})\s*[-/.年년]\s*(\d{1,2})\s*[-/.月월]\s*(\d{1,2})\s*[日일]?"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?"
    r"\s*(?:Z|[+-]\d{2}:?\d{2})?\s*$"
)
_DATE_DIGITS = r"^\s*(\d{4})(\d{2})(\d{2})(?:[\sT]?(\d{2})(\d{2})(\d{2})?)?\s*$"
_TRUNCATE_EVERY = {"year": "1y", "month": "1mo", "week": "1w", "day": "1d", "hour": "1h"}
_TEXT_FORMAT = {
    "year": "%Y",
    "month": "%Y-%m",
    "week": "%Y-%m-%d",
    "day": "%Y-%m-%d",
    "hour": "%Y-%m-%d %H:00",
}
_FAST_FORMATS = (
    ("%Y-%m-%d", False),
    ("%Y-%m-%d %H:%M:%S", True),
    ("%Y/%m/%d", False),
    ("%Y/%m/%d %H:%M:%S", True),
    ("%Y.%m.%d", False),
)
_PARSED = pl.Struct({"at": pl.Datetime("us"), "timed": pl.Boolean})
MAX_AGE = 130
TOP_AGE = 90  # ages from here on are one band ("90+"), as HIPAA Safe Harbor asks


def _parse_by_pattern(frame: pl.DataFrame) -> pl.DataFrame:
    """The general reader of column ``t`` (two patterns, every layout above), as columns ``at`` and
    ``timed``; correct but slow, so only used on the rows the ISO formats did not read."""
    t = pl.col("t")
    groups = frame.select(text=t.str.extract_groups(_DATE_TEXT), digits=t.str.extract_groups(_DATE_DIGITS))
    parts = groups.select(
        [
            pl.coalesce(pl.col("text").struct.field(str(g)), pl.col("digits").struct.field(str(g))).alias(
                name
            )
            for g, name in enumerate(("year", "month", "day", "hour", "minute", "second"), start=1)
        ]
    )
    iso = pl.concat_str(
        [
            pl.col("year"),
            pl.lit("-"),
            pl.col("month").str.zfill(2),
            pl.lit("-"),
            pl.col("day").str.zfill(2),
            pl.lit(" "),
            pl.col("hour").fill_null("0").str.zfill(2),
            pl.lit(":"),
            pl.col("minute").fill_null("0").str.zfill(2),
            pl.lit(":"),
            pl.col("second").fill_null("0").str.zfill(2),
        ]
    )
    at = iso.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
    return parts.select(
        pl.when(at.dt.year() >= 1000).then(at).alias("at"),
        pl.col("hour").is_not_null().alias("timed"),
    )


def _parse_batch(values: pl.Series) -> pl.Series:
    """``{at: Datetime[us], timed: Boolean}`` per string. Each reader runs only on the rows the ones before
    left unread: ``strptime`` with the common formats (:data:`_FAST_FORMATS`), then
    :func:`_parse_by_pattern`. A ``strptime`` result counts only when the text starts with a digit and the
    year has four digits (``strptime`` also reads ``24-03-05`` as the year 24 and ``-2024-03-05``)."""
    frame = values.cast(pl.String).to_frame("t")
    t = pl.col("t")
    at = pl.Series("at", [None] * len(frame), dtype=pl.Datetime("us"))
    timed = pl.Series("timed", np.zeros(len(frame), dtype=np.bool_))
    starts_with_digit = t.str.slice(0, 1).is_in(list("0123456789"))
    rows = np.flatnonzero((frame["t"].str.len_bytes() > 0).fill_null(False).to_numpy())
    for fmt, has_time in _FAST_FORMATS:
        if not len(rows):
            break
        parsed = t.str.to_datetime(fmt, time_unit="us", strict=False)
        got = frame[rows].select(
            parsed.alias("at"), (starts_with_digit & (parsed.dt.year() >= 1000)).alias("ok")
        )
        read = got["ok"].fill_null(False).to_numpy()
        at = at.scatter(rows[read], got["at"].filter(read))
        if has_time:
            timed = timed.scatter(rows[read], True)
        rows = rows[~read]
    if len(rows):
        slow = _parse_by_pattern(frame[rows])
        at, timed = at.scatter(rows, slow["at"]), timed.scatter(rows, slow["timed"])
    return pl.struct(at.alias("at"), timed.alias("timed"), eager=True).alias(values.name)


def parse_date_text(value: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(``Datetime[us]`` of each date-like string, whether it had a time of day); null where unreadable."""
    parsed = value.map_batches(_parse_batch, return_dtype=_PARSED, is_elementwise=True)
    return parsed.struct.field("at"), parsed.struct.field("timed")


def is_temporal(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.Datetime) or dtype == pl.Date


def birth_dates(column: str, dtype: pl.DataType) -> pl.Expr:
    """``Date`` of a date column (``Date``, ``Datetime`` or date-like text); null where unreadable."""
    if is_temporal(dtype):
        return pl.col(column).cast(pl.Date)
    if dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum):
        return parse_date_text(text(column, dtype))[0].dt.date()
    raise UsageError(f"column {column!r} holds {dtype}, not dates")


def ages(birth: pl.Expr, as_of: dt.date) -> pl.Expr:
    """Whole years from ``birth`` (a ``Date`` expression) to ``as_of``; null for births after ``as_of``
    or more than :data:`MAX_AGE` years before it. ``birth`` is referenced three times: pass a column."""
    later_in_year = (birth.dt.month().cast(pl.Int32) * 100 + birth.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    age = pl.lit(as_of.year, pl.Int32) - birth.dt.year().cast(pl.Int32) - later_in_year.cast(pl.Int32)
    return pl.when(age.is_between(0, MAX_AGE)).then(age)


def age_bands(birth: pl.Expr, as_of: dt.date, width: int) -> pl.Expr:
    """Age band labels (``30-39`` for width 10) at ``as_of``; every age from 90 is ``90+``. ``birth`` is
    evaluated once, whatever it is (a parsed column, a national ID's birth date)."""
    age = pl.col("age")
    low = (age // width) * width
    high = pl.min_horizontal(low + (width - 1), pl.lit(TOP_AGE - 1, pl.Int32))
    band = (
        pl.when(age.is_null())
        .then(None)
        .when(age >= TOP_AGE)
        .then(pl.lit(f"{TOP_AGE}+"))
        .otherwise(pl.format("{}-{}", low, high))
    )
    return staged({"birth": birth}, [{"age": ages(pl.col("birth"), as_of)}], band, pl.String())


def need_as_of(own: dt.date | None, ctx: TransformContext, what: str) -> dt.date:
    """The reference date for ages: the rule's own ``as_of``, else the run's; one must be known."""
    as_of = own or ctx.as_of
    if as_of is None:
        raise UsageError(f"{what} needs a reference date (as_of in the rule, or the run's date)")
    return as_of


def truncate(column: str, dtype: pl.DataType, unit: DateUnit) -> pl.Expr:
    """Dates and times cut down to ``unit`` (the week starts on Monday). ``Date``/``Datetime`` columns keep
    their type; text becomes ISO text of the unit (``2024``, ``2024-03``, ``2024-03-04``,
    ``2024-03-05 12:00``); unreadable text becomes null."""
    every = _TRUNCATE_EVERY[unit]
    if dtype == pl.Date:
        if unit == "hour":
            raise UsageError(f"column {column!r} holds dates without a time; hour truncation does not apply")
        return pl.col(column).dt.truncate(every)
    if isinstance(dtype, pl.Datetime):
        return pl.col(column).dt.truncate(every)
    if dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum):
        parsed, _ = parse_date_text(text(column, dtype))
        return parsed.dt.truncate(every).dt.strftime(_TEXT_FORMAT[unit])
    raise UsageError(f"column {column!r} holds {dtype}, not dates; date truncation does not apply")


def shift_days(keyed: pl.Expr, max_days: int) -> pl.Expr:
    """A shift in ``[-max_days, -1] ∪ [1, max_days]`` from keyed ``UInt64`` values (never 0: a shifted
    date never equals its original); uniform up to a bias below 2**-40."""
    k = (keyed % (2 * max_days)).cast(pl.Int64)
    return pl.when(k < max_days).then(k - max_days).otherwise(k - max_days + 1)


class DateShift(TransformSpec):
    """Every date of one subject moves by the same number of days, derived from a keyed digest of the
    subject's value (``subject`` column), so intervals within a subject survive and the true dates do
    not. Different subjects get independent shifts; a null subject gives a null date.

    Reversible: no for the recipient (the key holder can recompute each shift). Joinable: no (equal dates
    of different subjects differ). ``Date``/``Datetime`` keep their type; date-like text becomes ISO text
    (with the time when the input had one)."""

    name = "date_shift"

    def __init__(self, subject: str, max_days: int = 30, scope: Scope = "recipient") -> None:
        self.check(subject=subject, max_days=max_days, scope=scope)
        self.subject = subject
        self.max_days = max_days
        self.scope: Scope = scope

    def params(self) -> dict[str, Any]:
        return {"subject": self.subject, "max_days": self.max_days, "scope": self.scope}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        dtype = ctx.dtype(column)
        keyed = keyed_uniform(ctx, "date_shift", self.scope)
        subject = text(self.subject, ctx.dtype(self.subject))
        if is_temporal(dtype):
            delta = pl.duration(days=shift_days(keyed.expr(subject), self.max_days))
            return [(pl.col(column) + delta).alias(column)]
        if dtype == pl.String or dtype == pl.Categorical or isinstance(dtype, pl.Enum):
            parsed = pl.col("value").map_batches(_parse_batch, return_dtype=_PARSED, is_elementwise=True)
            moved = pl.col("parsed").struct.field("at") + pl.duration(days=pl.col("shift"))
            shown = (
                pl.when(pl.col("parsed").struct.field("timed"))
                .then(moved.dt.strftime("%Y-%m-%d %H:%M:%S"))
                .otherwise(moved.dt.strftime("%Y-%m-%d"))
            )
            inputs = {"value": text(column, dtype), "subject": subject}
            stages = [{"parsed": parsed, "shift": shift_days(keyed.expr(pl.col("subject")), self.max_days)}]
            return [staged(inputs, stages, shown, pl.String()).alias(column)]
        raise UsageError(f"column {column!r} holds {dtype}, not dates; date_shift does not apply")
