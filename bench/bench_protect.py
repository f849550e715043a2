"""Speed and memory of ``ringfence protect``: Parquet → Parquet, streaming, on synthetic transactions.

    python -m bench protect                  # 20,000,000 rows
    python -m bench protect --rows 5000000

The input is the synthetic transactions table (``ringfence.synth``) cut to 10 columns (``txn_id,
customer_id, account_id, merchant_id, amount, currency, ts, channel, status, device_ip``) and written once
to ``bench/data/protect/``; when ``bench/data/scan`` already holds a large transactions table (from
``python -m bench scan``), its first rows are reused instead of generating new ones.

The policy protects 5 columns: ``customer_id`` and ``account_id`` tokenized (AES-CMAC ``rt1_`` tokens),
``device_ip`` masked, ``txn_id`` FF1-encrypted (19 digits), ``ts`` truncated to the day; the other 5 are
kept. Measured, each in a fresh process so its peak RSS is its own:

- ``protect`` end to end (plan, stream, write atomically), in rows/s, and its peak RSS;
- the bare streaming copy of the same file through the same reader and writer with no transform, so
  the ratio shows what the transforms cost over I/O;
- the bare Polars read+write of the same file (``scan_parquet → sink_parquet``, zstd) and the fastest bare
  pyarrow copy found (row group by row group, uncompressed, no dictionaries): the I/O floor;
- each transform alone over ``ALONE_ROWS`` rows already in memory, in rows/s: the five of the end-to-end
  policy, then the other actions (``OTHER_ACTIONS``: encrypt, redact, noise, date_shift, IP generalization);
- where the ``bench`` extra is installed, Microsoft Presidio's anonymizer over the same 5 columns of
  ``PRESIDIO_ROWS`` rows, with its nearest operators (``hash`` for the tokens, ``encrypt`` in place of FF1,
  which it lacks, ``mask``, a ``custom`` date truncation), each value handed over as one whole-value entity
  so no analyzer runs: both its batch engine (one call per value, per column) and one call per row with
  five spans are timed and the faster is reported.

Every run reports wall seconds and process CPU seconds (all threads), and the 1-minute load average
before it: the machine has 2 cores, and a wall figure taken while other work runs understates the code.
On a shared machine, ``BENCH_REALTIME=1`` runs each measured process under the round-robin real-time
policy (``SCHED_RR``, needs root; the kernel still keeps 5% of each second for everything else), so the
measured process has both cores whatever else runs; the results say which policy was used.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "protect"
COLUMNS = [
    "txn_id",
    "customer_id",
    "account_id",
    "merchant_id",
    "amount",
    "currency",
    "ts",
    "channel",
    "status",
    "device_ip",
]
ALONE_ROWS = 2_000_000
PRESIDIO_ROWS = 20_000
TARGET_ROWS_PER_SECOND = 1_000_000
TARGET_RATIO = 3.0
TARGET_RSS_MIB = 2048
BATCH_ROWS = 250_000
SEED = 7
# The other actions, each alone on the same rows (not part of the end-to-end run): so a slow one is named.
OTHER_ACTIONS = """
ringfence_policy: 1
name: bench-other-actions
unlisted: drop
columns:
  customer_id: {action: encrypt}
  account_id: {action: redact}
  merchant_id: {action: tokenize, scope: global}
  amount: {action: noise, relative: 0.05, subject: customer_id}
  ts: {action: date_shift, subject: customer_id, max_days: 30, scope: global}
  device_ip: {action: generalize, ip: {v4: 24, v6: 48}}
"""
POLICY = """
ringfence_policy: 1
name: bench-protect
unlisted: fail
columns:
  txn_id: {action: fpe, scope: global}
  customer_id: {action: tokenize, scope: recipient}
  account_id: {action: tokenize, scope: global}
  merchant_id: keep
  amount: keep
  currency: keep
  ts: {action: generalize, date: day}
  channel: keep
  status: keep
  device_ip: {action: mask, keep_first: 3}
