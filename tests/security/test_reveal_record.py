"""A reveal is on record before any value is decrypted (audit, issue 9): the record is ``started`` first,
``revealed`` when its output appears, ``aborted`` when it fails; a killed reveal's staged plaintext and
its ``started`` record are swept by the next reveal, whatever that one's output."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from ringfence.state.reversals import ColumnReversal, ReversalRecord, list_reversals, record_reversal
from ringfence.workspace.workspace import open_workspace
from tests.cli.helpers import run_cli

POLICY = "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  email: encrypt\n"
DEAD_PID = 2**22 + 4242  # above Linux's default pid_max: no such process


def _states(ws: Path) -> dict[str, str]:
    store = open_workspace(ws).state()
    try:
        return {r.id: r.state for r in list_reversals(store)}
    finally:
        store.close()


@pytest.fixture
def protected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path]:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    data = tmp_path / "in.parquet"
    pl.DataFrame(
        {"email": [f"user{i}@example.com" for i in range(100)], "n": list(range(100))}
    ).write_parquet(data)
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "protected.parquet"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(out)
    )
    assert code == 0, err
    return ws, policy, out


def _reveal(
    capsys: pytest.CaptureFixture[str], ws: Path, policy: Path, src: Path, out: Path
) -> tuple[int, str]:
    code, _, err = run_cli(
        capsys, "-w", str(ws), "reveal", str(src), "--policy", str(policy), "--decrypt", "-o", str(out),
        "--reason", "ticket 9",
    )  # fmt: skip
    return code, err


def test_a_killed_reveals_stage_and_record_are_swept_by_the_next_reveal(
    protected: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, policy, src = protected
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    killed_output = elsewhere / "killed.csv"
    stage = elsewhere / f".killed.csv.reveal-{DEAD_PID}-x1y2"
    stage.mkdir(mode=0o700)
    (stage / "killed.csv").write_text("email\nuser1@example.com\n", encoding="utf-8")
    alive_stage = elsewhere / f".killed.csv.reveal-{os.getpid()}-x1y2"  # a running reveal's: kept
    alive_stage.mkdir(mode=0o700)
    store = open_workspace(ws).state()
    try:
        killed = ReversalRecord(
            created_at="2026-12-03T06:00:00+00:00", actor="analyst", input="protected.parquet",
            output=str(killed_output), policy_name="p", policy_hash="sha256:" + "0" * 64, rows=0,
            reason="ticket 8", columns={"email": ColumnReversal("encrypt", (), 0, 0)}, state="started",
            process=f"{os.uname().nodename}:{DEAD_PID}",
        )  # fmt: skip
        record_reversal(store, killed)
    finally:
        store.close()
    code, err = _reveal(capsys, ws, policy, src, tmp_path / "r.parquet")
    assert code == 0, err
    assert not stage.exists() and alive_stage.exists()
    states = _states(ws)
    assert states.pop(killed.id) == "aborted"
    assert list(states.values()) == ["revealed"]


def test_a_reveal_failing_after_it_started_is_recorded_aborted(
    protected: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, policy, src = protected
    data = pl.read_parquet(src)
    broken = tmp_path / "broken.parquet"
    value = data["email"][50]
    data.with_columns(pl.col("email").replace(value, value[:-3] + "AAA")).write_parquet(broken)
    out = tmp_path / "r.parquet"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "reveal", str(broken), "--policy", str(policy), "--decrypt", "-o", str(out),
        "--reason", "ticket 9", "--without-record",
    )  # fmt: skip
    assert code == 2 and "fail authentication" in err
    assert not out.exists() and list(_states(ws).values()) == ["aborted"]
    assert not list(tmp_path.glob(".r.parquet.reveal-*"))
