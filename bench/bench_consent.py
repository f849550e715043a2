"""Benchmark: the release's consent filter (a semi-join of each batch's subject column against the
consenting subjects) over the synthetic transactions, in rows/s, beside the floor of a plain Polars
``is_in`` filter on the same frame in the same run.

    python -m bench consent                 # 10,000,000 transactions
    python -m bench consent --rows 2000000

The consenting subjects come from the synthetic platform's own consent records, loaded through
``consent import`` into a fresh workspace and looked up as a release would (purpose ``fraud_prevention``,
recipient ``seoul-fraudnet``). DESIGN §4 target: ≥ 5,000,000 rows/s.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.consent import ConsentFilter, consenting_subjects, import_consents
from ringfence.io import BATCH_ROWS
from ringfence.synth import SynthConfig, generate_platform
from ringfence.workspace import init_workspace

TARGET_ROWS_PER_SECOND = 5_000_000


def run(rows: int = 10_000_000) -> dict[str, Any]:
    platform = generate_platform(SynthConfig(customers=max(10_000, rows // 50), transactions=rows, seed=3))
    transactions = pl.concat(list(platform.transactions())).select(
        "customer_id", "amount", "ts", "merchant_id"
    )
    batches = [transactions.slice(i, BATCH_ROWS) for i in range(0, transactions.height, BATCH_ROWS)]
    with tempfile.TemporaryDirectory(prefix="rf-bench-consent-") as tmp:
        ws = init_workspace(Path(tmp) / "ws", jurisdiction="KR")
        consents = Path(tmp) / "consents.parquet"
        platform.consents.write_parquet(consents)
        store = ws.state()
        start = time.perf_counter()
        imported = import_consents(store, consents)
        import_seconds = time.perf_counter() - start
        start = time.perf_counter()
        allowed = consenting_subjects(
            store,
            purpose="fraud_prevention",
            recipient="seoul-fraudnet",
            kinds={"provision"},
            at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        )
        lookup_seconds = time.perf_counter() - start
        store.close()
    step = ConsentFilter("customer_id", allowed)
    start = time.perf_counter()
    kept = sum(step(batch).height for batch in batches)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    floor = transactions.filter(pl.col("customer_id").is_in(allowed.implode())).height
    floor_seconds = time.perf_counter() - start
    assert kept == floor
    return {
        "rows": transactions.height,
        "subjects_consenting": allowed.len(),
        "rows_kept": kept,
        "rows_withheld": step.rows_withheld,
        "seconds": round(seconds, 3),
        "rows_per_second": int(transactions.height / seconds),
        "floor_seconds": round(floor_seconds, 3),
        "floor_rows_per_second": int(transactions.height / floor_seconds),
        "ratio_to_floor": round(seconds / floor_seconds, 2),
        "consents_imported": imported.rows,
        "import_seconds": round(import_seconds, 2),
        "lookup_seconds": round(lookup_seconds, 3),
    }


def to_markdown(result: dict[str, Any]) -> str:
    meets = "meets" if result["rows_per_second"] >= TARGET_ROWS_PER_SECOND else "misses"
    return "\n".join(
        [
            f"Synthetic transactions, {result['rows']:,} rows in {BATCH_ROWS:,}-row batches; consenting "
            f"subjects from the platform's own consent records ({result['consents_imported']:,} consents "
            f"imported in {result['import_seconds']} s, looked up in {result['lookup_seconds']} s): "
            f"{result['subjects_consenting']:,} subjects may receive `fraud_prevention` data.",
            "",
            "| run | seconds | rows/s |",
            "|---|---|---|",
            f"| consent filter (`ConsentFilter`, batch by batch, counting what it withholds) | "
            f"{result['seconds']} | **{result['rows_per_second']:,}** |",
            f"| floor: one Polars `is_in` filter over the whole frame | {result['floor_seconds']} | "
            f"{result['floor_rows_per_second']:,} |",
            "",
            f"Kept {result['rows_kept']:,} rows, withheld {result['rows_withheld']:,}; "
            f"{result['ratio_to_floor']}× the floor. Target (DESIGN §4) ≥ 5,000,000 rows/s: {meets}.",
        ]
    )
