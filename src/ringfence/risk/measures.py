"""Re-identification risk of a table over its quasi-identifiers, columnar: the needed columns are read
once, then one Polars group-by over the quasi-identifiers and one per sensitive column (with plain
aggregations over its counts), never a Python loop over rows or classes.

Definitions, as the literature gives them (Sweeney 2002; Machanavajjhala et al. 2007; Li et al. 2007;
El Emam 2013, as ARX implements them):

- an *equivalence class* is the set of records with equal values on every quasi-identifier (a missing value
  is a value); ``k_anonymity`` is the size of the smallest class, ``equivalence_classes`` their number and
  ``unique_rows`` the records alone in their class;
- *prosecutor risk* of a record is ``1/|its class|``: ``prosecutor_risk_max = 1/k`` and
  ``prosecutor_risk_avg`` the mean over records (= classes / records); *marketer risk* (the share of records
  an attacker matching everyone re-identifies) is the same mean without a population table; with one, it is
  ``Σ f_j/F_j / n`` over classes, and *journalist risk* is ``1/min F_j`` (max) and that mean (avg), where
  ``F_j`` is the class's size in the population (never below its size in the sample);
- *distinct l-diversity* is the least number of distinct sensitive values in a class; *entropy
  l-diversity* is ``exp(min H)``, ``H`` a class's Shannon entropy (natural log) of its sensitive values;
  *recursive (c,l)-diversity*, for the distinct ``l``, is the least integer ``c`` with
  ``r_1 < c·(r_l + … + r_m)`` in every class, ``r_1 ≥ r_2 ≥ …`` the counts of its sensitive values;
- *t-closeness* is the greatest distance between a class's distribution of a sensitive column and the
  whole table's: for numbers and dates the ordered distance (Earth Mover's Distance over the ``m`` sorted
  distinct values, unit ``1/(m-1)``), for anything else the equal distance (half the L1 distance).

With a *subject* column (several rows per person, as in transactions) risk is measured over people, as
Cloud DLP does with entity ids: a person's quasi-identifiers are the sets of the values their rows hold,
classes group people, and a class's sensitive values are those of all its people's rows.

Every figure here is a count, a size or a ratio: a :class:`RiskResult` never holds a data value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from ringfence.errors import UsageError

__all__ = ["RiskResult", "SensitiveRisk", "class_sizes", "measure", "people"]

_SIZE = "__size"
_N = "__n"


@dataclass(frozen=True)
class SensitiveRisk:
    """The diversity and closeness of one sensitive column."""

    l_distinct: int
    l_entropy: float
    recursive_c: float | None  # None when l < 2: no c makes a class of one value (c,l)-diverse
    t_closeness: float
    distance: str  # "ordered" or "equal"

    def to_json(self) -> dict[str, Any]:
        return {
            "l_distinct": self.l_distinct,
            "l_entropy": round(self.l_entropy, 6),
            "recursive_cl": {"c": self.recursive_c, "l": self.l_distinct},
            "t_closeness": round(self.t_closeness, 6),
            "distance": self.distance,
        }


@dataclass(frozen=True)
class RiskResult:
    """What :func:`measure` found (counts and ratios only)."""

    rows: int
    records: int  # rows, or people with a subject column
    quasi_identifiers: list[str]
    subject: str | None
    k_anonymity: int
    equivalence_classes: int
    unique_rows: int
    prosecutor_risk_max: float
    prosecutor_risk_avg: float
    marketer_risk: float
    journalist_risk_max: float | None = None
    journalist_risk_avg: float | None = None
    sensitive: dict[str, SensitiveRisk] = field(default_factory=dict)
    size_histogram: list[tuple[int, int]] = field(default_factory=list)  # (class size, classes)

    def to_json(self) -> dict[str, Any]:
        """The ``risk --json`` document of DESIGN.md §2 (plus the figures it leaves open)."""
        doc: dict[str, Any] = {
            "rows": self.rows,
            "records": self.records,
            "subject": self.subject,
            "quasi_identifiers": self.quasi_identifiers,
            "k_anonymity": self.k_anonymity,
            "equivalence_classes": self.equivalence_classes,
            "unique_rows": self.unique_rows,
            "prosecutor_risk_max": round(self.prosecutor_risk_max, 6),
            "prosecutor_risk_avg": round(self.prosecutor_risk_avg, 6),
            "marketer_risk": round(self.marketer_risk, 6),
            "l_diversity": {c: s.l_distinct for c, s in self.sensitive.items()},
            "t_closeness": {c: round(s.t_closeness, 6) for c, s in self.sensitive.items()},
            "sensitive": {c: s.to_json() for c, s in self.sensitive.items()},
            "class_sizes": [{"size": s, "classes": n} for s, n in self.size_histogram],
        }
        if self.journalist_risk_max is not None:
            doc["journalist_risk_max"] = round(self.journalist_risk_max, 6)
            doc["journalist_risk_avg"] = round(self.journalist_risk_avg or 0.0, 6)
        return doc


def _check(frame: pl.LazyFrame, columns: Sequence[str], what: str) -> None:
    names = frame.collect_schema().names()
    missing = [c for c in columns if c not in names]
    if missing:
        raise UsageError(f"{what} {', '.join(missing)}: no such column (columns: {', '.join(names)})")


def people(frame: pl.LazyFrame, qi: Sequence[str], subject: str) -> pl.LazyFrame:
    """One row per person: each quasi-identifier as the sorted set of the values their rows hold."""
    return frame.group_by(subject).agg([pl.col(q).unique().sort() for q in qi])


def class_sizes(frame: pl.LazyFrame, qi: Sequence[str]) -> pl.LazyFrame:
    """The equivalence classes: the quasi-identifiers and each class's size (column ``__size``)."""
    return frame.group_by(list(qi)).agg(pl.len().alias(_SIZE))


