"""National IDs written as plain digits, read by arithmetic on the whole column (the ``derive`` fast path).

Nearly every ID in a real column is written the one plain way: a CN resident ID as 18 ASCII characters (17
digits and a check character ``0-9``/``X``/``x``), a KR RRN as 13 digits or ``YYMMDD-GNNNNNN``. Those rows
are read here without one string operation per field: the column's UTF-8 bytes are viewed as a matrix of
one row per ID (:func:`digit_rows`), and the check character (ISO 7064 MOD 11-2, as in
:mod:`ringfence.detect.checksums`), the birth date (one number ``YYYYMMDD``, then a look-up in a table of
every month of the years 0-9999), the gender digit and the region are computed with NumPy over all rows at
once. Every other non-null value (separators, the 15-digit form, anything malformed) is left to the string
reader of :mod:`ringfence.transform.derive`, which gives the same parts for the plain forms: this is a
pure speedup, and ``tests/transform/test_derive.py`` checks the two agree on random and malformed input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["PlainParts", "civil_days", "digit_rows", "plain_forms"]

Ints = npt.NDArray[np.int32] | npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]
Index = npt.NDArray[np.int64]

_ZERO, _X, _LOWER_X, _DASH = ord("0"), ord("X"), ord("x"), ord("-")


@dataclass(frozen=True)
class PlainParts:
    """``parts``: birth (Date), gender (``M``/``F``) and region (String) of every row, null where the row
    was not read here; ``rest``: the positions of the non-null rows left to the string reader."""

    parts: pl.DataFrame
    rest: Index


def digit_rows(ids: pl.Series, width: int) -> tuple[Index, npt.NDArray[np.uint8]]:
    """The positions of the non-null values of ``ids`` (String) that are exactly ``width`` bytes of UTF-8,
    and those bytes as a ``(rows, width)`` matrix, viewed without a copy when every value has that width."""
    array = ids.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())  # large_string: one data buffer
    _, offsets_buffer, data_buffer = array.buffers()
    if data_buffer is None or offsets_buffer is None:
        return np.empty(0, np.int64), np.empty((0, width), np.uint8)
    offsets = np.frombuffer(offsets_buffer, np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data_buffer, np.uint8)
    sized = np.diff(offsets) == width
    if array.null_count:
        sized &= ids.is_not_null().to_numpy()
    rows = np.flatnonzero(sized)
    if rows.size == len(array) and offsets[-1] - offsets[0] == rows.size * width:
        return rows, data[offsets[0] : offsets[-1]].reshape(rows.size, width)
    return rows, data[offsets[rows][:, None] + np.arange(width)]


def _month_table() -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """For every year 0-9999 and month slot 0-13 (0 and 13 stand for a month that does not exist): the
    days from 1970-01-01 to the month's first day, and the month's length (0 for the slots 0 and 13)."""
    year = np.repeat(np.arange(10_000, dtype=np.int64), 14)
    month = np.tile(np.arange(14, dtype=np.int64), 10_000)
    real = (month >= 1) & (month <= 12)
    m = np.where(real, month, 1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[m - 1] + (leap & (m == 2))
    # Days from the civil date (the era algorithm: years start in March, eras are 400 years).
    y = year - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5
    start = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    return start.astype(np.int32), np.where(real, length, 0).astype(np.int32)


_MONTH_START, _MONTH_LENGTH = _month_table()


def civil_days(year: Ints, month: Ints, day: Ints) -> tuple[Ints, Mask]:
    """Days since 1970-01-01 of proleptic Gregorian dates of years 0-9999, and whether each date exists
    (month 1-12, day within the month, leap years by the 4/100/400 rule): what Polars' ``%Y%m%d``
    parsing accepts. Two look-ups per date in a table of every month."""
    slot = year * 14 + np.minimum(month, 13)
    return _MONTH_START[slot] + day - 1, (day >= 1) & (day <= _MONTH_LENGTH[slot])


def _number(matrix: npt.NDArray[np.uint8], first: int, count: int) -> Ints:
    """The decimal number written by the ASCII digits in columns ``first`` to ``first + count`` of a
    byte matrix (meaningless where they are not digits)."""
    powers = np.array([10**k for k in range(count - 1, -1, -1)], np.int32)
    weighted: Ints = np.einsum("ij,j->i", matrix[:, first : first + count], powers, dtype=np.int32)
    return weighted - np.int32(_ZERO * int(powers.sum()))


def _birth(yyyymmdd: Ints, century: Ints | int) -> tuple[Ints, Mask]:
    """Days and existence of dates written as one number ``YYYYMMDD`` (or ``YYMMDD`` plus ``century``)."""
    year = yyyymmdd // 10_000 + century
    return civil_days(year, yyyymmdd // 100 % 100, yyyymmdd % 100)


def _digits(matrix: npt.NDArray[np.uint8]) -> Mask:
    """Whether every byte of each row of a byte matrix is an ASCII digit."""
    out = np.empty(matrix.shape[0], np.bool_)
    np.all((matrix - np.uint8(_ZERO)) <= 9, axis=1, out=out)
    return out


# MOD 11-2 weights of the 17 payload digits (2^(17-i) mod 11), as in ringfence.detect.checksums.
_MOD11_2_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], np.int32)
# The century a KR RRN's G digit gives (0 and 9: the 1800s).
_KR_CENTURY = np.array([1800, 1900, 1900, 2000, 2000, 1900, 1900, 2000, 2000, 1800], np.int32)


def _cn(matrix: npt.NDArray[np.uint8]) -> tuple[Mask, Mask, Ints, Ints]:
    """Plain 18-character CN IDs: (decided here, readable, birth days, gender digit) per row."""
    last = matrix[:, 17]
    upper_x = (last == _X) | (last == _LOWER_X)
    check = np.where(upper_x, 10, last.astype(np.int32) - _ZERO)
    form = _digits(matrix[:, :17]) & (upper_x | ((check >= 0) & (check <= 9)))
    total = np.einsum("ij,j->i", matrix[:, :17], _MOD11_2_WEIGHTS, dtype=np.int32)
    total -= np.int32(_ZERO * int(_MOD11_2_WEIGHTS.sum()))
    days, valid = _birth(np.where(form, _number(matrix, 6, 8), 0), 0)
    ok = form & valid & ((12 - total % 11) % 11 == check)
    return form, ok, days, matrix[:, 16] - np.uint8(_ZERO)


def _kr(matrix: npt.NDArray[np.uint8], dashed: bool) -> tuple[Mask, Mask, Ints, Ints]:
    """Plain KR RRNs, 13 digits or (``dashed``) ``YYMMDD-GNNNNNN``: (decided here, readable, birth
    days, gender digit) per row."""
    rest = 7 if dashed else 6
    form = _digits(matrix[:, :6]) & _digits(matrix[:, rest:])
    g = np.minimum(matrix[:, rest] - np.uint8(_ZERO), 9)
    days, valid = _birth(np.where(form, _number(matrix, 0, 6), 0), _KR_CENTURY[g])
    return form, form & valid, days, g


def plain_forms(ids: pl.Series, entities: Sequence[str], region_digits: int) -> PlainParts:
    """The parts of every row of ``ids`` written in a plain form of one of ``entities`` (see the module
    docstring), and the positions of the other non-null rows."""
    n = len(ids)
    decided = np.zeros(n, np.bool_)
    readable = np.zeros(n, np.bool_)
    days = np.zeros(n, np.int32)
    gender = np.zeros(n, np.uint8)
    region = np.zeros(n, np.bool_)

    def put(rows: Index, found: tuple[Mask, Mask, Ints, Ints], has_region: bool) -> None:
        form, ok, born, g = found
        if rows.size == n:  # every row has this width: no gather, no scatter
            decided[:], readable[:], days[:], gender[:] = form, ok, born, g
            region[:] = ok if has_region else False
            return
        decided[rows[form]] = True
        readable[rows[ok]] = True
        days[rows[ok]] = born[ok]
        gender[rows[ok]] = g[ok]
        region[rows[ok]] = has_region

    if "CN_RESIDENT_ID" in entities:
        rows, matrix = digit_rows(ids, 18)
        put(rows, _cn(matrix), True)
    if "KR_RRN" in entities:
        rows, matrix = digit_rows(ids, 13)
        put(rows, _kr(matrix, dashed=False), False)
        rows, matrix = digit_rows(ids, 14)
        dash = matrix[:, 6] == _DASH
        if dash.all():
            put(rows, _kr(matrix, dashed=True), False)
        else:
            put(rows[dash], _kr(matrix[dash], dashed=True), False)
    rest = np.flatnonzero(~decided & ids.is_not_null().to_numpy())
    parts = pl.DataFrame(
        {"days": days, "ok": readable, "male": gender % 2 == 1, "region": region, "id": ids}
    ).select(
        birth=pl.when("ok").then(pl.col("days").cast(pl.Date)),
        gender=pl.when("ok").then(pl.when("male").then(pl.lit("M")).otherwise(pl.lit("F"))),
        region=pl.when("region").then(pl.col("id").str.slice(0, region_digits)),
    )
    return PlainParts(parts, rest)
