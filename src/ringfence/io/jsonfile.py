"""JSON inputs: JSON lines streamed by Polars, and a JSON array of objects read whole once.

Guarantees: JSON-lines types are inferred from the first :data:`JSON_SCHEMA_ROWS` lines and a file that
breaks them later is an :class:`~ringfence.errors.InputError` naming the file, never quoting a line; a
file name holding glob characters names just that file. An object that names one key twice is refused (a
parser would silently keep one of the two values): the error gives the key's column position, never the
key or its values (:func:`check_unique_keys`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.errors import InputError
from ringfence.io.frames import non_empty_batches

JSON_SCHEMA_ROWS = 10_000
# JSON lines are checked for repeated keys this many bytes of whole lines at a time.
_CHECK_BLOCK_BYTES = 4 << 20


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :mod:`json`: the object, or :class:`_RepeatedKey` for a key named twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(key)
            seen.add(key)
    return obj


def _blocks(path: Path, lines: bool) -> Iterator[bytes]:
    """The file as JSON texts: the whole file, or JSON lines joined into arrays of about 4 MiB."""
    with open(path, "rb") as fh:
        if not lines:
            yield fh.read()
            return
        while chunk := fh.readlines(_CHECK_BLOCK_BYTES):
            yield b"[" + b",".join(line for line in chunk if not line.isspace()) + b"]"


def check_unique_keys(path: Path, display: str, columns: list[str], *, lines: bool) -> None:
    """Refuses a JSON file (``lines``: JSON lines) in which an object names one key twice, with an
    :class:`InputError` giving the key's position among ``columns`` (its name could be a value). A text
    that is not valid JSON is left to the reader, which says so."""
    for block in _blocks(path, lines):
        try:
            json.loads(block, object_pairs_hook=_unique_pairs)
        except _RepeatedKey as repeated:
            where = (
                f"the key of column {columns.index(repeated.key) + 1}"
                if repeated.key in columns
                else "a key inside a nested object"
            )
            raise InputError(
                f"{display}: an object names {where} twice; each key must appear once per object "
                "(which value is meant cannot be told)"
            ) from None
        except ValueError:
            return


class JsonLinesTable:
    """A JSON-lines file (one object per line), its types inferred from the first 10,000 lines."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self._checked = False

    def _check(self) -> None:
        if not self._checked:
            check_unique_keys(self.path, self.display, list(self.schema().names()), lines=True)
            self._checked = True

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
        self._check()
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
        self._check()
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
                frame = pl.read_json(self.path)
            except pl.exceptions.PolarsError:
                raise InputError(f"{self.display}: is not a valid JSON array of objects") from None
            check_unique_keys(self.path, self.display, frame.columns, lines=False)
            self._frame = frame
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
