"""The rows progress bar: shown to people at a terminal, silent for machines and pipes."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from ringfence.cli import output
from ringfence.cli.output import Mode, rows_progress


class Table:
    def __init__(self, kind: str, rows: int) -> None:
        self.kind, self.rows, self.counted = kind, rows, 0

    def count_rows(self) -> int:
        self.counted += 1
        return self.rows


def _terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    screen = io.StringIO()
    monkeypatch.setattr(output, "err", Console(file=screen, force_terminal=True, width=100))
    return screen


def test_a_terminal_sees_rows_against_the_total_of_a_parquet_file(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _terminal(monkeypatch)
    table = Table("parquet", 1_000_000)
    with rows_progress(Mode(json=False, workspace=None), "Protecting t.parquet", table) as advance:
        advance(250_000)
        advance(250_000)
    assert table.counted == 1
    assert "Protecting t.parquet" in screen.getvalue() and "1000000" in screen.getvalue()


def test_a_csv_is_not_counted_first_and_json_mode_shows_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _terminal(monkeypatch)
    csv = Table("csv", 10)
    with rows_progress(Mode(json=False, workspace=None), "Protecting t.csv", csv) as advance:
        advance(10)
    assert csv.counted == 0 and "Protecting t.csv" in screen.getvalue()
    screen.truncate(0)
    with rows_progress(Mode(json=True, workspace=None), "Protecting t.csv", csv) as advance:
        advance(10)
    assert screen.getvalue() == ""


def test_a_database_is_not_counted_first_and_names_are_not_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = _terminal(monkeypatch)
    table = Table("postgresql", 10**9)
    with rows_progress(Mode(json=False, workspace=None), "Protecting tx[red]n[/]", table) as advance:
        advance(5)
    assert table.counted == 0 and "tx[red]n[/]" in screen.getvalue()
