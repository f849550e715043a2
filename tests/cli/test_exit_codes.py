"""The command-line contract: exit codes, one-line errors on stderr, JSON only on stdout (DESIGN.md §2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli


def test_init_json_lists_key_ids_not_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "init", str(tmp_path / "ws"), "--jurisdiction", "CN", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["jurisdiction"] == "CN"
    assert sorted(k["purpose"] for k in doc["keys"]) == ["aead", "hmac", "signing"]
    assert all(set(k) == {"id", "purpose", "status"} for k in doc["keys"])


def test_json_flag_before_the_command_works_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--json", "init", str(tmp_path / "ws"))
    assert code == 0
    assert json.loads(out)["jurisdiction"] == "KR"


def test_second_init_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "init", str(tmp_path / "ws"))
    code, out, err = run_cli(capsys, "init", str(tmp_path / "ws"))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "already holds" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["no-such-command"], "No such command"),
        (["init", "--jurisdiction"], "requires an argument"),
        (["init", "x", "--bogus"], "No such option"),
        (["keys", "list", "--workspace", "/nonexistent/ws"], "ringfence init"),
        (["keys", "rotate", "hmac"], "ringfence init"),
        (["keys", "rotate", "cheese"], "use one of hmac, aead, signing"),
    ],
)
def test_usage_and_input_errors_exit_2(
    argv: list[str],
    needle: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert needle in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_keys_rotate_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    run_cli(capsys, "init", ws)
    code, out, _ = run_cli(capsys, "keys", "rotate", "hmac", "--workspace", ws, "--json")
    assert code == 0
    new = json.loads(out)["primary"]
    code, out, _ = run_cli(capsys, "--workspace", ws, "keys", "list", "--json")
    keys = json.loads(out)["keys"]
    assert {k["id"]: k["status"] for k in keys if k["purpose"] == "hmac"}[new] == "primary"
    assert sum(1 for k in keys if k["purpose"] == "hmac") == 2
    code, _, err = run_cli(capsys, "keys", "disable", new, "--workspace", ws)
    assert code == 2 and "primary" in err


def test_unknown_key_purpose_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(tmp_path / "ws")
    run_cli(capsys, "init", ws)
    code, _, err = run_cli(capsys, "keys", "rotate", "cheese", "--workspace", ws)
    assert code == 2 and "use one of hmac, aead, signing" in err


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "ringfence", "init", str(tmp_path / "ws"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["workspace"].endswith("ws")
    proc = subprocess.run(
        [sys.executable, "-m", "ringfence", "keys", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_debug_switch_shows_the_traceback(tmp_path: Path) -> None:
    env = {"RINGFENCE_DEBUG": "1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "ringfence", "keys", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_scan_never_replaces_a_reviewed_policy_and_checks_its_outputs_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ringfence.synth import SynthConfig, generate_platform, write_platform

    write_platform(generate_platform(SynthConfig(customers=500, transactions=1_000, seed=2)), tmp_path)
    customers = str(tmp_path / "customers.parquet")
    policy = tmp_path / "reviewed.yaml"
    policy.write_text("# reviewed by the privacy team\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "scan", customers, "--draft-policy", str(policy))
    assert code == 2 and out == "" and "exists" in err and "--force" in err and "scanned" not in err
    assert policy.read_text(encoding="utf-8") == "# reviewed by the privacy team\n"
    code, _, err = run_cli(capsys, "scan", customers, "--draft-policy", str(policy), "--force")
    assert code == 0 and policy.read_text(encoding="utf-8").count("ringfence_policy: 1") == 1
    missing = tmp_path / "no-such-folder" / "scan.html"
    code, _, err = run_cli(capsys, "scan", customers, "--report", str(missing))
    assert code == 2 and "does not exist" in err and "scanned" not in err  # refused before the scan ran
