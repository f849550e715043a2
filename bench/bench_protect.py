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
- each transform alone over ``ALONE_ROWS`` rows already in memory, in rows/s.
"""

from __future__ import annotations

import multiprocessing
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
BATCH_ROWS = 250_000
SEED = 7
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
    from ringfence.policy import parse_policy
    from ringfence.transform.engine import protect

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        summary = protect(
            path,
            parse_policy(POLICY),
            Path(folder) / "out.parquet",
            keyset=Keyset.generate(),
            recipient="bench",
            batch_rows=BATCH_ROWS,
        )
        seconds = time.perf_counter() - start
        size = Path(summary.output).stat().st_size
    return {
        "rows": summary.rows_out,
        "seconds": round(seconds, 2),
        "rows_per_second": int(summary.rows_out / seconds),
        "output_bytes": size,
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _bare(path: str) -> dict[str, Any]:
    from ringfence.io.read import open_source
    from ringfence.io.write import write_table
    from ringfence.transform.engine import rechunk

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        written = write_table(rechunk(open_source(path).batches(BATCH_ROWS)), Path(folder) / "copy.parquet")
        seconds = time.perf_counter() - start
    return {
        "rows": written.rows,
        "seconds": round(seconds, 2),
        "rows_per_second": int(written.rows / seconds),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _alone(path: str) -> dict[str, Any]:
    import polars as pl

    from ringfence.keys import Keyset
    from ringfence.policy import parse_policy
    from ringfence.transform.base import TransformContext
    from ringfence.transform.plan import build_plan

    frame = pl.read_parquet(path, n_rows=ALONE_ROWS)
    plan = build_plan(
        parse_policy(POLICY),
        dict(frame.schema),
        {},
        TransformContext(keyset=Keyset.generate(), recipient="bench"),
    )
    out: dict[str, Any] = {}
    for column in plan.columns:
        if column.spec.name == "keep":
            continue
        start = time.perf_counter()
        frame.select(column.exprs)
        seconds = time.perf_counter() - start
        out[f"{column.column} ({column.spec.name})"] = int(frame.height / seconds)
    return {"rows": frame.height, "rows_per_second": out}


def _in_child(func: Any, path: Path) -> dict[str, Any]:
    """Runs ``func(path)`` in a fresh interpreter, so timings and peak memory are the measured work's."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(func, (str(path),))
    return result


def run(rows: int = 20_000_000) -> dict[str, Any]:
    """Writes (once) the input of ``rows`` rows and measures protect, the bare copy and each transform."""
    table = write_input(rows)
    path = input_path(rows)
    protect = _in_child(_protect, path)
    bare = _in_child(_bare, path)
    alone = _in_child(_alone, path)
    return {
        "rows": rows,
        "table": table,
        "protect": protect,
        "bare": bare,
        "ratio": round(protect["seconds"] / bare["seconds"], 2) if bare["seconds"] else None,
        "alone": alone,
    }


def to_markdown(result: dict[str, Any]) -> str:
    p, b, a, t = result["protect"], result["bare"], result["alone"], result["table"]
    lines = [
        f"Synthetic transactions (`ringfence.synth`), {result['rows']:,} rows × 10 columns, Parquet zstd "
        f"{t['bytes'] / 2**20:,.0f} MiB; 5 columns protected (tokenize ×2, mask, fpe, date truncation), "
        f"{BATCH_ROWS:,}-row batches.",
        "",
        "| run | seconds | rows/s | peak RSS |",
        "|---|---|---|---|",
        f"| `protect` end to end | {p['seconds']:.1f} | **{p['rows_per_second']:,}** | "
        f"{p['peak_rss_mib']:,.0f} MiB |",
        f"| bare streaming copy (same reader and writer) | {b['seconds']:.1f} | {b['rows_per_second']:,} | "
        f"{b['peak_rss_mib']:,.0f} MiB |",
        "",
        f"protect / bare copy time: **{result['ratio']}×**.",
        "",
        f"| transform alone ({a['rows']:,} rows in memory) | rows/s |",
        "|---|---|",
    ]
    lines += [f"| {name} | {speed:,} |" for name, speed in a["rows_per_second"].items()]
    return "\n".join(lines)
