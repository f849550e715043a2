"""Reading one database table as batches of Polars frames: the backend of a database ``Source``.

Guarantees: rows are streamed (a server-side cursor, an unbuffered cursor or ``fetchmany``), one batch of
rows becomes one Polars frame in one call, and at most one batch is held at a time. A table without rows
gives one empty frame, so its columns are always known. Driver errors become one-line
:class:`~ringfence.errors.InputError`\\ s naming the table and an error code, never the driver's text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl

from ringfence.errors import InputError, UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.db.dialect import DbColumn, Dialect
from ringfence.io.db.dialects import dialect_for
from ringfence.io.db.uri import IDENTIFIER, DbTarget, parse_db_uri


class DbTable:
    """One database table read as batches of Polars frames (the backend of a database Source)."""

    def __init__(self, target: DbTarget) -> None:
        self.target = target
        self.dialect: Dialect = dialect_for(target)
        self._columns: list[DbColumn] | None = None

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        conn = self.dialect.connect(InputError)
        try:
            yield conn
        except self.dialect.driver_errors() as exc:
            if self.dialect.is_missing_table(exc):
                raise InputError(f"{self.target.display}: no such table") from None
            raise InputError(f"{self.target.display}: cannot read it ({self.dialect.code(exc)})") from None
        finally:
            with contextlib.suppress(Exception):
                conn.close()

    def columns(self) -> list[DbColumn]:
        if self._columns is None:
            with self.connection() as conn:
                self._columns = self.dialect.describe(conn)
        return self._columns

    def schema(self) -> pl.Schema:
        return pl.Schema({column.name: column.dtype for column in self.columns()})

    def _selected(self, columns: list[str] | None) -> list[DbColumn]:
        known = {column.name: column for column in self.columns()}
        if columns is None:
            return list(known.values())
        missing = [name for name in columns if name not in known]
        if missing:
            raise UsageError(f"{self.target.display}: no column {missing[0]!r}")
        return [known[name] for name in columns]

    def _frame(self, rows: list[Any], selected: list[DbColumn]) -> pl.DataFrame:
        schema = {column.name: column.dtype for column in selected}
        try:
            return pl.DataFrame(rows, schema=schema, orient="row")
        except (pl.exceptions.PolarsError, TypeError, ValueError, OverflowError):
            raise InputError(
                f"{self.target.display}: some values do not match their column's declared type"
            ) from None

    def _query(
        self, batch_rows: int, columns: list[str] | None, suffix: str = "", params: Sequence[Any] = ()
    ) -> Iterator[pl.DataFrame]:
        selected = self._selected(columns)
        select = ", ".join(column.select for column in selected)
        if params and self.dialect.placeholder() == "%s":
            select = select.replace("%", "%%")  # a ``%`` in a column name is not a placeholder
        sql = f"SELECT {select} FROM {self.dialect.qualified(self.target.table)}{suffix}"
        produced = False
        with self.connection() as conn:
            for rows in self.dialect.stream(conn, sql, params, batch_rows):
                produced = True
                yield self._frame(rows, selected)
        if not produced:
            yield pl.DataFrame(schema={column.name: column.dtype for column in selected})

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        yield from self._query(batch_rows, columns)

    def count_rows(self) -> int:
        with self.connection() as conn:
            cur = conn.cursor()
            try:
                cur.execute(f"SELECT COUNT(*) FROM {self.dialect.qualified(self.target.table)}")
                row = cur.fetchone()
            finally:
                cur.close()
            return int(row[0]) if row else 0

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        """Rows pre-drawn by the server (each kept with the same probability), or None to read them all.

        The probability is set so that well over ``n`` rows come back (about 1.5 n plus ten standard
        deviations); the final uniform draw of exactly ``n`` is made by the caller.
        """
        total = self.count_rows()
        if total <= n:
            return None
        expected = 1.5 * n + 10 * n**0.5 + 20
        with self.connection() as conn:
            clause = self.dialect.sample_filter(conn, min(1.0, expected / total), seed)
        if clause is None:
            return None
        return self._query(max(1024, min(n, BATCH_ROWS)), None, clause[0], clause[1])


def database_tables(uri: str | DbTarget) -> list[DbTarget]:
    """Every base table of the schema a URI without ``?table=`` names (see :meth:`Dialect.tables`), as
    targets to open; a table whose name is not a plain identifier cannot be named in a URI and is
    refused with the count of such tables. An empty schema is an :class:`InputError`."""
    target = uri if isinstance(uri, DbTarget) else parse_db_uri(uri, any_table=True)
    reader = DbTable(target)
    with reader.connection() as conn:
        names = reader.dialect.tables(conn)
    plain = [name for name in names if IDENTIFIER.fullmatch(name)]
    if len(plain) < len(names):
        raise InputError(
            f"{target.display}: {len(names) - len(plain)} table name(s) are not plain identifiers; name "
            "the tables to read one by one with ?table=NAME"
        )
    if not plain:
        raise InputError(f"{target.display}: the schema has no tables")
    return [target.with_table(name) for name in plain]


def open_table(uri: str | DbTarget) -> tuple[DbTarget, DbTable]:
    """The parsed URI and a reader for its table; connects once to check the table and learn its columns."""
    target = uri if isinstance(uri, DbTarget) else parse_db_uri(uri)
    table = DbTable(target)
    table.columns()
    return target, table
