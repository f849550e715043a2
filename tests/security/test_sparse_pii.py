"""Sparse personal data and personal data inside structured text are found (audit, issue 9), so
``unlisted: keep`` and entity rules no longer release them raw; the scan says how sure it is."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tests.cli.helpers import run_cli

ROWS = 50_000


def _table(tmp_path: Path) -> Path:
    rng = np.random.default_rng(9)
    codes = np.array(["A1", "B2", "OK", "N", "Y", "-", "x", "R9"])
    remark = codes[rng.integers(0, len(codes), ROWS)].astype(object)
    rare = rng.choice(ROWS, int(0.036 * ROWS), replace=False)
    for k, i in enumerate(rare):
        remark[i] = f"138{rng.integers(10**7, 10**8)}" if k % 2 else "110101199003074514"
    meta = [json.dumps({"o": i, "rrn": "900101-1234568", "tel": "010-1234-5678"}, separators=(",", ":"))
            for i in range(ROWS)]  # fmt: skip
    path = tmp_path / "orders.parquet"
    pl.DataFrame({"remark": remark.astype(str), "meta": meta}).write_parquet(path)
    return path


def test_sparse_and_structured_personal_data_are_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "scan", str(_table(tmp_path)), "--json")
    assert code == 0, err
    found = {c["name"]: c for c in json.loads(out)["tables"][0]["columns"]}
    assert found["remark"]["entity"] == "FREE_TEXT_PII"
    assert set(found["remark"]["contains"]) == {"CN_RESIDENT_ID", "PHONE_NUMBER"}
    assert found["meta"]["entity"] == "FREE_TEXT_PII"
    assert {"KR_RRN", "PHONE_NUMBER"} <= set(found["meta"]["contains"])


def test_unlisted_keep_and_entity_rules_do_not_release_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "ringfence_policy: 1\nname: p\nunlisted: keep\nentities:\n  PHONE_NUMBER: {action: redact}\n",
        encoding="utf-8",
    )
    output = tmp_path / "o.parquet"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(_table(tmp_path)), "--policy", str(policy), "-o", str(output)
    )
    assert code == 2 and "hold personal data" in err
    assert not output.exists()


def test_the_summary_says_how_sure_the_scan_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _table(tmp_path)
    code, out, _ = run_cli(capsys, "scan", str(path))
    assert code == 0
    assert "10,000 of 50,000 rows sampled" in out and "1% of its values is found with 100% certainty" in out
    code, out, _ = run_cli(capsys, "scan", str(path), "--sample-rows", "100")
    assert "found with 26% certainty" in out
