"""The Spark engine: a policy's plan applied to a Spark DataFrame by ``mapInArrow`` over the local kernels.

What it guarantees:

- One implementation. The driver builds and checks the same :class:`~ringfence.transform.plan.Plan` that
  ``protect`` builds (the whole plan against the schema, before any data flows), turns it into a
  :class:`~ringfence.transform.spec.PlanSpec` with its key ids pinned, and each partition rebuilds that plan
  from the spec and runs the same Polars expressions over each Arrow batch. On the same input and keys,
  every value and the row order within each partition equal the local engine's (``encrypt``, randomized by
  design, excepted); ``tests/spark`` checks it.
- Keys reach executors by id, sealed: the function Spark serialises holds the spec's JSON (no key bytes)
  and a :class:`~ringfence.keys.handle.SealedKeys` handle to just the pinned keys, sealed under
  ``RINGFENCE_KEK``; each executor unseals it with the ``RINGFENCE_KEK`` of its own environment. A job
  without ``RINGFENCE_KEK`` is refused before it starts when the plan is keyed. Nothing Spark logs, shows
  or writes to its event log holds a key's bytes (tested on the event log).
- Each executor task runs the kernels with one thread (Spark already runs a task per core).
- The output appears whole or not at all: a local output is written to a private staging folder beside it
  and renamed into place when Spark's job has committed; an output in object storage (``s3a://``,
  ``gs://``, ``abfss://``, ``hdfs://``) is written by Spark's own committer, which publishes it when the
  job succeeds (``_SUCCESS``).
- What the local engine does that this one does not yet do is refused, never skipped: a policy with a
  ``risk:`` section, and the sealed plan record in the output (Spark's Parquet writer cannot carry it), so
  ``reveal`` of a Spark output works from the policy, as for any output without a record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ringfence import errors
from ringfence.errors import InputError, OutputError, RingfenceError, UsageError
from ringfence.io.location import OBJECT_STORE_SCHEMES
from ringfence.keys import Keyset
from ringfence.keys.handle import SealedKeys
from ringfence.pipeline.protect import entities_of
from ringfence.policy import Policy, load_policy
from ringfence.transform.base import TransformContext
from ringfence.transform.plan import Plan, build_plan
from ringfence.transform.spec import PlanSpec

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "ApplyPlan",
    "SparkProtectSummary",
    "guarded_read",
    "protect",
    "protect_frame",
    "sample",
    "session",
]

# An executor's failure reaches the driver as text; ringfence's own errors carry data-free one-line messages.
_OWN_ERROR = re.compile(r"ringfence\.errors\.(\w+): ([^\n]{1,300})")
SAMPLE_ROWS = 10_000

_PLANS: dict[tuple[str, str], Plan] = {}
_PLANS_LOCK = threading.Lock()


def session(master: str = "local[*]") -> SparkSession:
    """A Spark session (the active one if there is one) with what the engine relies on: UTC session time,
    the executors' Python the driver's own unless ``PYSPARK_PYTHON`` says otherwise, no console progress."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise UsageError("the Spark engine needs pyspark: pip install 'ringfence[spark]'") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = (
        SparkSession.builder.master(master)
        .appName("ringfence")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):  # one machine: a few shuffle partitions, not a cluster's 200, and
        # room for what reaches the driver (a sample, a risk count table), unless the user set it
        builder = builder.config("spark.sql.shuffle.partitions", str(4 * (os.cpu_count() or 1)))
        if "spark.driver.memory" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
            builder = builder.config("spark.driver.memory", "4g")
    return builder.getOrCreate()


def _polars_schema(arrow: pa.Schema) -> pl.Schema:
    return pl.DataFrame(pa.Table.from_batches([], schema=arrow)).schema


def _arrow_schema(schema: pl.Schema) -> pa.Schema:
    return pl.DataFrame(schema=schema).to_arrow().schema


