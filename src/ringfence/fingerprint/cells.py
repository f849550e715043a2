"""Where a column's cells carry symbols, and how they are read and written (columnar, NumPy).

A cell's value is counted in *grains* (cents of an amount, seconds or milliseconds of a timestamp): ``g``.
A column whose tolerance allows ``B − 1`` grains of change (``B = 2^b``, b from 1 to 4) carries ``b``
symbols per selected cell: the block ``{B·a, …, B·a + B − 1}`` that holds ``g`` is the cell's *anchor*
``a``, the coarse part of the value that a mark never changes, so a leaked cell names its code positions
by itself, whatever other columns survive (``column|a`` for one symbol, ``column|a|k`` for symbol ``k``
of several). A keyed PRF of ``a`` (under the column's own domain) selects a share of the cells (the
same for every recipient of the domain) and gives ``b`` mask bits; a selected cell carries the symbols
``bit k of (g mod B) xor mask k``, so a mark moves a value by at most ``B − 1`` grains, within the
block, and a share ``2^-b`` of the selected cells need no change. Amounts whose block holds a round
value (a multiple of ten grains: 100.00, 12,700 won) are never selected, so no round amount becomes a
non-round one. Sub-grain parts (microseconds under a one-second grain) are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from ringfence.fingerprint.record import MarkedColumn

__all__ = ["Cells", "block_bits", "positions_of", "read_cells", "write_cells"]

_US = 1_000_000


@dataclass(frozen=True)
class Cells:
    """The markable cells of one column of a batch: row index, grain count, kept remainder, anchor key,
    and the symbols each carries."""

    rows: np.ndarray  # int64 row indices into the batch
    grains: np.ndarray  # int64
    rest: np.ndarray  # int64 (timestamps: microseconds below the grain), else 0
    anchors: np.ndarray  # int64: the block number
    bits: int


def block_bits(column: MarkedColumn) -> int:
    """The symbols one cell of ``column`` carries: ``b`` with ``2^b − 1`` grains within its tolerance."""
    grain = column.grain or column.tolerance
    return max(1, min(4, math.floor(math.log2(column.tolerance / grain + 1) + 1e-9)))


def positions_of(column: str, anchors: np.ndarray, bits: int) -> pl.Series:
    """The code positions (``column|anchor``, or ``column|anchor|k`` for symbol ``k`` of several) of the
    cells of ``column`` with ``anchors``, ``bits`` per cell, cell after cell."""
    text = pl.Series("a", anchors, dtype=pl.Int64).cast(pl.String)
    keyed = pl.select(pl.concat_str(pl.lit(column + "|"), text).alias("p")).to_series()
    if bits == 1:
        return keyed
    symbols = pl.DataFrame({"k": [f"|{k}" for k in range(bits)]})
    frame = pl.DataFrame({"a": keyed}).join(symbols, how="cross")
    return frame.select(pl.concat_str("a", "k").alias("p")).to_series()


def _scale(tolerance: float) -> tuple[float, bool]:
    """(factor, multiply): grains = value * factor when 1/tolerance is a whole number, else value / tol."""
    inv = 1.0 / tolerance
    if abs(inv - round(inv)) < 1e-9 and inv >= 1:
        return float(round(inv)), True
    return tolerance, False


def read_cells(series: pl.Series, column: MarkedColumn) -> Cells:
    """The cells of ``series`` that may carry a mark under ``column``'s kind, grain and tolerance."""
    dtype = series.dtype
    bits = block_bits(column)
    size = 1 << bits
    if column.kind == "timestamp" or dtype.is_temporal():
        if not isinstance(dtype, pl.Datetime):
            return _empty(bits)
        us = series.dt.cast_time_unit("us").to_physical().to_numpy()
        valid = ~series.is_null().to_numpy()
        grain = max(1, round((column.grain or column.tolerance) * _US))
        raw = np.where(valid, us, 0).astype(np.int64)
        grains = np.floor_divide(raw, grain)
        rest = raw - grains * grain
        ok = valid
    elif dtype.is_numeric():
        values = series.cast(pl.Float64).to_numpy()
        valid = np.isfinite(values)
        factor, multiply = _scale(column.grain or column.tolerance)
        safe = np.where(valid, values, 0.0)
        exact = safe * factor if multiply else safe / factor
        grains = np.round(exact).astype(np.int64)
        ok = valid & (np.abs(exact - grains) < 1e-6) & (np.abs(exact) < 2**52)
        rest = np.zeros_like(grains)
    else:
        return _empty(bits)
    block = np.floor_divide(grains, size)
    if column.kind == "amount":  # never touch a block that holds a round amount (a multiple of 10 grains)
        low = block * size
        ok &= np.floor_divide(low + size - 1, 10) * 10 < low
    rows = np.flatnonzero(ok)
    return Cells(rows, grains[rows], rest[rows], block[rows], bits)


def _empty(bits: int) -> Cells:
    zero = np.zeros(0, dtype=np.int64)
    return Cells(zero, zero, zero, zero, bits)


def write_cells(
    series: pl.Series, column: MarkedColumn, rows: np.ndarray, grains: np.ndarray, rest: np.ndarray
) -> pl.Series:
    """``series`` with the cells at ``rows`` set to ``grains`` (in the column's type; nulls stay)."""
    if rows.size == 0:
        return series
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        grain = max(1, round((column.grain or column.tolerance) * _US))
        stamps = pl.Series(series.name, grains * grain + rest, dtype=pl.Int64).cast(pl.Datetime("us"))
        new = stamps.dt.replace_time_zone(dtype.time_zone).dt.cast_time_unit(dtype.time_unit or "us")
    else:
        unit = column.grain or column.tolerance
        factor, multiply = _scale(unit)
        values = grains / factor if multiply else grains * factor
        if not dtype.is_integer() and unit < 1:
            values = np.round(values, math.ceil(-math.log10(unit)) + 1)
        new = pl.Series(series.name, np.round(values) if dtype.is_integer() else values).cast(dtype)
    return series.clone().scatter(rows, new)
