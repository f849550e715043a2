"""Inputs: a file, a folder of files or a database table, read as a stream of Polars frames.

:func:`open_source` turns a path or a table URI into a :class:`Source`; :func:`open_sources` also expands a
folder into its readable files. Opening checks what can be checked cheaply (the file exists, is not empty,
is what its first bytes say it is, its text encoding and delimiter; a table exists), so a bad input fails
before any work starts. Reading is streamed: :meth:`Source.batches` never holds more than one batch (plus
what the parser reads ahead), whatever the size of the input.

The kind is told by the file's first bytes before its extension: a Parquet file named ``.csv`` is read as
Parquet, a zip or a binary file named ``.csv`` is refused. Supported: Parquet, CSV/TSV (any common
encoding, every column text, see :mod:`ringfence.io.csvfile`), JSON lines (and a JSON array, read whole;
:mod:`ringfence.io.jsonfile`), Excel ``.xlsx`` (first sheet, every column text; needs ``ringfence[excel]``;
:mod:`ringfence.io.excelfile`), and PostgreSQL, MySQL/MariaDB and SQLite tables (see :mod:`ringfence.io.db`).
Where an input is (a path or a table) is parsed once by :class:`~ringfence.io.location.Location`; batching
and sampling are in :mod:`ringfence.io.frames`.

Every failure is an :class:`InputError` or :class:`UsageError` with one line that names the input and what
is wrong. Parser messages are never passed on, because they may quote the data.
"""

from __future__ import annotations

import codecs
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from polars.io.plugins import register_io_source

from ringfence.errors import InputError, RingfenceError, UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.atomic import TMP_MARK
from ringfence.io.csvfile import CsvTable, open_csv
from ringfence.io.db import SCHEMES, open_table
from ringfence.io.encoding import UTF8_FAMILY, detect_encoding
from ringfence.io.excelfile import ExcelTable
from ringfence.io.formats import format_of
from ringfence.io.frames import (
    PARQUET_SAMPLE_WINDOWS,
    compact,
    draw_sample,
    non_empty_batches,
    sample_windows,
)
from ringfence.io.jsonfile import JSON_SCHEMA_ROWS, JsonArrayTable, JsonLinesTable
from ringfence.io.location import Location

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "JSON_SCHEMA_ROWS",
    "PARQUET_BATCH_BYTES",
    "PARQUET_RANGE_ROWS",
    "PARQUET_SAMPLE_WINDOWS",
    "PARQUET_STREAM_BYTES",
    "PARQUET_WINDOWED_SAMPLE_ROWS",
    "Backend",
    "ExcelTable",
    "JsonArrayTable",
    "JsonLinesTable",
    "Location",
    "ParquetTable",
    "Source",
    "compact",
    "draw_sample",
    "open_source",
    "open_sources",
    "read_table",
    "sample_windows",
]

# The name callers used before :data:`ringfence.io.BATCH_ROWS`; the same value, kept so they do not break.
DEFAULT_BATCH_ROWS = BATCH_ROWS
# A Parquet file of more rows than this is sampled from windows spread over it, not read whole.
PARQUET_WINDOWED_SAMPLE_ROWS = 2_000_000
# Parquet batches are read a range of whole row groups at a time; a row group over this many rows is
# streamed by Polars' batch reader instead, so memory stays bounded whatever wrote the file.
PARQUET_RANGE_ROWS = 2_097_152

