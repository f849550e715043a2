"""Re-identification risk of a table over its quasi-identifiers, columnar and in one pass per sensitive
column: the needed columns are read once, each is encoded once to integer codes (a dictionary for text,
an offset or a sorted dictionary for numbers and dates, nulls a code of their own), the quasi-identifiers'
codes are packed into one ``u64`` class key (mixed radix; re-densified in the rare case the cardinalities
overflow 64 bits), and one sort of ``class key × sensitive code`` gives the count table (class × value →
records). Every measure is then derived from that compact table with NumPy segment reductions
(``reduceat`` over each class's run), never a Python loop over rows or classes, and never a second pass
over the rows per measure. Columns are encoded, and sensitive columns counted, side by side on threads.

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
  distinct values, unit ``1/(m-1)``), for anything else the equal distance (half the L1 distance); a
  missing sensitive value is a value, ordered after every other.

With a *subject* column (several rows per person, as in transactions) risk is measured over people, as
Cloud DLP does with entity ids: a person's quasi-identifiers are the sets of the values their rows hold,
classes group people, and a class's sensitive values are those of all its people's rows. A population
table is then grouped by person the same way (it needs the same subject column).

Every figure here is a count, a size or a ratio: a :class:`RiskResult` never holds a data value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import polars as pl

from ringfence.errors import UsageError

__all__ = ["RiskResult", "SensitiveRisk", "class_sizes", "measure", "measure_counted", "people"]

_SIZE = "__size"
_T = TypeVar("_T")
_R = TypeVar("_R")
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


U64 = np.uint64
_OFFSET_SPAN = 1 << 32  # an integer column spanning less than this is coded by its offset from the least


def _sorted_dictionary(physical: pl.Series) -> tuple[np.ndarray, int]:
    """Codes in the values' order: each value's position among the sorted distinct ones (hashed once by
    Polars; the sort is over the distinct values only)."""
    distinct = np.sort(physical.drop_nulls().unique().to_numpy())
    filled = physical.fill_null(distinct[0]) if distinct.size else physical
    return np.searchsorted(distinct, filled.to_numpy()).astype(U64), int(distinct.size)


def _group_ids(column: pl.Series) -> tuple[np.ndarray, int]:
    """Codes for any hashable type (lists of a person's values, structs, binaries): one group-by."""
    groups = column.to_frame("v").with_row_index("i").group_by("v").agg(pl.col("i"))
    rows = groups["i"].explode().to_numpy()
    codes = np.empty(column.len(), dtype=U64)
    codes[rows] = np.repeat(np.arange(groups.height, dtype=U64), groups["i"].list.len().to_numpy())
    return codes, groups.height


def encode(column: pl.Series, *, ordered: bool = False) -> tuple[np.ndarray, int]:
    """The column as integer codes ``0 ≤ code < cardinality`` (``u64``): equal values get equal codes and
    a missing value a code of its own (the last); with ``ordered``, codes follow the values' order (for
    the ordered distance), missing last. Codes may leave gaps (an offset, a dictionary's unused entries):
    the cardinality bounds them, it does not count them."""
    dtype = column.dtype
    if dtype == pl.String:
        physical = column.cast(pl.Categorical).to_physical()
    elif dtype == pl.Boolean:
        physical = column.cast(pl.UInt8)
    elif dtype.is_integer() or dtype.is_temporal() or isinstance(dtype, pl.Categorical | pl.Enum):
        physical = column.to_physical()  # a categorical's codes (never ordered: not a number)
    elif dtype.is_float():
        physical = column
    else:
        if ordered:  # e.g. decimals: their dense rank
            rank = column.rank("dense")
            card = int(rank.max() or 0)  # type: ignore[arg-type]
            return (rank.fill_null(card + 1) - 1).cast(pl.UInt64).to_numpy(), card + 1
        return _group_ids(column)
    nulls = column.null_count()
    if physical.dtype.is_integer() and column.len() > nulls:
        low, high = int(physical.min()), int(physical.max())  # type: ignore[arg-type]
        if high - low < _OFFSET_SPAN and high < 1 << 63:
            if not nulls:  # one pass, in NumPy
                return np.subtract(physical.to_numpy(), low, dtype=np.int64).view(U64), high - low + 1
            codes = (physical.cast(pl.Int64) - low).fill_null(high - low + 1).cast(pl.UInt64).to_numpy()
            return codes, high - low + 2
    codes, card = _sorted_dictionary(physical)
    if nulls:
        codes[column.is_null().to_numpy()] = card
        card += 1
    return codes, max(card, 1)


def _dense(key: np.ndarray) -> tuple[np.ndarray, int]:
    """``key`` renumbered ``0..distinct-1`` (when packing more codes would overflow 64 bits)."""
    distinct, inverse = np.unique(key, return_inverse=True)
    return inverse.astype(U64), int(distinct.size)


def _each(work: Callable[[_T], _R], items: Sequence[_T]) -> list[_R]:
    """``work`` over ``items`` on threads, one per core at most (Polars and NumPy's sorts and ufuncs
    release the GIL, so independent columns run side by side)."""
    if len(items) < 2:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1)) as pool:
        return list(pool.map(work, items))


