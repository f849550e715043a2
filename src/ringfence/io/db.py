"""Database tables as inputs and outputs: PostgreSQL (psycopg 3), MySQL/MariaDB (PyMySQL) and SQLite.

A table is named by a URI: ``postgresql://user@host:5432/db?table=schema.t``,
``mysql://root@127.0.0.1:3306/test?table=t``, ``sqlite:///relative/file.db?table=t`` (four slashes for an
absolute path, as in SQLAlchemy). ``postgres://``, ``mariadb://`` and SQLAlchemy's ``+driver`` suffixes are
accepted too. The table name must be a plain identifier (``schema.table`` at most), checked against a
pattern that admits no quote, space, dot or semicolon, and it is always quoted in SQL, so ``?table=`` cannot
carry SQL. Column names come from the database or the frame and are quoted with their quote characters
doubled. Every value travels as a bound parameter or through ``COPY``, never inside SQL text.

A password may be in the URI (or in the usual places: ``PGPASSWORD``/``.pgpass`` for PostgreSQL,
``MYSQL_PWD`` for MySQL). It never appears in a display name, a location, a ``repr`` or an error message:
driver messages are reduced to their first line with the password masked (connection failures) or to an
error code (everything after connecting, where a driver message may quote data).

Reading streams: PostgreSQL through a server-side (named) cursor, MySQL through an unbuffered ``SSCursor``,
SQLite through ``fetchmany``; each batch of rows becomes a Polars frame in one call.

Writing is atomic: rows go into a new table ``<table>__rf_tmp_<random>`` (PostgreSQL through ``COPY``,
MySQL and SQLite through ``executemany``), which then replaces or becomes the destination in one step.
PostgreSQL and SQLite do the whole write in one transaction (a failure or a killed process leaves nothing);
MySQL, whose DDL is not transactional, fills and commits the temporary table, swaps it in with one atomic
``RENAME TABLE`` and drops it if anything fails before that.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar, Literal, cast
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import polars as pl

from ringfence.errors import InputError, OutputError, RingfenceError, UsageError
from ringfence.io.formats import Format
from ringfence.io.write import WriteResult

DbKind = Literal["postgresql", "mysql", "sqlite"]

_SCHEMES: dict[str, DbKind] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
_IDENTIFIER = re.compile(r"[^\W\d]\w{0,62}")
_TMP_MARK = "__rf_tmp_"
_SECRET_PARAMS = frozenset({"password", "passwd", "table"})
_CONNECT_TIMEOUT_S = 10
_MAX_DECIMAL_PRECISION = 76

ErrorClass = type[RingfenceError]


def db_scheme(spec: str) -> str | None:
    """The lower-cased scheme of a URI (``postgresql+psycopg`` gives ``postgresql``), None for a path."""
    if "://" not in spec:
        return None
    return spec.split("://", 1)[0].lower().split("+", 1)[0]


def is_db_uri(spec: str | os.PathLike[str]) -> bool:
    """True when ``spec`` is a URI of a database ringfence can read and write."""
    return isinstance(spec, str) and db_scheme(spec) in _SCHEMES


@dataclass(frozen=True)
class DbTarget:
    """A parsed database table URI; the password is kept out of ``repr`` and of every derived string."""

    kind: DbKind
    table: tuple[str, ...]
    location: str
    database: str
    user: str | None = None
    host: str | None = None
    port: int | None = None
    params: tuple[tuple[str, str], ...] = ()
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def table_name(self) -> str:
        return ".".join(self.table)

    @property
    def display(self) -> str:
        """E.g. ``postgresql table public.customers``."""
        return f"{self.kind} table {self.table_name}"


def _table_parts(raw: str, kind: DbKind) -> tuple[str, ...]:
    parts = tuple(raw.split("."))
    if not 1 <= len(parts) <= 2 or not all(_IDENTIFIER.fullmatch(part) for part in parts):
        raise UsageError(
            f"the {kind} table name in ?table= must be a plain name of letters, digits and underscores "
            "(or schema.table)"
        )
    return parts


def parse_db_uri(uri: str) -> DbTarget:
    """The table URI taken apart; :class:`UsageError` for an unknown scheme, no table or a bad table name.

    Error messages never repeat the URI (it may hold a password).
    """
    scheme = db_scheme(uri)
    if scheme is None or scheme not in _SCHEMES:
        raise UsageError(
            f"unknown URI scheme {scheme!r}; use a file path or a postgresql://, mysql:// or sqlite:/// URI"
        )
    kind = _SCHEMES[scheme]
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tables = [value for key, value in query if key == "table"]
    if len(tables) != 1 or not tables[0]:
        raise UsageError(f"a {kind} URI must name one table with ?table=NAME")
    table = _table_parts(tables[0], kind)
    params = tuple((key, value) for key, value in query if key not in _SECRET_PARAMS)
    password = next((value for key, value in query if key in ("password", "passwd")), None)
    if parts.password:
        password = unquote(parts.password)
    extra = urlencode(params)
    suffix = f"?table={'.'.join(table)}" + (f"&{extra}" if extra else "")
    if kind == "sqlite":
        if parts.netloc:
            raise UsageError("a sqlite URI has no host: use sqlite:///relative.db or sqlite:////absolute.db")
        database = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        if not database:
            raise UsageError("a sqlite URI must name the database file: sqlite:///path/to/file.db?table=t")
        return DbTarget(kind, table, f"sqlite:///{quote(database)}{suffix}", database, params=params)
    try:
        port = parts.port
    except ValueError:
        raise UsageError(f"the port in the {kind} URI is not a number") from None
    user = unquote(parts.username) if parts.username else None
    host = parts.hostname
    database = unquote(parts.path.lstrip("/"))
    netloc = (quote(user, safe="") + "@" if user else "") + (host or "")
    if host and ":" in host:
        netloc = (quote(user, safe="") + "@" if user else "") + f"[{host}]"
    if port is not None:
        netloc += f":{port}"
    location = f"{kind}://{netloc}/{quote(database)}{suffix}"
    return DbTarget(kind, table, location, database, user, host, port, params, password)


def _reason(exc: BaseException, password: str | None) -> str:
    """The first line of a connection error, with the password masked; never more than 200 characters."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if password:
        text = text.replace(password, "***")
    return text[:200]