"""


def input_path(rows: int) -> Path:
    return DATA / f"transactions_{rows}_10col.parquet"


def write_input(rows: int) -> dict[str, Any]:
    """Writes the 10-column input of ``rows`` rows unless it is there (reusing a scan table if any)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = input_path(rows)
    if path.exists():
        return {"written": False, "bytes": path.stat().st_size}
    DATA.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    donors = sorted((HERE / "data" / "scan").glob("transactions_*.parquet"), key=lambda p: p.stat().st_size)
    donor = next((p for p in donors if pq.ParquetFile(p).metadata.num_rows >= rows), None)
    tmp = path.with_suffix(".parquet.tmp")
    writer: pq.ParquetWriter | None = None
    left = rows
    try:
        if donor is not None:
            batches: Any = pq.ParquetFile(donor).iter_batches(batch_size=1_000_000, columns=COLUMNS)
        else:
            from ringfence.synth import SynthConfig, generate_platform

            config = SynthConfig(customers=min(100_000, max(1, rows // 10)), transactions=rows, seed=SEED)
            batches = (f.select(COLUMNS).to_arrow() for f in generate_platform(config).transactions())
        for batch in batches:
            table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
            table = table.slice(0, left)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            left -= table.num_rows
            if left <= 0:
                break
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return {
        "written": True,
        "from": donor.name if donor else "synth",
        "seconds": round(time.perf_counter() - start, 1),
        "bytes": path.stat().st_size,
    }


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _protect(path: str) -> dict[str, Any]:
    from ringfence.keys import Keyset
    from ringfence.pipeline.protect import protect
    from ringfence.policy import parse_policy

    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        summary = protect(
            path,
            parse_policy(POLICY),
            Path(folder) / "out.parquet",
            keyset=Keyset.generate(),
            recipient="bench",
            batch_rows=BATCH_ROWS,
        )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        size = Path(summary.output).stat().st_size
    return {
        "rows": summary.rows_out,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": int(summary.rows_out / seconds),
        "output_bytes": size,
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _bare(path: str) -> dict[str, Any]:
    from ringfence.io.read import open_source
    from ringfence.io.write import write_table
    from ringfence.pipeline.stream import ahead, rechunk

    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        written = write_table(
            ahead(rechunk(ahead(open_source(path).batches(BATCH_ROWS)))), Path(folder) / "copy.parquet"
        )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "rows": written.rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": int(written.rows / seconds),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _polars_copy(path: str) -> dict[str, Any]:
    import polars as pl

    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        pl.scan_parquet(path).sink_parquet(Path(folder) / "copy.parquet", compression="zstd")
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        rows = pl.scan_parquet(Path(folder) / "copy.parquet").select(pl.len()).collect().item()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": int(rows / seconds),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _arrow_copy(path: str) -> dict[str, Any]:
    """The fastest bare copy found: pyarrow reads each row group on all cores and writes it uncompressed
    without dictionaries (the Parquet writer encodes on one thread; compression only adds to it)."""
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as folder:
        start, cpu = time.perf_counter(), time.process_time()
        source = pq.ParquetFile(path)
        writer = pq.ParquetWriter(
            Path(folder) / "copy.parquet", source.schema_arrow, compression="none", use_dictionary=False
        )
        rows = 0
        for index in range(source.num_row_groups):
            table = source.read_row_group(index)
            writer.write_table(table)
            rows += table.num_rows
        writer.close()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_second": int(rows / seconds),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _presidio(path: str) -> dict[str, Any] | None:
    """Presidio's anonymizer over the 5 protected columns of ``PRESIDIO_ROWS`` rows (see the docstring)."""
    try:
        from presidio_anonymizer import AnonymizerEngine, BatchAnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig, RecognizerResult
    except ImportError:
        return None
    import polars as pl

    frame = pl.read_parquet(path, n_rows=PRESIDIO_ROWS).select(
        "txn_id", "customer_id", "account_id", pl.col("ts").dt.to_string("%Y-%m-%d %H:%M:%S"), "device_ip"
    )
    salt = os.urandom(32)
    entities = {
        "txn_id": ("TXN_ID", OperatorConfig("encrypt", {"key": os.urandom(16)})),
        "customer_id": ("CUSTOMER_ID", OperatorConfig("hash", {"hash_type": "sha256", "salt": salt})),
        "account_id": ("ACCOUNT_ID", OperatorConfig("hash", {"hash_type": "sha256", "salt": salt})),
        "ts": ("EVENT_TIME", OperatorConfig("custom", {"lambda": lambda text: text[:10]})),
        "device_ip": (
            "IP_ADDRESS",
            OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 64, "from_end": True}),
        ),
    }
    operators = dict(entities.values())
    engine = AnonymizerEngine()
    batch = BatchAnonymizerEngine(anonymizer_engine=engine)

    start, cpu = time.perf_counter(), time.process_time()
    for column, (entity, _) in entities.items():
        values = frame[column].to_list()
        spans = [[RecognizerResult(entity, 0, len(v), 1.0)] for v in values]
        batch.anonymize_list(values, spans, operators=operators)
    by_column = (time.perf_counter() - start, time.process_time() - cpu)

    start, cpu = time.perf_counter(), time.process_time()
    for row in frame.rows():
        row_spans: list[RecognizerResult] = []
        at = 0
        for value, (entity, _) in zip(row, entities.values(), strict=True):
            row_spans.append(RecognizerResult(entity, at, at + len(value), 1.0))
            at += len(value) + 1
        engine.anonymize(text="|".join(row), analyzer_results=row_spans, operators=operators)
    by_row = (time.perf_counter() - start, time.process_time() - cpu)

    best = min(by_column, by_row)
    return {
        "rows": frame.height,
        "per_column_seconds": round(by_column[0], 2),
        "per_row_seconds": round(by_row[0], 2),
        "best": "batch engine, per column" if best is by_column else "one call per row, 5 spans",
        "seconds": round(best[0], 2),
        "cpu_seconds": round(best[1], 2),
        "rows_per_second": int(frame.height / best[0]),
    }


def _alone(path: str) -> dict[str, Any]:
    import polars as pl

    from ringfence.keys import Keyset
    from ringfence.policy import parse_policy
    from ringfence.transform.base import TransformContext
    from ringfence.transform.plan import build_plan

    frame = pl.read_parquet(path, n_rows=ALONE_ROWS)
    keyset = Keyset.generate()
    out: dict[str, Any] = {}
    cpu: dict[str, float] = {}
    for policy in (POLICY, OTHER_ACTIONS):
        plan = build_plan(
            parse_policy(policy), dict(frame.schema), {}, TransformContext(keyset=keyset, recipient="bench")
        )
        for column in plan.columns:
            if column.spec.name in ("keep", "drop"):
                continue
            label = f"{column.column} ({column.spec.name})" + (" *" if policy is OTHER_ACTIONS else "")
            start, used = time.perf_counter(), time.process_time()
            frame.select(column.exprs)
            seconds, used = time.perf_counter() - start, time.process_time() - used
            out[label] = int(frame.height / seconds)
            cpu[label] = round(used, 3)
    return {"rows": frame.height, "rows_per_second": out, "cpu_seconds": cpu}


def _realtime() -> None:
    """Moves the measuring process to ``SCHED_RR`` when ``BENCH_REALTIME=1`` and it is allowed to."""
    if os.environ.get("BENCH_REALTIME") == "1" and hasattr(os, "sched_setscheduler"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(10))


def _policy() -> str:
    if hasattr(os, "sched_getscheduler") and os.sched_getscheduler(0) == os.SCHED_RR:
        return "SCHED_RR"
    return "normal"


def _in_child(func: Any, path: Path) -> dict[str, Any] | None:
    """Runs ``func(path)`` in a fresh interpreter, so timings and peak memory are the measured work's."""
    with multiprocessing.get_context("spawn").Pool(1, initializer=_realtime) as pool:
        result: dict[str, Any] | None = pool.apply(func, (str(path),))
        if result is None:  # the measured tool is not installed (Presidio without the bench extra)
            return None
        result["scheduling"] = pool.apply(_policy)
    return result


def run(rows: int = 20_000_000, presidio: bool = True) -> dict[str, Any]:
    """Writes (once) the input of ``rows`` rows and measures protect, the bare copies, each transform
    alone and (when installed) Presidio's anonymizer."""
    table = write_input(rows)
    path = input_path(rows)
    load: dict[str, float] = {}
    results: dict[str, Any] = {}
    runs: list[tuple[str, Any]] = [
        ("protect", _protect),
        ("bare", _bare),
        ("polars_copy", _polars_copy),
        ("arrow_copy", _arrow_copy),
        ("alone", _alone),
    ]
    if presidio:
        runs.append(("presidio", _presidio))
    for name, func in runs:
        load[name] = round(os.getloadavg()[0], 2)
        results[name] = _in_child(func, path)
    p = results["protect"]
    ratios = {
        name: round(p["seconds"] / results[name]["seconds"], 2)
        for name in ("bare", "polars_copy", "arrow_copy")
        if results[name]["seconds"]
    }
    cpu_ratios = {
        name: round(p["cpu_seconds"] / results[name]["cpu_seconds"], 2)
        for name in ("bare", "polars_copy", "arrow_copy")
        if results[name]["cpu_seconds"]
    }
    presidio_result = results.get("presidio")
    return {
        "rows": rows,
        "table": table,
        "load_average_1m": load,
        **results,
        "ratio": ratios.get("bare"),
        "ratios": ratios,
        "cpu_ratios": cpu_ratios,
        "presidio_ratio": (
            round(p["rows_per_second"] / presidio_result["rows_per_second"], 1) if presidio_result else None
        ),
        "meets": {
            "rows_per_second": p["rows_per_second"] >= TARGET_ROWS_PER_SECOND,
            "ratio_to_polars_copy": bool(ratios.get("polars_copy", 99) <= TARGET_RATIO),
            "peak_rss": p["peak_rss_mib"] <= TARGET_RSS_MIB,
        },
    }


def _yes(flag: bool) -> str:
    return "meets" if flag else "misses"


def to_markdown(result: dict[str, Any]) -> str:
    p, a, t = result["protect"], result["alone"], result["table"]
    load = result.get("load_average_1m", {})
    meets = result["meets"]
    copies = [
        ("bare", "bare streaming copy (same reader and writer, read-ahead threads)"),
        ("polars_copy", "bare Polars read+write (`scan_parquet → sink_parquet`, zstd)"),
        ("arrow_copy", "fastest bare pyarrow copy (row groups, uncompressed, no dictionaries)"),
    ]
    lines = [
        f"Synthetic transactions (`ringfence.synth`), {result['rows']:,} rows × 10 columns, Parquet zstd "
        f"{t['bytes'] / 2**20:,.0f} MiB; 5 columns protected (tokenize ×2, mask, fpe, date truncation), "
        f"{BATCH_ROWS:,}-row batches. Each run in a fresh process; CPU seconds are the process's (all "
        f"threads); scheduling: {p.get('scheduling', 'normal')}.",
        "",
        "| run | wall s | CPU s | rows/s | peak RSS | load before |",
        "|---|---|---|---|---|---|",
        f"| `protect` end to end | {p['seconds']:.1f} | {p['cpu_seconds']:.1f} | "
        f"**{p['rows_per_second']:,}** | {p['peak_rss_mib']:,.0f} MiB | {load.get('protect', '')} |",
    ]
    for key, label in copies:
        if key in result:
            r = result[key]
            lines.append(
                f"| {label} | {r['seconds']:.1f} | {r['cpu_seconds']:.1f} | {r['rows_per_second']:,} | "
                f"{r['peak_rss_mib']:,.0f} MiB | {load.get(key, '')} |"
            )
    ratios, cpu_ratios = result.get("ratios", {}), result.get("cpu_ratios", {})
    lines += [
        "",
        "protect ÷ copy, wall time (CPU time): "
        + ", ".join(f"{name} **{ratios[name]}×** ({cpu_ratios.get(name)}×)" for name in ratios)
        + ".",
        "",
        f"Targets (DESIGN §4): ≥ {TARGET_ROWS_PER_SECOND:,} rows/s: {_yes(meets['rows_per_second'])}; "
        f"≤ {TARGET_RATIO:g}× the bare Polars read+write: {_yes(meets['ratio_to_polars_copy'])}; "
        f"peak RSS ≤ {TARGET_RSS_MIB:,} MiB: {_yes(meets['peak_rss'])}.",
        "",
        f"| transform alone ({a['rows']:,} rows in memory) | rows/s | CPU s |",
        "|---|---|---|",
    ]
    lines += [
        f"| {name} | {speed:,} | {a.get('cpu_seconds', {}).get(name, '')} |"
        for name, speed in a["rows_per_second"].items()
    ]
    lines += ["", "\\* the other actions, each alone on the same rows; not part of the end-to-end run."]
    pr = result.get("presidio")
    if pr:
        lines += [
            "",
            f"Presidio anonymizer (`presidio_anonymizer`), the same 5 columns of {pr['rows']:,} rows, values "
            f"handed over as whole-value entities (no analyzer): {pr['rows_per_second']:,} rows/s "
            f"({pr['best']}; per column {pr['per_column_seconds']} s, per row {pr['per_row_seconds']} s). "
            f"`protect` end to end, Parquet in and out, is **{result['presidio_ratio']:,}×** its speed.",
        ]
    return "\n".join(lines)