def class_keys(frame: pl.DataFrame, qi: Sequence[str]) -> tuple[np.ndarray, int]:
    """Each row's equivalence class as one ``u64`` key (equal keys, equal quasi-identifiers) and a bound
    on the keys: the codes in mixed radix, ``key · cardinality + code`` column by column."""
    encoded = _each(encode, [frame[column] for column in qi])
    key, card = encoded[0]  # packed in place: a copy when it is Polars' own (read-only) memory
    key = key if key.flags.writeable else key.copy()
    for codes, codes_card in encoded[1:]:
        if card * codes_card >= 1 << 64:
            key, card = _dense(key)
        if card * codes_card >= 1 << 64:  # the codes alone nearly fill 64 bits
            codes, codes_card = _dense(codes)
        key *= U64(codes_card)
        key += codes
        card *= codes_card
    return key, card


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array."""
    change = np.empty(ordered.size, dtype=bool)
    if ordered.size:
        change[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=change[1:])
    return np.flatnonzero(change)


def _lengths(starts: np.ndarray, total: int) -> np.ndarray:
    """The length of each run that begins at ``starts`` in an array of ``total`` entries."""
    lengths = np.empty(starts.size, dtype=np.int64)
    if starts.size:
        np.subtract(starts[1:], starts[:-1], out=lengths[:-1])
        lengths[-1] = total - starts[-1]
    return lengths


def _runs(keys: np.ndarray, *, in_place: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys of ``keys`` and how often each occurs, ascending (one sort)."""
    ordered = keys if in_place else keys.copy()
    ordered.sort()
    starts = _run_starts(ordered)
    return ordered[starts], _lengths(starts, ordered.size)


def _t_ordered(starts: np.ndarray, rank: np.ndarray, count: np.ndarray, q: np.ndarray) -> float:
    """Greatest ordered EMD over classes; entries sorted by (class, rank), each class's run beginning at
    ``starts``; ``q`` the table's cumulative distribution over the ``m`` ranks. Per class,
    ``Σ_i |P_i − Q_i|`` over ranks, with ``P`` the class's cumulative distribution, a step that only
    changes at its own ranks: every constant stretch of ``P`` is summed at once from prefix sums of the
    monotone ``Q`` (a ``searchsorted`` split)."""
    m = q.size
    if m < 2 or rank.size == 0:
        return 0.0
    sq = np.concatenate(([0.0], np.cumsum(q)))
    lengths = np.diff(np.r_[starts, rank.size])
    totals = np.add.reduceat(count, starts).astype(np.float64)
    within = count.astype(np.float64) / np.repeat(totals, lengths)
    cum = np.cumsum(within)  # cumulative P within each class
    p = cum - np.repeat(np.r_[0.0, cum[starts[1:] - 1]], lengths)
    last = np.zeros(rank.size, dtype=bool)
    last[np.r_[starts[1:] - 1, rank.size - 1]] = True
    end = np.where(last, m, np.r_[rank[1:], m])

    # Σ_{i∈[a,b)} |c − Q_i|, Q monotone: split where Q passes c
    split = np.clip(np.searchsorted(q, p, side="right"), rank, end)
    dist = p * (split - rank) - (sq[split] - sq[rank]) + (sq[end] - sq[split]) - p * (end - split)
    lead = sq[rank[starts]]  # before a class's first value P is 0: Σ Q_i
    per_class = np.add.reduceat(dist, starts) + lead
    return float(per_class.max() / (m - 1))