# A row group declaring more than this many bytes of data is not decoded whole: it is streamed page by page
# (PyArrow's buffered reader) in batches of about PARQUET_BATCH_BYTES, so a small file whose pages expand
# a thousandfold (one repeated long text, compressed by zstd) needs a few batches' memory, not the group's.
PARQUET_STREAM_BYTES = 256 << 20
PARQUET_BATCH_BYTES = 64 << 20
_PARQUET_MAGIC = b"PAR1"
# A Parquet footer may declare at most this many times the file's size (plus 64 MiB) as its data's
# uncompressed size: more is a damaged or crafted file that would ask for memory it never fills.
PARQUET_MAX_EXPANSION = 1024
# A Rust panic inside Polars (out-of-range dates, damaged pages) is a BaseException; read as damage.
_PARQUET_FAILURES = (pl.exceptions.PolarsError, pa.ArrowException, OSError, pl.exceptions.PanicException)
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_GZIP_MAGIC = b"\x1f\x8b"


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
        self, batch_rows: int = BATCH_ROWS, columns: list[str] | None = None
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
            frames = candidates if candidates is not None else self._backend.batches(BATCH_ROWS, None)
            drawn = draw_sample(frames, n, seed)
        return drawn if drawn is not None else pl.DataFrame(schema=self.schema())

    @property
    def text_encoding(self) -> str | None:
        """The text encoding a CSV/TSV input was read in (a Python codec name); None for other kinds."""
        return self._backend.encoding if isinstance(self._backend, CsvTable) else None

    @property
    def is_table(self) -> bool:
        """True for a database table, False for a file (``location`` is then a URI, not a path)."""
        return self.kind in SCHEMES.values()

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
            rows = batch_size or BATCH_ROWS
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
            declared = sum(
                self._metadata.row_group(i).total_byte_size for i in range(self._metadata.num_row_groups)
            )
        except (pa.ArrowException, OSError, ValueError):
            raise InputError(f"{display}: the Parquet footer is damaged") from None
        if declared > PARQUET_MAX_EXPANSION * size + (64 << 20):
            raise InputError(
                f"{display}: the Parquet footer declares {declared:,} bytes of data in a file of "
                f"{size:,} bytes; it is damaged"
            )

    def schema(self) -> pl.Schema:
        return pl.scan_parquet(self.path, glob=False).collect_schema()

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        """Whole row groups (joined up to ``batch_rows`` rows) each read by one Polars collect, re-cut to
        ``batch_rows``: one range in memory at a time, decoded on all cores. A file with a row group too
        large to hold (over :data:`PARQUET_RANGE_ROWS` rows) is streamed by Polars' batch reader instead,
        and one whose row groups declare over :data:`PARQUET_STREAM_BYTES` is streamed page by page in
        batches of about :data:`PARQUET_BATCH_BYTES` (:meth:`_streamed`)."""
        scan = pl.scan_parquet(self.path, glob=False)
        if columns is not None:
            scan = scan.select(columns)
        ranges = _row_group_ranges(self._metadata, batch_rows)
        frames: Iterator[pl.DataFrame]
        if self._largest_group_bytes() > PARQUET_STREAM_BYTES:
            frames = self._streamed(batch_rows, columns, scan.collect_schema())
        elif ranges is not None:
            frames = (scan.slice(start, rows).collect() for start, rows in ranges)
        else:
            frames = iter(scan.collect_batches(chunk_size=batch_rows))
        try:
            yield from non_empty_batches(frames, batch_rows, lambda: scan.head(0).collect())
        except (*_PARQUET_FAILURES, MemoryError):
            raise InputError(f"{self.display}: a part of the Parquet file is damaged") from None

    def _largest_group_bytes(self) -> int:
        meta = self._metadata
        return max((meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)), default=0)

    def _streamed(
        self, batch_rows: int, columns: list[str] | None, schema: pl.Schema
    ) -> Iterator[pl.DataFrame]:
        """Batches decoded a page at a time from a buffered stream (nothing read ahead), their row count
        chosen so the widest row group's declared bytes per row fill about :data:`PARQUET_BATCH_BYTES`;
        each converted to the types Polars' own scan gives."""
        meta = self._metadata
        per_row = max(
            (
                meta.row_group(i).total_byte_size / max(1, meta.row_group(i).num_rows)
                for i in range(meta.num_row_groups)
            ),
            default=1.0,
        )
        rows = max(1, min(batch_rows, int(PARQUET_BATCH_BYTES / max(per_row, 1.0))))
        reader = pq.ParquetFile(self.path, buffer_size=1 << 20, pre_buffer=False)
        try:
            for record_batch in reader.iter_batches(batch_size=rows, columns=columns, use_threads=False):
                frame = pl.from_arrow(record_batch)
                assert isinstance(frame, pl.DataFrame)
                yield frame if frame.schema == schema else frame.cast(schema)
        finally:
            reader.close()

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
        except _PARQUET_FAILURES:
            raise InputError(f"{self.display}: a part of the Parquet file is damaged") from None


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


def open_source(spec: str | os.PathLike[str] | Location, *, encoding: str | None = None) -> Source:
    """One file (by path or ``file://`` URI) or one database table (by URI) as a :class:`Source`.

    ``spec`` may be given parsed, as a :class:`~ringfence.io.location.Location`. ``encoding`` overrides the
    detected text encoding of a CSV/TSV file (a Python codec name).
    """
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(f"unknown text encoding {encoding!r}") from None
    where = Location.parse(spec)
    if where.table is not None:
        target, table = open_table(where.table)
        return Source(target.display, target.kind, target.location, table)
    assert where.path is not None
    return _open_file(where.path, encoding=encoding)


def _readable(path: Path) -> bool:
    if path.name.startswith(".") or TMP_MARK in path.name or not path.is_file():
        return False
    try:
        format_of(path)
    except UsageError:
        return False
    return True


def open_sources(spec: str | os.PathLike[str] | Location, *, encoding: str | None = None) -> list[Source]:
    """A folder's readable files (not its subfolders; sorted by name), or ``[open_source(spec)]``.

    Hidden files and a writer's temporary files are skipped, and so are files whose extension names no
    readable format. A folder with nothing readable is an :class:`InputError`.
    """
    where = Location.parse(spec)
    if where.path is not None and where.path.is_dir():
        folder = where.path
        files = sorted(entry for entry in folder.iterdir() if _readable(entry))
        if not files:
            raise InputError(
                f"{folder.name or folder}: the folder has no readable files "
                "(.csv, .tsv, .parquet, .jsonl, .xlsx)"
            )
        return [_open_file(entry, encoding=encoding) for entry in files]
    return [open_source(where, encoding=encoding)]


def read_table(spec: str | os.PathLike[str], *, encoding: str | None = None) -> pl.DataFrame:
    """The whole table at ``spec`` in memory: ``open_source(spec).read_all()``."""
    return open_source(spec, encoding=encoding).read_all()
