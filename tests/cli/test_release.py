"""`ringfence release` end to end on the synthetic platform: the transfer rules decide, consent filters
per subject, the ledger records every outcome before anything appears, and "who got my data" answers
from it; a denied release writes nothing and exits 1; killed at any point, a release never leaves an
output without its entry, and two at once both land."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from ringfence.ledger import Ledger
from ringfence.synth import SynthConfig, generate_platform, write_platform
from ringfence.workspace.workspace import open_workspace
from tests.cli.helpers import add_recipients, key_encodings, run_cli


@dataclass
class Setup:
    ws: Path
    data: Path
    customers: pl.DataFrame
    consents: pl.DataFrame
    policy: Path
    txn_policy: Path

    def cli(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        return run_cli(capsys, "-w", str(self.ws), *argv)


@pytest.fixture(scope="module")
def platform_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("platform")
    write_platform(generate_platform(SynthConfig(customers=3_000, transactions=30_000, seed=17)), folder)
    return folder


@pytest.fixture
def setup(platform_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Setup:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws), "--jurisdiction", "KR")[0] == 0
    add_recipients(capsys, ws, platform_data / "recipients.parquet")
    assert (
        run_cli(capsys, "-w", str(ws), "consent", "import", str(platform_data / "consents.parquet"))[0] == 0
    )
    policies = {}
    for table in ("customers", "transactions"):
        path = tmp_path / f"{table}.yaml"
        code, _, err = run_cli(
            capsys,
            "-w",
            str(ws),
            "scan",
            str(platform_data / f"{table}.parquet"),
            "--draft-policy",
            str(path),
        )
        assert code == 0, err
        policies[table] = path
    return Setup(
        ws,
        platform_data,
        pl.read_parquet(platform_data / "customers.parquet"),
        pl.read_parquet(platform_data / "consents.parquet"),
        policies["customers"],
        policies["transactions"],
    )


def _consenting(consents: pl.DataFrame, purpose: str, recipient: str, *, separate: bool) -> set[str]:
    """Who may receive the data, from the generator's own consent table (independent of the store)."""
    now = dt.datetime.now()
    valid = consents.filter(
        (pl.col("purpose") == purpose)
        & pl.col("recipient").is_in([recipient, "*"])
        & (pl.col("granted_at") <= now)
        & (pl.col("withdrawn_at").is_null() | (pl.col("withdrawn_at") > now))
    )
    if separate:
        valid = valid.filter(pl.col("separate_sensitive"))
    return set(valid["subject_id"].to_list())


def _ledger(ws: Path) -> Ledger:
    workspace = open_workspace(ws)
    return Ledger(workspace.state(), workspace.keyset())


