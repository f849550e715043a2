"""Excel inputs: the first sheet of an ``.xlsx`` workbook, every column as text (needs ``ringfence[excel]``).

Guarantees: the workbook is read row by row in openpyxl's read-only mode, one batch at a time; blank or
repeated header cells get unique names; a value to the right of the last header cell is an
:class:`~ringfence.errors.InputError` naming the row, never the value. Memory is bounded by the file's
size: a workbook whose parts expand to more than :data:`MAX_EXPANSION` times its size (plus 64 MiB) is
refused before it is parsed, and a batch holds at most :data:`CHUNK_CELLS` cells however wide the sheet.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from itertools import islice, zip_longest
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.errors import InputError, UsageError
from ringfence.io import BATCH_ROWS

MAX_EXPANSION = 100  # an .xlsx is zipped XML: ten to twenty times smaller than its parts, rarely more
CHUNK_CELLS = 2_000_000  # cells (Python objects) in one batch at most


def _unique_names(raw: list[Any]) -> list[str]:
    """Header cells as column names: blanks become ``column_<position>``, repeats get ``_duplicated_<k>``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(raw, start=1):
        name = str(cell).strip() if cell is not None and str(cell).strip() else f"column_{position}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_duplicated_{seen[name] - 1}"
        else:
            seen[name] = 1
        names.append(name)
    return names


class ExcelTable:
    """The first sheet of an ``.xlsx`` workbook read with openpyxl in read-only mode, every column as text.

    The first row is the header. Cell values become text as Polars renders them (``2024-01-02 03:04:05``
    for a date-time, ``1234`` for an integer); rows with no value at all are dropped.
    """

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self._names: list[str] | None = None

    def _open(self) -> Any:
        try:
            import openpyxl
        except ImportError:
            raise UsageError(
                f"{self.display}: reading Excel workbooks needs openpyxl: pip install 'ringfence[excel]'"
            ) from None
        try:
            with zipfile.ZipFile(self.path) as archive:
                expanded = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(f"{self.display}: is not a readable .xlsx workbook") from None
        if expanded > MAX_EXPANSION * self.path.stat().st_size + (64 << 20):
            raise InputError(
                f"{self.display}: the workbook expands to {expanded:,} bytes, over {MAX_EXPANSION} times its "
                "size; it is damaged or crafted"
            )
        try:
            return openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except Exception:
            raise InputError(f"{self.display}: is not a readable .xlsx workbook") from None

    def _rows(self, workbook: Any) -> Iterator[tuple[Any, ...]]:
        if not workbook.worksheets:
            raise InputError(f"{self.display}: the workbook has no sheets")
        rows: Iterator[tuple[Any, ...]] = iter(workbook.worksheets[0].values)
        return rows

    def schema(self) -> pl.Schema:
        if self._names is None:
            workbook = self._open()
            try:
                header = next(self._rows(workbook), None)
            finally:
                workbook.close()
            if header is None or all(cell is None for cell in header):
                raise InputError(f"{self.display}: the first sheet has no header row")
            self._names = _unique_names(list(header))
        return pl.Schema(dict.fromkeys(self._names, pl.String()))

    def _frame(self, chunk: list[tuple[Any, ...]], names: list[str], rows_before: int) -> pl.DataFrame:
        cells = list(zip_longest(*chunk))
        for extra in cells[len(names) :]:
            filled = pl.Series(extra, dtype=pl.String, strict=False).is_not_null()
            if filled.any():
                row = rows_before + int(filled.arg_true()[0]) + 2
                raise InputError(f"{self.display}: row {row} has values to the right of the last header cell")
        frame = pl.DataFrame(
            [
                pl.Series(
                    name, cells[i] if i < len(cells) else [None] * len(chunk), dtype=pl.String, strict=False
                )
                for i, name in enumerate(names)
            ]
        )
        return frame.filter(~pl.all_horizontal(pl.all().is_null()))

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        names = list(self.schema().names())
        workbook = self._open()
        try:
            rows = self._rows(workbook)
            width = max(len(names), int(getattr(workbook.worksheets[0], "max_column", None) or 1))
            step = max(1, min(batch_rows, CHUNK_CELLS // width))
            next(rows, None)
            rows_before = 0
            produced = False
            while chunk := list(islice(rows, step)):
                frame = self._frame(chunk, names, rows_before)
                rows_before += len(chunk)
                if columns is not None:
                    frame = frame.select(columns)
                if frame.height:
                    produced = True
                    yield frame
            if not produced:
                empty = pl.DataFrame(schema=self.schema())
                yield empty if columns is None else empty.select(columns)
        finally:
            workbook.close()

    def count_rows(self) -> int:
        return sum(frame.height for frame in self.batches(BATCH_ROWS, [self.schema().names()[0]]))

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        return None
