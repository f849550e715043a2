"""Writers: Parquet, CSV/TSV (spreadsheet-safe), JSON lines, streamed batch by batch and atomic.

Every writer takes either one frame or an iterable of frames (batches of one schema) and writes them to a
temporary file that becomes the output only when everything was written and synced
(:func:`ringfence.io.atomic.atomic_path`). A failure at any batch leaves nothing at the output path.

CSV cells that a spreadsheet would run as a formula (text beginning with ``= + - @``, a tab or a carriage
return) are neutralised by a leading apostrophe, as OWASP recommends; text that is only a signed number or
a phone-like run of digits (``-12.50``, ``+86 138 1234 5678``) cannot be a formula and is left as it is.
The neutralisation is reversible, and our CSV reader reverses it (:mod:`ringfence.io.formulas`): a value
that already begins with apostrophes before such a character gets one more, and the reader removes exactly
one, so protect → CSV → reveal gives back ``-AB12345``, not ``'-AB12345``. The same care covers the header
cells and every text-like column: Categorical and Enum columns are written as text and checked like
``pl.String`` ones. Columns are selected by position, never by a name that Polars could read as a regular
expression (``^a$``).

CSV and TSV are written in UTF-8 unless ``encoding`` names another: one of :data:`OUTPUT_ENCODINGS`
(what ``--encoding`` offers), or any codec an input was read in (an output keeps its input's encoding by
default, so a GB18030 export comes back GB18030). ``utf-8-sig`` starts the file with a byte-order mark (what
Excel needs to open UTF-8). A value the encoding cannot hold is an :class:`OutputError` that names the
encoding, never the value. JSON lines are always UTF-8 (RFC 8259) and Parquet has no text encoding.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

import polars as pl
from polars.io.plugins import register_io_source

from ringfence.errors import OutputError
from ringfence.io import BATCH_ROWS
from ringfence.io.atomic import atomic_path
from ringfence.io.db.write import write_db_table
from ringfence.io.formats import WRITABLE, Format, WriteResult, format_of
from ringfence.io.formulas import neutralise_formulas, neutralised
from ringfence.io.location import Location

__all__ = [
    "OUTPUT_ENCODINGS",
    "Frames",
    "WriteResult",
    "neutralise_formulas",
    "sha256_file",
    "write_table",
]

Frames = pl.DataFrame | pl.LazyFrame | Iterable[pl.DataFrame]
# Footer entries, or a function of the data pages' SHA-256 that returns them (see write_table).
Metadata = Mapping[str, str] | Callable[[str], Mapping[str, str]]


# The text encodings a CSV/TSV output may be asked for (the input's own is the default).
OUTPUT_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "euc-kr")
# Input encodings written as a superset: an ASCII input's revealed values may not be ASCII.
_WRITE_AS = {"ascii": "utf-8"}


def output_encoding(name: str | None) -> str:
    """The Python codec a CSV/TSV output is written in for ``name`` (None: UTF-8)."""
    if name is None:
        return "utf-8"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise OutputError(
            f"unknown text encoding {name!r}; use one of {', '.join(OUTPUT_ENCODINGS)}"
        ) from None
    return _WRITE_AS.get(codec, codec)


def neutralise_header(columns: list[str]) -> list[str]:
    """The column names as a spreadsheet-safe header row (a name like ``=HYPERLINK(...)`` gets the
    apostrophe a value would; distinct names stay distinct, since the neutralisation is reversible)."""
    header = pl.DataFrame({"name": columns}, schema={"name": pl.String})
    return [str(name) for name in header.select(neutralised(pl.col("name"))).to_series().to_list()]


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
    """Streams ``batches`` into Polars' Parquet sink, which encodes and compresses the columns on every
    core: zstd level 1 (a third less CPU than Polars' default level 3, files no larger on the benchmark's
    tables), a row group per :data:`PARQUET_ROW_GROUP_ROWS` rows (so the bytes do not depend on how the
    input was batched). A ``metadata`` function is first called with a stand-in digest; its entries go
    into the footer, and once every data page is written they are overwritten in place by what it
    returns for the real :func:`data_sha256` (:func:`_seal_footer`)."""
    first = next(batches, None)
    if first is None:
        raise OutputError("nothing to write: the input produced no batches")
    schema = first.schema
    late: Callable[[str], Mapping[str, str]] | None = None
    if callable(metadata):
        late = metadata
        entries = dict(late(_STAND_IN_DIGEST))
    else:
        entries = dict(metadata or {})
    rows = [0]

    def frames(
        with_columns: list[str] | None, predicate: pl.Expr | None, n_rows: int | None, batch_size: int | None
    ) -> Iterator[pl.DataFrame]:
        for batch in itertools.chain([first], batches):
            batch = _conform(batch, schema)
            rows[0] += batch.height
            yield batch if with_columns is None else batch.select(with_columns)

    register_io_source(frames, schema=schema).sink_parquet(
        tmp,
        compression="zstd",
        compression_level=1,
        row_group_size=PARQUET_ROW_GROUP_ROWS,
        metadata=entries or None,
        maintain_order=True,
    )
    if late is not None:  # every data page is written: the footer may now vouch for them
        _seal_footer(tmp, entries, dict(late(data_sha256(tmp))))
    return rows[0], list(schema.names())


# Rows per Parquet row group (the last one less), whatever the batches written.
PARQUET_ROW_GROUP_ROWS = BATCH_ROWS
# What a footer ``metadata`` function is first called with; the real digest has the same length.
_STAND_IN_DIGEST = "0" * 64


def _seal_footer(path: Path, stand_in: dict[str, str], final: dict[str, str]) -> None:
    """Overwrites, in the Parquet footer of ``path``, each stand-in footer value with its final value
    of the same length (the footer's layout, lengths included, does not change)."""
    if stand_in.keys() != final.keys() or any(
        len(stand_in[k].encode()) != len(final[k].encode()) for k in final
    ):
        raise OutputError("the footer entries changed shape once the data was written")
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size - 8)
        footer_size = int.from_bytes(handle.read(4), "little")
        start = size - 8 - footer_size
        handle.seek(start)
        footer = handle.read(footer_size)
        for key, value in stand_in.items():
            old = value.encode()
            at = footer.find(old)
            if at < 0 or footer.find(old, at + 1) >= 0:
                raise OutputError(f"the footer entry {key} is not found once in the written footer")
            handle.seek(start + at)
            handle.write(final[key].encode())
        handle.flush()
        os.fsync(handle.fileno())


