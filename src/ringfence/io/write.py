"""Writers: Parquet, CSV/TSV (spreadsheet-safe), JSON lines, streamed batch by batch and atomic.

Every writer takes either one frame or an iterable of frames (batches of one schema) and writes them to a
temporary file that becomes the output only when everything was written and synced
(:func:`ringfence.io.atomic.atomic_path`). A failure at any batch leaves nothing at the output path.

CSV cells that a spreadsheet would run as a formula (text beginning with ``= + - @``, a tab or a carriage
return) are neutralised by a leading apostrophe, as OWASP recommends; text that is only a signed number or
a phone-like run of digits (``-12.50``, ``+86 138 1234 5678``) cannot be a formula and is left as it is.
The same care covers the header cells and every text-like column: Categorical and Enum columns are written
as text and checked like ``pl.String`` ones. Columns are selected by position, never by a name that Polars
could read as a regular expression (``^a$``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from ringfence.errors import OutputError
from ringfence.io.atomic import atomic_path
from ringfence.io.db.write import write_db_table
from ringfence.io.formats import WRITABLE, Format, WriteResult, format_of
from ringfence.io.location import Location

__all__ = [
    "DICTIONARY_SHARE",
    "Frames",
    "WriteResult",
    "neutralise_formulas",
    "parquet_options",
    "sha256_file",
    "write_table",
]

Frames = pl.DataFrame | pl.LazyFrame | Iterable[pl.DataFrame]
# Footer entries, or a function of the data pages' SHA-256 that returns them (see write_table).
Metadata = Mapping[str, str] | Callable[[str], Mapping[str, str]]

_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?[0-9][0-9 ().\-]*$"


def _neutralised(column: pl.Expr) -> pl.Expr:
    return (
        pl.when(column.str.contains(_FORMULA_START) & ~column.str.contains(_PLAIN_NUMBER))
        .then(pl.lit("'") + column)
        .otherwise(column)
    )


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefixes an apostrophe to every text cell a spreadsheet would evaluate as a formula.

    Categorical and Enum columns become text first, so their cells are checked too.
    """
    text = [
        i
        for i, dtype in enumerate(frame.dtypes)
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))
    ]
    if not text:
        return frame
    names = frame.columns
    return frame.with_columns(_neutralised(pl.nth(i).cast(pl.String)).alias(names[i]) for i in text)


def neutralise_header(columns: list[str]) -> list[str]:
    """The column names as a spreadsheet-safe header row (a name like ``=HYPERLINK(...)`` gets the
    apostrophe a value would)."""
    header = pl.DataFrame({"name": columns}, schema={"name": pl.String})
    safe = header.select(_neutralised(pl.col("name"))).to_series().to_list()
    if len(set(safe)) != len(safe):
        raise OutputError("two column names become one when made spreadsheet-safe; rename one")
    return [str(name) for name in safe]


def _batches(data: Frames) -> Iterator[pl.DataFrame]:
    if isinstance(data, pl.DataFrame):
        yield data
    elif isinstance(data, pl.LazyFrame):
        yield from data.collect_batches()
    else:
        yield from data