@dataclass(frozen=True)
class _Counts:
    """A count table sorted by (class, value): each entry's value code and records, each class's run."""

    value: np.ndarray  # int64 codes
    count: np.ndarray
    starts: np.ndarray  # where each class's run begins
    lengths: np.ndarray  # distinct values per class
    sizes: np.ndarray  # records per class

    @classmethod
    def of(cls, key: np.ndarray, card: int, codes: np.ndarray, codes_card: int) -> _Counts:
        """One sort of ``key << bits | code`` (the class key and the value's code in one ``u64``)."""
        bits = max(codes_card - 1, 1).bit_length()
        if card << bits >= 1 << 64:
            key, card = _dense(key)
        packed = key << U64(bits)
        packed |= codes
        distinct, count = _runs(packed, in_place=True)
        value = np.bitwise_and(distinct, U64((1 << bits) - 1)).view(np.int64)
        distinct >>= U64(bits)
        starts = _run_starts(distinct)
        sizes = np.add.reduceat(count, starts) if count.size else count
        return cls(value, count, starts, _lengths(starts, count.size), sizes)


def _counted(key: np.ndarray, card: int, codes: np.ndarray, codes_card: int, weight: np.ndarray) -> _Counts:
    """:meth:`_Counts.of` for entries that stand for ``weight`` records each (rows grouped elsewhere)."""
    bits = max(codes_card - 1, 1).bit_length()
    if card << bits >= 1 << 64:
        key, card = _dense(key)
    packed = (key << U64(bits)) | codes
    order = np.argsort(packed, kind="stable")
    packed = packed[order]
    runs = _run_starts(packed)
    count = np.add.reduceat(weight[order], runs) if runs.size else weight[:0]
    distinct = packed[runs]
    value = np.bitwise_and(distinct, U64((1 << bits) - 1)).view(np.int64)
    distinct >>= U64(bits)
    starts = _run_starts(distinct)
    sizes = np.add.reduceat(count, starts) if count.size else count
    return _Counts(value, count, starts, _lengths(starts, count.size), sizes)


