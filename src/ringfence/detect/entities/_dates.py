"""Calendar checks for dates inside identifiers, as scalars and as Polars expressions.

A birth date is plausible when it is a real calendar date from 1900-01-01 to today. The Polars form tests
``year * 10000 + month * 100 + day`` integers for membership in the set of all such dates (about 46,000;
one hash lookup per value is cheaper than the calendar arithmetic), and turns valid ones into ``pl.Date``
with the days-from-civil algorithm (H. Hinnant), so no invalid date can raise.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl

EARLIEST_BIRTH = dt.date(1900, 1, 1)


def birth_date_ok(year: int, month: int, day: int) -> dt.date | None:
    """The date when it exists and lies in 1900-01-01..today, else None."""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if EARLIEST_BIRTH <= date <= dt.date.today() else None


@cache
def _birth_ymds(today: dt.date) -> pl.Series:
    """The set of valid dates as one list value (``is_in`` then hashes it once per evaluation)."""
    first = EARLIEST_BIRTH.toordinal()
    days = (dt.date.fromordinal(o) for o in range(first, today.toordinal() + 1))
    return pl.Series([d.year * 10_000 + d.month * 100 + d.day for d in days], dtype=pl.Int64).implode()


def ymd_valid_expr(ymd: pl.Expr) -> pl.Expr:
    """Polars: whether ``yyyymmdd`` integers are real dates from 1900-01-01 to today (null stays null)."""
    return ymd.is_in(_birth_ymds(dt.date.today()))


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
