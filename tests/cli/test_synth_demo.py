"""`ringfence synth` and `ringfence demo` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

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
        "protect for a partner",
        "check the release",
        "reveal a partner's report",
    ]
    scan = next(s for s in doc["steps"] if s["step"] == "scan")
    assert "PHONE_NUMBER" in scan["personal data"]["customers.parquet"]
    assert Path(doc["report"]).is_file()
    assert Path(scan["inventory page"]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    check = doc["steps"][-2]["raw values found in the release"]
    assert check == {"phone": 0, "national_id": 0, "email": 0, "name": 0}
    # The partner's report resolved by the key holder, every token of it, and recorded.
    revealed = doc["steps"][-1]
    assert revealed["tokens resolved"]["phone"] == "100 of 100 resolved"
    (record,) = list_reversals(open_workspace(tmp_path / "demo" / "workspace").state())
    assert record.id == revealed["recorded as reversal"] and record.rows == 100
    # No personal value reaches the terminal: check a few phone numbers of the generated customers.
    phones = pl.read_parquet(tmp_path / "demo" / "data" / "customers.parquet")["phone"].head(50).to_list()
    assert not any(p in captured.out or p in captured.err for p in phones)
