"""The same plan on the local engine and on Spark ``local[2]``, in one run, on the synthetic transactions.

    python -m bench spark                   # 10,000,000 rows
    python -m bench spark --rows 2000000

The input and policy are ``bench protect``'s (10 columns, 5 protected: two token columns, FF1, a mask, a
date truncation), written once under ``bench/data/protect/``. Measured, each in a fresh process:

- the local engine (``ringfence.pipeline.protect``), Parquet to Parquet, streaming;
- Spark in local mode with 2 cores (``ringfence.spark.protect``): the job alone (its JVM already started,
  which is reported separately), Parquet folder out; its per-core throughput; and what a cluster of 100
  such cores would need for 1.2 billion rows at that rate (the leak that started the project), assuming
  linear scaling and ignoring the storage's I/O limits: an estimate, said to be one;
- risk over ``RISK_QI`` with ``currency`` sensitive, on both engines (the local measures over the Parquet
  file; Spark's group-by with the measures derived on the driver), and that both give the same figures.

Both outputs are compared value for value (the same values in the same order): the benchmark fails if they
differ. Needs the ``spark`` extra and a Java runtime; ``RINGFENCE_KEK`` is set to a fresh key for the run.
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_protect import POLICY, _in_child, input_path, write_input

CLUSTER_CORES = 100
RISK_QI = ["merchant_id", "channel", "status"]
# A sensitive column of few values: with ``amount`` (nearly unique) every combination is distinct and the
# count table the driver receives is as large as the table (see ringfence.spark.risk).
RISK_SENSITIVE = ["currency"]
LEAK_ROWS = 1_200_000_000


def _local(path: str, out: str) -> dict[str, Any]:
    from ringfence.keys import Keyset
    from ringfence.pipeline.protect import protect
    from ringfence.policy import parse_policy

    keyset = Keyset.load(Path(out).parent / "keyset.json")
    start, cpu = time.perf_counter(), time.process_time()
    summary = protect(path, parse_policy(POLICY), out, keyset=keyset, recipient="bench")
    return {
        "rows": summary.rows_out,
        "seconds": round(time.perf_counter() - start, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
    }


def _spark(path: str, out: str) -> dict[str, Any]:
    from ringfence.keys import Keyset
    from ringfence.policy import parse_policy
    from ringfence.spark import protect, session

    keyset = Keyset.load(Path(out).parent / "keyset.json")
    start = time.perf_counter()
    spark = session("local[2]")
    spark.range(1).count()  # the JVM and a first task: startup, reported apart
    startup = time.perf_counter() - start
    start = time.perf_counter()
    summary = protect(path, parse_policy(POLICY), out, keyset=keyset, recipient="bench", spark=spark)
    seconds = time.perf_counter() - start
    spark.stop()
    return {"rows": summary.rows_out, "seconds": round(seconds, 2), "startup_seconds": round(startup, 1)}


def _risk_local(path: str) -> dict[str, Any]:
    import polars as pl

    from ringfence.risk.measures import measure

    start = time.perf_counter()
    result = measure(pl.scan_parquet(path), RISK_QI, sensitive=RISK_SENSITIVE)
    return {"seconds": round(time.perf_counter() - start, 2), "result": result.to_json()}


def _risk_spark(path: str) -> dict[str, Any]:
    from ringfence.spark import session
    from ringfence.spark.risk import risk

    spark = session("local[2]")
    spark.range(1).count()
    start = time.perf_counter()
    result = risk(path, RISK_QI, sensitive=RISK_SENSITIVE, spark=spark)
    seconds = time.perf_counter() - start
    spark.stop()
    return {"seconds": round(seconds, 2), "result": result.to_json()}


def _same(local: str, folder: str) -> bool:
    import polars as pl

    parts = sorted(Path(folder).glob("part-*.parquet"))
    spark = pl.concat([pl.read_parquet(p) for p in parts])
    return spark.equals(pl.read_parquet(local))


def _child_local(args: str) -> dict[str, Any]:
    path, out = args.split("\n")
    return _local(path, out)


def _child_spark(args: str) -> dict[str, Any]:
    path, out = args.split("\n")
    return _spark(path, out)


def run(rows: int = 10_000_000) -> dict[str, Any]:
    from ringfence.keys import Keyset

    write_input(rows)
    path = input_path(rows)
    os.environ["RINGFENCE_KEK"] = base64.b64encode(secrets.token_bytes(32)).decode()
    with tempfile.TemporaryDirectory(prefix="rf-bench-spark-") as tmp:
        Keyset.generate().save(Path(tmp) / "keyset.json")
        local_out, spark_out = str(Path(tmp) / "local.parquet"), str(Path(tmp) / "spark")
        load_before = os.getloadavg()[0]
        local = _in_child(_child_local, Path(f"{path}\n{local_out}"))
        spark = _in_child(_child_spark, Path(f"{path}\n{spark_out}"))
        assert local is not None and spark is not None
        same = _same(local_out, spark_out)
        risk_local = _in_child(_risk_local, path)
        risk_spark = _in_child(_risk_spark, path)
        assert risk_local is not None and risk_spark is not None
    if not same:
        raise AssertionError("the Spark engine's output differs from the local engine's")
    if risk_local["result"] != risk_spark["result"]:
        raise AssertionError("risk on Spark differs from the local engine's")
    per_core = rows / spark["seconds"] / 2
    return {
        "rows": rows,
        "load_before": round(load_before, 2),
        "local": local,
        "spark": spark,
        "local_rows_per_second": int(rows / local["seconds"]),
        "spark_rows_per_second": int(rows / spark["seconds"]),
        "spark_rows_per_second_per_core": int(per_core),
        "cluster_estimate_seconds": round(LEAK_ROWS / (per_core * CLUSTER_CORES), 1),
        "identical": same,
        "risk_local_seconds": risk_local["seconds"],
        "risk_spark_seconds": risk_spark["seconds"],
        "risk_k": risk_local["result"]["k_anonymity"],
        "risk_classes": risk_local["result"]["equivalence_classes"],
    }


def _rate(result: dict[str, Any], seconds: str) -> str:
    return f"{int(result['rows'] / result[seconds]):,}"


def to_markdown(result: dict[str, Any]) -> str:
    local, spark = result["local"], result["spark"]
    return "\n".join(
        [
            f"Synthetic transactions, {result['rows']:,} rows × 10 columns, `bench protect`'s policy "
            f"(5 protected columns); 1-minute load average {result['load_before']} before the runs.",
            "",
            "| engine | seconds | rows/s |",
            "|---|---|---|",
            f"| local (Polars, streaming) | {local['seconds']} | {result['local_rows_per_second']:,} |",
            f"| Spark `local[2]` (job only; JVM start {spark['startup_seconds']} s apart) | "
            f"{spark['seconds']} | {result['spark_rows_per_second']:,} |",
            "",
            f"Spark per core: {result['spark_rows_per_second_per_core']:,} rows/s. At that rate a cluster of "
            f"{CLUSTER_CORES} cores would protect {LEAK_ROWS:,} rows in about "
            f"{result['cluster_estimate_seconds']:,} s (linear scaling assumed: an estimate, not a "
            "measurement). "
            f"Outputs identical value for value and in order: {'yes' if result['identical'] else 'NO'}.",
            "",
            f"Risk over {', '.join(RISK_QI)} (sensitive: {', '.join(RISK_SENSITIVE)}): local "
            f"{result['risk_local_seconds']} s ({_rate(result, 'risk_local_seconds')} rows/s), "
            f"Spark `local[2]` {result['risk_spark_seconds']} s "
            f"({_rate(result, 'risk_spark_seconds')} rows/s); the same figures on both "
            f"(k = {result['risk_k']}, {result['risk_classes']:,} classes).",
        ]
    )