def _ordered(values: pl.DataType) -> bool:
    return values.is_numeric() or values.is_temporal()


def _t_ordered(cls: np.ndarray, rank: np.ndarray, count: np.ndarray, q: np.ndarray) -> float:
    """Greatest ordered EMD over classes; rows sorted by (class, rank); ``q`` the table's cumulative
    distribution over the ``m`` ranks. Per class, ``Σ_i |P_i − Q_i|`` over ranks, with ``P`` the class's
    cumulative distribution, a step that only changes at its own ranks: every constant stretch of ``P``
    is summed at once from prefix sums of the monotone ``Q`` (a ``searchsorted`` split)."""
    m = q.size
    if m < 2 or cls.size == 0:
        return 0.0
    sq = np.concatenate(([0.0], np.cumsum(q)))
    starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
    totals = np.add.reduceat(count, starts).astype(np.float64)
    per_row_total = np.repeat(totals, np.diff(np.r_[starts, cls.size]))
    within = count.astype(np.float64) / per_row_total
    # cumulative P within each class
    cum = np.cumsum(within)
    offset = np.repeat(np.r_[0.0, cum[starts[1:] - 1]], np.diff(np.r_[starts, cls.size]))
    p = cum - offset
    last = np.r_[cls[1:] != cls[:-1], True]
    end = np.where(last, m, np.r_[rank[1:], m])

    # Σ_{i∈[a,b)} |c − Q_i|, Q monotone: split where Q passes c
    split = np.clip(np.searchsorted(q, p, side="right"), rank, end)
    dist = p * (split - rank) - (sq[split] - sq[rank]) + (sq[end] - sq[split]) - p * (end - split)
    lead = sq[rank[starts]]  # before a class's first value P is 0: Σ Q_i
    per_class = np.add.reduceat(dist, starts) + lead
    return float(per_class.max() / (m - 1))


def _sensitive(
    frame: pl.LazyFrame, qi: list[str], column: str, dtype: pl.DataType, records: int
) -> SensitiveRisk:
    """l and t of one sensitive column from one group-by over (quasi-identifiers, value), then plain
    aggregations over its (class, value) counts: a class is named by its first row there, a value by its
    dense rank (missing last), and the entropy is ``ln size − Σ n·ln n / size``."""
    values = pl.col(column)
    counts = (
        frame.group_by([*qi, column])
        .agg(pl.len().alias(_N))
        .collect()  # then eagerly: the lazy engine ran the windows below several times slower
        .with_row_index("__i")
        .with_columns(
            pl.col("__i").first().over(qi).alias("__cls"),
            (values.rank("dense").fill_null(values.n_unique()) - 1).cast(pl.Int64).alias("__rank"),
            pl.col(_N).sum().over(qi).alias(_SIZE),
            (pl.col(_N).sum().over(column) / float(records)).alias("__q"),
        )
    )
    n = pl.col(_N).cast(pl.Float64)
    per_class = (
        counts.lazy()
        .with_columns(
            (n * n.log()).alias("__nlogn"), (n / pl.col(_SIZE) - pl.col("__q")).abs().alias("__gap")
        )
        .group_by("__cls")
        .agg(
            pl.len().alias("distinct"),
            pl.col(_SIZE).first().cast(pl.Float64).alias("size"),
            pl.col("__nlogn").sum().alias("nlogn"),
            pl.col("__gap").sum().alias("present"),
            pl.col("__q").sum().alias("qsum"),
        )
        .select(
            pl.col("distinct").min().alias("l"),
            (pl.col("size").log() - pl.col("nlogn") / pl.col("size")).min().alias("entropy"),
            ((pl.col("present") + 1.0 - pl.col("qsum")) / 2).max().alias("t_equal"),
        )
        .collect()
        .row(0, named=True)
    )
    l_distinct = int(per_class["l"] or 0)
    l_entropy = math.exp(max(float(per_class["entropy"] or 0.0), 0.0))
    recursive_c = None
    if l_distinct > 1:  # r_1 < c·(r_l + … + r_m): counts by class, most frequent first
        ranked = counts.select("__cls", _N, _SIZE).sort(["__cls", _N], descending=[False, True])
        cls, count = ranked["__cls"].to_numpy(), ranked[_N].to_numpy().astype(np.float64)
        starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
        position = np.arange(cls.size) - np.repeat(starts, np.diff(np.r_[starts, cls.size]))
        tail = np.add.reduceat(np.where(position >= l_distinct - 1, count, 0.0), starts)
        recursive_c = float(math.floor(float((count[starts] / tail).max())) + 1)
    ordered = _ordered(dtype)
    if ordered:
        q_share = counts.group_by("__rank").agg(pl.col(_N).sum()).sort("__rank")[_N].to_numpy() / records
        ranked = counts.select("__cls", "__rank", _N).sort(["__cls", "__rank"])
        t = _t_ordered(
            ranked["__cls"].to_numpy(),
            ranked["__rank"].to_numpy(),
            ranked[_N].to_numpy(),
            np.cumsum(q_share),
        )
    else:
        t = float(per_class["t_equal"] or 0.0)
    return SensitiveRisk(l_distinct, l_entropy, recursive_c, max(t, 0.0), "ordered" if ordered else "equal")


