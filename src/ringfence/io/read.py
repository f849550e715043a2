"""Inputs: a file, a folder of files or a database table, read as a stream of Polars frames.

:func:`open_source` turns a path or a table URI into a :class:`Source`; :func:`open_sources` also expands a
folder into its readable files. Opening checks what can be checked cheaply (the file exists, is not empty,
is what its first bytes say it is, its text encoding and delimiter; a table exists), so a bad input fails
before any work starts. Reading is streamed: :meth:`Source.batches` never holds more than one batch (plus
what the parser reads ahead), whatever the size of the input.

The kind is told by the file's first bytes before its extension: a Parquet file named ``.csv`` is read as
Parquet, a zip or a binary file named ``.csv`` is refused. Supported: Parquet, CSV/TSV (any common
encoding, every column text, see :mod:`ringfence.io.csvfile`), JSON lines (and a JSON array, read whole),
Excel ``.xlsx`` (first sheet, every column text; needs ``ringfence[excel]``), and PostgreSQL, MySQL/MariaDB
and SQLite tables (see :mod:`ringfence.io.db`).

Every failure is an :class:`InputError` or :class:`UsageError` with one line that names the input and what
is wrong. Parser messages are never passed on, because they may quote the data.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice, zip_longest
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from polars.io.plugins import register_io_source

from ringfence.errors import InputError, RingfenceError, UsageError
from ringfence.io.atomic import TMP_MARK
from ringfence.io.csvfile import open_csv
from ringfence.io.db import db_scheme, open_table
from ringfence.io.encoding import UTF8_FAMILY, detect_encoding
from ringfence.io.formats import format_of

DEFAULT_BATCH_ROWS = 262_144
JSON_SCHEMA_ROWS = 10_000
# A Parquet file of more rows than this is sampled from windows spread over it, not read whole.
PARQUET_WINDOWED_SAMPLE_ROWS = 2_000_000
PARQUET_SAMPLE_WINDOWS = 32
# Parquet batches are read a range of whole row groups at a time; a row group over this many rows is
# streamed by Polars' batch reader instead, so memory stays bounded whatever wrote the file.
PARQUET_RANGE_ROWS = 2_097_152

_PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_GZIP_MAGIC = b"\x1f\x8b"
_SAMPLE_KEY = "__rf_sample_key"
_SAMPLE_POS = "__rf_sample_pos"


class Backend(Protocol):
    """What a Source needs from the reader of one kind of input."""

    def schema(self) -> pl.Schema: ...

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        """Non-empty frames of at most ``batch_rows`` rows in input order; one empty frame for no rows."""
        ...

    def count_rows(self) -> int: ...

    def lazy(self) -> pl.LazyFrame | None:
        """A native lazy scan, or None to build one from :meth:`batches`."""
        ...

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        """Frames pre-drawn at random by the input itself (a database, a large Parquet file), or None.

        None means the sample is drawn from one pass over :meth:`batches`.
        """
        ...


@contextlib.contextmanager
def _guard(name: str) -> Iterator[None]:
    """Turns a parser's or the file system's exception into a one-line InputError without its text."""
    try:
        yield
    except RingfenceError:
        raise
    except (pl.exceptions.PolarsError, pa.ArrowException, UnicodeError, ValueError) as exc:
        raise InputError(f"{name}: cannot be read ({type(exc).__name__})") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or type(exc).__name__})") from None


def _guarded(name: str, frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    with _guard(name):
        yield from frames


def draw_sample(frames: Iterator[pl.DataFrame], n: int, seed: int) -> pl.DataFrame | None:
    """A uniform random sample of ``n`` rows (all rows when there are fewer), in input order.

    Every row gets a random key from a NumPy generator seeded with ``seed`` and the ``n`` smallest keys
    win (bottom-k sampling): one pass, memory for ``n`` rows plus one batch, and the same rows for the same
    seed and input however the input is cut into batches. None when there are no frames at all.
    """
    rng = np.random.default_rng(seed)
    kept: pl.DataFrame | None = None
    position = 0
    for frame in frames:
        tagged = frame.with_columns(
            pl.Series(_SAMPLE_KEY, rng.random(frame.height)),
            pl.int_range(position, position + frame.height, dtype=pl.Int64, eager=True).alias(_SAMPLE_POS),
        )
        position += frame.height
        kept = tagged if kept is None else pl.concat([kept, tagged])
        if kept.height > n:
            kept = compact(kept.bottom_k(n, by=_SAMPLE_KEY))
    if kept is None:
        return None
    return kept.sort(_SAMPLE_POS).drop(_SAMPLE_KEY, _SAMPLE_POS)


def compact(frame: pl.DataFrame) -> pl.DataFrame:
    """A copy of ``frame`` that owns its memory.

    Rows gathered out of a large frame keep the large frame's string buffers alive (Polars strings are
    views into shared buffers); a sampler that keeps 10,000 rows out of each of 400 batches would
    otherwise hold every batch. An in-memory Arrow IPC round trip copies just the rows, every type intact.
    """
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    buffer.seek(0)
    return pl.read_ipc(buffer)


def sample_windows(
    total: int, n: int, seed: int, windows: int = PARQUET_SAMPLE_WINDOWS
) -> list[tuple[int, int]]:
    """``(offset, length)`` of ``windows`` runs of rows spread over ``total`` rows, ``2n`` rows in all.

    The rows are cut into ``windows`` equal strata and each window starts at a random place inside its
    stratum (seeded): every part of the input is represented, and reading a window costs about one page
    per column, whatever the size of the input.
    """
    length = min(-(-2 * n // windows), total // windows)
    stratum = total // windows
    rng = np.random.default_rng([seed, total])
    starts = np.arange(windows, dtype=np.int64) * stratum + rng.integers(0, stratum - length + 1, windows)
    return [(int(start), length) for start in starts]


@dataclass(frozen=True)
class Source:
    """One readable table: a file or a database table.

    ``name`` is for people (``customers.csv``, ``postgresql table public.customers``), ``kind`` is one of
    ``parquet csv tsv jsonl json excel postgresql mysql sqlite``, ``location`` is the absolute path or the
    URI without any password.
    """

    name: str
    kind: str
    location: str
    _backend: Backend = field(repr=False, compare=False)

    def schema(self) -> pl.Schema:
        """Column names and Polars types (every column is ``pl.String`` for CSV, TSV and Excel)."""
        with _guard(self.name):
            return self._backend.schema()

    def _columns(self, columns: list[str] | None) -> list[str] | None:
        if columns is None:
            return None
        known = set(self.schema().names())
        missing = [name for name in columns if name not in known]
        if missing:
            raise UsageError(f"{self.name}: no column {missing[0]!r}")
        return list(columns)

    def batches(
        self, batch_rows: int = DEFAULT_BATCH_ROWS, columns: list[str] | None = None
    ) -> Iterator[pl.DataFrame]:
        """Frames of at most ``batch_rows`` rows, in input order, streamed from the input.

        Only ``columns`` (in that order) when given. An input without rows gives one empty frame, so the
        columns are always known.
        """
        if batch_rows < 1:
            raise UsageError(f"batch_rows must be at least 1, not {batch_rows}")
        return _guarded(self.name, self._backend.batches(batch_rows, self._columns(columns)))

    def sample(self, n: int = 10_000, seed: int = 0) -> pl.DataFrame:
        """``n`` rows drawn at random from the whole input (all rows if it has fewer), in input order.

        The same ``seed`` gives the same rows. Text files and small Parquet files are read once in full and
        the rows drawn uniformly; PostgreSQL and MySQL draw most of the sample on the server
        (``TABLESAMPLE BERNOULLI`` / ``RAND(seed)``); a Parquet file of more than
        ``PARQUET_WINDOWED_SAMPLE_ROWS`` rows is read only in :func:`sample_windows` spread over the file
        (a stratified cluster sample: seconds and a few hundred MB for 100M rows, where reading it whole
        takes minutes).
        """
        if n < 1:
            raise UsageError(f"sample size must be at least 1, not {n}")
        with _guard(self.name):
            candidates = self._backend.sample_candidates(n, seed)
            frames = candidates if candidates is not None else self._backend.batches(DEFAULT_BATCH_ROWS, None)
            drawn = draw_sample(frames, n, seed)
        return drawn if drawn is not None else pl.DataFrame(schema=self.schema())

    def footer_metadata(self) -> dict[str, str]:
        """A Parquet file's key-value metadata (what wrote it, e.g. ``ringfence.protect``); empty for
        every other kind of input."""
        if not isinstance(self._backend, ParquetTable):
            return {}
        raw = self._backend.key_value_metadata()
        return {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in raw.items()}

    def count_rows(self) -> int:
        """The number of data rows (a CSV header is not a row)."""
        with _guard(self.name):
            return self._backend.count_rows()

    def read_all(self) -> pl.DataFrame:
        """The whole table in memory; for small tables."""
        frames = list(self.batches())
        return pl.concat(frames, how="vertical", rechunk=True) if len(frames) > 1 else frames[0]

    def lazy(self) -> pl.LazyFrame:
        """A LazyFrame over the input that streams when collected with the streaming engine.

        Parquet is a native Polars scan; every other kind is a scan over :meth:`batches` (so its errors
        stay the one-line errors of this module), with projections pushed down to the reader.
        """
        with _guard(self.name):
            native = self._backend.lazy()
        if native is not None:
            return native

        def io_source(
            with_columns: list[str] | None,
            predicate: pl.Expr | None,
            n_rows: int | None,
            batch_size: int | None,
        ) -> Iterator[pl.DataFrame]:
            remaining = n_rows
            rows = batch_size or DEFAULT_BATCH_ROWS
            if n_rows is not None and predicate is None:
                rows = max(1, min(rows, n_rows))
            for frame in self.batches(rows, with_columns):
                if predicate is not None:
                    frame = frame.filter(predicate)
                if remaining is not None:
                    frame = frame.head(remaining)
                    remaining -= frame.height
                yield frame
                if remaining is not None and remaining <= 0:
                    return

        return register_io_source(io_source, schema=self.schema, explain_name=f"ringfence {self.kind}")


# -- file backends -----------------------------------------------------------------------------------


def _non_empty_batches(
    frames: Iterator[pl.DataFrame], batch_rows: int, empty: Callable[[], pl.DataFrame]
) -> Iterator[pl.DataFrame]:
    """Frames re-cut to at most ``batch_rows`` rows, empty ones dropped, one empty frame if no rows."""
    produced = False
    for frame in frames:
        for offset in range(0, frame.height, batch_rows):
            produced = True
            yield frame.slice(offset, batch_rows)
    if not produced:
        yield empty()


def _row_group_ranges(metadata: pq.FileMetaData, batch_rows: int) -> list[tuple[int, int]] | None:
    """``(first row, rows)`` ranges of whole consecutive row groups of at least ``batch_rows`` rows each
    (the last may be less), or None when a row group alone exceeds :data:`PARQUET_RANGE_ROWS`."""
    ranges: list[tuple[int, int]] = []
    start = held = 0
    for index in range(metadata.num_row_groups):
        rows = metadata.row_group(index).num_rows
        if rows > max(batch_rows, PARQUET_RANGE_ROWS):
            return None
        held += rows
        if held >= batch_rows:
            ranges.append((start, held))
            start, held = start + held, 0
    if held:
        ranges.append((start, held))
    return ranges


class ParquetTable:
    """A Parquet file, scanned lazily by Polars; row counts come from its footer."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        size = path.stat().st_size
        with open(path, "rb") as fh:
            fh.seek(max(0, size - 4))
            tail = fh.read(4)
        if size < 12 or tail != _PARQUET_MAGIC:
            raise InputError(f"{display}: the Parquet file is truncated or damaged (its footer is missing)")
        try:
            self._metadata = pq.read_metadata(path)
        except (pa.ArrowException, OSError):
            raise InputError(f"{display}: the Parquet footer is damaged") from None

    def schema(self) -> pl.Schema:
        return pl.scan_parquet(self.path, glob=False).collect_schema()

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        """Whole row groups (joined up to ``batch_rows`` rows) each read by one Polars collect, re-cut to
        ``batch_rows``: one range in memory at a time, decoded on all cores. A file with a row group too
        large to hold (over :data:`PARQUET_RANGE_ROWS`) is streamed by Polars' batch reader instead."""
        scan = pl.scan_parquet(self.path, glob=False)
        if columns is not None:
            scan = scan.select(columns)
        ranges = _row_group_ranges(self._metadata, batch_rows)
        frames: Iterator[pl.DataFrame] = (
            (scan.slice(start, rows).collect() for start, rows in ranges)
            if ranges is not None
            else iter(scan.collect_batches(chunk_size=batch_rows))
        )
        try:
            yield from _non_empty_batches(frames, batch_rows, lambda: scan.head(0).collect())
        except (pl.exceptions.PolarsError, pa.ArrowException, OSError):
            raise InputError(f"{self.display}: a part of the Parquet file is damaged") from None

    def count_rows(self) -> int:
        return int(self._metadata.num_rows)

    def key_value_metadata(self) -> dict[bytes, bytes]:
        return dict(self._metadata.metadata or {})

    def lazy(self) -> pl.LazyFrame | None:
        return pl.scan_parquet(self.path, glob=False)

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        total = self.count_rows()
        if total <= max(PARQUET_WINDOWED_SAMPLE_ROWS, 4 * n):
            return None
        return self._windows(sample_windows(total, n, seed))

    def _windows(self, windows: list[tuple[int, int]]) -> Iterator[pl.DataFrame]:
        try:
            for offset, length in windows:
                yield pl.scan_parquet(self.path, glob=False).slice(offset, length).collect()
        except (pl.exceptions.PolarsError, pa.ArrowException, OSError):
            raise InputError(f"{self.display}: a part of the Parquet file is damaged") from None


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
            yield from _non_empty_batches(
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
        yield from _non_empty_batches(iter([frame]), batch_rows, frame.clear)

    def count_rows(self) -> int:
        return self._all().height

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        return None


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
            next(rows, None)
            rows_before = 0
            produced = False
            while chunk := list(islice(rows, batch_rows)):
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
        return sum(frame.height for frame in self.batches(DEFAULT_BATCH_ROWS, [self.schema().names()[0]]))

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        return None


# -- opening -----------------------------------------------------------------------------------------


def _head(path: Path, size: int = 8) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def _open_file(path: Path, *, encoding: str | None) -> Source:
    display = path.name or str(path)
    if not path.exists():
        raise InputError(f"{display}: no such file")
    if path.is_dir():
        raise InputError(f"{display}: is a folder, not a file")
    try:
        size = path.stat().st_size
        head = _head(path)
    except OSError as exc:
        raise InputError(f"{display}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    if size == 0:
        raise InputError(f"{display}: is empty (0 bytes)")
    location = str(path.resolve())
    if head.startswith(_PARQUET_MAGIC):
        return Source(display, "parquet", location, ParquetTable(path, display))
    fmt = format_of(path)
    if fmt == "parquet":
        raise InputError(f"{display}: is not a Parquet file (it does not start with PAR1)")
    if head.startswith(_ZIP_MAGIC):
        if fmt == "excel":
            return Source(display, "excel", location, ExcelTable(path, display))
        raise InputError(
            f"{display}: is a zip archive (an Excel workbook or compressed data?), not a {fmt} file"
        )
    if head.startswith(_OLE_MAGIC):
        raise InputError(f"{display}: is an old binary Office file (.xls?); save it as .xlsx or CSV")
    if head.startswith(_GZIP_MAGIC):
        raise InputError(f"{display}: is gzip-compressed; decompress it first")
    if fmt == "excel":
        raise InputError(f"{display}: is not an .xlsx workbook")
    with _guard(display):
        detected = encoding or detect_encoding(path, display)
    if fmt == "jsonl":
        if detected not in UTF8_FAMILY:
            raise InputError(f"{display}: JSON must be UTF-8, but this file is in {detected}")
        if _first_non_space(path) == b"[":
            return Source(display, "json", location, JsonArrayTable(path, display))
        return Source(display, "jsonl", location, JsonLinesTable(path, display))
    with _guard(display):
        table = open_csv(path, display, encoding=detected, tsv=fmt == "tsv")
    return Source(display, fmt, location, table)


def _first_non_space(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def _open_uri(spec: str, *, encoding: str | None) -> Source:
    if db_scheme(spec) == "file":
        return _open_file(Path(unquote(urlsplit(spec).path)), encoding=encoding)
    target, table = open_table(spec)
    return Source(target.display, target.kind, target.location, table)


def open_source(spec: str | os.PathLike[str], *, encoding: str | None = None) -> Source:
    """One file (by path or ``file://`` URI) or one database table (by URI) as a :class:`Source`.

    ``encoding`` overrides the detected text encoding of a CSV/TSV file (a Python codec name).
    """
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(f"unknown text encoding {encoding!r}") from None
    if isinstance(spec, str) and "://" in spec:
        return _open_uri(spec, encoding=encoding)
    return _open_file(Path(spec), encoding=encoding)


def _readable(path: Path) -> bool:
    if path.name.startswith(".") or TMP_MARK in path.name or not path.is_file():
        return False
    try:
        format_of(path)
    except UsageError:
        return False
    return True


def open_sources(spec: str | os.PathLike[str], *, encoding: str | None = None) -> list[Source]:
    """A folder's readable files (not its subfolders; sorted by name), or ``[open_source(spec)]``.

    Hidden files and a writer's temporary files are skipped, and so are files whose extension names no
    readable format. A folder with nothing readable is an :class:`InputError`.
    """
    if not (isinstance(spec, str) and "://" in spec) and Path(spec).is_dir():
        folder = Path(spec)
        files = sorted(entry for entry in folder.iterdir() if _readable(entry))
        if not files:
            raise InputError(
                f"{folder.name or folder}: the folder has no readable files "
                "(.csv, .tsv, .parquet, .jsonl, .xlsx)"
            )
        return [_open_file(entry, encoding=encoding) for entry in files]
    return [open_source(spec, encoding=encoding)]


def read_table(spec: str | os.PathLike[str], *, encoding: str | None = None) -> pl.DataFrame:
    """The whole table at ``spec`` in memory: ``open_source(spec).read_all()``."""
    return open_source(spec, encoding=encoding).read_all()
