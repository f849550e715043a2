"""``ringfence risk`` on the command line: the JSON contract, proposed quasi-identifiers, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.cli.helpers import run_cli


@pytest.fixture
def customers(tmp_path: Path) -> Path:
    path = tmp_path / "customers.parquet"
    pl.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(8)],
            "gender": ["F", "F", "M", "M", "F", "F", "M", "M"],
            "birth_year": [1980, 1980, 1980, 1980, 1990, 1990, 1990, 1991],
            "segment": ["a", "b", "a", "a", "b", "b", "a", "a"],
        }
    ).write_parquet(path)
    return path


def test_json_follows_the_contract(capsys: pytest.CaptureFixture[str], customers: Path) -> None:
    code, out, _ = run_cli(
        capsys, "risk", str(customers), "--qi", "gender,birth_year", "--sensitive", "segment", "--json"
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["rows"] == 8 and doc["quasi_identifiers"] == ["gender", "birth_year"]
    assert (doc["k_anonymity"], doc["equivalence_classes"], doc["unique_rows"]) == (1, 5, 2)
    assert doc["prosecutor_risk_max"] == 1.0 and doc["prosecutor_risk_avg"] == 0.625
    assert doc["l_diversity"] == {"segment": 1} and "segment" in doc["t_closeness"]


def test_quasi_identifiers_are_proposed_and_said(capsys: pytest.CaptureFixture[str], customers: Path) -> None:
    code, out, _ = run_cli(capsys, "risk", str(customers), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["quasi_identifiers"] == ["gender", "birth_year"]  # never customer_id, a direct key
    assert all(p["reason"] for p in doc["proposed"])


def test_a_missed_k_exits_1_and_a_bad_column_2(capsys: pytest.CaptureFixture[str], customers: Path) -> None:
    code, _, err = run_cli(capsys, "risk", str(customers), "--qi", "gender", "--k", "5")
    assert code == 1 and "below the target 5" in err
    code, _, _ = run_cli(capsys, "risk", str(customers), "--qi", "gender", "--k", "4")
    assert code == 0
    code, _, err = run_cli(capsys, "risk", str(customers), "--qi", "nope")
    assert code == 2 and "nope" in err


def test_scan_drafts_a_risk_section_and_tokenises_person_keys(
    capsys: pytest.CaptureFixture[str], customers: Path, tmp_path: Path
) -> None:
    from ringfence.policy import load_policy

    draft = tmp_path / "draft.yaml"
    code, _, _ = run_cli(capsys, "scan", str(customers), "--draft-policy", str(draft), "--json")
    assert code == 0
    policy = load_policy(draft)
    assert policy.columns["customer_id"].action == "tokenize"
    assert policy.risk is not None and policy.risk.k == 10
    assert policy.risk.quasi_identifiers == ["gender", "birth_year"]


def test_a_missed_k_shows_the_generalisation_that_reaches_it_and_writes_the_report(
    capsys: pytest.CaptureFixture[str], customers: Path, tmp_path: Path
) -> None:
    page = tmp_path / "risk.html"
    argv = ["risk", str(customers), "--qi", "gender,birth_year", "--k", "3", "--suppression", "0.25"]
    code, out, _ = run_cli(capsys, *argv, "--report", str(page), "--json")
    assert code == 1
    generalization = json.loads(out)["generalization"]
    assert generalization["suppressed"] <= 2 and len(generalization["columns"]) == 2
    assert "Generalisation that reaches the target" in page.read_text(encoding="utf-8")


def _transactions(tmp_path: Path) -> tuple[Path, Path]:
    """Synthetic transactions (several rows per customer) and a register of the same customers."""
    from ringfence.synth import SynthConfig, generate_platform

    platform = generate_platform(SynthConfig(customers=300, transactions=3000, seed=5))
    rows = pl.concat(list(platform.transactions())).select("customer_id", "channel", "currency", "status")
    path, register = tmp_path / "tx.parquet", tmp_path / "register.parquet"
    rows.write_parquet(path)
    pl.concat([rows, rows.with_columns(pl.col("customer_id") + "-twin")]).write_parquet(register)
    return path, register


def test_subject_measures_people_and_population_gives_journalist_risk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path, register = _transactions(tmp_path)
    argv = ["risk", str(path), "--qi", "channel,currency", "--sensitive", "status", "--json"]
    code, out, _ = run_cli(capsys, *argv, "--subject", "customer_id", "--population", str(register))
    assert code == 0
    doc = json.loads(out)
    people = pl.read_parquet(path)["customer_id"].n_unique()
    assert doc["subject"] == "customer_id" and doc["records"] == people and doc["rows"] == 3000
    assert sum(c["size"] * c["classes"] for c in doc["class_sizes"]) == people  # classes of people
    # every person has a twin in the register with the same values: each class is twice as large there
    assert doc["journalist_risk_max"] == pytest.approx(doc["prosecutor_risk_max"] / 2)
    assert doc["journalist_risk_avg"] == pytest.approx(doc["prosecutor_risk_avg"] / 2)
    code, out, _ = run_cli(capsys, *argv)
    assert json.loads(out)["records"] == 3000  # without --subject: rows
    code, _, err = run_cli(capsys, *argv, "--subject", "customer_id", "--population", str(customers_of(path)))
    assert code == 2 and "subject column customer_id" in err and "Traceback" not in err


def customers_of(path: Path) -> Path:
    """The register without its person column."""
    out = path.with_name("no-person.parquet")
    pl.read_parquet(path).drop("customer_id").write_parquet(out)
    return out
