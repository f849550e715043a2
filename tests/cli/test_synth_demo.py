"""`ringfence synth` and `ringfence demo` through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ringfence.cli.app import run
from ringfence.state.reversals import list_reversals
from ringfence.workspace.workspace import open_workspace


def test_synth_writes_the_platform_as_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "platform"
    code = run(
        [
            "synth",
            "--out",
            str(out),
            "--customers",
            "300",
            "--transactions",
            "2000",
            "--format",
            "csv",
            "--locale",
            "kr",
            "--json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(doc["tables"]) == {
        "customers",
        "accounts",
        "merchants",
        "transactions",
        "consents",
        "recipients",
    }
    assert doc["tables"]["transactions"]["rows"] == 2000
    customers = pl.read_csv(out / "customers.csv", infer_schema=False)
    assert customers.height == 300
    assert customers["national_id"].str.contains(r"^\d{6}-?\d{7}$").all()  # KR RRNs, dash or not


def test_synth_same_seed_same_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        run(
            ["synth", "--out", str(tmp_path / name), "--customers", "200", "--transactions", "1000", "--json"]
        )
    capsys.readouterr()
    for table in ("customers", "transactions", "consents"):
        a = pl.read_parquet(tmp_path / "a" / f"{table}.parquet")
        b = pl.read_parquet(tmp_path / "b" / f"{table}.parquet")
        assert a.equals(b), table


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--locale", "jp"], "unknown locale"),
        (["--format", "xlsx"], "unknown format"),
        (["--customers", "0"], "customers"),
    ],
)
def test_synth_bad_options_exit_2(
    argv: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["synth", "--out", str(tmp_path / "x"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "Traceback" not in err


def test_demo_runs_the_story_and_reports_figures_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["demo", "--rows", "5000", "--dir", str(tmp_path / "demo"), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    doc = json.loads(captured.out)
    steps = [s["step"] for s in doc["steps"]]
    assert steps == [
        "workspace",
        "synthesize",
        "read back",
        "scan",
        "draft policies",
        "register partners and consents",
        "release to partners",
        "check the release",
        "reveal a partner's report",
        "account for every release",
        "trace a leak",
    ]
    by_name = {s["step"]: s for s in doc["steps"]}
    scan = by_name["scan"]
    assert "PHONE_NUMBER" in scan["personal data"]["customers.parquet"]
    assert Path(doc["report"]).is_file()
    assert Path(scan["inventory page"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # A processor within its purpose gets everyone; the fraud partner only the consenting; the clearing
    # house abroad, asked for analytics, nothing, with the articles the refusal rests on.
    releases = by_name["release to partners"]
    assert (
        releases["settlement"]["decision"] == "allowed" and releases["settlement"]["consent_required"] == []
    )
    fraud = releases["fraud"]
    assert fraud["decision"] == "allowed" and 0 < fraud["rows_out"] < fraud["rows_in"]
    # The drafted policy's risk section: every released combination of quasi-identifiers is shared by 10+.
    assert releases["settlement"]["k_anonymity"] >= 10 and fraud["k_anonymity"] >= 10
    assert fraud["rows_out"] + fraud["rows_withheld_no_consent"] == fraud["rows_in"]
    abroad = releases["abroad"]
    assert abroad["decision"] == "denied" and abroad["output"] is None
    assert {"Art. 26(5)", "Art. 28-8(1)1"} <= {r["article"] for r in abroad["reasons"]}
    check = by_name["check the release"]["raw values found in the release"]
    assert check == {"phone": 0, "national_id": 0, "email": 0, "name": 0}
    # The partner's report resolved by the key holder, every token of it, and recorded.
    revealed = by_name["reveal a partner's report"]
    # every customer of it; the rows left are the canary records planted in the partner's copy
    canaries = revealed["canaries in the report"]
    assert revealed["tokens resolved"]["phone"] == f"{20 - canaries} of 20 resolved"
    assert canaries <= fraud["fingerprint"]["canaries"]
    (record,) = list_reversals(open_workspace(tmp_path / "demo" / "workspace").state())
    assert record.id == revealed["recorded as reversal"] and record.rows == 20
    # The ledger holds the three outcomes and the reveal, verifies, and answers one customer's question.
    account = by_name["account for every release"]
    assert account["ledger verified"] is True and account["ledger entries"] == 4  # 3 releases, 1 reveal
    assert [d["recipient"] for d in account["who got one customer's data"]] == [
        "hangang-settlement",
        "seoul-fraudnet",
    ]
    assert Path(account["transparency report"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert Path(account["checkpoint"]).read_text(encoding="utf-8").count("\n") >= 4
    # The fraud partner's copy, offered for sale renamed and reformatted, is ours and names the partner.
    traced = by_name["trace a leak"]
    assert traced["trace"]["verdict"] == "attributed"
    # the whole copy was offered (under 600 rows): every customer of it is found ours; the rest are the
    # release's canary rows, which are no customer of the company
    assert traced["trace"]["matched_rows"] == fraud["rows_out"]
    assert traced["trace"]["rows"] == fraud["rows_out"] + fraud["fingerprint"]["canaries"]
    assert [s["recipient"] for s in traced["trace"]["suspects"]] == ["seoul-fraudnet"]
    assert traced["trace"]["suspects"][0]["release_id"] == fraud["release_id"]
    assert Path(traced["trace report"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # No personal value reaches the terminal: check a few phone numbers of the generated customers.
    phones = pl.read_parquet(tmp_path / "demo" / "data" / "customers.parquet")["phone"].head(50).to_list()
    assert not any(p in captured.out or p in captured.err for p in phones)


def test_demo_tells_the_story_in_sentences_and_ends_with_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["demo", "--rows", "5000", "--dir", str(tmp_path / "demo")])
    captured = capsys.readouterr()
    assert code == 0
    assert "Refused transactions to union-clearing (CN) for analytics" in " ".join(captured.err.split())
    assert "{" not in captured.err and "}" not in captured.err  # sentences, not dicts
    last = captured.out.strip().splitlines()
    assert last[0].startswith("Workspace: ") and any(
        line.startswith("Transparency report: ") for line in last
    )
    assert any(line.startswith("Trace report: ") for line in last)
    assert "verdict attributed: the copy came from seoul-fraudnet" in " ".join(captured.err.split())
    assert all(Path(line.split(": ", 1)[1]).exists() for line in last)
    # where its files went and how much room they take, said once the story is told
    told = " ".join(captured.err.split())
    assert f"MiB: synthetic data, workspace, releases, reports) is in {tmp_path / 'demo'}" in told


def test_the_demo_exits_1_when_raw_values_reach_a_release(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy that keeps the phone numbers (a reviewer's mistake) lets them through: the check finds
    them, says how many, and the command exits 1 (the promise of DESIGN.md's exit codes)."""
    import re

    import ringfence.demo

    drafted = ringfence.demo.draft_policy

    def keeps_phones(*args: Any, **kwargs: Any) -> str:
        return re.sub(r"(\n  phone): \{[^}]*\}", r"\1: keep", drafted(*args, **kwargs))

    monkeypatch.setattr(ringfence.demo, "draft_policy", keeps_phones)
    code = run(["demo", "--rows", "2000", "--dir", str(tmp_path / "demo"), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    assert "the demo's checks failed: raw values found in the release" in captured.err
    doc = json.loads(captured.out)
    check = next(s for s in doc["steps"] if s["step"] == "check the release")
    found = check["raw values found in the release"]
    assert found["phone"] > 0 and found["national_id"] == found["email"] == found["name"] == 0
    assert doc["failed"] == ["raw values found in the release"]
