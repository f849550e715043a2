"""The embedder: a runner step that sets the selected cells of a recipient's copy to its code symbols.

Placed after the plan's transforms, so marks sit on the values as released. For each marked column of
each batch (:mod:`ringfence.fingerprint.cells`): the markable cells, their positions, the keyed selection
and mask (shared by the domain), the biases of the selected positions and the recipient's symbols there
(:mod:`ringfence.fingerprint.code`); a cell changes only where its value does not already carry the
symbol, by one grain. Never more than :data:`MAX_CHANGED` of a column's non-null cells change in a batch
(the changes whose selection draw is smallest are kept when a batch would exceed it). The step counts
cells and changes and keeps the moments the release reports (mean and variance shift per column).
Elementwise over rows: a cell's mark depends only on its own value, never on the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ringfence.fingerprint.cells import positions_of, read_cells, write_cells
from ringfence.fingerprint.code import biases, codewords, int_words
from ringfence.fingerprint.record import ColumnShift, MarkedColumn, MarkRecord
from ringfence.keys import KeyResolver

__all__ = ["MAX_CHANGED", "TARGET_CHANGED", "MarkStep", "low_bits", "selection"]

MAX_CHANGED = 0.05
TARGET_CHANGED = 0.048  # what the selection aims at: about half the selected cells need a change
_TWO56 = float(2**56)


def selection(
    keys: KeyResolver, key_id: str, domain: str, column: str, anchors: np.ndarray, rate: float, bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(selected, mask bits (cells × ``bits``), selection draw) of each anchor of ``column``: the
    domain's keyed choice of carriers."""
    w = int_words(keys, key_id, "cell|" + column, domain, anchors)
    draw = (w >> np.uint64(8)).astype(np.float64) / _TWO56
    mask = ((w[:, None] >> np.arange(bits, dtype=np.uint64)[None, :]) & np.uint64(1)).astype(np.int64)
    return draw < rate, mask, draw


def low_bits(grains: np.ndarray, bits: int) -> np.ndarray:
    """Bit ``k`` of ``grains mod 2^bits`` for each cell (cells × ``bits``)."""
    low = np.mod(grains, 1 << bits)
    return np.asarray((low[:, None] >> np.arange(bits, dtype=np.int64)[None, :]) & 1, dtype=np.int64)


@dataclass
class _Moments:
    """Sums from which the mean and variance shift follow exactly: with ``d`` the change of each cell,
    ``Δmean = Σd/n`` and ``Δvar = (2Σvd + Σd²)/n − 2·mean(v)·mean(d) − mean(d)²``."""

    cells: int = 0
    changed: int = 0
    sums: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0, 0.0])  # v, d, v·d, d²
    max_change: float = 0.0
    origin: float | None = None  # values are taken relative to the first one, to keep precision

    def add(self, series: pl.Series, old: np.ndarray, new: np.ndarray) -> None:
        """Counts a batch of ``series`` whose changed cells went from ``old`` to ``new`` (floats)."""
        present = series.len() - series.null_count()
        if self.origin is None and present:
            self.origin = float(_numbers(series.drop_nulls().head(1))[0])
        origin = self.origin or 0.0
        total = _numbers_sum(series)
        self.cells += present
        self.changed += old.size
        a, d = old - origin, new - old
        self.sums[0] += total - present * origin
        for k, part in enumerate((d, a * d, d * d), start=1):
            self.sums[k] += float(part.sum())
        self.max_change = max(self.max_change, float(np.abs(d).max()) if d.size else 0.0)

    def shift(self) -> ColumnShift:
        n = max(self.cells, 1)
        mean_v, mean_d = self.sums[0] / n, self.sums[1] / n
        variance = (2 * self.sums[2] + self.sums[3]) / n - 2 * mean_v * mean_d - mean_d**2
        return ColumnShift(
            cells=self.cells,
            changed=self.changed,
            mean_shift=mean_d,
            variance_shift=variance,
            max_change=self.max_change,
        )


