"""Keys cannot be destroyed through ringfence (audit, issue 9): init never replaces a keyset, and no output
lands in the workspace's key folder, onto its own files or onto an input, even with --force."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import OutputError
from ringfence.workspace import check_output, init_workspace
from tests.cli.helpers import run_cli

POLICY = (
    "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  phone: {action: tokenize, scope: global}\n"
)


@pytest.fixture
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    return ws


def test_init_over_a_workspace_without_its_toml_keeps_the_keyset(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyset = ws / "keys" / "keyset.json"
    before = keyset.read_bytes()
    (ws / "ringfence.toml").rename(tmp_path / "moved.toml")
    code, _, err = run_cli(capsys, "init", str(ws))
    assert code == 2 and "never replaced" in err
    assert keyset.read_bytes() == before


def _table(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "in.csv"
    pl.DataFrame({"phone": ["13812345678"], "city": ["x"]}).write_csv(data)
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return data, policy


@pytest.mark.parametrize("target", ["keyset", "key_folder", "input", "policy", "toml", "state"])
def test_protect_refuses_outputs_that_destroy_keys_or_inputs(
    target: str, ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, policy = _table(tmp_path)
    output = {
        "keyset": ws / "keys" / "keyset.json",
        "key_folder": ws / "keys" / "out.csv",
        "input": tmp_path / "." / "in.csv",
        "policy": policy,
        "toml": ws / "ringfence.toml",
        "state": ws / "state.db",
    }[target]
    before = output.read_bytes() if output.exists() else None
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(output), "--force"
    )
    assert code == 2, err
    assert "cannot write" in err
    assert (output.read_bytes() if output.exists() else None) == before


def test_reveal_refuses_to_write_onto_its_reference(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, policy = _table(tmp_path)
    protected = tmp_path / "p.csv"
    argv = ["-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(protected)]
    assert run_cli(capsys, *argv)[0] == 0
    before = data.read_bytes()
    code, _, err = run_cli(
        capsys, "-w", str(ws), "reveal", str(protected), "--policy", str(policy), "--detokenize-with",
        str(data), "-o", str(data), "--force", "--reason", "audit ticket 9",
    )  # fmt: skip
    assert code == 2 and "input" in err
    assert data.read_bytes() == before


def test_check_output_sees_a_hard_link_to_an_input(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    source = tmp_path / "a.csv"
    source.write_text("x\n1\n", encoding="utf-8")
    link = tmp_path / "b.csv"
    link.hardlink_to(source)
    with pytest.raises(OutputError):
        check_output(link, workspace=workspace, inputs=[source])
    check_output(tmp_path / "c.csv", workspace=workspace, inputs=[source, None])


@pytest.mark.parametrize("command", [["ledger", "export", "--format", "json"], ["ledger", "checkpoint"]])
def test_ledger_outputs_never_land_on_the_keyset(
    command: list[str], ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyset = ws / "keys" / "keyset.json"
    before = keyset.read_bytes()
    code, _, err = run_cli(capsys, "-w", str(ws), *command, "-o", str(keyset), "--force")
    assert code == 2 and "key folder" in err
    assert keyset.read_bytes() == before


@pytest.mark.parametrize("option", ["--draft-policy", "--report"])
def test_scan_side_outputs_never_land_on_the_keyset_or_an_input(
    option: str, ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, _ = _table(tmp_path)
    keyset = ws / "keys" / "keyset.json"
    before = keyset.read_bytes(), data.read_bytes()
    for target in (keyset, data):
        code, _, err = run_cli(capsys, "-w", str(ws), "scan", str(data), option, str(target))
        assert code == 2 and "cannot write" in err
    assert (keyset.read_bytes(), data.read_bytes()) == before