@dataclass(frozen=True)
class DbColumn:
    """A column as ringfence reads it: its name, its Polars type, and the SQL expression that selects it."""

    name: str
    dtype: pl.DataType
    select: str


class _Dialect:
    """What differs between the databases: drivers, quoting, type maps, streaming, existence checks."""

    def __init__(self, target: DbTarget) -> None:
        self.target = target

    # -- connecting and errors --------------------------------------------------------------------
    def connect(self, error: ErrorClass) -> Any:
        raise NotImplementedError

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        raise NotImplementedError

    def code(self, exc: BaseException) -> str:
        """A short, data-free description of a driver error raised after connecting."""
        raise NotImplementedError

    def is_missing_table(self, exc: BaseException) -> bool:
        raise NotImplementedError

    # -- SQL text -----------------------------------------------------------------------------------
    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def qualified(self, parts: Sequence[str]) -> str:
        return ".".join(self.quote(part) for part in parts)

    def placeholder(self) -> str:
        return "%s"

    # -- reading ----------------------------------------------------------------------------------
    def describe(self, conn: Any) -> list[DbColumn]:
        raise NotImplementedError

    def stream(self, conn: Any, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[list[Any]]:
        cur = conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            while rows := cur.fetchmany(batch_rows):
                yield rows
        finally:
            cur.close()

    def sample_filter(self, conn: Any, fraction: float, seed: int) -> tuple[str, list[Any]] | None:
        """A FROM-clause suffix and its parameters that keep about ``fraction`` of rows, or None."""
        return None

    # -- writing ----------------------------------------------------------------------------------
    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        raise NotImplementedError

    def column_type(self, name: str, dtype: pl.DataType) -> str:
        raise NotImplementedError

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        raise NotImplementedError

    def tmp_parts(self) -> tuple[str, ...]:
        suffix = _TMP_MARK + secrets.token_hex(4)
        *schema, name = self.target.table
        return (*schema, name[: 63 - len(suffix)] + suffix)

    def create_sql(self, parts: Sequence[str], schema: pl.Schema) -> str:
        columns = ", ".join(
            f"{self.quote(name)} {self.column_type(name, dtype)}" for name, dtype in schema.items()
        )
        return f"CREATE TABLE {self.qualified(parts)} ({columns})"


def _unsupported(target: DbTarget, name: str, dtype: pl.DataType) -> OutputError:
    return OutputError(
        f"cannot write column {name!r} of type {dtype} to {target.display}; cast it to text or a number first"
    )


def _as_plain_columns(batch: pl.DataFrame) -> pl.DataFrame:
    """Categorical and Enum columns as text, the only change every database needs."""
    return batch.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in batch.schema.items()
        if isinstance(dtype, (pl.Categorical, pl.Enum))
    )