def _write_text(
    batches: Iterator[pl.DataFrame], tmp: Path, fmt: Format, encoding: str | None = None
) -> tuple[int, list[str]]:
    schema: pl.Schema | None = None
    rows = 0
    codec = "utf-8" if fmt == "jsonl" else output_encoding(encoding)
    # One encoder for the file: a codec with a byte-order mark (UTF-16) writes it once, not per batch.
    encoder = codecs.getincrementalencoder(codec)()
    fh: IO[bytes]
    with open(tmp, "wb") as fh:
        if codec == "utf-8-sig":
            fh.write(codecs.BOM_UTF8)
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
                separator = "\t" if fmt == "tsv" else ","
                if codec in ("utf-8", "utf-8-sig"):
                    batch.write_csv(fh, include_header=first, separator=separator)
                else:
                    text = batch.write_csv(None, include_header=first, separator=separator)
                    try:
                        fh.write(encoder.encode(text))
                    except UnicodeEncodeError:
                        raise OutputError(
                            f"a value cannot be written in {codec}; write the output with --encoding utf-8 "
                            "or gb18030 (which hold every character)"
                        ) from None
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
    encoding: str | None = None,
) -> WriteResult:
    """Writes ``data`` (a frame, a lazy frame or batches) to ``dest`` atomically in the format it names.

    ``metadata`` (names and values without personal data or key bytes) goes into a Parquet file's footer
    as key-value metadata; the other formats have no place for it and do without. It may be a function:
    it is then called once every data page is written, with :func:`data_sha256` of the file so far, and
    what it returns goes into the footer (a seal that binds a record to the data it describes).

    ``dest`` may also be a database table (a URI: ``postgresql://``, ``mysql://``, ``sqlite:///``, or a
    parsed :class:`~ringfence.io.location.Location`), written through a temporary table by
    :func:`ringfence.io.db.write_db_table`. ``encoding`` is a CSV/TSV output's text encoding (see the
    module docstring; None: UTF-8).
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
            rows, cols = _write_text(_batches(data), tmp, fmt, encoding)
    return WriteResult(path=path, format=fmt, rows=rows, columns=cols)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
