"""`ringfence trace` and `ringfence reference` on the command line: the JSON contract, one-line errors with
exit 2, and no personal value in anything printed."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.cli.helpers import key_encodings, run_cli
from tests.trace.conftest import Company
from tests.trace.test_trace import _partner_leak


def _cli(capsys: pytest.CaptureFixture[str], company: Company, *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "-w", str(company.ws.root), *argv)


def test_trace_json_is_the_contract(
    company: Company, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    leak = tmp_path / "leak.csv"
    genuine = _partner_leak(company, "seoul-fraudnet", leak)
    report = tmp_path / "trace.html"
    source = str(company.data / "customers.parquet")
    code, out, err = _cli(
        capsys, company, "trace", str(leak), "--source", source, "--report", str(report), "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert list(doc) == ["rows", "matched_rows", "match_rate", "match_rate_ci99", "verdict", "suspects"]
    assert doc["rows"] == 400 and doc["matched_rows"] == genuine and doc["match_rate"] == genuine / 400
    low, high = doc["match_rate_ci99"]
    assert 0.95 < low < genuine / 400 <= high <= 1.0
    assert doc["verdict"] == "attributed"
    (suspect,) = doc["suspects"]
    assert list(suspect) == ["recipient", "release_id", "evidence", "false_accusation_bound"]
    assert suspect["recipient"] == "seoul-fraudnet" and suspect["evidence"][0] == "tokens"
    assert suspect["release_id"] == company.releases["seoul-fraudnet"].release_id
    assert isinstance(suspect["false_accusation_bound"], float) and suspect["false_accusation_bound"] <= 1e-9
    assert report.is_file() and "seoul-fraudnet" in report.read_text()


def test_people_text_holds_no_personal_value(
    company: Company, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    offered = tmp_path / "offered.csv"
    company.customers.sample(200, seed=9).write_csv(offered)
    code, out, err = _cli(capsys, company, "trace", str(offered))
    assert code == 0, err
    assert "200 of 200 rows are ours" in out and "ours-unattributed" in out
    printed = out + err
    for column in ("phone", "email", "name", "national_id", "customer_id"):
        assert not any(
            v in printed for v in pl.read_csv(offered)[column].cast(pl.String).drop_nulls().to_list()
        )
    assert not any(k in printed for k in key_encodings(company.ws.root))


def test_reference_add_and_list(company: Company, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    accounts = company.data / "accounts.parquet"
    code, out, err = _cli(capsys, company, "reference", "add", str(accounts), "--name", "accounts", "--json")
    assert code == 0, err
    added = json.loads(out)
    assert added["name"] == "accounts" and added["columns"]["card_number"] == ["PAYMENT_CARD"]
    assert added["digests"]["PAYMENT_CARD"] == pl.read_parquet(accounts)["card_number"].n_unique()
    code, out, _ = _cli(capsys, company, "reference", "list", "--json")
    assert code == 0 and {r["name"] for r in json.loads(out)["references"]} >= {"customers", "accounts"}
    code, out, _ = _cli(capsys, company, "reference", "list")
    assert "accounts" in out and "PAYMENT_CARD" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["trace", "missing.csv"], "no such file"),
        (["trace", "{junk}"], ""),
        (["reference", "add", "{plain}"], "no column holds an identifier"),
        (["reference", "add", "missing.parquet"], "no such file"),
        # a report folder that does not exist is found before the trace runs (and records nothing)
        (["trace", "{plain}", "--report", "missing/trace.html"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    company: Company, capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], says: str
) -> None:
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"PAR1\x00\x01garbage" * 10)
    plain = tmp_path / "plain.csv"
    pl.DataFrame({"amount": [1.5, 2.5] * 20, "status": ["ok", "failed"] * 20}).write_csv(plain)
    argv = [a.format(junk=junk, plain=plain) for a in argv]
    argv = [str(tmp_path / a) if a.startswith("missing") else a for a in argv]
    before = company.ws.ledger(store := company.ws.state()).size()
    store.close()
    code, out, err = _cli(capsys, company, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err and says in err
    after = company.ws.ledger(store := company.ws.state()).size()
    store.close()
    assert after == before  # nothing recorded for a trace that did not run
