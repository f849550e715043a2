"""How commands speak: JSON for machines on stdout, Rich for people, errors as one line on stderr."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

# People read tables and progress; machines read stdout. Progress and notes go to stderr so that
# `--json` leaves nothing but the JSON document on stdout.
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


@dataclass(frozen=True)
class Mode:
    """What the caller asked for: machine output, and which workspace."""

    json: bool
    workspace: str | None


def emit_json(document: Any) -> None:
    """Writes one JSON document to stdout (UTF-8, non-ASCII kept readable)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def note(mode: Mode, message: str) -> None:
    """A line for people; silent in JSON mode."""
    if not mode.json:
        err.print(message, markup=False, soft_wrap=True)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    """A Rich table with its title, headers and every cell as plain text: no markup is ever interpreted
    from data (a column named ``[/bold]`` or ``[link=...]`` is shown as it is)."""
    t = Table(title=Text(title), title_justify="left")
    for name in columns:
        t.add_column(Text(name), overflow="fold")
    for row in rows:
        t.add_row(*[Text(str(c)) for c in row])
    return t


class Countable(Protocol):
    @property
    def kind(self) -> str: ...

    def count_rows(self) -> int: ...


# Inputs whose row count is known without reading them (a Parquet footer): the bar has an end. A database
# would count with a full scan before the work starts, so its bar only counts up.
_COUNTED_CHEAPLY = ("parquet",)


@contextlib.contextmanager
def rows_progress(mode: Mode, label: str, source: Countable) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar of rows on stderr (with a total where the input knows its size cheaply), and
    the callback that advances it; nothing in JSON mode or when stderr is not a terminal."""
    if mode.json or not err.is_terminal:
        yield lambda rows: None
        return
    total = source.count_rows() if source.kind in _COUNTED_CHEAPLY else None
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    columns += [TextColumn("rows"), TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(escape(label), total=total)
        yield lambda rows: progress.advance(task, rows)
