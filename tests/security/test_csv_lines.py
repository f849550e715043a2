"""CR-only line endings and headerless exports (audit, issue 9): never a value as a column name, in a
message, an output header, a draft policy or a report."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.cli.helpers import run_cli

NATIONAL_ID = "110101199003074514"
PHONE = "13812345678"


def _mac_csv(tmp_path: Path) -> Path:
    path = tmp_path / "mac.csv"
    path.write_bytes(f"name,national_id,phone\r张伟,{NATIONAL_ID},{PHONE}\r李娜,,\r".encode())
    return path


def test_cr_only_file_is_read_as_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _mac_csv(tmp_path)
    policy = tmp_path / "draft.yaml"
    code, out, err = run_cli(capsys, "scan", str(path), "--draft-policy", str(policy), "--json")
    assert code == 0, err
    assert NATIONAL_ID not in out + err + policy.read_text(encoding="utf-8")
    assert PHONE not in out + err + policy.read_text(encoding="utf-8")
    assert {c["name"] for c in json.loads(out)["tables"][0]["columns"]} == {"name", "national_id", "phone"}


def test_cr_only_protect_with_unlisted_keep_writes_no_raw_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    path = _mac_csv(tmp_path)
    policy = tmp_path / "p.yaml"
    rules = "  name: drop\n  national_id: drop\n  phone: keep\n"
    policy.write_text(f"ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n{rules}", "utf-8")
    out_csv = tmp_path / "out.csv"
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", str(path), "--policy", str(policy), "-o", str(out_csv), "--json"
    )
    assert NATIONAL_ID not in out + err
    assert PHONE not in out + err
    assert code == 0, err
    assert out_csv.read_text(encoding="utf-8").splitlines()[0] == "phone"
    assert pl.read_csv(out_csv, infer_schema=False).height == 2


def test_headerless_export_is_refused_without_quoting_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.csv"
    row = "王芳,1985-04-12,wangfang@example.com,北京市朝阳区建国路88号"
    path.write_text(row + "\n" + "李雷,1990-01-02,lilei@example.com,上海市浦东新区世纪大道1号\n", "utf-8")
    code, out, err = run_cli(capsys, "scan", str(path), "--json")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    for value in row.split(","):
        assert value not in out + err
    assert "looks like data" in err


def test_a_column_name_that_looks_like_a_value_is_not_quoted_in_a_message() -> None:
    from ringfence.errors import UsageError
    from ringfence.policy.load import parse_policy
    from ringfence.policy.resolve import resolve_rules

    policy = parse_policy("ringfence_policy: 1\nname: p\n")
    with pytest.raises(UsageError) as info:
        resolve_rules(policy, ["city", PHONE, "a@b.example"], {})
    assert PHONE not in str(info.value) and "a@b.example" not in str(info.value)
    assert "'city'" in str(info.value)
