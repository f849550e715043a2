"""Where a column's cells carry a symbol, and how it is read and written (columnar, NumPy).

A cell's value is counted in *grains* of the column's tolerance (cents of an amount, seconds or
milliseconds of a timestamp): ``g``. The pair ``{2k, 2k+1}`` that holds ``g`` is the cell's *anchor*: the
coarse part of the value that a mark never changes, so a leaked cell names its code position by itself,
whatever other columns survive (``position = column | k``). A keyed PRF of the position selects a share
of the cells (the same for every recipient of the domain) and gives a mask bit; a selected cell carries
the symbol ``(g mod 2) xor mask``, so a mark moves a value by at most one grain and half of the selected
cells need no change. Amounts whose pair holds a round value (a multiple of ten grains: 100.00, 12,700
won) are never selected, so no round amount becomes a non-round one. Sub-grain parts (microseconds under
a one-second grain) are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from ringfence.fingerprint.record import MarkedColumn

__all__ = ["Cells", "read_cells", "write_cells"]

_US = 1_000_000


@dataclass(frozen=True)
class Cells:
    """The markable cells of one column of a batch: row index, grain count, kept remainder, position."""

    rows: np.ndarray  # int64 row indices into the batch
    grains: np.ndarray  # int64
    rest: np.ndarray  # int64 (timestamps: microseconds below the grain), else 0
    positions: pl.Series  # String: "column|anchor"


def _scale(tolerance: float) -> tuple[float, bool]:
    """(factor, multiply): grains = value * factor when 1/tolerance is a whole number, else value / tol."""
    inv = 1.0 / tolerance
    if abs(inv - round(inv)) < 1e-9 and inv >= 1:
        return float(round(inv)), True
    return tolerance, False


def read_cells(series: pl.Series, column: MarkedColumn) -> Cells:
    """The cells of ``series`` that may carry a mark under ``column``'s kind and tolerance."""
    dtype = series.dtype
    if column.kind == "timestamp" or dtype.is_temporal():
        if not isinstance(dtype, pl.Datetime):
            return _empty()
        us = series.dt.cast_time_unit("us").to_physical().to_numpy()
        valid = ~series.is_null().to_numpy()
        grain = max(1, round(column.tolerance * _US))
        raw = np.where(valid, us, 0).astype(np.int64)
        grains = np.floor_divide(raw, grain)
        rest = raw - grains * grain
        ok = valid
    elif dtype.is_numeric():
        values = series.cast(pl.Float64).to_numpy()
        valid = np.isfinite(values)
        factor, multiply = _scale(column.tolerance)
        safe = np.where(valid, values, 0.0)
        exact = safe * factor if multiply else safe / factor
        grains = np.round(exact).astype(np.int64)
        ok = valid & (np.abs(exact - grains) < 1e-6) & (np.abs(exact) < 2**52)
        rest = np.zeros_like(grains)
    else:
        return _empty()
    pair = np.floor_divide(grains, 2)
    if column.kind == "amount":  # never touch a pair that holds a round amount
        ok &= np.mod(pair, 5) != 0
    rows = np.flatnonzero(ok)
    anchors = pl.Series("p", pair[rows]).cast(pl.String)
    positions = pl.select(pl.concat_str(pl.lit(column.name + "|"), anchors).alias("p")).to_series()
    return Cells(rows, grains[rows], rest[rows], positions)


def _empty() -> Cells:
    zero = np.zeros(0, dtype=np.int64)
    return Cells(zero, zero, zero, pl.Series("p", [], dtype=pl.String))


def write_cells(
    series: pl.Series, column: MarkedColumn, rows: np.ndarray, grains: np.ndarray, rest: np.ndarray
) -> pl.Series:
    """``series`` with the cells at ``rows`` set to ``grains`` (in the column's type; nulls stay)."""
    if rows.size == 0:
        return series
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        grain = max(1, round(column.tolerance * _US))
        stamps = pl.Series(series.name, grains * grain + rest, dtype=pl.Int64).cast(pl.Datetime("us"))
        new = stamps.dt.replace_time_zone(dtype.time_zone).dt.cast_time_unit(dtype.time_unit or "us")
    else:
        factor, multiply = _scale(column.tolerance)
        values = grains / factor if multiply else grains * factor
        if not dtype.is_integer() and column.tolerance < 1:
            values = np.round(values, math.ceil(-math.log10(column.tolerance)) + 1)
        new = pl.Series(series.name, np.round(values) if dtype.is_integer() else values).cast(dtype)
    return series.clone().scatter(rows, new)