def _numbers_sum(series: pl.Series) -> float:
    """The sum of a numeric or datetime column's values (datetimes in seconds since the epoch)."""
    if isinstance(series.dtype, pl.Datetime):
        us = series.dt.cast_time_unit("us").to_physical().cast(pl.Float64)
        return float(us.sum()) / 1e6
    return float(series.cast(pl.Float64).sum())


def _numbers(series: pl.Series) -> np.ndarray:
    """Float values of a numeric or datetime column (datetimes in seconds since the epoch); NaN for null."""
    if isinstance(series.dtype, pl.Datetime):
        us = series.dt.cast_time_unit("us").to_physical().cast(pl.Float64)
        return np.asarray((us / 1e6).fill_null(np.nan).to_numpy(), dtype=np.float64)
    return np.asarray(series.cast(pl.Float64).fill_null(np.nan).to_numpy(), dtype=np.float64)


class MarkStep:
    """The runner step that marks one recipient's copy (see the module docstring)."""

    name = "fingerprint"

    def __init__(self, record: MarkRecord, keys: KeyResolver) -> None:
        self.record = record
        self._keys = keys
        self._moments = {c.name: _Moments() for c in record.columns}
        self._columns = {c.name: c for c in record.columns}

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        replaced = [self._mark(batch.get_column(name), name) for name in self._columns if name in batch]
        return batch.with_columns(replaced) if replaced else batch

    def columns(self) -> list[MarkedColumn]:
        """The marked columns with the selection rate each used."""
        return list(self._columns.values())

    def _rated(self, series: pl.Series, name: str, markable: int, bits: int) -> MarkedColumn:
        """The column with its rate: fixed by the first batch that has values, so that about
        :data:`TARGET_CHANGED` of its cells change (a selected cell needs a change with chance
        ``1 − 2^-bits``; a column whose values are mostly round amounts has few markable cells, each
        selected more often), at most one half."""
        column = self._columns[name]
        present = series.len() - series.null_count()
        if column.rate is None and present:
            share = markable / present
            moved = 1 - 0.5**bits
            rate = min(0.5, TARGET_CHANGED / (share * moved)) if share else self.record.rate
            column = column.model_copy(update={"rate": round(rate, 6)})
            self._columns[name] = column
        return column

    def _mark(self, series: pl.Series, name: str) -> pl.Series:
        r = self.record
        cells = read_cells(series, self._columns[name])
        b = cells.bits
        column = self._rated(series, name, len(cells.rows), b)
        rate = column.rate or r.rate
        chosen, mask, draw = selection(self._keys, r.key_id, r.domain, name, cells.anchors, rate, b)
        idx = np.flatnonzero(chosen)
        positions = positions_of(name, cells.anchors[idx], b)
        p = biases(self._keys, r.key_id, r.domain, positions, r.cutoff)
        code = codewords(self._keys, r.key_id, r.domain, [r.recipient], positions, p)[0]
        symbols = code.astype(np.int64).reshape(idx.size, b) ^ mask[idx]
        grains = cells.grains[idx]
        target = grains - np.mod(grains, 1 << b) + (symbols << np.arange(b, dtype=np.int64)).sum(axis=1)
        moved = np.flatnonzero(target != grains)
        cap = int(MAX_CHANGED * (series.len() - series.null_count()))
        if moved.size > cap:  # keep the changes drawn first; the rest keep their value
            moved = moved[np.argsort(draw[idx][moved], kind="stable")[:cap]]
        rows = cells.rows[idx][moved]
        out = write_cells(series, column, rows, target[moved], cells.rest[idx][moved])
        self._moments[name].add(series, _numbers(series.gather(rows)), _numbers(out.gather(rows)))
        return out

    def shifts(self) -> dict[str, ColumnShift]:
        """What marking did to each column so far (cells, changes, mean and variance shift)."""
        return {name: m.shift() for name, m in self._moments.items()}
