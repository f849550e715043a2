"""Writing batches of Polars frames to one database table, atomically.

Guarantees: the rows go into a fresh ``<table>__rf_tmp_<random>`` table that replaces the destination (or
becomes it) only after every batch is in; on any failure the temporary table is gone and the destination is
as it was (see each dialect for how). Every column's SQL type is checked before connecting, so an
unsupported type fails before anything is created. Database errors become one-line
:class:`~ringfence.errors.OutputError`\\ s naming the table and an error code, never the driver's text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import cast

import polars as pl

from ringfence.errors import OutputError
from ringfence.io.db.dialects import dialect_for
from ringfence.io.db.uri import DbTarget, parse_db_uri
from ringfence.io.formats import Format, WriteResult


def _conformed(first: pl.DataFrame, rest: Iterator[pl.DataFrame], target: DbTarget) -> Iterator[pl.DataFrame]:
    """Every batch cast to the first batch's schema, strictly; an :class:`OutputError` when one cannot be."""
    schema = first.schema
    for batch in chain([first], rest):
        if batch.schema != schema:
            if batch.columns != list(schema.names()):
                raise OutputError(
                    f"cannot write {target.display}: the batches do not share one set of columns"
                )
            try:
                batch = batch.cast(schema, strict=True)
            except pl.exceptions.PolarsError:
                raise OutputError(
                    f"cannot write {target.display}: a batch's column types do not match the first batch's"
                ) from None
        yield batch


def write_db_table(batches: Iterable[pl.DataFrame], uri: str | DbTarget, *, overwrite: bool) -> WriteResult:
    """Writes ``batches`` (frames of one schema) to the table ``uri`` names, atomically.

    The rows go into a fresh ``<table>__rf_tmp_<random>`` table that replaces the destination (or becomes
    it) only after every batch is in; on any failure the temporary table is gone and the destination is
    as it was. ``overwrite=False`` refuses an existing destination. Errors from the batches themselves
    propagate unchanged; database errors become :class:`OutputError` naming the table and an error code.
    """
    target = uri if isinstance(uri, DbTarget) else parse_db_uri(uri)
    dialect = dialect_for(target)
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        raise OutputError(f"nothing to write to {target.display}: the input produced no batches")
    schema = first.schema
    for name, dtype in schema.items():
        dialect.column_type(name, dtype)
    conn = dialect.connect(OutputError)
    try:
        rows = dialect.write(conn, _conformed(first, iterator, target), schema, overwrite)
    except dialect.driver_errors() as exc:
        raise OutputError(f"cannot write {target.display}: {dialect.code(exc)}") from None
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    return WriteResult(
        path=Path(target.location), format=cast(Format, target.kind), rows=rows, columns=list(schema.names())
    )