def _spark_schema(schema: pl.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_arrow_schema(schema))


def _plan_of(spec_json: str, keys: SealedKeys | None) -> Plan:
    """The plan of a spec, rebuilt once per executor process (and per handle)."""
    cache_key = (spec_json, keys.handle_id if keys is not None else "")
    with _PLANS_LOCK:
        plan = _PLANS.get(cache_key)
        if plan is None:
            resolver = keys.open() if keys is not None else None
            plan = PlanSpec.from_json(spec_json).build(resolver, threads=1)
            _PLANS[cache_key] = plan
    return plan


class ApplyPlan:
    """The function ``mapInArrow`` runs over each partition's Arrow batches. It holds a spec's JSON and a
    sealed key handle (plain data, no key bytes); the plan is rebuilt where it runs."""

    def __init__(self, spec: PlanSpec, keys: SealedKeys | None) -> None:
        self.spec_json = spec.to_json()
        self.keys = keys
        self.output = _arrow_schema(spec.output_schema)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        plan = _plan_of(self.spec_json, self.keys)
        exprs = plan.exprs()
        for batch in batches:
            frame = pl.DataFrame(pl.from_arrow(batch))
            table = frame.select(exprs).to_arrow().cast(self.output)
            yield from table.to_batches()


def sample(df: DataFrame, rows: int = SAMPLE_ROWS, *, total: int | None = None) -> pl.DataFrame:
    """A uniform sample of at most ``rows`` rows drawn on the cluster (seeded: the same rows each time),
    brought to the driver as a Polars frame: all the driver sees of the data. A Bernoulli draw of a little
    more than ``rows`` rows, shuffled by a seeded random key and cut, so no partition is favoured."""
    from pyspark.sql import functions as F

    total = df.count() if total is None else total
    if total > rows:
        fraction = min(0.999999, 1.3 * rows / total + 1e-6)
        df = df.sample(fraction=fraction, seed=0).orderBy(F.rand(seed=0)).limit(rows)
    return pl.DataFrame(pl.from_arrow(df.toArrow()))


def protect_frame(
    df: DataFrame,
    policy: Policy,
    *,
    keyset: Keyset | None,
    recipient: str | None = None,
    as_of: dt.date | None = None,
    entities: dict[str, str | None] | None = None,
) -> tuple[DataFrame, Plan]:
    """``df`` de-identified by ``policy`` (lazily: a Spark DataFrame), and the checked plan it runs."""
    if policy.risk is not None:
        raise UsageError(
            f"policy {policy.name} has a risk section, which runs on the local engine only; "
            "run without --engine spark"
        )
    from pyspark.sql.pandas.types import to_arrow_schema

    schema = _polars_schema(to_arrow_schema(df.schema))
    if entities is None:

        def scanned() -> dict[str, str | None]:
            from ringfence.detect.classify import classify_frame

            return {f.name: f.entity for f in classify_frame(sample(df))}

        entities = entities_of(policy, list(schema.names()), scanned)
    ctx = TransformContext(keys=keyset, recipient=recipient, as_of=as_of or dt.date.today(), threads=1)
    plan = build_plan(policy, dict(schema), entities, ctx)
    spec = PlanSpec.of(plan, policy)
    if spec.key_ids and keyset is None:
        raise UsageError("the plan is keyed and needs the workspace keyset")
    keys = SealedKeys.of(keyset, spec.key_ids.values()) if spec.key_ids and keyset is not None else None
    return df.mapInArrow(ApplyPlan(spec, keys), _spark_schema(spec.output_schema)), plan


@dataclass(frozen=True)
class SparkProtectSummary:
    """What a Spark protect run did (names and counts; no data, no key bytes)."""

    input: str
    output: str
    rows_out: int
    plan: Plan
    master: str

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": "spark",
            "master": self.master,
            "input": self.input,
            "output": self.output,
            "rows_in": self.rows_out,
            "rows_out": self.rows_out,
            "columns": self.plan.actions(),
            "columns_changed": self.plan.changed(),
            "policy_hash": self.plan.policy_hash,
            "key_ids": self.plan.key_ids(),
        }


