"""Calendar checks for dates inside identifiers, as scalars and as Polars expressions.

A birth date is plausible when it is a real calendar date from 1900-01-01 to today. The Polars form tests
``year * 10000 + month * 100 + day`` integers with integer arithmetic (range, month 1-12, day within the
month's length, February by the Gregorian leap rule), and turns valid ones into ``pl.Date`` with the
days-from-civil algorithm (H. Hinnant), so no invalid date can raise. (A membership test against the set of
all ~46,000 valid dates was tried first: under ``when/then`` masks Polars broadcast the set per row, which
made a 5,000-row sample take seconds.)
"""

from __future__ import annotations

import datetime as dt

import polars as pl

EARLIEST_BIRTH = dt.date(1900, 1, 1)


def birth_date_ok(year: int, month: int, day: int) -> dt.date | None:
    """The date when it exists and lies in 1900-01-01..today, else None."""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if EARLIEST_BIRTH <= date <= dt.date.today() else None


def ymd_valid_expr(ymd: pl.Expr) -> pl.Expr:
    """Polars: whether ``yyyymmdd`` integers are real dates from 1900-01-01 to today (null stays null)."""
    today = dt.date.today()
    latest = today.year * 10_000 + today.month * 100 + today.day
    year, month, day = ymd // 10_000, ymd // 100 % 100, ymd % 100
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    # 30 + (m + m // 8) % 2 is the length of every month but February (31 for Jan, Mar, ... Jul, Aug, ...).
    length = pl.when(month == 2).then(28 + leap.cast(pl.Int64)).otherwise(30 + (month + month // 8) % 2)
    in_range = (ymd >= _EARLIEST_YMD) & (ymd <= latest)
    return in_range & (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)


_EARLIEST_YMD = EARLIEST_BIRTH.year * 10_000 + EARLIEST_BIRTH.month * 100 + EARLIEST_BIRTH.day


def ymd_to_date_expr(ymd: pl.Expr) -> pl.Expr:
    """Polars: ``yyyymmdd`` integers as ``pl.Date`` (meaningless unless :func:`ymd_valid_expr` holds)."""
    year, month, day = ymd // 10_000, ymd // 100 % 100, ymd % 100
    y = year - (month <= 2).cast(pl.Int64)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12  # March = 0 ... February = 11
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return (era * 146_097 + doe - 719_468).cast(pl.Int32).cast(pl.Date)
