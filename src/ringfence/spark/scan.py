"""``scan`` on Spark: the same classifier over a sample Spark draws from the whole table.

What it guarantees: the table's rows are counted on the cluster and a uniform sample (a Bernoulli draw with
a fixed seed, cut to the sample size) is classified by the local classifier
(:func:`ringfence.detect.classify.classify_frame`), so the findings mean what the local engine's mean; the
sample is all that reaches the driver. ``--full`` (every value validated) is not offered on Spark yet and is
refused rather than silently sampled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ringfence.detect.classify import classify_frame
from ringfence.detect.scan import DEFAULT_SAMPLE_ROWS, ScanReport, TableFinding
from ringfence.errors import UsageError
from ringfence.spark.engine import guarded_read, sample, session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["scan", "scan_frame"]


def scan_frame(df: DataFrame, name: str, *, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> TableFinding:
    """The findings for one Spark DataFrame, from a sample of ``sample_rows`` rows drawn on the cluster."""
    rows = df.count()
    drawn = sample(df, sample_rows, total=rows)
    return TableFinding(name, rows, drawn.height, classify_frame(drawn))


def scan(
    inputs: list[str],
    *,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    full: bool = False,
    master: str = "local[*]",
    spark: SparkSession | None = None,
) -> ScanReport:
    """Classifies each input (a path Spark reads: Parquet, CSV, JSON lines; local or object storage)."""
    if full:
        raise UsageError("--full validates every value on the local engine only; run without --engine spark")
    spark = spark or session(master)
    return ScanReport(
        [scan_frame(guarded_read(spark, where), where, sample_rows=sample_rows) for where in inputs]
    )
