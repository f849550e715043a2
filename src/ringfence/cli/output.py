"""How commands speak: JSON for machines on stdout, Rich for people, errors as one line on stderr."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

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
        err.print(message, markup=False)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    """A Rich table with every cell as plain text (no markup is ever interpreted from data)."""
    t = Table(title=title, title_justify="left")
    for name in columns:
        t.add_column(name, overflow="fold")
    for row in rows:
        t.add_row(*[str(c) for c in row])
    return t
