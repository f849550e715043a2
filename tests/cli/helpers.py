"""What the command-line tests share: running a command in-process, registering the synthetic platform's
recipients, and the encodings of key bytes."""

from __future__ import annotations

import base64
from pathlib import Path

import polars as pl
import pytest

from ringfence.cli.app import run
from ringfence.keys import SECRET_ACCESS
from ringfence.workspace.workspace import open_workspace


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``ringfence ARGV``."""
    code = run(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def add_recipients(capsys: pytest.CaptureFixture[str], ws: Path, recipients: Path) -> None:
    """Registers every recipient of the platform's ``recipients`` table in the workspace ``ws``."""
    for r in pl.read_parquet(recipients).iter_rows(named=True):
        purposes = [x for p in r["purposes"].split(",") for x in ("--purpose", p)]
        argv = ["-w", str(ws), "recipients", "add", r["recipient_id"], "--country", r["country"]]
        code, _, err = run_cli(capsys, *argv, "--role", r["role"], *purposes)
        assert code == 0, err


def key_encodings(ws: Path) -> list[str]:
    """Every key of the workspace's keyset as hex, base64 and unpadded base64url: none may appear in an
    output, a message or the state store."""
    keyset = open_workspace(ws).keyset()
    found: list[str] = []
    for info in keyset.all_keys():
        raw = keyset.secret(info.key_id, SECRET_ACCESS)
        found += [
            raw.hex(),
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
        ]
    return found
