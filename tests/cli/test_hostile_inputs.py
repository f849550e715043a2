"""Hostile and broken inputs give exit 2 and one clear line naming the file, never a traceback or a value."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ringfence.cli.app import run

SECRET_PHONE = "13912345678"


def _make(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.csv"
    if kind == "missing":
        return tmp_path / "nowhere.csv"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    elif kind == "nul":
        path.write_bytes(f"name,phone\nA,{SECRET_PHONE}\x00\x00\nB,1\n".encode())
    elif kind == "ragged":
        path.write_text(f"name,phone\nA,{SECRET_PHONE},extra,fields\n", encoding="utf-8")
    elif kind == "truncated_parquet":
        path = tmp_path / "cut.parquet"
        import polars as pl

        pl.DataFrame({"phone": [SECRET_PHONE] * 1000}).write_parquet(path)
        path.write_bytes(path.read_bytes()[:300])
    elif kind == "wrong_extension":
        path = tmp_path / "data.xyz"
        path.write_text(f"phone\n{SECRET_PHONE}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "kind", ["missing", "empty", "binary", "nul", "ragged", "truncated_parquet", "wrong_extension"]
)
def test_scan_refuses_broken_input_cleanly(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _make(tmp_path, kind)
    code = run(["scan", str(path), "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert SECRET_PHONE not in captured.err
    assert path.name in captured.err or "format" in captured.err
