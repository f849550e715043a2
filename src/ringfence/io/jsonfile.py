"""JSON inputs: JSON lines streamed by Polars, and a JSON array of objects read whole once.

Guarantees: JSON-lines types are inferred from the first :data:`JSON_SCHEMA_ROWS` lines and a file that
breaks them later is an :class:`~ringfence.errors.InputError` naming the file, never quoting a line; a
file name holding glob characters names just that file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ringfence.errors import InputError
from ringfence.io.frames import non_empty_batches

JSON_SCHEMA_ROWS = 10_000


class JsonLinesTable:
    """A JSON-lines file (one object per line), its types inferred from the first 10,000 lines."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display

    def _scan(self) -> pl.LazyFrame:
        # scan_ndjson has no glob=False: a name holding [ ] * ? is escaped so it names just this file.
        literal = re.sub(r"([\[\]*?])", r"[\1]", str(self.path))
        return pl.scan_ndjson(literal, infer_schema_length=JSON_SCHEMA_ROWS)

    def _explain(self) -> InputError:
        return InputError(
            f"{self.display}: is not valid JSON lines (a line is not a JSON object, or a field's type "
            f"changes after the first {JSON_SCHEMA_ROWS} lines)"
        )

    def schema(self) -> pl.Schema:
        try:
            return self._scan().collect_schema()
        except pl.exceptions.PolarsError:
            raise self._explain() from None

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        scan = self._scan()
        if columns is not None:
            scan = scan.select(columns)
        try:
            yield from non_empty_batches(
                iter(scan.collect_batches(chunk_size=batch_rows)), batch_rows, lambda: scan.head(0).collect()
            )
        except pl.exceptions.PolarsError:
            raise self._explain() from None

    def count_rows(self) -> int:
        try:
            return int(self._scan().select(pl.len()).collect().item())
        except pl.exceptions.PolarsError:
            raise self._explain() from None

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        return None


class JsonArrayTable:
    """A JSON file holding one array of objects; it cannot be streamed, so it is read whole once."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self._frame: pl.DataFrame | None = None

    def _all(self) -> pl.DataFrame:
        if self._frame is None:
            try:
                self._frame = pl.read_json(self.path)
            except pl.exceptions.PolarsError:
                raise InputError(f"{self.display}: is not a valid JSON array of objects") from None
        return self._frame

    def schema(self) -> pl.Schema:
        return self._all().schema

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        frame = self._all() if columns is None else self._all().select(columns)
        yield from non_empty_batches(iter([frame]), batch_rows, frame.clear)

    def count_rows(self) -> int:
        return self._all().height

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        return None
