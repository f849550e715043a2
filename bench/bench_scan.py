"""Speed of ``ringfence scan`` on a large synthetic transactions table.

    python -m bench scan                   # 100,000,000 rows (the table is written once, then cached)
    python -m bench scan --rows 10000000

The table is the synthetic platform's transactions table (``ringfence.synth``: ids, amounts, timestamps,
free-text memos, device IPs, coordinates), written once to ``bench/data/scan/transactions_<rows>.parquet``
in 1M-row row groups. Measured, each in a fresh process so its peak RSS is its own:

(a) classification of every column from the default 10,000-row sample (``scan_source``), split into
    counting rows, drawing the sample and classifying it; the bar is "seconds" for 100M rows;
(b) ``--full`` validation (``validate_full``) of the detected columns over the first ``FULL_ROWS`` rows
    (the whole table when smaller), in validated cells per second; the bar is 5M cells/s;
(c) each entity's column validator alone (``valid_expr`` over the text ``clean_frame`` cleaned, as
    ``validate_full`` runs it, cleaning included) on ``VALIDATOR_CELLS`` values of that entity from the
    evaluation set's generators, so a slow validator is named rather than hidden in (b);
(d) ``--full`` validation as in (b) of the synthetic customers table (``CUSTOMER_ROWS`` rows, written once
    to ``bench/data/scan/customers_<rows>.parquet``): names, birth dates, national IDs, phones, emails,
    addresses, IMEIs, IPs and coordinates, so the bar is also measured where the slow validators run.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "scan"
FULL_ROWS = 10_000_000
CUSTOMERS = 100_000
SEED = 7
TARGET_CELLS_PER_SECOND = 5_000_000
VALIDATOR_CELLS = 200_000
CUSTOMER_ROWS = 1_000_000
# One generator of the evaluation set per entity (bench.scan_eval.values), for (c).
VALIDATOR_KINDS = {
    "CN_RESIDENT_ID": "cn_id",
    "KR_RRN": "kr_rrn",
    "PHONE_NUMBER": "cn_phone_mixed",
    "EMAIL_ADDRESS": "email",
    "PAYMENT_CARD": "card_plain",
    "IBAN": "iban",
    "IMEI": "imei",
    "IP_ADDRESS": "ip_address",
    "DATE_OF_BIRTH": "dob_iso",
    "GEO_COORDINATE": "geo_pair",
    "PASSPORT_NUMBER": "passport",
    "POSTAL_ADDRESS": "cn_address",
    "PERSON_NAME": "cn_name",
    "BANK_ACCOUNT": "kr_account",
    "INTERNAL_ID": "cust_id",
}


def table_path(rows: int) -> Path:
    return DATA / f"transactions_{rows}.parquet"


def write_table(rows: int) -> dict[str, Any]:
    """Writes the synthetic transactions table of ``rows`` rows unless it is already there."""
    import pyarrow.parquet as pq

    from ringfence.synth import SynthConfig, generate_platform
    from ringfence.synth.output import Prefetch

    path = table_path(rows)
    if path.exists():
        return {"written": False, "path": str(path), "bytes": path.stat().st_size}
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    start = time.perf_counter()
    config = SynthConfig(customers=min(CUSTOMERS, max(1, rows // 10)), transactions=rows, seed=SEED)
    platform = generate_platform(config)
    writer: pq.ParquetWriter | None = None
    try:
        for frame in Prefetch(platform.transactions()):
            table = frame.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
    finally:
        if writer is not None:
            writer.close()
    os.replace(tmp, path)
    return {
        "written": True,
        "path": str(path),
        "bytes": path.stat().st_size,
        "write_seconds": round(time.perf_counter() - start, 1),
    }


def write_customers(rows: int) -> Path:
    """Writes the synthetic customers table of ``rows`` rows unless it is already there."""
    from ringfence.synth import SynthConfig, generate_platform

    path = DATA / f"customers_{rows}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".parquet.tmp")
        generate_platform(SynthConfig(customers=rows, transactions=1, seed=SEED)).customers.write_parquet(
            tmp, row_group_size=500_000
        )
        os.replace(tmp, path)
    return path


def subset(rows: int, limit: int) -> Path:
    """The first ``limit`` rows of the table as their own file (the table itself when not larger)."""
    import polars as pl

    if rows <= limit:
        return table_path(rows)
    path = DATA / f"transactions_{rows}_first_{limit}.parquet"
    if not path.exists():
        tmp = path.with_suffix(".parquet.tmp")
        pl.scan_parquet(table_path(rows)).head(limit).sink_parquet(tmp, row_group_size=1_000_000)
        os.replace(tmp, path)
    return path


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _classify(path: str) -> dict[str, Any]:
    from ringfence.detect.classify import classify_frame
    from ringfence.detect.scan import DEFAULT_SAMPLE_ROWS, scan_source
    from ringfence.io.read import open_source

    source = open_source(path)
    t0 = time.perf_counter()
    rows = source.count_rows()
    t1 = time.perf_counter()
    sample = source.sample(DEFAULT_SAMPLE_ROWS, seed=0)
    t2 = time.perf_counter()
    findings = classify_frame(sample)
    t3 = time.perf_counter()
    table = scan_source(open_source(path))  # the public path, end to end
    t4 = time.perf_counter()
    return {
        "rows": rows,
        "columns": len(findings),
        "count_seconds": round(t1 - t0, 3),
        "sample_seconds": round(t2 - t1, 3),
        "classify_seconds": round(t3 - t2, 3),
        "scan_source_seconds": round(t4 - t3, 3),
        "findings": {c.name: c.entity for c in table.columns},
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _full(path: str) -> dict[str, Any]:
    from ringfence.detect.scan import scan_source, validate_full
    from ringfence.io.read import open_source

    source = open_source(path)
    table = scan_source(source)
    checked = [f for f in table.columns if f.entity and f.entity != "FREE_TEXT_PII"]
    start, cpu = time.perf_counter(), time.process_time()
    validate_full(source, table.columns)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    cells = table.rows * len(checked)
    return {
        "rows": table.rows,
        "validated_columns": [f"{f.name}:{f.entity}" for f in checked],
        "hit_rates": {f.name: round(f.hit_rate, 4) for f in checked},
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "cells": cells,
        "cells_per_second": round(cells / seconds) if seconds else None,
        "all_cells_per_second": round(table.rows * len(table.columns) / seconds) if seconds else None,
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _validators(cells: int) -> dict[str, Any]:
    import numpy as np
    import polars as pl

    from bench.scan_eval.tables import KINDS
    from ringfence.detect import entities
    from ringfence.detect.classify import clean_frame

    out: dict[str, Any] = {}
    for entity, kind in VALIDATOR_KINDS.items():
        frame = pl.DataFrame({"c": KINDS[kind].gen(np.random.default_rng(0), cells)})
        valid = entities.get(entity).valid_expr(pl.col("c")).fill_null(False).mean()
        start, cpu = time.perf_counter(), time.process_time()
        rate = clean_frame(frame, ["c"]).select(valid).item()  # as validate_full runs it
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        out[entity] = {
            "kind": kind,
            "valid_share": round(float(rate), 4),
            "cells_per_second": round(cells / seconds),
            "cpu_seconds": round(cpu, 3),
        }
    return out


def _in_child(func: Any, arg: Any) -> dict[str, Any]:
    """Runs ``func(arg)`` in a fresh interpreter, so timings and peak memory are the measured work's."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(func, (arg,))
    return result


