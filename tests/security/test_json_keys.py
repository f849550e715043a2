"""JSON with a key named twice in one object is refused (audit, issue 9): a parser silently keeps one of
the two values, so a file could carry a phone number past the column the policy names. The error gives the
key's column position, never the key or the values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli

PHONE = "13812345678"


def _files(tmp_path: Path) -> dict[str, Path]:
    lines = tmp_path / "d.jsonl"
    lines.write_text(
        '{"name":"王芳","phone":"000"}\n' * 3 + f'{{"name":"李雷","phone":"000","phone":"{PHONE}"}}\n',
        "utf-8",
    )
    array = tmp_path / "d.json"
    array.write_text(
        f'[{{"name":"王芳","phone":"000"}},{{"name":"李雷","phone":"0","phone":"{PHONE}"}}]', "utf-8"
    )
    nested = tmp_path / "n.jsonl"
    nested.write_text(f'{{"name":"王芳","meta":{{"tel":"0","tel":"{PHONE}"}}}}\n', "utf-8")
    return {"lines": lines, "array": array, "nested": nested}


@pytest.mark.parametrize("kind", ["lines", "array", "nested"])
def test_scan_refuses_a_repeated_key_naming_its_column_position(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _files(tmp_path)[kind]
    code, out, err = run_cli(capsys, "scan", str(path), "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    expected = "a key inside a nested object" if kind == "nested" else "the key of column 2"
    assert f"names {expected} twice" in err
    for value in (PHONE, "王芳", "李雷", '"phone"', "tel"):
        assert value not in err


def test_protect_refuses_it_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    policy = tmp_path / "p.yaml"
    policy.write_text("ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  phone: drop\n", "utf-8")
    out_csv = tmp_path / "o.csv"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(_files(tmp_path)["lines"]), "--policy", str(policy),
        "-o", str(out_csv),
    )  # fmt: skip
    assert code == 2 and "twice" in err and PHONE not in err
    assert not out_csv.exists()


def test_json_without_repeated_keys_still_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(
        "".join(json.dumps({"name": f"n{i}", "meta": {"a": i, "b": [i]}}) + "\n" for i in range(50))
    )
    code, out, err = run_cli(capsys, "scan", str(path), "--json")
    assert code == 0, err
    assert {c["name"] for c in json.loads(out)["tables"][0]["columns"]} == {"name", "meta"}