def measure(
    frame: pl.DataFrame | pl.LazyFrame,
    qi: Sequence[str],
    *,
    sensitive: Sequence[str] = (),
    subject: str | None = None,
    population: pl.DataFrame | pl.LazyFrame | None = None,
) -> RiskResult:
    """The risk of ``frame`` over the quasi-identifiers ``qi`` (see the module docstring).

    ``population``, when given, holds the population's records over the same quasi-identifiers (a register
    the attacker may hold); it makes journalist risk and marketer risk relative to it.
    """
    lf = frame.lazy()
    qi = list(qi)
    if not qi:
        raise UsageError("risk needs at least one quasi-identifier")
    _check(lf, qi, "quasi-identifier")
    _check(lf, list(sensitive), "sensitive column")
    if subject is not None:
        _check(lf, [subject], "subject column")
    schema = lf.collect_schema()
    # the needed columns, read once (a streamed input would be read again by every group-by)
    needed = list(dict.fromkeys([*qi, *sensitive, *([subject] if subject else [])]))
    data = frame.select(needed) if isinstance(frame, pl.DataFrame) else lf.select(needed).collect()
    lf = data.lazy()
    rows = data.height
    if subject is not None:
        person = people(lf, qi, subject)
        records = int(lf.select(pl.col(subject).n_unique()).collect().item())
        # a class's sensitive values: those of all its people's rows
        by_row = lf.join(person.rename({q: f"__set_{q}" for q in qi}), on=subject, how="left")
        sets = [f"__set_{q}" for q in qi]
        row_frame = by_row.drop(qi).rename(dict(zip(sets, qi, strict=True)))
    else:
        person, records, row_frame = lf, rows, lf
    sizes = class_sizes(person, qi).collect()
    size = sizes[_SIZE]
    k = int(sizes.select(pl.col(_SIZE).min()).item() or 0)
    classes = sizes.height
    unique = int((size == 1).sum())
    hist = size.value_counts(sort=False).sort(_SIZE)
    histogram = list(zip(hist[_SIZE].to_list(), hist["count"].to_list(), strict=True))
    avg = classes / records if records else 0.0
    journalist_max = journalist_avg = None
    marketer = avg
    if population is not None:
        pop = population.lazy()
        _check(pop, qi, "population column")
        pop_sizes = class_sizes(pop.select(qi), qi).rename({_SIZE: "__pop"})
        joined = (
            sizes.lazy()
            .join(pop_sizes, on=qi, how="left", nulls_equal=True)
            .with_columns(pl.max_horizontal(pl.col("__pop").fill_null(0), pl.col(_SIZE)).alias("__pop"))
        )
        stats = joined.select(
            (1.0 / pl.col("__pop").min()).alias("max"),
            (pl.col(_SIZE) / pl.col("__pop")).sum().alias("sum"),
        ).collect()
        journalist_max = float(stats["max"][0]) if records else 0.0
        journalist_avg = float(stats["sum"][0]) / records if records else 0.0
        marketer = journalist_avg
    diversity = {col: _sensitive(row_frame, qi, col, schema[col], rows) for col in sensitive} if rows else {}
    return RiskResult(
        rows=rows,
        records=records,
        quasi_identifiers=qi,
        subject=subject,
        k_anonymity=k,
        equivalence_classes=classes,
        unique_rows=unique,
        prosecutor_risk_max=1.0 / k if k else 0.0,
        prosecutor_risk_avg=avg,
        marketer_risk=marketer,
        journalist_risk_max=journalist_max,
        journalist_risk_avg=journalist_avg,
        sensitive=diversity,
        size_histogram=histogram,
    )