def _conform(batch: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    if batch.schema == schema:
        return batch
    if batch.columns != list(schema.names()):
        raise OutputError("batches to write do not share one set of columns")
    return batch.cast(schema, strict=False)


# A column whose first batch has at most this share of distinct values is dictionary-encoded.
DICTIONARY_SHARE = 0.1


def parquet_options(first: pl.DataFrame) -> dict[str, Any]:
    """How the Parquet writer encodes the columns, chosen from the first batch.

    Columns of few distinct values (at most :data:`DICTIONARY_SHARE` of the first batch's rows) are
    dictionary-encoded; the others are not, since trying a dictionary on them costs time before the writer
    falls back to plain encoding. Min/max statistics are kept for every column but high-cardinality text,
    where they filter nothing (tokens, ciphertexts and identifiers are spread over the whole range) and
    cost a string comparison per value. All zstd (level 1). Tables with nested columns take the defaults.
    """
    options: dict[str, Any] = {"compression": "zstd"}
    if first.is_empty() or any(dtype.is_nested() for dtype in first.dtypes):
        return options
    limit = max(1, int(first.height * DICTIONARY_SHARE))
    distinct = first.select(pl.all().n_unique()).row(0)
    few = [name for name, n in zip(first.columns, distinct, strict=True) if n <= limit]
    text = {name for name, dtype in first.schema.items() if dtype in (pl.String, pl.Binary)}
    options["use_dictionary"] = few
    options["write_statistics"] = [name for name in first.columns if name in few or name not in text]
    return options


class _Digesting:
    """A binary file that hashes (SHA-256) every byte written through it, for the data-pages digest."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._digest = hashlib.sha256()
        self.closed = False

    def write(self, data: bytes | memoryview) -> int:
        self._digest.update(data)
        return self._handle.write(data)

    def tell(self) -> int:
        return self._handle.tell()

    def flush(self) -> None:
        self._handle.flush()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True
        self._handle.close()

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def data_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a Parquet file's bytes before its footer (the magic and every data page): what a
    ``metadata`` function given to :func:`write_table` was handed. Reading is streamed."""
    size = os.path.getsize(path)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        if size < 12:
            raise OutputError(f"{Path(path).name} is not a Parquet file")
        handle.seek(size - 8)
        footer = int.from_bytes(handle.read(4), "little")
        left = size - 8 - footer
        if footer < 0 or left < 4:
            raise OutputError(f"{Path(path).name} has a malformed Parquet footer")
        handle.seek(0)
        while left:
            chunk = handle.read(min(left, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _write_parquet(
    batches: Iterator[pl.DataFrame], tmp: Path, metadata: Metadata | None = None
) -> tuple[int, list[str]]:
    writer: pq.ParquetWriter | None = None
    schema: pl.Schema | None = None
    arrow_schema: pa.Schema | None = None
    rows = 0
    late = metadata if callable(metadata) else None
    with open(tmp, "wb") as handle:
        sink = _Digesting(handle)
        try:
            for batch in batches:
                if schema is None:
                    schema = batch.schema
                    arrow_schema = batch.to_arrow(compat_level=pl.CompatLevel.newest()).schema
                    if metadata and not callable(metadata):
                        arrow_schema = arrow_schema.with_metadata(
                            {**(arrow_schema.metadata or {}), **metadata}
                        )
                    writer = pq.ParquetWriter(sink, arrow_schema, **parquet_options(batch))
                batch = _conform(batch, schema)
                assert writer is not None and arrow_schema is not None
                # The newest compat level hands strings over as views, without a copy.
                writer.write_table(batch.to_arrow(compat_level=pl.CompatLevel.newest()).cast(arrow_schema))
                rows += batch.height
            if writer is None:
                raise OutputError("nothing to write: the input produced no batches")
            if late is not None:  # every data page is written: the footer may now vouch for them
                writer.add_key_value_metadata(dict(late(sink.hexdigest())))
        finally:
            if writer is not None:
                writer.close()
    assert schema is not None
    return rows, list(schema.names())


def _write_text(batches: Iterator[pl.DataFrame], tmp: Path, fmt: Format) -> tuple[int, list[str]]:
    schema: pl.Schema | None = None
    rows = 0
    fh: IO[bytes]
    with open(tmp, "wb") as fh:
        for batch in batches:
            first = schema is None
            if schema is None:
                schema = batch.schema
            batch = _conform(batch, schema)
            if fmt == "jsonl":
                batch.write_ndjson(fh)
            else:
                batch = neutralise_formulas(batch).clone()
                batch.columns = neutralise_header(batch.columns)
                batch.write_csv(fh, include_header=first, separator="\t" if fmt == "tsv" else ",")
            rows += batch.height
        if schema is None:
            raise OutputError("nothing to write: the input produced no batches")
    return rows, list(schema.names())


def write_table(
    data: Frames,
    dest: str | os.PathLike[str] | Location,
    *,
    format: str | None = None,
    overwrite: bool = True,
    metadata: Metadata | None = None,
) -> WriteResult:
    """Writes ``data`` (a frame, a lazy frame or batches) to ``dest`` atomically in the format it names.

    ``metadata`` (names and values without personal data or key bytes) goes into a Parquet file's footer
    as key-value metadata; the other formats have no place for it and do without. It may be a function:
    it is then called once every data page is written, with :func:`data_sha256` of the file so far, and
    what it returns goes into the footer (a seal that binds a record to the data it describes).

    ``dest`` may also be a database table (a URI: ``postgresql://``, ``mysql://``, ``sqlite:///``, or a
    parsed :class:`~ringfence.io.location.Location`), written through a temporary table by
    :func:`ringfence.io.db.write_db_table`.
    """
    where = Location.parse(dest)
    if where.table is not None:
        return write_db_table(_batches(data), where.table, overwrite=overwrite)
    assert where.path is not None
    path = where.path
    fmt = format_of(path, format)
    if fmt not in WRITABLE:
        raise OutputError(f"cannot write {fmt} files; use one of {', '.join(WRITABLE)}")
    with atomic_path(path, overwrite=overwrite) as tmp:
        if fmt == "parquet":
            rows, cols = _write_parquet(_batches(data), tmp, metadata)
        else:
            rows, cols = _write_text(_batches(data), tmp, fmt)
    return WriteResult(path=path, format=fmt, rows=rows, columns=cols)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
