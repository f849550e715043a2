"""Deterministic random streams and the vectorised building blocks the table generators share.

Every table (and every fixed-size chunk of transactions) draws from its own stream, keyed by the seed and a
purpose, so adding a column to one table never changes the numbers another table gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ByteMatrix = npt.NDArray[np.uint8]

_EPOCH = dt.date(1970, 1, 1)


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent PCG64 generator for one purpose; the same ``(seed, key)`` gives the same numbers."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH).days


def weighted(rng: np.random.Generator, weights: Sequence[float] | FloatArray, size: int) -> IntArray:
    """``size`` indices into ``weights``, each drawn with probability proportional to its weight."""
    return pick(rng.random(size), weights)


def pick(u: FloatArray, weights: Sequence[float] | FloatArray) -> IntArray:
    """Indices into ``weights`` for uniform draws ``u`` in [0, 1), by inverse cumulative weight."""
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    idx: IntArray = np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1).astype(np.int64)
    return idx


class RowPicker:
    """Per-row categorical draws from a table of distributions: row ``i`` draws a column of
    ``weights[row[i]]``. All rows of the table are laid end to end (row ``r`` occupies ``(r, r + 1]``), so a
    whole column of draws is one binary search over the flattened cumulative table."""

    def __init__(self, weights: FloatArray) -> None:
        table = np.asarray(weights, dtype=np.float64)
        cum = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
        cum[:, -1] = 1.0
        self.width = table.shape[1]
        self.flat = (cum + np.arange(table.shape[0])[:, None]).ravel()

    def __call__(self, u: FloatArray, row: IntArray) -> IntArray:
        """A column index per row for uniform draws ``u`` in [0, 1)."""
        idx: IntArray = np.searchsorted(self.flat, row + u, side="right") - row * self.width
        return np.clip(idx, 0, self.width - 1).astype(np.int64)


def repeat_table(weights: FloatArray, per_item: int = 16) -> npt.NDArray[np.int32]:
    """A table in which item ``i`` appears about ``weights[i] / mean(weights) * per_item`` times (at least
    once): a uniform draw from it is a weighted draw of an item, in constant time."""
    n = len(weights)
    counts = np.maximum(np.rint(weights / weights.sum() * n * per_item), 1).astype(np.int64)
    return np.repeat(np.arange(n, dtype=np.int32), counts)


def nulls(n: int, dtype: pl.DataType | type[pl.DataType]) -> pl.Series:
    """A series of ``n`` nulls."""
    return pl.repeat(None, n, dtype=dtype, eager=True)


def choose_in_groups(
    u: FloatArray, group: IntArray, starts: IntArray, ends: IntArray, cum: FloatArray
) -> IntArray:
    """For each row, a weighted item of its group.

    Items of group ``g`` are the positions ``starts[g] .. ends[g] - 1`` of an item array whose running
    weight total is ``cum`` (``cum[i]`` = sum of weights ``0..i``). Every referenced group must be non-empty.
    """
    first = starts[group]
    last = ends[group] - 1
    lo = np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    hi = cum[last]
    idx = np.searchsorted(cum, lo + u * (hi - lo), side="right")
    return np.clip(idx, first, last).astype(np.int64)


def ascii_strings(chars: ByteMatrix) -> pl.Series:
    """The rows of an ``(n, k)`` matrix of ASCII codes as a String series of ``k``-character strings."""
    n, k = chars.shape
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    offsets = np.arange(0, (n + 1) * k, k, dtype=np.int64)
    array = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    series = pl.from_arrow(array)
    assert isinstance(series, pl.Series)
    return series


def digit_strings(digits: ByteMatrix) -> pl.Series:
    """The rows of an ``(n, k)`` matrix of digits 0-9 as ``k``-digit strings."""
    return ascii_strings(digits + np.uint8(48))


def to_digits(values: IntArray, width: int) -> ByteMatrix:
    """Non-negative integers as an ``(n, width)`` digit matrix, most significant digit first, zero-padded."""
    out = np.empty((len(values), width), dtype=np.uint8)
    rest = np.asarray(values, dtype=np.int64)
    for k in range(width - 1, -1, -1):  # one pass per digit; division by a scalar is vectorised
        rest, digit = np.divmod(rest, 10)
        out[:, k] = digit
    return out


def random_digits(rng: np.random.Generator, n: int, width: int) -> ByteMatrix:
    """An ``(n, width)`` matrix of uniform random digits."""
    return rng.integers(0, 10, size=(n, width), dtype=np.uint8)


def take(values: Sequence[str] | pl.Series, idx: IntArray) -> pl.Series:
    """``values[idx]`` as a String series."""
    series = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.String)
    return series.gather(idx)


def civil_from_days(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Year, month and day of each day number (days since 1970-01-01)."""
    d = days.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def dates(days: IntArray) -> pl.Series:
    """Day numbers as a Date series."""
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def datetimes(seconds: IntArray) -> pl.Series:
    """Seconds since the epoch as a microsecond Datetime series (naive local time)."""
    return pl.Series(seconds.astype(np.int64) * 1_000_000).cast(pl.Datetime("us"))


def distinct_codes(rng: np.random.Generator, n: int, width: int) -> IntArray:
    """``n`` distinct random ``width``-digit integers (no leading zero), in the order they were drawn."""
    low, high = 10 ** (width - 1), 10**width
    if n > (high - low) // 2:
        raise ValueError("too many codes for the width")
    out = np.empty(0, dtype=np.int64)
    while len(out) < n:
        draw = rng.integers(low, high, size=int((n - len(out)) * 1.05) + 16, dtype=np.int64)
        candidates = np.concatenate([out, draw])
        _, first = np.unique(candidates, return_index=True)
        out = candidates[np.sort(first)]
    return out[:n]
