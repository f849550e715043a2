"""SQLite through the standard library: read with ``fetchmany``, written by ``executemany``.

Guarantees: a read opens the file read-only (``mode=ro``) and never creates it; a write happens in one
``BEGIN IMMEDIATE`` transaction (create the temporary table, fill it, drop the old table, rename), so a
failure or a killed process leaves nothing. SQLite has no date, time or decimal types: those are written as
ISO / exact text. Column types are read by SQLite's own affinity rules (``INT`` anywhere in the declared type
means integer, and so on).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import polars as pl

from ringfence.errors import InputError, OutputError
from ringfence.io.db import dialect as base
from ringfence.io.db.dialect import DbColumn, Dialect
from ringfence.io.db.types import sqlite_type
from ringfence.io.db.uri import DbKind

_WRITTEN_AS_TEXT: tuple[type[pl.DataType], ...] = (pl.Date, pl.Datetime, pl.Time, pl.Decimal)


class Sqlite(Dialect):
    TEXT_CAST: ClassVar[str] = "CAST({q} AS TEXT) AS {q}"
    KIND: ClassVar[DbKind] = "sqlite"

    def _path(self) -> Path:
        return Path(self.target.database)

    def connect(self, error: base.ErrorClass) -> Any:
        path = self._path()
        try:
            if error is InputError:
                if not path.is_file():
                    raise InputError(f"{path.name}: no such SQLite database file")
                uri = "file:" + quote(str(path.resolve())) + "?mode=ro"
                # A lazy scan may resume or close the reading generator on a Polars worker thread.
                return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            if not path.parent.is_dir():
                raise OutputError(f"cannot write {path.name}: folder {path.parent} does not exist")
            return sqlite3.connect(path, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise error(f"cannot open SQLite database {path.name}: {type(exc).__name__}") from None

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def code(self, exc: BaseException) -> str:
        name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        return f"SQLite error {name}"

    def is_missing_table(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "no such table" in str(exc)

    def tables(self, conn: Any) -> list[str]:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def describe(self, conn: Any) -> list[DbColumn]:
        table = self.target.table[-1]
        prefix = f"{self.quote(self.target.table[0])}." if len(self.target.table) == 2 else ""
        found = conn.execute(f"PRAGMA {prefix}table_info({self.quote(table)})").fetchall()
        if not found:
            raise InputError(f"{self.target.display}: no such table in {self._path().name}")
        return [self.column(name, sqlite_type(declared)) for _cid, name, declared, *_ in found]

    def placeholder(self) -> str:
        return "?"

    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        master = f"{self.quote(parts[0])}.sqlite_master" if len(parts) == 2 else "sqlite_master"
        row = conn.execute(
            f"SELECT 1 FROM {master} WHERE type = 'table' AND name = ?", (parts[-1],)
        ).fetchone()
        return row is not None

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        tmp = self.tmp_parts()
        names = ", ".join(self.quote(name) for name in schema.names())
        insert = f"INSERT INTO {self.qualified(tmp)} ({names}) VALUES ({', '.join(['?'] * len(schema))})"
        rows = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not overwrite and self.exists(conn, self.target.table):
                raise self.refuse_existing()
            conn.execute(self.create_sql(tmp, schema))
            for batch in batches:
                conn.executemany(insert, base.as_plain_columns(batch, *_WRITTEN_AS_TEXT).rows())
                rows += batch.height
            for statement in self.swap_in(tmp, overwrite):
                conn.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return rows