def _recursive_c(table: _Counts, l_distinct: int) -> float | None:
    """The least integer ``c`` with ``r_1 < c·(r_l + … + r_m)`` in every class (None when ``l < 2``): each
    class's counts, most frequent first, from one sort of ``(class, −count)`` packed in a ``u64``."""
    if l_distinct < 2:
        return None
    top = int(table.count.max()) + 1
    index = np.repeat(np.arange(table.lengths.size, dtype=U64), table.lengths)
    ranked = np.sort(index * U64(top) + (U64(top - 1) - table.count.astype(U64)))
    count = top - 1 - (ranked % U64(top)).astype(np.int64)
    position = np.arange(count.size) - np.repeat(table.starts, table.lengths)
    tail = np.add.reduceat(np.where(position >= l_distinct - 1, count, 0), table.starts)
    return float(int((count[table.starts] // tail).max()) + 1)


def _t_single(table: _Counts, single: np.ndarray, q: np.ndarray, ordered: bool) -> float:
    """t of the classes holding one value (all their records share it), in closed form per value: equal
    distance ``1 − q_v``; ordered ``Σ_{i<r} Q_i + Σ_{i≥r} (1 − Q_i)`` over ranks, ``r`` the value's."""
    values = np.zeros(q.size, dtype=bool)
    values[table.value[table.starts[single]]] = True
    if not ordered:
        return float(1.0 - q[values].min())
    present = q > 0
    cum = np.cumsum(q[present])
    m = cum.size
    if m < 2:
        return 0.0
    prefix = np.r_[0.0, np.cumsum(cum)][:-1]  # Σ_{i<r} Q_i
    rest = (m - np.arange(m)) - (cum.sum() - prefix)  # Σ_{i≥r} (1 − Q_i)
    return float((prefix + rest)[values[present]].max() / (m - 1))


def _t_general(table: _Counts, keep: np.ndarray, q: np.ndarray, ordered: bool) -> float:
    """t of the classes marked ``keep`` (see the module docstring), over their entries only."""
    lengths = table.lengths[keep]
    if lengths.size == 0:
        return 0.0
    entries = np.repeat(keep, table.lengths)
    value, count = table.value[entries], table.count[entries]
    starts = np.cumsum(lengths) - lengths
    if ordered:
        present = q > 0
        rank = (np.cumsum(present) - 1)[value]
        return _t_ordered(starts, rank, count, np.cumsum(q[present]))
    share = q[value]
    gap = np.abs(count / np.repeat(table.sizes[keep].astype(np.float64), lengths) - share)
    return float(((np.add.reduceat(gap, starts) + 1.0 - np.add.reduceat(share, starts)) / 2).max())


def _sensitive(table: _Counts, codes_card: int, ordered: bool, rows: int) -> SensitiveRisk:
    """l and t of one sensitive column from its count table: the entropy is ``ln size − Σ n·ln n / size``
    per class; the table's distribution ``q`` is the count table's per value. Classes holding one value
    (common: every unique record) take closed forms, so the general formulas run over the others."""
    l_distinct = int(table.lengths.min())
    if l_distinct == 1:  # a class of one value: H = 0
        l_entropy = 1.0
    else:
        count = table.count.astype(np.float64)
        sizes = table.sizes.astype(np.float64)
        entropy = np.log(sizes) - np.add.reduceat(count * np.log(count), table.starts) / sizes
        l_entropy = math.exp(max(float(entropy.min()), 0.0))
    q = np.bincount(table.value, weights=table.count, minlength=codes_card) / rows
    single = table.lengths == 1
    t = max(
        _t_single(table, single, q, ordered) if single.any() else 0.0,
        _t_general(table, ~single, q, ordered),
    )
    return SensitiveRisk(
        l_distinct,
        l_entropy,
        _recursive_c(table, l_distinct),
        max(t, 0.0),
        "ordered" if ordered else "equal",
    )


def _histogram(sizes: np.ndarray) -> list[tuple[int, int]]:
    """(class size, classes of that size), ascending."""
    if sizes.size == 0:
        return []
    if int(sizes.max()) <= 4 * sizes.size + 1024:
        per = np.bincount(sizes)
        at = np.flatnonzero(per)
        return list(zip(at.tolist(), per[at].tolist(), strict=True))
    distinct, count = np.unique(sizes, return_counts=True)
    return list(zip(distinct.tolist(), count.tolist(), strict=True))


def _journalist(
    data: pl.DataFrame,
    qi: list[str],
    subject: str | None,
    population: pl.DataFrame | pl.LazyFrame,
    records: int,
) -> tuple[float, float]:
    """Journalist risk (max, avg) against a population table: ``F_j`` per class from a join on the
    quasi-identifiers (over people, by their sets of values, with a subject column)."""
    pop = population.lazy()
    _check(pop, qi, "population column")
    units = data.lazy()
    if subject is not None:
        if subject not in pop.collect_schema().names():
            raise UsageError(f"population needs the subject column {subject} to be measured over people")
        pop, units = people(pop, qi, subject), people(units, qi, subject)
    sizes = class_sizes(units, qi)
    pop_sizes = class_sizes(pop.select(qi), qi).rename({_SIZE: "__pop"})
    stats = (
        sizes.join(pop_sizes, on=qi, how="left", nulls_equal=True)
        .with_columns(pl.max_horizontal(pl.col("__pop").fill_null(0), pl.col(_SIZE)).alias("__pop"))
        .select(
            (1.0 / pl.col("__pop").min()).alias("max"), (pl.col(_SIZE) / pl.col("__pop")).sum().alias("sum")
        )
        .collect()
    )
    if not records:
        return 0.0, 0.0
    return float(stats["max"][0]), float(stats["sum"][0]) / records


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
    the attacker may hold; with ``subject``, its rows per person under the same column); it makes
    journalist risk and marketer risk relative to it.
    """
    lf = frame.lazy()
    qi = list(qi)
    if not qi:
        raise UsageError("risk needs at least one quasi-identifier")
    _check(lf, qi, "quasi-identifier")
    _check(lf, list(sensitive), "sensitive column")
    if subject is not None:
        _check(lf, [subject], "subject column")
    # the needed columns, read once (a streamed input would be read again by every pass)
    needed = list(dict.fromkeys([*qi, *sensitive, *([subject] if subject else [])]))
    data = frame.select(needed) if isinstance(frame, pl.DataFrame) else lf.select(needed).collect()
    rows = data.height
    if subject is None:
        key, card = class_keys(data, qi)
        records = rows
    else:  # classes of people: each person's key from the sets of their values, given to their rows
        person = people(data.lazy(), qi, subject).collect()
        person_key, card = class_keys(person, qi)
        records = person.height
        key = (
            data.select(subject)
            .join(
                person.select(subject, pl.Series("__key", person_key)),
                on=subject,
                how="left",
                nulls_equal=True,
                maintain_order="left",
            )["__key"]
            .to_numpy()
        )

    def count(column: str) -> tuple[_Counts, int]:
        codes, codes_card = encode(data[column], ordered=_ordered(data.schema[column]))
        return _Counts.of(key, card, codes, codes_card), codes_card

    tables = dict(zip(sensitive, _each(count, list(sensitive)), strict=True))
    if subject is None and tables:
        sizes = next(iter(tables.values()))[0].sizes  # the first count table's classes are the classes
    else:
        sizes = _runs(person_key if subject is not None else key, in_place=True)[1]  # key: done with
    journalist = None
    if population is not None:
        journalist = _journalist(data, qi, subject, population, records)
    return _result(rows, records, qi, subject, sizes, tables, data.schema, journalist)


def _result(
    rows: int,
    records: int,
    qi: list[str],
    subject: str | None,
    sizes: np.ndarray,
    tables: dict[str, tuple[_Counts, int]],
    schema: pl.Schema,
    journalist: tuple[float, float] | None,
) -> RiskResult:
    """Every measure from the class sizes (records per class) and each sensitive column's count table."""
    classes = int(sizes.size)
    k = int(sizes.min()) if classes else 0
    avg = classes / records if records else 0.0
    journalist_max, journalist_avg = journalist if journalist is not None else (None, None)
    marketer = journalist_avg if journalist_avg is not None else avg
    found = _each(
        lambda column: _sensitive(*tables[column], _ordered(schema[column]), rows),
        list(tables) if rows else [],
    )
    diversity = dict(zip(tables if rows else [], found, strict=True))
    return RiskResult(
        rows=rows,
        records=records,
        quasi_identifiers=qi,
        subject=subject,
        k_anonymity=k,
        equivalence_classes=classes,
        unique_rows=int((sizes == 1).sum()),
        prosecutor_risk_max=1.0 / k if k else 0.0,
        prosecutor_risk_avg=avg,
        marketer_risk=marketer,
        journalist_risk_max=journalist_max,
        journalist_risk_avg=journalist_avg,
        sensitive=diversity,
        size_histogram=_histogram(sizes),
    )


def measure_counted(
    counts: pl.DataFrame,
    qi: Sequence[str],
    *,
    sensitive: Sequence[str] = (),
    weight: str,
    classes: pl.DataFrame | None = None,
    subject: str | None = None,
) -> RiskResult:
    """:func:`measure` of rows that were grouped elsewhere (a Spark group-by): ``counts`` holds each
    distinct combination of the quasi-identifiers and sensitive columns once, with the number of rows it
    stands for in ``weight``; the figures equal :func:`measure`'s on the rows themselves.

    Over people (``subject`` named), the quasi-identifiers are each person's sorted sets of values, and
    ``classes`` holds each distinct combination of them once with the number of people in ``weight``
    (``counts`` still counts rows, whose sensitive values belong to their person's class).
    """
    qi = list(qi)
    if not qi:
        raise UsageError("risk needs at least one quasi-identifier")
    if subject is not None and classes is None:
        raise UsageError("risk over people needs the people per class")
    rows = int(counts[weight].sum()) if counts.height else 0

    def grouped(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
        return frame.group_by(by).agg(pl.col(weight).sum())

    def count(column: str) -> tuple[_Counts, int]:
        table = grouped(counts, [*qi, column])
        key, card = class_keys(table, qi)
        codes, codes_card = encode(table[column], ordered=_ordered(counts.schema[column]))
        return _counted(key, card, codes, codes_card, table[weight].to_numpy().astype(np.int64)), codes_card

    tables = dict(zip(sensitive, _each(count, list(sensitive)), strict=True))
    per_class = grouped(classes if classes is not None else counts, qi)
    sizes = np.sort(per_class[weight].to_numpy().astype(np.int64))
    records = int(sizes.sum())
    return _result(rows, records, qi, subject, sizes, tables, counts.schema, None)
