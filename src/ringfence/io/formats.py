"""File formats ringfence reads and writes, told by extension, and what a writer reports.

This module sits below both writers (:mod:`ringfence.io.write` for files, :mod:`ringfence.io.db` for
tables), so each can name a format and return a :class:`WriteResult` without importing the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ringfence.errors import UsageError

Format = Literal["parquet", "csv", "tsv", "jsonl", "excel"]

_BY_SUFFIX: dict[str, Format] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".xlsx": "excel",
}

WRITABLE: tuple[Format, ...] = ("parquet", "csv", "tsv", "jsonl")


def format_of(path: str | Path, explicit: str | None = None) -> Format:
    """The format named by ``explicit`` or by the file's extension; a clear error when neither says."""
    if explicit:
        name = explicit.lower().lstrip(".")
        for fmt in ("parquet", "csv", "tsv", "jsonl", "excel"):
            if name == fmt:
                return fmt  # type: ignore[return-value]
        if name in ("ndjson", "json"):
            return "jsonl"
        raise UsageError(f"unknown format {explicit!r}; use one of parquet, csv, tsv, jsonl")
    suffix = Path(path).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    raise UsageError(
        f"cannot tell the format of {Path(path).name} from its extension; "
        "use .parquet, .csv, .tsv or .jsonl (or --format)"
    )


@dataclass(frozen=True)
class WriteResult:
    """What a writer put where (for a database table, ``path`` holds its URI without a password)."""

    path: Path
    format: Format
    rows: int
    columns: list[str]