def run(rows: int = 100_000_000, full_rows: int = FULL_ROWS) -> dict[str, Any]:
    """Writes (once) and scans a ``rows``-row transactions table; see the module docstring."""
    table = write_table(rows)
    load = {"a": os.getloadavg()[0]}
    classify = _in_child(_classify, str(table_path(rows)))
    load["b"] = os.getloadavg()[0]
    full = _in_child(_full, str(subset(rows, full_rows)))
    load["c"] = os.getloadavg()[0]
    validators = _in_child(_validators, VALIDATOR_CELLS)
    customers = write_customers(CUSTOMER_ROWS)
    load["d"] = os.getloadavg()[0]
    full_customers = _in_child(_full, str(customers))
    return {
        "load_average_1m": {k: round(v, 2) for k, v in load.items()},
        "rows": rows,
        "table": table,
        "classify": classify,
        "full": full,
        "validators": validators,
        "full_customers": full_customers,
        "full_meets_target": bool(
            full["cells_per_second"] and full["cells_per_second"] >= TARGET_CELLS_PER_SECOND
        ),
    }


def to_markdown(result: dict[str, Any]) -> str:
    c, f, t = result["classify"], result["full"], result["table"]
    found = ", ".join(f"{k}→{v}" for k, v in c["findings"].items() if v) or "none"
    verdict = "meets" if result["full_meets_target"] else "misses"
    load = result.get("load_average_1m")
    loaded = (
        [
            "1-minute load average before "
            + ", ".join(f"({k}) {v}" for k, v in load.items())
            + " (2 cores; wall seconds on a loaded machine overstate the work, CPU seconds do not).",
            "",
        ]
        if load
        else []
    )
    return "\n".join(
        [
            f"Synthetic transactions table (`ringfence.synth`, seed {SEED}): {result['rows']:,} rows × "
            f"{c['columns']} columns, Parquet zstd, {t['bytes'] / 2**30:.2f} GiB"
            + (f", written in {t['write_seconds']:.0f} s" if t.get("write_seconds") else " (cached)")
            + ".",
            "",
            *loaded,
            "| (a) classify every column, 10,000-row sample | seconds |",
            "|---|---|",
            f"| count rows (Parquet footer) | {c['count_seconds']:.3f} |",
            f"| draw the sample | {c['sample_seconds']:.3f} |",
            f"| classify the sample | {c['classify_seconds']:.3f} |",
            f"| `scan_source` end to end | **{c['scan_source_seconds']:.3f}** |",
            f"| peak RSS | {c['peak_rss_mib']:,.0f} MiB |",
            "",
            f"Found: {found}.",
            "",
            f"(b) `--full` validation over {f['rows']:,} rows of {len(f['validated_columns'])} detected "
            f"columns ({', '.join(f['validated_columns'])}): {f['seconds']:.2f} s"
            + (f" ({f['cpu_seconds']:.2f} s CPU)" if "cpu_seconds" in f else "")
            + ", "
            f"**{f['cells_per_second']:,} validated cells/s** ({f['all_cells_per_second']:,} table cells/s), "
            f"peak RSS {f['peak_rss_mib']:,.0f} MiB; hit rates over all rows: "
            f"{', '.join(f'{k} {v:.3f}' for k, v in f['hit_rates'].items())}; "
            f"target ≥ {TARGET_CELLS_PER_SECOND:,} cells/s: {verdict}.",
            "",
            "(c) Each entity's column validator alone (`valid_expr` over the column `clean_frame` cleaned, "
            f"cleaning included, {VALIDATOR_CELLS:,} values of that entity from the evaluation set's "
            "generators):",
            "",
            "| entity | values from | valid share | cells/s | CPU s |",
            "|---|---|---|---|---|",
            *[
                f"| {e} | `{v['kind']}` | {v['valid_share']:.3f} | {v['cells_per_second']:,} "
                f"| {v.get('cpu_seconds', '')} |"
                for e, v in result.get("validators", {}).items()
            ],
            *_customers_markdown(result),
        ]
    )


def _customers_markdown(result: dict[str, Any]) -> list[str]:
    f = result.get("full_customers")
    if not f:
        return []
    verdict = (
        "meets" if f["cells_per_second"] and f["cells_per_second"] >= TARGET_CELLS_PER_SECOND else "misses"
    )
    return [
        "",
        f"(d) `--full` validation of the synthetic customers table, {f['rows']:,} rows, "
        f"{len(f['validated_columns'])} detected columns ({', '.join(f['validated_columns'])}): "
        f"{f['seconds']:.2f} s ({f.get('cpu_seconds', 0):.2f} s CPU), "
        f"**{f['cells_per_second']:,} validated cells/s**, peak RSS {f['peak_rss_mib']:,.0f} MiB; "
        f"target ≥ {TARGET_CELLS_PER_SECOND:,} cells/s: {verdict}.",
    ]
