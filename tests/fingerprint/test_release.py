"""A fingerprinted release: marks and canaries in the copy, the record in its ledger entry, and the leak
attributed in a fresh process from that record and the keys alone, after a Parquet → CSV → reparse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from ringfence.synth import SynthConfig, generate_platform
from tests.cli.helpers import run_cli

POLICY = """
ringfence_policy: 1
name: partner
subject: customer_id
unlisted: drop
columns:
  customer_id: {action: tokenize, scope: recipient}
  account_id: {action: tokenize, scope: recipient}
  txn_id: keep
  merchant_id: keep
  amount: keep
  currency: keep
  ts: keep
  channel: keep
  status: keep
fingerprint: {enabled: true, immutable: [merchant_id], canaries: 4}
"""

ATTRIBUTE = """
import json, sys
import polars as pl
from ringfence.fingerprint import MarkRecord, attribute, canary_hits
from ringfence.ledger import Ledger
from ringfence.workspace.workspace import open_workspace
ws = open_workspace(sys.argv[1])
store, keys = ws.state(), ws.keyset()
records = [MarkRecord.model_validate(e.fields["fingerprint"]) for e in Ledger(store, keys).entries()
           if e.kind == "release" and "fingerprint" in e.fields]
leak = pl.read_csv(sys.argv[2], try_parse_dates=True).with_columns(pl.col("amount").cast(pl.Float64))
found = attribute(leak, records, keys)
named = [a.recipient for a in found if a.named]
bounds = {a.recipient: a.false_accusation_bound for a in found}
print(json.dumps({"named": named, "canaries": canary_hits(leak, records, keys), "bounds": bounds}))
"""


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "transactions.parquet"
    pl.concat(
        list(generate_platform(SynthConfig(customers=2_000, transactions=20_000, seed=3)).transactions())
    ).write_parquet(path)
    return path


def _workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A fresh KR workspace and the policy file."""
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws), "--jurisdiction", "KR")[0] == 0
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY)
    return ws, policy


def test_releases_are_marked_and_a_leak_names_its_recipient_from_the_ledger_alone(
    tmp_path: Path, table: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, policy = _workspace(tmp_path, capsys)
    raw = pl.read_parquet(table)
    copies = {}
    for name in ("hangang-settlement", "busan-clearing"):
        argv = ["-w", str(ws), "recipients", "add", name, "--country", "KR", "--role", "processor"]
        assert run_cli(capsys, *argv, "--purpose", "payment_processing")[0] == 0
        out = tmp_path / f"{name}.parquet"
        code, stdout, err = run_cli(
            capsys, "-w", str(ws), "release", str(table), "--policy", str(policy), "--recipient", name,
            "--purpose", "payment_processing", "-o", str(out), "--json",
        )  # fmt: skip
        assert code == 0, err
        doc = json.loads(stdout)
        fp = doc["fingerprint"]
        assert fp["columns"] == ["amount", "ts"] and fp["canaries"] == 4
        assert 0 < fp["cells_changed"] <= 0.05 * fp["cells"]
        assert abs(fp["shift"]["amount"]["mean_shift"]) < 0.001 and fp["shift"]["ts"]["max_change"] <= 3.0
        copy = pl.read_parquet(out)
        assert copy.height == raw.height + 4 and doc["rows_out"] == raw.height
        # identifiers and immutable columns are never changed (real rows keep their order)
        real = copy.filter(pl.col("txn_id").is_in(raw.get_column("txn_id").implode()))
        assert real.get_column("merchant_id").equals(raw.get_column("merchant_id"))
        assert real.get_column("status").equals(raw.get_column("status"))
        copies[name] = copy
    a, b = copies["hangang-settlement"], copies["busan-clearing"]
    assert not a.get_column("ts").equals(b.get_column("ts"))  # each copy carries its own marks
    # The leak: 800 rows of one copy, identifiers dropped, shuffled, through CSV text.
    leak = tmp_path / "leak.csv"
    b.sample(800, seed=9, shuffle=True).select("ts", "amount", "channel").write_csv(leak)
    done = subprocess.run(
        [sys.executable, "-c", ATTRIBUTE, str(ws), str(leak)], capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["named"] == ["busan-clearing"]
    assert result["bounds"]["hangang-settlement"] > 1e-3
    # The whole copy, identifiers included: its canaries are found too.
    full = tmp_path / "full.csv"
    b.write_csv(full)
    done = subprocess.run(
        [sys.executable, "-c", ATTRIBUTE, str(ws), str(full)], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout)["canaries"] == {"busan-clearing": 4}


def test_an_internal_extract_is_allowed_within_its_purpose_and_marked_like_a_partners(
    tmp_path: Path, table: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, policy = _workspace(tmp_path, capsys)
    for who, purpose in (("analyst-kim", "internal"), ("risk-team", "fraud_prevention")):
        argv = ["-w", str(ws), "recipients", "add", who, "--country", "KR", "--role", "internal"]
        assert run_cli(capsys, *argv, "--purpose", purpose)[0] == 0
    out = tmp_path / "extract.parquet"
    code, stdout, err = run_cli(
        capsys, "-w", str(ws), "release", str(table), "--policy", str(policy), "--recipient", "analyst-kim",
        "--purpose", "internal", "-o", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["decision"] == "allowed" and doc["consent_required"] == []
    assert "PIPA Art. 15(1)" in doc["legal_basis"] or "use within the controller" in doc["legal_basis"]
    assert doc["fingerprint"]["cells_changed"] > 0 and doc["fingerprint"]["canaries"] == 4
    # A team registered for another purpose gets nothing for "internal" use: a new purpose.
    code, stdout, _ = run_cli(
        capsys, "-w", str(ws), "release", str(table), "--policy", str(policy), "--recipient", "risk-team",
        "--purpose", "internal", "-o", str(tmp_path / "no.parquet"), "--json",
    )  # fmt: skip
    assert code == 1 and json.loads(stdout)["decision"] == "denied"
    assert not (tmp_path / "no.parquet").exists()