def test_a_release_keeps_only_consenting_subjects_and_records_them(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fraudnet.parquet"
    code, stdout, err = setup.cli(
        capsys, "release", str(setup.data / "customers.parquet"), "--policy", str(setup.policy),
        "--recipient", "seoul-fraudnet", "--purpose", "fraud_prevention", "--subject", "customer_id",
        "-o", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["decision"] == "allowed" and "PIPA Art. 17(1)1" in doc["legal_basis"]
    assert "provision" in doc["consent_required"]
    allowed = _consenting(setup.consents, "fraud_prevention", "seoul-fraudnet", separate=True)
    assert 0 < doc["rows_out"] == len(allowed) < setup.customers.height
    assert doc["rows_withheld_no_consent"] == setup.customers.height - len(allowed)
    released = pl.read_parquet(out)
    # The drafted policy fingerprints the copy: its canary rows are written besides the data's rows.
    assert doc["fingerprint"]["canaries"] == 3
    assert released.height == len(allowed) + doc["fingerprint"]["canaries"]
    raw = setup.customers.filter(pl.col("customer_id").is_in(list(allowed)))
    data = out.read_bytes()
    for column in ("phone", "email", "national_id", "name"):
        assert not any(v.encode() in data for v in raw[column].drop_nulls().head(200).to_list()), column
    assert not any(k.encode() in data for k in key_encodings(setup.ws))
    # Who got my data: a consenting customer is named in this release, a refusing one is not.
    inside = sorted(allowed)[0]
    outside = next(c for c in setup.customers["customer_id"].to_list() if c not in allowed)
    code, stdout, _ = setup.cli(capsys, "ledger", "subject", inside, "--json")
    (disclosure,) = json.loads(stdout)["disclosures"]
    assert disclosure["recipient"] == "seoul-fraudnet" and disclosure["release_id"] == doc["release_id"]
    assert disclosure["country"] == "KR" and disclosure["purpose"] == "fraud_prevention"
    code, stdout, _ = setup.cli(capsys, "ledger", "subject", outside, "--json")
    assert json.loads(stdout)["disclosures"] == []
    assert setup.cli(capsys, "ledger", "verify")[0] == 0


def test_a_disguised_entrustment_is_denied_with_its_articles_and_writes_nothing(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clearing house registered as a processor for payment processing is asked for analytics: a
    provision for its own purpose, not entrustment, whatever the data's protection (the Kakao Pay ruling)."""
    out = tmp_path / "clearing.parquet"
    code, stdout, err = setup.cli(
        capsys, "release", str(setup.data / "transactions.parquet"), "--policy", str(setup.txn_policy),
        "--recipient", "union-clearing", "--purpose", "analytics", "--subject", "customer_id", "-o", str(out),
        "--json",
    )  # fmt: skip
    assert code == 1, err
    doc = json.loads(stdout)
    assert doc["decision"] == "denied" and doc["rows_out"] == 0 and not out.exists()
    articles = {(r["law"], r["article"]) for r in doc["reasons"]}
    assert ("PIPA", "Art. 26(5)") in articles and ("PIPA", "Art. 28-8(1)1") in articles
    entry = next(_ledger(setup.ws).entries(doc["ledger_entry"]))
    assert entry.kind == "denied" and entry.fields["recipient"] == "union-clearing"
    assert not list(tmp_path.glob(".clearing*"))


def test_a_processor_within_its_purpose_needs_no_consent_and_an_unknown_recipient_gets_nothing(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "settlement.parquet"
    code, stdout, err = setup.cli(
        capsys, "release", str(setup.data / "customers.parquet"), "--policy", str(setup.policy),
        "--recipient", "hangang-settlement", "--purpose", "payment_processing", "--subject", "customer_id",
        "-o", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["consent_required"] == [] and "Art. 26" in doc["legal_basis"]
    # The drafted risk section holds every combination of quasi-identifiers to 10 people or more: the few
    # records that would stand out are suppressed, and the ledger commits to exactly the subjects written.
    assert doc["k_anonymity"] >= 10 and doc["rows_suppressed"] <= 0.01 * setup.customers.height
    assert doc["rows_out"] == doc["subjects"] == setup.customers.height - doc["rows_suppressed"]
    code, stdout, _ = setup.cli(
        capsys, "release", str(setup.data / "customers.parquet"), "--policy", str(setup.policy),
        "--recipient", "nobody-we-know", "--purpose", "payment_processing", "-o", str(tmp_path / "x.parquet"),
        "--json",
    )  # fmt: skip
    assert code == 1 and json.loads(stdout)["reasons"][0]["reason"].endswith("is not registered")
    assert not (tmp_path / "x.parquet").exists()


def test_a_tampered_ledger_fails_verify_naming_the_entry(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(3):
        code, _, err = setup.cli(
            capsys, "release", str(setup.data / "customers.parquet"), "--policy", str(setup.policy),
            "--recipient", "hangang-settlement", "--purpose", "payment_processing",
            "-o", str(tmp_path / f"{n}.parquet"),
        )  # fmt: skip
        assert code == 0, err
    kept = tmp_path / "checkpoint.txt"
    assert setup.cli(capsys, "ledger", "checkpoint", "-o", str(kept))[0] == 0
    store = open_workspace(setup.ws).state()
    (data,) = store.query("SELECT data FROM ledger_entries WHERE idx = 1")[0]
    edited = re.sub(r'"rows_out":(\d+)', lambda m: f'"rows_out":{int(m.group(1)) - 1}', data)
    assert edited != data  # one released-row count made smaller, as a quiet rewrite would
    store.execute("UPDATE ledger_entries SET data = ? WHERE idx = 1", (edited,))
    store.close()
    code, stdout, _ = setup.cli(capsys, "ledger", "verify", "--json")
    report = json.loads(stdout)
    assert code == 1 and report["ok"] is False and report["first_bad"] == 1
    code, _, err = setup.cli(capsys, "ledger", "verify", "--against", str(kept))
    assert code == 1


RELEASE = [
    "release", "{input}", "--policy", "{policy}", "--recipient", "hangang-settlement",
    "--purpose", "payment_processing", "--subject", "customer_id", "-o", "{output}", "--force",
]  # fmt: skip


def _spawn(setup: Setup, output: Path) -> subprocess.Popen[bytes]:
    argv = [
        a.format(input=setup.data / "transactions.parquet", policy=setup.txn_policy, output=output)
        for a in RELEASE
    ]
    env = {**os.environ, "RINGFENCE_HOME": str(setup.ws)}
    return subprocess.Popen(
        [sys.executable, "-m", "ringfence", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_release_killed_at_any_point_never_leaves_an_output_without_its_entry(
    setup: Setup, tmp_path: Path
) -> None:
    rng = random.Random(20261203)
    output = tmp_path / "killed.parquet"
    for run in range(20):
        if output.exists():
            output.unlink()
        proc = _spawn(setup, output)
        time.sleep(rng.uniform(0.3, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ledger = _ledger(setup.ws)
        releases = [e for e in ledger.entries() if e.kind == "release"]
        if output.exists():  # published: its entry exists and vouches for exactly these bytes
            digest = hashlib.sha256(output.read_bytes()).hexdigest()
            assert any(e.fields.get("output_sha256") == digest for e in releases), run
        assert ledger.verify().ok, run
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".killed")] or True  # swept next run
        ledger.store.close()
    proc = _spawn(setup, output)
    assert proc.wait(timeout=300) == 0
    assert output.exists() and _ledger(setup.ws).verify().ok
    assert not [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith(".killed")
        and p.is_dir()
        and "-" in p.name
        and not p.name.endswith(str(proc.pid))
    ]


def test_two_releases_at_once_both_land_as_verifiable_entries(setup: Setup, tmp_path: Path) -> None:
    before = _ledger(setup.ws).size()
    procs = [_spawn(setup, tmp_path / f"at-once-{n}.parquet") for n in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    ledger = _ledger(setup.ws)
    entries = list(ledger.entries(before))
    assert [e.kind for e in entries] == ["release", "release"] and ledger.verify().ok
    assert len({e.fields["release_id"] for e in entries}) == 2
    assert all((tmp_path / f"at-once-{n}.parquet").exists() for n in range(2))


def test_the_drafted_policy_names_the_subject_so_a_release_needs_no_flag(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """scan --draft-policy names the platform's own person key as the policy's subject; a release without
    --subject then filters by consent and records its subjects all the same."""
    assert "subject: customer_id" in setup.policy.read_text(encoding="utf-8")
    out = tmp_path / "no-flag.parquet"
    code, stdout, err = setup.cli(
        capsys, "release", str(setup.data / "customers.parquet"), "--policy", str(setup.policy),
        "--recipient", "seoul-fraudnet", "--purpose", "fraud_prevention", "-o", str(out), "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(stdout)
    assert doc["rows_withheld_no_consent"] > 0 and doc["subjects"] == doc["rows_out"] > 0


def test_recipients_and_consents_through_the_command_line(
    setup: Setup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = setup.cli(capsys, "recipients", "list", "--json")
    listed = {r["id"]: r for r in json.loads(stdout)["recipients"]}
    assert code == 0 and listed["hangang-settlement"]["role"] == "processor" and len(listed) == 11
    assert setup.cli(capsys, "recipients", "remove", "bluewave-ads")[0] == 0
    code, stdout, _ = setup.cli(capsys, "recipients", "show", "bluewave-ads", "--json")
    assert code == 0 and json.loads(stdout)["removed_at"] is not None
    code, _, err = setup.cli(capsys, "recipients", "add", "bluewave-ads", "--country", "US")
    assert code == 2 and "never reused" in err and len(err.strip().splitlines()) == 1
    # a removed recipient receives nothing, and the attempt is recorded
    code, stdout, _ = setup.cli(
        capsys, "release", str(setup.data / "customers.parquet"), "--policy", str(setup.policy),
        "--recipient", "bluewave-ads", "--purpose", "marketing", "-o", str(tmp_path / "ads.parquet"),
        "--json",
    )  # fmt: skip
    assert code == 1 and "removed" in json.loads(stdout)["reasons"][0]["reason"]
    # importing the same consents again changes nothing; a malformed file loads nothing and names the line
    code, stdout, _ = setup.cli(capsys, "consent", "import", str(setup.data / "consents.parquet"), "--json")
    assert code == 0 and json.loads(stdout)["added"] == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "subject_id,purpose,recipient,granted_at,withdrawn_at\nC1,marketing,*,yesterday,\n", "utf-8"
    )
    code, out, err = setup.cli(capsys, "consent", "import", str(bad))
    assert code == 2 and out == "" and "line 2: granted_at" in err and "yesterday" not in err


@pytest.mark.db
def test_two_releases_at_once_land_on_a_postgresql_state_store(
    platform_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A team's shared state on PostgreSQL: two releases from two processes at once both land as
    separate entries of one verifiable ledger."""
    import uuid

    from ringfence.state import open_store
    from tests.conftest import POSTGRES_URL

    schema = f"rf_release_{uuid.uuid4().hex[:10]}"
    url = f"{POSTGRES_URL}?schema={schema}"
    ws = tmp_path / "team"
    try:
        assert run_cli(capsys, "init", str(ws), "--state", url)[0] == 0
        argv = ["-w", str(ws), "recipients", "add", "hangang-settlement", "--country", "KR"]
        assert run_cli(capsys, *argv, "--role", "processor", "--purpose", "payment_processing")[0] == 0
        policy = tmp_path / "txn.yaml"
        code, _, err = run_cli(
            capsys,
            "-w",
            str(ws),
            "scan",
            str(platform_data / "transactions.parquet"),
            "--draft-policy",
            str(policy),
        )
        assert code == 0, err
        setup = Setup(ws, platform_data, pl.DataFrame(), pl.DataFrame(), policy, policy)
        procs = [_spawn(setup, tmp_path / f"pg-{n}.parquet") for n in range(2)]
        assert [p.wait(timeout=300) for p in procs] == [0, 0]
        ledger = _ledger(ws)
        entries = list(ledger.entries())
        assert [e.kind for e in entries] == ["release", "release"] and ledger.verify().ok
        assert len({e.fields["release_id"] for e in entries}) == 2
        ledger.store.close()
    finally:
        store = open_store(url, migrate=False)
        store.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()
