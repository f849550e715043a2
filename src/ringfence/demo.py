"""The demo: the ringfence story end to end on synthetic data, in a fresh workspace.

A Korean payment company (the workspace) holds customers, accounts, merchants, transactions, consents and
a list of partners. The demo finds the personal data it holds and writes the inventory page; drafts a
policy per table; registers the partners and loads the customers' consents; releases customer data to a
settlement processor (no consent needed: it acts only for the company), to a fraud-prevention partner
(only customers who consented), and tries to send transactions to a clearing house in China for
analytics, which the transfer rules refuse with the articles they rest on; checks that no raw identifier
survived; resolves a partner's report of suspected fraud with a stated reason; verifies the ledger, signs
a checkpoint for an auditor, answers one customer's "who got my data?", and writes the transparency report.

Every step tells what it did in plain sentences (:attr:`DemoStep.story`) and reports figures for machines
(:attr:`DemoStep.summary`); neither ever holds a personal value, synthetic or not.
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

from ringfence.consent import add_recipient, import_consents, list_recipients
from ringfence.detect.scan import ScanReport, scan
from ringfence.fingerprint import MarkRecord, canary_hits
from ringfence.io.atomic import write_bytes_atomic
from ringfence.io.read import open_sources
from ringfence.ledger.export import record_of_processing, transparency_report
from ringfence.pipeline.release import ReleaseResult, release
from ringfence.pipeline.reveal import reveal
from ringfence.policy.draft import draft_policy
from ringfence.report import write_scan_report
from ringfence.report.ledger_page import write_transparency_report
from ringfence.report.trace_page import write_trace_report
from ringfence.risk.propose import propose_quasi_identifiers
from ringfence.synth import SynthConfig, generate_platform, write_platform
from ringfence.trace import add_reference, trace
from ringfence.trace.verdict import bound_text
from ringfence.workspace import init_workspace
from ringfence.workspace.workspace import Workspace, open_workspace


@dataclass
class DemoStep:
    name: str
    seconds: float
    summary: dict[str, Any]
    story: list[str] = field(default_factory=list)


@dataclass
class DemoResult:
    workspace: Path
    data_dir: Path
    report: Path
    steps: list[DemoStep] = field(default_factory=list)
    pages: dict[str, Path] = field(default_factory=dict)
    # The checks that failed (raw values in a release, a broken ledger): the command exits 1 on any.
    failed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": str(self.workspace),
            "data": str(self.data_dir),
            "report": str(self.report),
            "pages": {name: str(path) for name, path in self.pages.items()},
            "steps": [{"step": s.name, "seconds": round(s.seconds, 3), **s.summary} for s in self.steps],
            "failed": list(self.failed),
        }


Work = Callable[[], tuple[dict[str, Any], list[str]]]


def _count(n: int) -> str:
    return f"{n:,}"


def _released(result: ReleaseResult) -> str:
    withheld = (
        f"; {_count(result.rows_withheld_no_consent)} rows of {_count(result.subjects_withheld)} customers "
        "who did not consent were withheld"
        if result.rows_withheld_no_consent
        else ""
    )
    k = (result.risk or {}).get("k_anonymity")
    anonymity = f"; every combination of its quasi-identifiers is shared by at least {k} people" if k else ""
    return (
        f"Released {_count(result.rows_out)} of {_count(result.rows_in)} rows to {result.recipient} "
        f"({result.country}) for {result.purpose}, on {result.decision.legal_basis}{withheld}{anonymity}; "
        f"ledger entry {result.ledger_entry}."
    )


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
    policies = ws_dir / "policies"
    out = ws_dir / "releases"

    def step(name: str, work: Work) -> dict[str, Any]:
        started = time.perf_counter()
        summary, story = work()
        result.steps.append(DemoStep(name, time.perf_counter() - started, summary, story))
        if on_step:
            on_step(result.steps[-1])
        return summary

    def ws() -> Workspace:
        return open_workspace(ws_dir)

    def make_workspace() -> tuple[dict[str, Any], list[str]]:
        made = init_workspace(ws_dir, jurisdiction="KR")
        keys = made.keyset().all_keys()
        ids = {k.purpose: k.key_id for k in keys}
        return {"workspace": str(made.root), "keys": [f"{k.purpose}:{k.key_id}" for k in keys]}, [
            f"Created a workspace for a Korean payment company in {made.root}, with its own keys "
            f"(tokens {ids['hmac']}, encryption {ids['aead']}, ledger signing {ids['signing']}) and its "
            "state store."
        ]

    platform_counts: dict[str, int] = {}

    def synthesize() -> tuple[dict[str, Any], list[str]]:
        data_dir.mkdir(parents=True, exist_ok=True)
        platform = generate_platform(
            SynthConfig(customers=max(1_000, rows // 50), transactions=rows, seed=seed)
        )
        written = write_platform(platform, data_dir)
        platform_counts.update({name: r.rows for name, r in written.items()})
        c = platform_counts
        return {"tables": dict(platform_counts)}, [
            f"Synthesized its platform in {data_dir}: {_count(c['customers'])} customers, "
            f"{_count(c['accounts'])} accounts, {_count(c['merchants'])} merchants, "
            f"{_count(c['transactions'])} transactions, {_count(c['consents'])} consent records and "
            f"{_count(c['recipients'])} partners."
        ]

    def read_back() -> tuple[dict[str, Any], list[str]]:
        tables = {
            s.name: {"rows": s.count_rows(), "columns": len(s.schema())} for s in open_sources(data_dir)
        }
        return {"tables": tables}, [
            f"Read all {len(tables)} tables back through the readers every command uses."
        ]

    inventory = ScanReport()

    def scan_tables() -> tuple[dict[str, Any], list[str]]:
        inventory.tables = scan([data_dir]).tables
        (ws_dir / "reports").mkdir(parents=True, exist_ok=True)
        page = write_scan_report(inventory, ws_dir / "reports" / "scan.html")
        result.pages["inventory"] = page
        found = {}
        columns = 0
        for table in inventory.tables:
            personal = [c for c in table.columns if c.entity]
            columns += len(personal)
            found[table.source] = ", ".join(f"{c.name}={c.entity}" for c in personal) or "no personal data"
        return {"personal data": found, "inventory page": str(page)}, [
            f"Scanned the {len(inventory.tables)} tables and found personal data in {columns} columns "
            "(names, phones, national IDs, e-mails, cards, addresses, devices, places, free-text memos).",
            f"The inventory page lists them column by column: {page}",
        ]

    def draft() -> tuple[dict[str, Any], list[str]]:
        policies.mkdir(parents=True, exist_ok=True)
        drafted = {}
        for table in inventory.tables:
            if table.source not in ("customers.parquet", "transactions.parquet"):
                continue
            path = policies / f"{Path(table.source).stem}.yaml"
            found = {c.name: c.entity for c in table.columns}
            schema = pl.read_parquet_schema(data_dir / table.source)
            quasi = [(p.column, p.reason) for p in propose_quasi_identifiers(pl.Schema(schema), found)]
            text = draft_policy(list(found.items()), name=Path(table.source).stem, quasi_identifiers=quasi)
            write_bytes_atomic(path, text.encode())
            drafted[table.source] = str(path)
        return {"policies": drafted}, [
            "Drafted a policy for the customers and the transactions from what the scan found: identifiers "
            "tokenised per recipient, national IDs reduced to birth year and gender, places coarsened.",
        ]

    def register() -> tuple[dict[str, Any], list[str]]:
        store = ws().state()
        try:
            partners = pl.read_parquet(data_dir / "recipients.parquet")
            for r in partners.iter_slices(1):
                add_recipient(
                    store,
                    r["recipient_id"][0],
                    country=r["country"][0],
                    role=r["role"][0],
                    purposes=tuple(r["purposes"][0].split(",")),
                    affiliate_of=r["affiliate_of"][0],
                )
            loaded = import_consents(store, data_dir / "consents.parquet")
        finally:
            store.close()
        processors = int((partners["role"] == "processor").sum())
        return {"recipients": partners.height, "consents": loaded.to_json()}, [
            f"Registered {partners.height} partners ({processors} of them processors acting only for the "
            f"company) and loaded {_count(loaded.rows)} consent records, withdrawals included."
        ]

    outcomes: dict[str, ReleaseResult] = {}

    def release_to_partners() -> tuple[dict[str, Any], list[str]]:
        out.mkdir(parents=True, exist_ok=True)
        attempts = [
            ("settlement", "customers", "hangang-settlement", "payment_processing"),
            ("fraud", "customers", "seoul-fraudnet", "fraud_prevention"),
            ("abroad", "transactions", "union-clearing", "analytics"),
        ]
        story = []
        for key, table, recipient, purpose in attempts:
            done = release(
                ws(),
                data_dir / f"{table}.parquet",
                policies / f"{table}.yaml",
                out / f"{recipient}-{table}.parquet",
                recipient=recipient,
                purpose=purpose,
                subject="customer_id",
            )
            outcomes[key] = done
            if done.allowed:
                story.append(_released(done))
            else:
                why = "; ".join(f"{c.law} {c.article}: {text}" for text, c in done.decision.reasons[:2])
                story.append(
                    f"Refused {table} to {recipient} ({done.country}) for {purpose}: {why}. Nothing was "
                    f"written; the attempt is ledger entry {done.ledger_entry}."
                )
        return {name: r.to_json() for name, r in outcomes.items()}, story

    def check_release() -> tuple[dict[str, Any], list[str]]:
        original = pl.read_parquet(data_dir / "customers.parquet")
        released = pl.read_parquet(out / "seoul-fraudnet-customers.parquet")
        cells: set[str] = set()
        for column in released.columns:
            cells |= set(released.get_column(column).cast(pl.String).drop_nulls().to_list())
        surviving = {}
        for column in ("phone", "national_id", "email", "name"):
            surviving[column] = len(set(original.get_column(column).drop_nulls().to_list()) & cells)
        verdict = "none of them appears" if not any(surviving.values()) else "SOME APPEAR"
        if any(surviving.values()):
            result.failed.append("raw values found in the release")
        return {"raw values found in the release": surviving}, [
            "Looked for every customer's phone number, national ID, e-mail and name in the file the fraud "
            f"partner received: {verdict} ({', '.join(f'{k} {v}' for k, v in surviving.items())})."
        ]

    def resolve_partner_report() -> tuple[dict[str, Any], list[str]]:
        # The partner's report: 20 of the customers it received, as it sends them back (a new file).
        report = out / "suspected-fraud.parquet"
        pl.read_parquet(out / "seoul-fraudnet-customers.parquet").head(20).write_parquet(report)
        (ws_dir / "investigations").mkdir(parents=True, exist_ok=True)
        done = reveal(
            ws(),
            report,
            policies / "customers.yaml",
            ws_dir / "investigations" / "suspected-fraud.parquet",
            reason="partner fraud report: resolve the reported customers for the investigation team",
            recipient="seoul-fraudnet",
            reference=data_dir / "customers.parquet",
            without_record=True,  # the partner's own file: it carries no plan record of ours
        )
        columns = done.columns_json()
        resolved = {
            name: f"{c['rows_resolved']:,} of {done.record.rows:,} resolved"
            for name, c in columns.items()
            if c.get("status") == "reversed"
        }
        canaries = _canaries_in(ws(), report, outcomes["fraud"])
        planted = (
            f"; {canaries} of the rows it sent are canary records planted in its copy, no customer of ours"
            if canaries
            else ""
        )
        summary = {"tokens resolved": resolved, "canaries in the report": canaries}
        return summary | {"recorded as reversal": done.reversal_id}, [
            f"The fraud partner sent back {done.record.rows} customers by their tokens; the key holder "
            f"resolved them against the company's own customer table ({', '.join(resolved)}), with a "
            f"stated reason, recorded as reversal {done.reversal_id} before the file appeared{planted}."
        ]

    def account_for_it() -> tuple[dict[str, Any], list[str]]:
        workspace = ws()
        store = workspace.state()
        try:
            ledger = workspace.ledger(store)
            verified = ledger.verify()
            checkpoint = ws_dir / "reports" / "checkpoint.txt"
            write_bytes_atomic(checkpoint, ledger.checkpoint().encode())
            someone = _consenting_customer(data_dir, outcomes["fraud"])
            disclosures = [d for d in ledger.subject(someone) if d.kind == "release"]
            page = write_transparency_report(
                ws_dir / "reports" / "transparency.html",
                transparency_report(ledger),
                record_of_processing(ledger),
                roles={r.id: r.role for r in list_recipients(store, include_removed=True)},
            )
        finally:
            store.close()
        result.pages.update({"transparency report": page, "checkpoint": checkpoint})
        if not verified.ok:
            result.failed.append("ledger verified")
        who = "; ".join(f"{d.recipient} ({d.country}) for {d.purpose} on {d.time[:10]}" for d in disclosures)
        return {
            "ledger verified": verified.ok,
            "ledger entries": verified.size,
            "who got one customer's data": [d.to_json() for d in disclosures],
            "transparency report": str(page),
            "checkpoint": str(checkpoint),
        }, [
            f"Verified the ledger: {verified.size} entries, every hash and signature recomputed, "
            f"{'intact' if verified.ok else 'BROKEN'}. Signed a checkpoint an auditor can keep: {checkpoint}",
            f"One customer asked who got their data: {len(disclosures)} releases, {who}.",
            f"The transparency report and record of processing: {page}",
        ]

    step("workspace", make_workspace)
    step("synthesize", synthesize)
    step("read back", read_back)
    step("scan", scan_tables)
    step("draft policies", draft)
    step("register partners and consents", register)
    step("release to partners", release_to_partners)
    step("check the release", check_release)
    step("reveal a partner's report", resolve_partner_report)
    step("account for every release", account_for_it)
    step("trace a leak", lambda: _trace_a_leak(ws(), data_dir, out, outcomes["fraud"], result.pages))
    result.report.parent.mkdir(parents=True, exist_ok=True)
    doc = result.to_json()
    doc["scan"] = inventory.to_json()
    write_bytes_atomic(result.report, json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8"))
    result.pages["figures (JSON)"] = result.report
    return result


def _canaries_in(workspace: Workspace, path: Path, release: ReleaseResult) -> int:
    """How many of the release's canary records the file holds (read by the release's mark record)."""
    store = workspace.state()
    try:
        ledger = workspace.ledger(store)
        entry = next(ledger.entries(since=release.ledger_entry or 0))
        found = entry.fields.get("fingerprint")
        if found is None:
            return 0
        record = MarkRecord.model_validate(found)
        return canary_hits(pl.read_parquet(path), [record], workspace.keyset()).get(record.recipient, 0)
    finally:
        store.close()


def _trace_a_leak(
    workspace: Workspace, data_dir: Path, released: Path, fraud: ReleaseResult, pages: dict[str, Path]
) -> tuple[dict[str, Any], list[str]]:
    """The fraud partner's copy turns up for sale: a subset of its rows, its identifiers dropped but for
    the phone tokens it joins on, shuffled, renamed in Chinese and reformatted. The company registers its
    customer table as a reference, and traces the offer."""
    copy = pl.read_parquet(released / f"{fraud.recipient}-customers.parquet")
    offered = copy.sample(min(600, copy.height), seed=5, shuffle=True).select(
        pl.col("phone").alias("联系电话"),
        pl.col("city").alias("城市"),
        pl.col("registered_at").dt.strftime("%Y年%m月%d日 %H:%M:%S").alias("注册时间"),
        pl.col("gender").alias("性别"),
    )
    leak = workspace.root / "investigations" / "offered-for-sale.csv"
    leak.parent.mkdir(parents=True, exist_ok=True)
    offered.write_csv(leak)
    keys = workspace.keyset()
    store = workspace.state()
    try:
        reference = add_reference(store, keys, data_dir / "customers.parquet")
        found = trace(
            [leak],
            keys=keys,
            store=store,
            ledger=workspace.ledger(store, keys),
            sources=[data_dir / "customers.parquet"],
        )
    finally:
        store.close()
    page = write_trace_report(found, workspace.root / "reports" / "trace.html")
    pages["trace report"] = page
    low, high = found.interval
    named = (
        "; ".join(
            f"{s.recipient} (release {s.release_id[:8]}, by {' and '.join(s.evidence)}, false-accusation "
            f"bound {bound_text(s.false_accusation_bound)})"
            for s in found.suspects
        )
        or "no one"
    )
    renamed = ", ".join(f"{m.leak} → {m.target}" for m in found.alignment.matches)
    return {
        "reference": reference.to_json(),
        "trace": found.to_json(),
        "ledger entry": found.ledger_entry,
        "trace report": str(page),
    }, [
        f"Registered the customer table as a reference: keyed digests of "
        f"{_count(sum(reference.digests.values()))} identifiers, no values.",
        f"A file of {_count(found.rows)} customer rows was offered for sale, its columns renamed in Chinese "
        f"and reformatted; trace paired them with the released columns ({renamed}).",
        f"{_count(found.matched_rows)} of its rows are ours ({found.match_rate:.0%}, 99% interval "
        f"{low:.0%} to {high:.0%}); verdict {found.verdict}: the copy came from {named}. The trace is "
        f"ledger entry {found.ledger_entry}.",
        f"The trace report: {page}",
    ]


def _consenting_customer(data_dir: Path, fraud: ReleaseResult) -> str:
    """A customer whose consent let them into the fraud partner's release (so into both releases), read
    from the consent records the way the release decided; the first customer when nobody consented."""
    consents = pl.read_parquet(data_dir / "consents.parquet").filter(
        (pl.col("purpose") == fraud.purpose)
        & pl.col("recipient").is_in([fraud.recipient, "*"])
        & pl.col("withdrawn_at").is_null()
    )
    if "separate_sensitive" in fraud.decision.consent:
        consents = consents.filter(pl.col("separate_sensitive"))
    if consents.height:
        return str(consents["subject_id"].sort()[0])
    return str(pl.read_parquet(data_dir / "customers.parquet")["customer_id"][0])
