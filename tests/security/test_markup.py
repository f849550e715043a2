"""Column names are never read as Rich markup (audit, issue 9): ``[/bold]`` does not break protect after
its output is written, and ``[link=...]`` is shown as text, not rendered as a hyperlink."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from ringfence.cli import output
from tests.cli.helpers import run_cli

NAMES = ["[/bold]", "[link=http://evil.example]x[/link]", "[red]r"]


def test_protect_and_scan_show_markup_shaped_column_names_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.StringIO()
    monkeypatch.setattr(output, "out", Console(file=buffer, highlight=False, soft_wrap=True, width=400))
    from ringfence.cli.commands import protect as protect_cmd
    from ringfence.cli.commands import scan as scan_cmd

    monkeypatch.setattr(protect_cmd, "out", output.out)
    monkeypatch.setattr(scan_cmd, "out", output.out)
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    data = tmp_path / "in.csv"
    pl.DataFrame({name: ["a", "b"] for name in NAMES}).write_csv(data)
    policy = tmp_path / "p.yaml"
    policy.write_text("ringfence_policy: 1\nname: p\nunlisted: keep\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "scan", str(data))
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(tmp_path / "o.csv")
    )
    assert code == 0, err
    shown = buffer.getvalue()
    for name in NAMES:
        assert name in shown
    assert "\x1b]8;" not in shown
