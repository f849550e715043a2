"""No personal value leaves the fence by a side door (issue 9, done when): a representative set of command
runs on the synthetic platform (scan, protect, reveal, release, risk, and errors on hostile inputs) is
searched, every message, JSON document, report, draft policy, protected output and workspace file, for
the customers' personal values; none is found. The only files allowed to hold them are the inputs and the
revealed copy (whose whole purpose is to hold them)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ringfence.synth.config import SynthConfig
from ringfence.synth.output import write_platform
from ringfence.synth.platform import generate_platform
from tests.cli.helpers import add_recipients, run_cli

REVEAL_POLICY = (
    "ringfence_policy: 1\nname: reveal-me\nunlisted: drop\ncolumns:\n  customer_id: keep\n"
    "  national_id: encrypt\n  phone: encrypt\n  email: {action: tokenize, scope: global}\n"
)


def _personal_values(customers: pl.DataFrame) -> set[str]:
    """Values that name or reach a person, long enough not to turn up by chance."""
    found: set[str] = set()
    for column in ("national_id", "phone", "email", "address", "device_imei"):
        found |= {v for v in customers[column].drop_nulls().to_list() if len(v) >= 8}
    found |= {v for v in customers["name"].drop_nulls().to_list() if len(v) >= 3}
    digits = {re.sub(r"\D", "", v) for v in customers["phone"].drop_nulls().to_list()}
    return found | {d for d in digits if len(d) >= 10}


def _hostile_inputs(folder: Path, customers: pl.DataFrame) -> list[Path]:
    row = customers.row(0, named=True)
    national_id, phone, name, email = row["national_id"], row["phone"], row["name"], row["email"]
    mac = folder / "mac.csv"
    mac.write_bytes(f"name,national_id,phone\r{name},{national_id},{phone}\r".encode())
    headerless = folder / "headerless.csv"
    headerless.write_text(f"{name},{email},{national_id}\n{name},{email},{national_id}\n", "utf-8")
    ragged = folder / "ragged.csv"
    ragged.write_text(f"name,phone\n{name},{phone},{email},{national_id}\n", "utf-8")
    repeated = folder / "repeated.jsonl"
    repeated.write_text(f'{{"name":"{name}","phone":"1","phone":"{phone}"}}\n', "utf-8")
    panics = folder / "panics.parquet"
    pq.write_table(pa.table({"d": pa.array([2**31 - 1], pa.date32()), "phone": [phone]}), panics)
    markup = folder / "markup.csv"
    markup.write_text(f'[red]{phone},=HYPERLINK("x")\n{national_id},{email}\n', "utf-8")
    return [mac, headerless, ragged, repeated, panics, markup]


def test_no_personal_value_in_any_message_report_policy_or_protected_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "platform"
    data.mkdir()
    platform = generate_platform(SynthConfig(customers=400, transactions=2_000, seed=23))
    write_platform(platform, data)
    customers = pl.read_parquet(data / "customers.parquet")
    values = _personal_values(customers)
    assert len(values) > 1_000
    work = tmp_path / "work"
    work.mkdir()
    ws = work / "ws"
    said: list[str] = []

    def cli(*argv: str, ok: bool | None = True) -> str:
        """Runs a command; ``ok``: it must succeed, fail (exit 2, one line), or None: either."""
        code, out, err = run_cli(capsys, *argv)
        said.extend([out, err])
        if ok is None:
            ok = code == 0
        assert code == (0 if ok else 2), (argv[:4], code, err)
        assert ok or len(err.strip().splitlines()) == 1, err
        return out

    cli("init", str(ws), "--jurisdiction", "KR")
    w = ["-w", str(ws)]
    add_recipients(capsys, ws, data / "recipients.parquet")
    cli(*w, "consent", "import", str(data / "consents.parquet"))
    source = str(data / "customers.parquet")
    draft = work / "draft.yaml"
    cli(*w, "scan", source, "--draft-policy", str(draft), "--report", str(work / "scan.html"))
    cli(*w, "scan", source, "--json", "--full")
    cli(*w, "scan", str(data / "transactions.parquet"), "--json")
    acme = ["--recipient", "acme"]
    for out in ("protected.parquet", "protected.csv"):
        cli(*w, "protect", source, "--policy", str(draft), "-o", str(work / out), *acme)
    cli(*w, "protect", source, "--policy", str(draft), "-o", str(work / "p2.parquet"), "--json", *acme)
    cli(*w, "protect", source, "--policy", str(draft), "--explain", "-o", str(work / "x.csv"), *acme)
    reveal_policy = work / "reveal.yaml"
    reveal_policy.write_text(REVEAL_POLICY, encoding="utf-8")
    cli(*w, "protect", source, "--policy", str(reveal_policy), "-o", str(work / "for-reveal.parquet"))
    revealed = tmp_path / "revealed.parquet"  # outside the searched folder: it holds the values by design
    doc = cli(
        *w, "reveal", str(work / "for-reveal.parquet"), "--policy", str(reveal_policy), "--decrypt",
        "--detokenize-with", source, "-o", str(revealed), "--reason", "chargeback 4711", "--json",
    )  # fmt: skip
    assert json.loads(doc)["columns"]["email"]["rows_resolved"] == customers.height
    assert set(pl.read_parquet(revealed)["phone"].to_list()) == set(customers["phone"].to_list())
    cli(
        *w, "release", source, "--policy", str(draft), "--recipient", "seoul-fraudnet", "--purpose",
        "fraud_prevention", "--subject", "customer_id", "-o", str(work / "released.parquet"), "--json",
    )  # fmt: skip
    cli(*w, "risk", str(work / "protected.parquet"), "--report", str(work / "risk.html"))
    cli(*w, "risk", str(work / "protected.parquet"), "--json")
    cli(*w, "ledger", "export", "--format", "json", "-o", str(work / "ledger.json"))
    # Errors: another policy than the one that protected it, hostile inputs.
    cli(
        *w, "reveal", str(work / "for-reveal.parquet"), "--policy", str(draft), "--decrypt",
        "-o", str(work / "never.parquet"), "--reason", "test", ok=False,
    )  # fmt: skip
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    for path in _hostile_inputs(hostile, customers):
        for argv in (["scan", str(path)], ["scan", str(path), "--json"]):
            cli(*w, *argv, ok=None)  # read as rows (CR-only) or refused in one line
        out = str(work / f"h-{path.stem}.csv")
        cli(*w, "protect", str(path), "--policy", str(draft), "-o", out, *acme, ok=False)

    searched = {f"message {i}": text.encode("utf-8") for i, text in enumerate(said)}
    files = [p for p in work.rglob("*") if p.is_file()]
    assert {"scan.html", "risk.html", "draft.yaml", "protected.csv", "released.parquet", "state.db"} <= {
        p.name for p in files
    }
    searched |= {str(p.relative_to(work)): p.read_bytes() for p in files}
    leaks = sorted(
        (where, value) for where, raw in searched.items() for value in values if value.encode("utf-8") in raw
    )
    assert leaks == [], leaks[:20]
