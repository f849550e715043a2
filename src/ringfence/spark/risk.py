"""``risk`` on Spark: the table grouped on the cluster, every measure derived by the local code.

What it guarantees:

- The same numbers as the local engine (``tests/spark`` compares them on every measure): Spark groups the
  rows by the quasi-identifiers and sensitive columns and counts them; only that count table (each distinct
  combination once, with its number of rows) reaches the driver, where
  :func:`ringfence.risk.measures.measure_counted` derives k, the classes, prosecutor and marketer risk,
  l-diversity (distinct, entropy, recursive) and t-closeness exactly as :func:`~ringfence.risk.measure`
  does from rows.
- Over people (``subject``), each person's quasi-identifiers are the set of the values their rows hold (a
  missing value counted as a value, as the local engine counts it), people are counted per class, and a
  class's sensitive values are those of all its people's rows.
- What the driver receives is counts per combination of quasi-identifier values: as many entries as the
  table has distinct combinations. A table whose combinations are nearly all distinct (k = 1) brings about
  as many entries as rows; for such tables the answer (k = 1) is the news, and the local engine's limits
  apply to the driver. A population table (journalist risk) runs on the local engine only, and is refused
  here rather than ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from ringfence.errors import UsageError
from ringfence.risk.measures import RiskResult, measure_counted
from ringfence.risk.propose import Proposal, propose_quasi_identifiers
from ringfence.risk.table import Assessment
from ringfence.spark.engine import guarded_read, session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["assess", "risk", "risk_frame"]

_N = "__ringfence_n"
_SET = "__ringfence_set_"


def _collect(df: DataFrame) -> pl.DataFrame:
    return pl.DataFrame(pl.from_arrow(df.toArrow()))


def risk_frame(
    df: DataFrame, qi: Sequence[str], *, sensitive: Sequence[str] = (), subject: str | None = None
) -> RiskResult:
    """The risk of a Spark DataFrame over ``qi`` (see the module docstring)."""
    from pyspark.sql import functions as F

    qi, sensitive = list(qi), list(sensitive)
    if not qi:
        raise UsageError("risk needs at least one quasi-identifier")
    names = df.columns
    missing = [c for c in [*qi, *sensitive, *([subject] if subject else [])] if c not in names]
    if missing:
        raise UsageError(f"{', '.join(missing)}: no such column (columns: {', '.join(names)})")
    if subject is None:
        counts = df.groupBy(*qi, *sensitive).agg(F.count(F.lit(1)).alias(_N))
        return measure_counted(_collect(counts), qi, sensitive=sensitive, weight=_N)
    # A person's values of a column, as a set: structs keep a missing value in the set (collect_set drops
    # bare nulls), sorted so equal sets compare equal, then unwrapped.
    sets = [
        F.transform(F.array_sort(F.collect_set(F.struct(F.col(q).alias("v")))), lambda s: s["v"]).alias(
            _SET + q
        )
        for q in qi
    ]
    persons = df.groupBy(F.col(subject).alias(_SET + subject)).agg(
        *[values.alias(_SET + q) for values, q in zip(sets, qi, strict=True)]
    )
    classes = persons.groupBy(*[_SET + q for q in qi]).agg(F.count(F.lit(1)).alias(_N))
    joined = df.join(persons, df[subject].eqNullSafe(persons[_SET + subject]))
    counts = joined.groupBy(*[F.col(_SET + q).alias(q) for q in qi], *sensitive).agg(
        F.count(F.lit(1)).alias(_N)
    )
    people = _collect(classes).rename({_SET + q: q for q in qi})
    return measure_counted(
        _collect(counts), qi, sensitive=sensitive, weight=_N, classes=people, subject=subject
    )


def risk(
    input_spec: str,
    qi: Sequence[str],
    *,
    sensitive: Sequence[str] = (),
    subject: str | None = None,
    master: str = "local[*]",
    spark: SparkSession | None = None,
) -> RiskResult:
    """:func:`risk_frame` of a path Spark reads (Parquet, CSV, JSON lines; local or object storage)."""
    spark = spark or session(master)
    return risk_frame(guarded_read(spark, input_spec), qi, sensitive=sensitive, subject=subject)


def assess(
    input_spec: str,
    qi: Sequence[str] | None = None,
    *,
    sensitive: Sequence[str] = (),
    subject: str | None = None,
    master: str = "local[*]",
    spark: SparkSession | None = None,
) -> Assessment:
    """What ``ringfence risk --engine spark`` runs: :func:`ringfence.risk.table.assess` with the table on
    Spark (quasi-identifiers proposed from a sample drawn on the cluster when none are named)."""
    from ringfence.detect.classify import classify_frame
    from ringfence.spark.engine import sample

    spark = spark or session(master)
    df = guarded_read(spark, input_spec)
    proposed: list[Proposal] = []
    if not qi:
        drawn = sample(df)
        found = {f.name: f.entity for f in classify_frame(drawn)}
        skip = {*sensitive, *([subject] if subject else [])}
        proposed = [p for p in propose_quasi_identifiers(drawn.schema, found) if p.column not in skip]
        if not proposed:
            raise UsageError(f"{input_spec}: no quasi-identifier found; name them with --qi")
        qi = [p.column for p in proposed]
    name = input_spec.rstrip("/").rsplit("/", 1)[-1]  # as the local engine names a source
    return Assessment(name, risk_frame(df, qi, sensitive=sensitive, subject=subject), proposed)
