"""MySQL and MariaDB through PyMySQL: read through an unbuffered ``SSCursor``, written by ``executemany``.

Guarantees: tables are created ``utf8mb4`` with a binary collation (text round-trips byte for byte);
zoned timestamps are written as UTC wall-clock time (a ``DATETIME`` holds no zone); a float column holding
infinity or NaN is refused rather than changed. MySQL's DDL is not transactional, so a write fills and
commits the temporary table, swaps it in with one atomic ``RENAME TABLE`` and drops it if anything fails
before that. The password comes from the URI or ``MYSQL_PWD`` and never reaches a message.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import polars as pl

from ringfence.errors import InputError, OutputError, UsageError
from ringfence.io.db import dialect as base
from ringfence.io.db.dialect import DbColumn, Dialect
from ringfence.io.db.types import MAX_DECIMAL_PRECISION, MYSQL_TYPES
from ringfence.io.db.uri import DbKind


def _args(exc: BaseException) -> tuple[Any, ...]:
    args: tuple[Any, ...] = getattr(exc, "args", ())
    return args


class MySql(Dialect):
    TEXT_CAST: ClassVar[str] = "CAST({q} AS CHAR) AS {q}"
    KIND: ClassVar[DbKind] = "mysql"

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def connect(self, error: base.ErrorClass) -> Any:
        try:
            import pymysql
        except ImportError:
            raise UsageError("MySQL tables need PyMySQL: pip install 'ringfence[mysql]'") from None
        t = self.target
        params = dict(t.params)
        password = t.password if t.password is not None else os.environ.get("MYSQL_PWD", "")
        try:
            return pymysql.connect(
                host=t.host or "localhost",
                port=t.port or 3306,
                user=t.user,
                password=password,
                database=t.database or None,
                unix_socket=params.get("unix_socket"),
                charset="utf8mb4",
                connect_timeout=base.CONNECT_TIMEOUT_S,
                autocommit=False,
            )
        except pymysql.MySQLError as exc:
            raise error(f"cannot connect to {t.location}: {base.reason(exc, password)}") from None

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        import pymysql

        return (pymysql.MySQLError,)

    def code(self, exc: BaseException) -> str:
        args = _args(exc)
        number = args[0] if args and isinstance(args[0], int) else type(exc).__name__
        return f"MySQL error {number}"

    def is_missing_table(self, exc: BaseException) -> bool:
        args = _args(exc)
        return bool(args) and args[0] in (1146, 1049)

    def _fetch(self, conn: Any, sql: str, parts: Sequence[str]) -> list[Any]:
        """Rows of an information_schema query on ``(schema or the connection's database, table)``."""
        schema = parts[0] if len(parts) == 2 else None
        with conn.cursor() as cur:
            cur.execute(sql, (schema, parts[-1]))
            return list(cur.fetchall())

    def tables(self, conn: Any) -> list[str]:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                "AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"
            )
            found = [str(row[0]) for row in cur.fetchall()]
        conn.rollback()
        return found

    def describe(self, conn: Any) -> list[DbColumn]:
        found = self._fetch(
            conn,
            "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE "
            "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(%s, DATABASE()) "
            "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
            self.target.table,
        )
        conn.rollback()
        if not found:
            raise InputError(f"{self.target.display}: no such table in database {self.target.database!r}")
        columns = []
        for name, data_type, column_type, precision, scale in found:
            kind = str(data_type).lower()
            if kind == "bigint" and "unsigned" in str(column_type).lower():
                columns.append(self.column(str(name), pl.UInt64()))
            elif kind in ("decimal", "numeric") and precision and int(precision) <= MAX_DECIMAL_PRECISION:
                columns.append(self.column(str(name), pl.Decimal(int(precision), int(scale or 0))))
            elif kind in MYSQL_TYPES:
                columns.append(self.column(str(name), *MYSQL_TYPES[kind]))
            else:
                columns.append(self.column(str(name), None))
        return columns

    def stream(self, conn: Any, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[list[Any]]:
        import pymysql.cursors

        # An unbuffered cursor closed early still reads the rest of the result off the wire (the MySQL
        # protocol cannot cancel it), so a reader that stops early pays for the whole table.
        cur = conn.cursor(pymysql.cursors.SSCursor)
        try:
            cur.execute(sql, base.bound(params))
            while rows := cur.fetchmany(batch_rows):
                yield list(rows)
        finally:
            cur.close()

    def sample_filter(self, conn: Any, fraction: float, seed: int) -> tuple[str, list[Any]] | None:
        return " WHERE RAND(%s) < %s", [seed, fraction]

    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        sql = (
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(%s, DATABASE()) "
            "AND TABLE_NAME = %s"
        )
        return bool(self._fetch(conn, sql, parts))

    def create_sql(self, parts: Sequence[str], schema: pl.Schema) -> str:
        return super().create_sql(parts, schema) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

    def _rows_ready(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Zoned timestamps as UTC wall-clock time, which is what a MySQL DATETIME can hold.

        MySQL has no float infinity or NaN; a batch holding one is refused rather than changed.
        """
        batch = base.as_plain_columns(batch)
        floats = [name for name, dtype in batch.schema.items() if dtype.is_float()]
        if floats:
            bad = batch.select((~pl.col(floats).is_finite()).fill_null(False).any()).row(0)
            for name, flag in zip(floats, bad, strict=True):
                if flag:
                    raise OutputError(
                        f"cannot write column {name!r} to {self.target.display}: "
                        "it holds infinity or NaN, which MySQL cannot store"
                    )
        return batch.with_columns(
            pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            for name, dtype in batch.schema.items()
            if isinstance(dtype, pl.Datetime) and dtype.time_zone
        )

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        target = self.target.table
        tmp = self.tmp_parts()
        # PyMySQL formats the statement with ``%``: a ``%`` in a column name must be doubled.
        names = ", ".join(self.quote(name).replace("%", "%%") for name in schema.names())
        insert = f"INSERT INTO {self.qualified(tmp)} ({names}) VALUES ({', '.join(['%s'] * len(schema))})"
        rows = 0
        exists = self.exists(conn, target)
        if exists and not overwrite:
            raise self.refuse_existing()
        with conn.cursor() as cur:
            cur.execute(self.create_sql(tmp, schema))
            try:
                for batch in batches:
                    if batch.height:
                        cur.executemany(insert, self._rows_ready(batch).rows())
                    rows += batch.height
                conn.commit()
                if exists:
                    old = (*target[:-1], target[-1][:50] + "__rf_old_" + secrets.token_hex(2))
                    cur.execute(
                        f"RENAME TABLE {self.qualified(target)} TO {self.qualified(old)}, "
                        f"{self.qualified(tmp)} TO {self.qualified(target)}"
                    )
                    cur.execute(f"DROP TABLE {self.qualified(old)}")
                else:
                    cur.execute(f"RENAME TABLE {self.qualified(tmp)} TO {self.qualified(target)}")
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.rollback()
                    cur.execute(f"DROP TABLE IF EXISTS {self.qualified(tmp)}")
                raise
        return rows
