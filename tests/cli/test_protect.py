"""``ringfence protect`` and ``scan --draft-policy`` through the command line: the JSON contract, exit 2
with one line and no output on a bad policy, no key bytes or raw identifiers anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.transform.encrypt import open_record
from ringfence.workspace.workspace import open_workspace
from tests.cli.helpers import key_encodings, run_cli


@pytest.fixture
def setup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    customers = tmp_path / "customers.parquet"
    generate_platform(SynthConfig(customers=1_200, transactions=10, seed=5)).customers.write_parquet(
        customers
    )
    return ws, customers


def test_draft_policy_then_protect_removes_phones_and_ids(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, customers = setup
    policy, output = tmp_path / "draft.yaml", tmp_path / "out.parquet"
    code, _, err = run_cli(capsys, "scan", str(customers), "--draft-policy", str(policy), "--json")
    assert code == 0, err
    assert "phone: {action: tokenize" in policy.read_text(encoding="utf-8")
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", str(customers), "--policy", str(policy), "-o", str(output),
        "--recipient", "acme", "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {
        "input", "output", "rows_in", "rows_out", "columns", "policy_hash", "key_ids", "unreadable"
    }  # fmt: skip
    assert doc["rows_in"] == doc["rows_out"] == 1_200
    # Paths as reveal reports them: outside the workspace, absolute.
    assert doc["input"] == str(customers.resolve()) and doc["output"] == str(output.resolve())
    # The synthetic platform's national IDs mix CN and KR holders: each is read by its own form.
    assert doc["unreadable"] == {"national_id": 0}
    assert doc["columns"]["phone"] == "tokenize" and doc["columns"]["name"] == "drop"
    assert doc["policy_hash"].startswith("sha256:")
    raw = pl.read_parquet(customers)
    data = output.read_bytes()
    for column in ("phone", "national_id"):
        for value in raw[column].drop_nulls().to_list():
            assert value.encode() not in data, column
    text = out + err + data.decode("latin-1")
    assert not any(s in text for s in key_encodings(ws))
    # The footer records the plan (key ids, scopes, the recipient) for the key holder's reveal, sealed:
    # the recipient sees neither the column names nor the recipient id nor the key ids.
    sealed = pq.read_metadata(output).metadata[b"ringfence.protect"].decode()
    sealed_under = sealed.split("_")[1]
    assert sealed.startswith("rs2_") and "phone" not in sealed and "acme" not in sealed
    assert not any(kid in sealed for kid in doc["key_ids"] if kid != sealed_under)
    footer = json.loads(open_record(open_workspace(ws).keyset(), sealed, "ringfence.protect"))
    assert footer["policy_hash"] == doc["policy_hash"] and footer["recipient"] == "acme"
    assert footer["key_ids"] == doc["key_ids"]
    assert {c["column"]: c["action"] for c in footer["columns"]} == doc["columns"]


def test_explain_shows_the_plan_and_writes_nothing(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, customers = setup
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "ringfence_policy: 1\nname: p\nunlisted: drop\ncolumns:\n  phone: {action: tokenize, scope: global}\n"
        "  email: {action: encrypt}\n",
        encoding="utf-8",
    )
    output = tmp_path / "o.parquet"
    argv = ["-w", str(ws), "protect", str(customers), "--policy", str(policy), "-o", str(output), "--explain"]
    code, out, _ = run_cli(capsys, *argv, "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["output_columns"] == ["phone", "email"]
    assert {c["column"]: c["action"] for c in plan["columns"]}["customer_id"] == "drop"
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "tokenize" in out and "encrypt" in out
    assert not output.exists()


@pytest.mark.parametrize(
    "policy_text",
    [
        # unlisted: fail
        "ringfence_policy: 1\nname: x\ncolumns:\n  phone: {action: tokenize, scope: global}\n",
        "ringfence_policy: 1\nname: x\nunlisted: keep\ncolumns:\n  no_such_column: drop\n",
        "ringfence_policy: 1\nname: x\nunlisted: drop\ncolumns:\n  gender: {action: fpe, scope: global}\n",
        # scope recipient without --recipient
        "ringfence_policy: 1\nname: x\nunlisted: drop\ncolumns:\n  phone: {action: tokenize}\n",
        "ringfence_policy: 1\nname: x\nunlisted: drop\ncolumns:\n  phone: {action: explode}\n",
        "!!python/object/apply:os.system ['echo pwned']\n",
    ],
)
def test_bad_policy_is_exit_2_one_line_and_no_output(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], policy_text: str
) -> None:
    ws, customers = setup
    policy, output = tmp_path / "bad.yaml", tmp_path / "out.parquet"
    policy.write_text(policy_text, encoding="utf-8")
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", str(customers), "--policy", str(policy), "-o", str(output)
    )
    assert code == 2
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
    assert not any(s in err for s in key_encodings(ws))


def test_existing_output_needs_force(
    setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, customers = setup
    policy, output = tmp_path / "p.yaml", tmp_path / "out.csv"
    policy.write_text(
        "ringfence_policy: 1\nname: p\nunlisted: drop\ncolumns:\n  city: keep\n", encoding="utf-8"
    )
    output.write_text("keep me\n", encoding="utf-8")
    argv = ["-w", str(ws), "protect", str(customers), "--policy", str(policy), "-o", str(output)]
    code, _, err = run_cli(capsys, *argv)
    assert code == 2 and "--force" in err
    assert output.read_text(encoding="utf-8") == "keep me\n"
    code, _, err = run_cli(capsys, *argv, "--force")
    assert code == 0, err
    assert pl.read_csv(output).columns == ["city"]
