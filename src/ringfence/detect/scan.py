"""Scanning sources: sample each table, classify its columns, optionally validate every value.

``scan(inputs)`` returns a :class:`ScanReport` whose ``to_json()`` is the DESIGN.md §2 contract. The sample
is spread over the whole table (``Source.sample``), so a table sorted by region or date is not judged by
its first rows. ``full=True`` then streams every batch through the chosen entity's column validator and
reports the hit rate over all values.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ringfence.detect.classify import (
    SPARSE_SHARE,
    ColumnFinding,
    classify_frame,
    clean_frame,
    coordinate_limit,
    validator_for,
)
from ringfence.detect.entities import date_of_birth, geo
from ringfence.detect.entities._dates import EARLIEST_BIRTH
from ringfence.detect.vocabulary import FREE_TEXT
from ringfence.io.read import Source, open_sources

DEFAULT_SAMPLE_ROWS = 10_000
MIN_RANGE_ROWS = 100_000  # the smallest row range --full checks as one work item


@dataclass
class TableFinding:
    """The findings for one table."""

    source: str
    rows: int
    sampled_rows: int
    columns: list[ColumnFinding]
    full: bool = False

    def chance_to_see(self, rate: float = 0.01) -> float:
        """How likely the sample was to reveal a column in which ``rate`` of the values are personal (the
        classifier needs :data:`SPARSE_SHARE` of the sampled values, and at least 2): a Poisson tail."""
        need = max(2, int(SPARSE_SHARE * self.sampled_rows))
        expected = rate * self.sampled_rows
        below = sum(math.exp(k * math.log(expected) - expected - math.lgamma(k + 1)) for k in range(need))
        return max(0.0, min(1.0, 1.0 - below)) if expected > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.rows,
            "sampled_rows": self.sampled_rows,
            "columns": [c.to_json() for c in self.columns],
        }


@dataclass
class ScanReport:
    tables: list[TableFinding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"tables": [t.to_json() for t in self.tables]}


def scan_source(
    source: Source, *, sample_rows: int = DEFAULT_SAMPLE_ROWS, full: bool = False, seed: int = 0
) -> TableFinding:
    """Classifies the columns of one source from a spread sample; ``full`` validates every value."""
    rows = source.count_rows()
    sample = source.sample(sample_rows, seed=seed)
    findings = classify_frame(sample)
    table = TableFinding(source.name, rows, sample.height, findings)
    if full:
        validate_full(source, findings)
        table.full = True
    return table


def validate_full(source: Source, findings: list[ColumnFinding], batch_rows: int = 500_000) -> None:
    """Streams every batch and replaces each finding's hit rate with the rate over all values.

    Per batch, the text columns are cleaned once (:func:`clean_frame`), then each column's count and
    validator run as one ``select`` per column and row range on a pool of threads (the staged validators
    call back into Python, which keeps Polars from running them side by side within one ``select``; each
    releases the GIL while Polars works), while the next batch is read. Numeric single coordinates and
    birth dates stored as dates are checked by value, without a round trip through text (:func:`_typed`).
    """
    checked = [f for f in findings if f.entity and f.entity != FREE_TEXT]
    if not checked:
        return
    counts = {f.name: [0, 0] for f in checked}
    columns = [f.name for f in checked]
    workers = max(1, pl.thread_pool_size())
    with ThreadPoolExecutor(max_workers=workers) as pool, ThreadPoolExecutor(max_workers=1) as reader:
        batches = iter(source.batches(batch_rows, columns=columns))
        pending = reader.submit(next, batches, None)
        while (batch := pending.result()) is not None:
            pending = reader.submit(next, batches, None)  # read ahead while this batch is checked
            typed = {f.name for f in checked if _typed(f, batch.schema[f.name])}
            texts = [f.name for f in checked if f.name not in typed]
            frame = clean_frame(batch, texts).hstack([batch[f.name] for f in checked if f.name in typed])

            # Work items: every column, cut into one row range per worker (of at least MIN_RANGE_ROWS,
            # so Python's share of the work stays small), so that a table with one heavy column keeps
            # every worker busy too.
            step = max(MIN_RANGE_ROWS, -(-frame.height // workers))
            items = [(f, start) for f in checked for start in range(0, max(1, frame.height), step)]

            def count(
                item: tuple[ColumnFinding, int],
                frame: pl.DataFrame = frame,
                typed: set[str] = typed,
                step: int = step,
            ) -> tuple[int, int]:
                f, start = item
                n, v = _count_and_valid(f, f.name in typed)
                row = frame.slice(start, step).select(n.alias("n"), v.alias("v")).row(0)
                return int(row[0] or 0), int(row[1] or 0)

            for (f, _), (n, v) in zip(items, pool.map(count, items), strict=True):
                counts[f.name][0] += n
                counts[f.name][1] += v
    for f in checked:
        n, v = counts[f.name]
        f.hit_rate = v / n if n else 0.0
        f.non_empty = n
        if "full" not in f.evidence:
            f.evidence.append("full")


def _typed(finding: ColumnFinding, dtype: pl.DataType) -> bool:
    """Whether the column's type decides its check without its text: numeric single coordinates, and
    birth dates stored as dates."""
    if finding.entity == geo.ENTITY:
        return dtype.is_float() or dtype.is_integer()
    return finding.entity == date_of_birth.ENTITY and dtype == pl.Date


def _count_and_valid(finding: ColumnFinding, typed: bool) -> tuple[pl.Expr, pl.Expr]:
    """The number of non-empty values of the finding's column, and of valid ones.

    ``typed`` (see :func:`_typed`) columns give the same counts as their :func:`clean_text` would: a
    number's text is never a coordinate pair (it has no separator) and ``NaN``'s text is a junk
    placeholder; a date's text is ``YYYY-MM-DD``, valid exactly when the date lies in 1900..today.
    """
    col = pl.col(finding.name)
    if typed and finding.entity == date_of_birth.ENTITY:
        in_range = (col >= EARLIEST_BIRTH) & (col <= dt.date.today())
        return col.count(), in_range.fill_null(False).sum()
    if typed:
        x = col.cast(pl.Float64)
        present = (x.is_not_null() & ~x.is_nan()).fill_null(False)
        valid = present & (x.abs() <= coordinate_limit(finding)) & (x != x.round(0))
        return present.sum(), valid.fill_null(False).sum()
    return col.count(), validator_for(finding, col).sum()


def scan(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    full: bool = False,
    on_table: Callable[[TableFinding], None] | None = None,
) -> ScanReport:
    """Scans every table of every input (files, folders, database table URIs)."""
    report = ScanReport()
    for spec in inputs:
        for source in open_sources(spec):
            table = scan_source(source, sample_rows=sample_rows, full=full)
            report.tables.append(table)
            if on_table:
                on_table(table)
    return report