class _Postgres(_Dialect):
    _TYPES: ClassVar[dict[int, pl.DataType]] = {
        16: pl.Boolean(),
        20: pl.Int64(),
        21: pl.Int16(),
        23: pl.Int32(),
        26: pl.Int64(),
        700: pl.Float32(),
        701: pl.Float64(),
        19: pl.String(),
        25: pl.String(),
        1042: pl.String(),
        1043: pl.String(),
        1082: pl.Date(),
        1083: pl.Time(),
        1114: pl.Datetime("us"),
        1184: pl.Datetime("us", "UTC"),
        17: pl.Binary(),
    }
    _NUMERIC = 1700

    def connect(self, error: ErrorClass) -> Any:
        try:
            import psycopg
        except ImportError:
            raise UsageError("PostgreSQL tables need psycopg: pip install 'ringfence[postgres]'") from None
        t = self.target
        kwargs: dict[str, Any] = dict(t.params)
        for key, value in (("host", t.host), ("port", t.port), ("user", t.user), ("password", t.password)):
            if value is not None:
                kwargs[key] = value
        kwargs["dbname"] = t.database or kwargs.get("dbname", "")
        kwargs.setdefault("connect_timeout", _CONNECT_TIMEOUT_S)
        kwargs["options"] = (str(kwargs.get("options", "")) + " -c TimeZone=UTC").strip()
        try:
            return psycopg.connect(**kwargs)
        except psycopg.Error as exc:
            raise error(f"cannot connect to {t.location}: {_reason(exc, t.password)}") from None

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        import psycopg

        return (psycopg.Error,)

    def code(self, exc: BaseException) -> str:
        state = getattr(exc, "sqlstate", None)
        return f"PostgreSQL error {state}" if state else f"PostgreSQL error {type(exc).__name__}"

    def is_missing_table(self, exc: BaseException) -> bool:
        return getattr(exc, "sqlstate", None) in ("42P01", "3F000")

    def describe(self, conn: Any) -> list[DbColumn]:
        cur = conn.execute(f"SELECT * FROM {self.qualified(self.target.table)} LIMIT 0")
        columns = []
        for col in cur.description or ():
            q = self.quote(col.name)
            dtype = self._TYPES.get(col.type_code)
            if col.type_code == self._NUMERIC and col.precision and col.precision <= _MAX_DECIMAL_PRECISION:
                columns.append(DbColumn(col.name, pl.Decimal(col.precision, col.scale or 0), q))
            elif dtype is not None:
                columns.append(DbColumn(col.name, dtype, q))
            else:
                columns.append(DbColumn(col.name, pl.String(), f"{q}::text AS {q}"))
        conn.rollback()
        return columns

    def stream(self, conn: Any, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[list[Any]]:
        with conn.cursor(name=f"rf_read_{secrets.token_hex(4)}") as cur:
            cur.itersize = batch_rows
            cur.execute(sql, tuple(params) if params else None)
            while rows := cur.fetchmany(batch_rows):
                yield rows

    def sample_filter(self, conn: Any, fraction: float, seed: int) -> tuple[str, list[Any]] | None:
        kind = conn.execute(
            "SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(%s)",
            (self.qualified(self.target.table),),
        ).fetchone()
        conn.rollback()
        if kind is None or kind[0] not in ("r", "m", "p"):
            return None
        return " TABLESAMPLE BERNOULLI (%s) REPEATABLE (%s)", [min(100.0, 100.0 * fraction), seed]

    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        row = conn.execute("SELECT to_regclass(%s)", (self.qualified(parts),)).fetchone()
        return row is not None and row[0] is not None

    def column_type(self, name: str, dtype: pl.DataType) -> str:
        simple: dict[type[pl.DataType], str] = {
            pl.String: "text",
            pl.Categorical: "text",
            pl.Enum: "text",
            pl.Null: "text",
            pl.Boolean: "boolean",
            pl.Int8: "smallint",
            pl.Int16: "smallint",
            pl.Int32: "integer",
            pl.Int64: "bigint",
            pl.UInt8: "smallint",
            pl.UInt16: "integer",
            pl.UInt32: "bigint",
            pl.UInt64: "numeric(20, 0)",
            pl.Float32: "real",
            pl.Float64: "double precision",
            pl.Date: "date",
            pl.Time: "time",
            pl.Binary: "bytea",
        }
        if isinstance(dtype, pl.Datetime):
            return "timestamptz" if dtype.time_zone else "timestamp"
        if isinstance(dtype, pl.Decimal):
            return f"numeric({dtype.precision}, {dtype.scale})"
        for cls, sql in simple.items():
            if isinstance(dtype, cls):
                return sql
        raise _unsupported(self.target, name, dtype)

    def _csv_ready(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The batch as COPY's CSV format reads it: bytea as ``\\x`` hex, times to the microsecond."""
        batch = _as_plain_columns(batch)
        return batch.with_columns(
            *(
                (pl.lit("\\x") + pl.col(name).bin.encode("hex")).alias(name)
                for name, dtype in batch.schema.items()
                if isinstance(dtype, pl.Binary)
            ),
            *(
                pl.col(name).dt.strftime("%H:%M:%S%.6f")
                for name, dtype in batch.schema.items()
                if isinstance(dtype, pl.Time)
            ),
        )

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        target = self.target.table
        tmp = self.tmp_parts()
        names = ", ".join(self.quote(name) for name in schema.names())
        rows = 0
        with conn.transaction(), conn.cursor() as cur:
            if not overwrite and self.exists(conn, target):
                raise OutputError(f"{self.target.display} exists; pass --force to replace it")
            cur.execute(self.create_sql(tmp, schema))
            with cur.copy(f"COPY {self.qualified(tmp)} ({names}) FROM STDIN (FORMAT csv)") as copy:
                for batch in batches:
                    copy.write(self._csv_ready(batch).write_csv(include_header=False).encode("utf-8"))
                    rows += batch.height
            if overwrite:
                cur.execute(f"DROP TABLE IF EXISTS {self.qualified(target)}")
            cur.execute(f"ALTER TABLE {self.qualified(tmp)} RENAME TO {self.quote(target[-1])}")
        return rows


class _MySql(_Dialect):
    _TEXT = frozenset({"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"})
    _INTS = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"})
    _BINARY = frozenset({"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def connect(self, error: ErrorClass) -> Any:
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
                connect_timeout=_CONNECT_TIMEOUT_S,
                autocommit=False,
            )
        except pymysql.MySQLError as exc:
            raise error(f"cannot connect to {t.location}: {_reason(exc, password)}") from None

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        import pymysql

        return (pymysql.MySQLError,)

    def code(self, exc: BaseException) -> str:
        args: tuple[Any, ...] = getattr(exc, "args", ())
        number = args[0] if args and isinstance(args[0], int) else type(exc).__name__
        return f"MySQL error {number}"

    def is_missing_table(self, exc: BaseException) -> bool:
        args: tuple[Any, ...] = getattr(exc, "args", ())
        return bool(args) and args[0] in (1146, 1049)

    def _schema_name(self) -> str | None:
        return self.target.table[0] if len(self.target.table) == 2 else None

    def describe(self, conn: Any) -> list[DbColumn]:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE "
                "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(%s, DATABASE()) "
                "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
                (self._schema_name(), self.target.table[-1]),
            )
            found = cur.fetchall()
        conn.rollback()
        if not found:
            raise InputError(f"{self.target.display}: no such table in database {self.target.database!r}")
        columns = []
        for name, data_type, column_type, precision, scale in found:
            name = str(name)
            kind = str(data_type).lower()
            q = self.quote(name)
            if kind in self._INTS:
                unsigned = kind == "bigint" and "unsigned" in str(column_type).lower()
                columns.append(DbColumn(name, pl.UInt64() if unsigned else pl.Int64(), q))
            elif kind in ("decimal", "numeric") and precision and int(precision) <= _MAX_DECIMAL_PRECISION:
                columns.append(DbColumn(name, pl.Decimal(int(precision), int(scale or 0)), q))
            elif kind in ("float", "double", "real"):
                columns.append(DbColumn(name, pl.Float64(), q))
            elif kind == "bit":
                columns.append(DbColumn(name, pl.UInt64(), f"CAST({q} AS UNSIGNED) AS {q}"))
            elif kind == "date":
                columns.append(DbColumn(name, pl.Date(), q))
            elif kind in ("datetime", "timestamp"):
                columns.append(DbColumn(name, pl.Datetime("us"), q))
            elif kind in self._TEXT:
                columns.append(DbColumn(name, pl.String(), q))
            elif kind in self._BINARY:
                columns.append(DbColumn(name, pl.Binary(), q))
            else:
                columns.append(DbColumn(name, pl.String(), f"CAST({q} AS CHAR) AS {q}"))
        return columns

    def stream(self, conn: Any, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[list[Any]]:
        import pymysql.cursors

        # An unbuffered cursor closed early still reads the rest of the result off the wire (the MySQL
        # protocol cannot cancel it), so a reader that stops early pays for the whole table.
        cur = conn.cursor(pymysql.cursors.SSCursor)
        try:
            cur.execute(sql, tuple(params) if params else None)
            while rows := cur.fetchmany(batch_rows):
                yield list(rows)
        finally:
            cur.close()

    def sample_filter(self, conn: Any, fraction: float, seed: int) -> tuple[str, list[Any]] | None:
        return " WHERE RAND(%s) < %s", [seed, fraction]

    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        schema = parts[0] if len(parts) == 2 else None
        with conn.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(%s, DATABASE()) "
                "AND TABLE_NAME = %s",
                (schema, parts[-1]),
            )
            return cur.fetchone() is not None

    def column_type(self, name: str, dtype: pl.DataType) -> str:
        simple: dict[type[pl.DataType], str] = {
            pl.String: "LONGTEXT",
            pl.Categorical: "LONGTEXT",
            pl.Enum: "LONGTEXT",
            pl.Null: "LONGTEXT",
            pl.Boolean: "BOOLEAN",
            pl.Int8: "TINYINT",
            pl.Int16: "SMALLINT",
            pl.Int32: "INT",
            pl.Int64: "BIGINT",
            pl.UInt8: "TINYINT UNSIGNED",
            pl.UInt16: "SMALLINT UNSIGNED",
            pl.UInt32: "INT UNSIGNED",
            pl.UInt64: "BIGINT UNSIGNED",
            pl.Float32: "FLOAT",
            pl.Float64: "DOUBLE",
            pl.Date: "DATE",
            pl.Time: "TIME(6)",
            pl.Datetime: "DATETIME(6)",
            pl.Binary: "LONGBLOB",
        }
        if isinstance(dtype, pl.Decimal):
            if (dtype.precision or 0) > 65:
                raise _unsupported(self.target, name, dtype)
            return f"DECIMAL({dtype.precision}, {dtype.scale})"
        for cls, sql in simple.items():
            if isinstance(dtype, cls):
                return sql
        raise _unsupported(self.target, name, dtype)

    def create_sql(self, parts: Sequence[str], schema: pl.Schema) -> str:
        return super().create_sql(parts, schema) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

    def _rows_ready(self, batch: pl.DataFrame) -> pl.DataFrame:
        """Zoned timestamps as UTC wall-clock time, which is what a MySQL DATETIME can hold.

        MySQL has no float infinity or NaN; a batch holding one is refused rather than changed.
        """
        batch = _as_plain_columns(batch)
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
            raise OutputError(f"{self.target.display} exists; pass --force to replace it")
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


class _Sqlite(_Dialect):
    def _path(self) -> Path:
        return Path(self.target.database)

    def connect(self, error: ErrorClass) -> Any:
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

    def describe(self, conn: Any) -> list[DbColumn]:
        table = self.target.table[-1]
        prefix = f"{self.quote(self.target.table[0])}." if len(self.target.table) == 2 else ""
        found = conn.execute(f"PRAGMA {prefix}table_info({self.quote(table)})").fetchall()
        if not found:
            raise InputError(f"{self.target.display}: no such table in {self._path().name}")
        columns = []
        for _cid, name, declared, *_ in found:
            q = self.quote(name)
            affinity = str(declared or "").upper()
            if "INT" in affinity:
                columns.append(DbColumn(name, pl.Int64(), q))
            elif any(word in affinity for word in ("REAL", "FLOA", "DOUB")):
                columns.append(DbColumn(name, pl.Float64(), q))
            elif "BLOB" in affinity:
                columns.append(DbColumn(name, pl.Binary(), q))
            else:
                columns.append(DbColumn(name, pl.String(), f"CAST({q} AS TEXT) AS {q}"))
        return columns

    def placeholder(self) -> str:
        return "?"

    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        master = f"{self.quote(parts[0])}.sqlite_master" if len(parts) == 2 else "sqlite_master"
        row = conn.execute(
            f"SELECT 1 FROM {master} WHERE type = 'table' AND name = ?", (parts[-1],)
        ).fetchone()
        return row is not None

    def column_type(self, name: str, dtype: pl.DataType) -> str:
        if isinstance(dtype, (pl.String, pl.Categorical, pl.Enum, pl.Null, pl.Date, pl.Datetime, pl.Time)):
            return "TEXT"
        if isinstance(dtype, pl.Decimal):
            return "TEXT"
        if dtype.is_integer() or isinstance(dtype, pl.Boolean):
            return "INTEGER"
        if dtype.is_float():
            return "REAL"
        if isinstance(dtype, pl.Binary):
            return "BLOB"
        raise _unsupported(self.target, name, dtype)

    @staticmethod
    def _rows_ready(batch: pl.DataFrame) -> pl.DataFrame:
        """Dates, times and decimals as ISO / exact text (SQLite has no such types)."""
        batch = _as_plain_columns(batch)
        return batch.with_columns(
            pl.col(name).cast(pl.String)
            for name, dtype in batch.schema.items()
            if isinstance(dtype, (pl.Date, pl.Datetime, pl.Time, pl.Decimal))
        )

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        target = self.target.table
        tmp = self.tmp_parts()
        names = ", ".join(self.quote(name) for name in schema.names())
        insert = f"INSERT INTO {self.qualified(tmp)} ({names}) VALUES ({', '.join(['?'] * len(schema))})"
        rows = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not overwrite and self.exists(conn, target):
                raise OutputError(f"{self.target.display} exists; pass --force to replace it")
            conn.execute(self.create_sql(tmp, schema))
            for batch in batches:
                conn.executemany(insert, self._rows_ready(batch).rows())
                rows += batch.height
            if overwrite:
                conn.execute(f"DROP TABLE IF EXISTS {self.qualified(target)}")
            conn.execute(f"ALTER TABLE {self.qualified(tmp)} RENAME TO {self.quote(target[-1])}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return rows


def _dialect(target: DbTarget) -> _Dialect:
    if target.kind == "postgresql":
        return _Postgres(target)
    if target.kind == "mysql":
        return _MySql(target)
    return _Sqlite(target)


class DbTable:
    """One database table read as batches of Polars frames (the backend of a database Source)."""

    def __init__(self, target: DbTarget) -> None:
        self.target = target
        self.dialect = _dialect(target)
        self._columns: list[DbColumn] | None = None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
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
            with self._connection() as conn:
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
        with self._connection() as conn:
            for rows in self.dialect.stream(conn, sql, params, batch_rows):
                produced = True
                yield self._frame(rows, selected)
        if not produced:
            yield pl.DataFrame(schema={column.name: column.dtype for column in selected})

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        yield from self._query(batch_rows, columns)

    def count_rows(self) -> int:
        with self._connection() as conn:
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
        with self._connection() as conn:
            clause = self.dialect.sample_filter(conn, min(1.0, expected / total), seed)
        if clause is None:
            return None
        return self._query(max(1024, min(n, 262_144)), None, clause[0], clause[1])


def open_table(uri: str) -> tuple[DbTarget, DbTable]:
    """The parsed URI and a reader for its table; connects once to check the table and learn its columns."""
    target = parse_db_uri(uri)
    table = DbTable(target)
    table.columns()
    return target, table


def write_db_table(batches: Iterable[pl.DataFrame], uri: str, *, overwrite: bool) -> WriteResult:
    """Writes ``batches`` (frames of one schema) to the table ``uri`` names, atomically.

    The rows go into a fresh ``<table>__rf_tmp_<random>`` table that replaces the destination (or becomes
    it) only after every batch is in; on any failure the temporary table is gone and the destination is
    as it was. ``overwrite=False`` refuses an existing destination. Errors from the batches themselves
    propagate unchanged; database errors become :class:`OutputError` naming the table and an error code.
    """
    target = parse_db_uri(uri)
    dialect = _dialect(target)
    iterator = iter(batches)
    first = next(iterator, None)
    if first is None:
        raise OutputError(f"nothing to write to {target.display}: the input produced no batches")
    schema = first.schema
    for name, dtype in schema.items():
        dialect.column_type(name, dtype)

    def conformed() -> Iterator[pl.DataFrame]:
        for batch in chain([first], iterator):
            if batch.schema != schema:
                if batch.columns != list(schema.names()):
                    raise OutputError(
                        f"cannot write {target.display}: the batches do not share one set of columns"
                    )
                try:
                    batch = batch.cast(schema, strict=True)
                except pl.exceptions.PolarsError:
                    raise OutputError(
                        f"cannot write {target.display}: "
                        "a batch's column types do not match the first batch's"
                    ) from None
            yield batch

    conn = dialect.connect(OutputError)
    try:
        rows = dialect.write(conn, conformed(), schema, overwrite)
    except dialect.driver_errors() as exc:
        raise OutputError(f"cannot write {target.display}: {dialect.code(exc)}") from None
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    return WriteResult(
        path=Path(target.location), format=cast(Format, target.kind), rows=rows, columns=list(schema.names())
    )