def guarded_read(spark: SparkSession, where: str) -> DataFrame:
    """:func:`_read`, its failures one line naming the path (Spark's own text may quote rows)."""
    try:
        return _read(spark, where)
    except RingfenceError:
        raise
    except Exception as exc:  # Spark's AnalysisException and the like: the path, never a value
        raise InputError(f"{where}: Spark cannot read it ({type(exc).__name__})") from None


def _read(spark: SparkSession, where: str) -> DataFrame:
    """A Parquet file or folder, a JSON-lines file, or a CSV file (a header row, every column text, as the
    local engine reads it)."""
    lowered = where.lower().rstrip("/")
    if lowered.endswith((".csv", ".tsv")):
        return spark.read.csv(where, header=True, sep="\t" if lowered.endswith(".tsv") else ",")
    if lowered.endswith((".jsonl", ".ndjson")):
        return spark.read.json(where)
    return spark.read.parquet(where)


@contextlib.contextmanager
def _job() -> Iterator[None]:
    """A failed Spark job as one line: an executor's ringfence error as itself (its message holds no
    data), anything else by its kind only (Spark's own text may quote rows)."""
    try:
        yield
    except RingfenceError:
        raise
    except Exception as exc:
        found = _OWN_ERROR.search(str(exc))
        kind = getattr(errors, found.group(1), None) if found else None
        if found and isinstance(kind, type) and issubclass(kind, RingfenceError):
            raise kind(found.group(2).strip()) from None
        raise InputError(
            f"the Spark job failed ({type(exc).__name__}); Spark's own log has the details"
        ) from None


def _rows_written(folder: Path) -> int:
    return sum(pq.ParquetFile(part).metadata.num_rows for part in sorted(folder.glob("part-*.parquet")))


def protect(
    input_spec: str,
    policy: str | os.PathLike[str] | Policy,
    output: str,
    *,
    keyset: Keyset | None,
    recipient: str | None = None,
    master: str = "local[*]",
    overwrite: bool = False,
    spark: SparkSession | None = None,
) -> SparkProtectSummary:
    """De-identify ``input_spec`` (Parquet, CSV or JSON lines; a path Spark reads: local or object storage)
    by ``policy`` into the Parquet folder ``output``, on Spark (see the module docstring)."""
    rules = policy if isinstance(policy, Policy) else load_policy(policy)
    remote = output.startswith(OBJECT_STORE_SCHEMES)
    target = None if remote else Path(output).resolve()
    if target is not None and not remote and not input_spec.startswith(OBJECT_STORE_SCHEMES):
        if Path(input_spec).resolve() == target:
            raise UsageError(f"the output {output} is the input; write the protected copy elsewhere")
        if target.exists() and not overwrite:
            raise OutputError(f"{output} exists; pass --force to replace it")
        if not target.parent.is_dir():
            raise OutputError(f"the folder of {output} does not exist")
    spark = spark or session(master)
    frame, plan = protect_frame(guarded_read(spark, input_spec), rules, keyset=keyset, recipient=recipient)
    if target is None:
        with _job():
            frame.write.mode("overwrite" if overwrite else "errorifexists").parquet(output)
            rows = spark.read.parquet(output).count()
        return SparkProtectSummary(input_spec, output, rows, plan, str(spark.sparkContext.master))
    staging = target.parent / f".{target.name}.spark-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with _job():
            frame.write.mode("errorifexists").parquet(str(staging))
        os.chmod(staging, 0o700)
        rows = _rows_written(staging)
        if target.exists():
            old = target.parent / f".{target.name}.replaced-{uuid.uuid4().hex[:8]}"
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return SparkProtectSummary(input_spec, str(target), rows, plan, str(spark.sparkContext.master))
