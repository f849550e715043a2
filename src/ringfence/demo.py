"""The demo: the ringfence story end to end on synthetic data, in a fresh workspace.

It grows with every capability. Today: create a workspace (keyset, state store) → synthesize a payment
platform → read every table back through the same readers every command uses → scan every table for
personal data and write the inventory → draft a policy from the scan and protect the customers and
transactions for a partner → check that no raw identifier survived → the partner sends back a few
customers by their tokens (suspected fraud), and the key holder resolves them against the company's own
customer table with a stated reason, recorded in the state store (``reveal``). Every step reports figures
only: the demo never prints a personal value, synthetic or not.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.detect.scan import ScanReport, scan
from ringfence.io.atomic import write_bytes_atomic
from ringfence.io.read import open_sources
from ringfence.pipeline.protect import protect
from ringfence.pipeline.reveal import reveal
from ringfence.policy.draft import draft_policy
from ringfence.report import write_scan_report
from ringfence.synth import SynthConfig, generate_platform, write_platform
from ringfence.workspace import init_workspace
from ringfence.workspace.workspace import open_workspace


@dataclass
class DemoStep:
    name: str
    seconds: float
    summary: dict[str, Any]


@dataclass
class DemoResult:
    workspace: Path
    data_dir: Path
    report: Path
    steps: list[DemoStep] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "data": str(self.data_dir),
            "report": str(self.report),
            "steps": [{"step": s.name, "seconds": round(s.seconds, 3), **s.summary} for s in self.steps],
        }


def _timed(result: DemoResult, name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    summary = work()
    result.steps.append(DemoStep(name, time.perf_counter() - started, summary))
    return summary


def run_demo(
    rows: int = 1_000_000,
    *,
    folder: Path | None = None,
    seed: int = 7,
    on_step: Callable[[DemoStep], None] | None = None,
) -> DemoResult:
    """Runs the story with ``rows`` transactions in ``folder`` (a new temporary folder by default)."""
    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="ringfence-demo-"))
    ws_dir, data_dir = root / "workspace", root / "data"
    result = DemoResult(ws_dir, data_dir, ws_dir / "reports" / "demo.json")

    def step(name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        summary = _timed(result, name, work)
        if on_step:
            on_step(result.steps[-1])
        return summary

    def make_workspace() -> dict[str, Any]:
        ws = init_workspace(ws_dir, jurisdiction="KR")
        keys = ws.keyset().all_keys()
        return {"workspace": str(ws.root), "keys": [f"{k.purpose}:{k.key_id}" for k in keys]}

    def synthesize() -> dict[str, Any]:
        data_dir.mkdir(parents=True, exist_ok=True)
        customers = max(1_000, rows // 50)
        platform = generate_platform(SynthConfig(customers=customers, transactions=rows, seed=seed))
        written = write_platform(platform, data_dir)
        return {"tables": {name: r.rows for name, r in written.items()}}

    def read_back() -> dict[str, Any]:
        tables = {}
        for source in open_sources(data_dir):
            tables[source.name] = {"rows": source.count_rows(), "columns": len(source.schema())}
        return {"tables": tables}

    inventory = ScanReport()

    def scan_tables() -> dict[str, Any]:
        inventory.tables = scan([data_dir]).tables
        (ws_dir / "reports").mkdir(parents=True, exist_ok=True)
        page = write_scan_report(inventory, ws_dir / "reports" / "scan.html")
        found = {}
        for table in inventory.tables:
            personal = [c for c in table.columns if c.entity]
            found[table.source] = ", ".join(f"{c.name}={c.entity}" for c in personal) or "no personal data"
        return {"personal data": found, "inventory page": str(page)}

    partner = "acme-analytics"
    released = ws_dir / "releases" / partner

    def protect_for_partner() -> dict[str, Any]:
        released.mkdir(parents=True, exist_ok=True)
        keyset = open_workspace(ws_dir).keyset()
        done: dict[str, Any] = {}
        for table in inventory.tables:
            if table.source not in ("customers.parquet", "transactions.parquet"):
                continue
            findings = [(c.name, c.entity) for c in table.columns]
            policy_path = ws_dir / "policies" / f"{Path(table.source).stem}.yaml"
            policy_path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(policy_path, draft_policy(findings, name=f"{partner}-{table.source}").encode())
            summary = protect(
                data_dir / table.source,
                policy_path,
                released / table.source,
                keyset=keyset,
                recipient=partner,
            )
            actions = summary.to_json()["columns"]
            done[table.source] = f"{summary.rows_out:,} rows, " + ", ".join(
                f"{col}→{action}" for col, action in actions.items() if action != "keep"
            )
        return {"protected": done}

    def check_release() -> dict[str, Any]:
        original = pl.read_parquet(data_dir / "customers.parquet")
        protected = pl.read_parquet(released / "customers.parquet")
        surviving = {}
        for column in ("phone", "national_id", "email", "name"):
            values = set(original.get_column(column).drop_nulls().to_list())
            cells = set()
            for out_column in protected.columns:
                cells |= set(protected.get_column(out_column).cast(pl.String).drop_nulls().to_list())
            surviving[column] = len(values & cells)
        return {"raw values found in the release": surviving}

    def resolve_partner_report() -> dict[str, Any]:
        # The partner's report: 100 of the customers it received, as it sends them back (a new file).
        report = released / "suspected-fraud.parquet"
        pl.read_parquet(released / "customers.parquet").head(100).write_parquet(report)
        (ws_dir / "investigations").mkdir(parents=True, exist_ok=True)
        done = reveal(
            open_workspace(ws_dir),
            report,
            ws_dir / "policies" / "customers.yaml",
            ws_dir / "investigations" / "suspected-fraud.parquet",
            reason="partner fraud report: resolve the reported customers for the investigation team",
            recipient=partner,
            reference=data_dir / "customers.parquet",
            without_record=True,  # the partner's own file: it carries no plan record of ours
        )
        columns = done.columns_json()
        resolved = {
            name: f"{c['rows_resolved']:,} of {done.record.rows:,} resolved"
            for name, c in columns.items()
            if c.get("status") == "reversed"
        }
        return {"tokens resolved": resolved, "recorded as reversal": done.reversal_id}

    step("workspace", make_workspace)
    step("synthesize", synthesize)
    step("read back", read_back)
    step("scan", scan_tables)
    step("protect for a partner", protect_for_partner)
    step("check the release", check_release)
    step("reveal a partner's report", resolve_partner_report)
    result.report.parent.mkdir(parents=True, exist_ok=True)
    doc = result.to_json()
    doc["scan"] = inventory.to_json()
    write_bytes_atomic(result.report, json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"))
    return result
