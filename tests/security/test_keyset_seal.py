"""Tests that can see a broken seal (audit, issue 9): key bytes never appear in a sealed keyset, another
valid KEK or passphrase is refused, ``keys rotate`` keeps a passphrase seal even with RINGFENCE_KEK set,
and a disabled key stays disabled in a new process."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ringfence.errors import KeyAccessError
from ringfence.keys import SECRET_ACCESS, Keyset
from tests.cli.helpers import run_cli


def _encodings(ks: Keyset) -> list[bytes]:
    found: list[bytes] = []
    for info in ks.all_keys():
        raw = ks.secret(info.key_id, SECRET_ACCESS)
        found += [raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")]
    return found


def _kek() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize("method", ["kek", "passphrase"])
def test_a_sealed_keyset_holds_no_key_bytes_and_refuses_another_valid_secret(
    method: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variable = "RINGFENCE_KEK" if method == "kek" else "RINGFENCE_KEYSET_PASSPHRASE"
    ks = Keyset.generate()
    path = tmp_path / "keyset.json"
    monkeypatch.setenv(variable, _kek() if method == "kek" else "correct horse battery staple")
    ks.save(path)
    raw = path.read_bytes()
    assert json.loads(raw)["sealed"] == method
    assert not any(encoded in raw for encoded in _encodings(ks))
    monkeypatch.setenv(variable, _kek() if method == "kek" else "another horse battery staple")
    with pytest.raises(KeyAccessError, match="cannot be opened"):
        Keyset.load(path)


def test_rotate_keeps_a_passphrase_seal_when_a_kek_is_also_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RINGFENCE_KEYSET_PASSPHRASE", "correct horse battery staple")
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    keyset = ws / "keys" / "keyset.json"
    assert json.loads(keyset.read_bytes())["sealed"] == "passphrase"
    monkeypatch.setenv("RINGFENCE_KEK", _kek())
    code, _, err = run_cli(capsys, "-w", str(ws), "keys", "rotate", "hmac")
    assert code == 0, err
    assert json.loads(keyset.read_bytes())["sealed"] == "passphrase"
    monkeypatch.delenv("RINGFENCE_KEK")
    assert len(Keyset.load(keyset).all_keys()) == 4


def test_a_disabled_key_stays_disabled_in_a_new_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    assert run_cli(capsys, "-w", str(ws), "keys", "rotate", "aead")[0] == 0
    old = next(k.key_id for k in Keyset.load(ws / "keys" / "keyset.json").all_keys() if k.status == "enabled")
    assert run_cli(capsys, "-w", str(ws), "keys", "disable", old, "--yes")[0] == 0
    listed = subprocess.run(
        [sys.executable, "-m", "ringfence", "-w", str(ws), "keys", "list", "--json"],
        capture_output=True, text=True, check=True, env={**os.environ, "RINGFENCE_HOME": ""},
    )  # fmt: skip
    statuses = {k["id"]: k["status"] for k in json.loads(listed.stdout)["keys"]}
    assert statuses[old] == "disabled"
