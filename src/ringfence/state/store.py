"""The state store: a small SQL database with a versioned schema, on SQLite or PostgreSQL.

``open_store(url)`` takes ``sqlite:///relative/or/absolute.db`` (relative to the workspace) or
``postgresql://user@host:port/db?schema=name`` (default schema ``ringfence``). SQL in ringfence uses ``?``
placeholders on both engines. Passwords in URLs never reach a message: :func:`redact_url`; nor a file:
a workspace keeps the URL :func:`without_password`, and libpq takes the password from ``PGPASSWORD`` or a
``.pgpass`` file (mode 0600).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ringfence.errors import UsageError, WorkspaceError
from ringfence.state.migrations import LATEST, MIGRATIONS

Params = Sequence[Any]
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _password_replaced(url: str, by: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", by)))


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``."""
    return _password_replaced(url, ":***@")


def without_password(url: str) -> str:
    """The URL with its password (if any) removed, for storing: the password comes from the environment."""
    return _password_replaced(url, "@")


class StateStore(Protocol):
    """What every state backend offers."""

    url: str

    def execute(self, sql: str, params: Params = ()) -> None: ...
    def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...
    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...
    def transaction(self) -> contextlib.AbstractContextManager[None]: ...
    def schema_version(self) -> int: ...
    def close(self) -> None: ...


class SqlStore:
    """Shared logic; subclasses provide a DB-API connection and the placeholder style."""

    url: str
    placeholder = "?"

    def __init__(self) -> None:
        self._conn: Any = None
        self._depth = 0

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def execute(self, sql: str, params: Params = ()) -> None:
        cur = self._conn.cursor()
        cur.execute(self._sql(sql), tuple(params))
        cur.close()
        if self._depth == 0:
            self._conn.commit()

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """One statement for each row of parameters (the driver batches them)."""
        if not rows:
            return
        cur = self._conn.cursor()
        cur.executemany(self._sql(sql), [tuple(r) for r in rows])
        cur.close()
        if self._depth == 0:
            self._conn.commit()

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        cur = self._conn.cursor()
        cur.execute(self._sql(sql), tuple(params))
        rows = [tuple(r) for r in cur.fetchall()]
        cur.close()
        if self._depth == 0:
            self._conn.commit()
        return rows

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together, or none do."""
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._conn.rollback()
            raise
        self._depth -= 1
        if self._depth == 0:
            self._conn.commit()

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError

    def schema_version(self) -> int:
        if not self._has_table("schema_migrations"):
            return 0
        rows = self.query("SELECT MAX(version) FROM schema_migrations")
        return int(rows[0][0] or 0)

    def migrate(self) -> int:
        """Applies every migration not yet applied; returns the schema version reached."""
        current = self.schema_version()
        if current > LATEST:
            raise WorkspaceError(
                f"the state store is at schema version {current}, newer than this ringfence ({LATEST}); "
                "upgrade ringfence"
            )
        with self.transaction():
            if current == 0:
                self.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
            # Every migration not applied yet, in order (a version added between two released ones, by
            # a branch that landed later, is applied too).
            applied = {int(v) for (v,) in self.query("SELECT version FROM schema_migrations")}
            for migration in MIGRATIONS:
                if migration.version in applied:
                    continue
                for statement in migration.statements:
                    self.execute(statement)
                self.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.description, dt.datetime.now(dt.UTC).isoformat()),
                )
        return self.schema_version()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class SqliteStore(SqlStore):
    """The default store: one SQLite file in the workspace (WAL journal, foreign keys on)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.url = f"sqlite:///{path}"
        try:
            self._conn = sqlite3.connect(path, timeout=30, isolation_level="DEFERRED")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:
            raise WorkspaceError(f"the state store {path} cannot be opened") from None

    def _has_table(self, name: str) -> bool:
        rows = self.query("SELECT name FROM sqlite_master WHERE type='table' AND name=?", (name,))
        return bool(rows)


class PostgresStore(SqlStore):
    """A shared store on PostgreSQL, in its own schema (default ``ringfence``)."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        schema = query.get("schema", ["ringfence"])[0]
        if not _IDENT.match(schema):
            raise UsageError("the state store schema name must be a plain identifier")
        self.schema = schema
        self.url = redact_url(url)
        try:
            import psycopg
        except ImportError:
            raise UsageError("a PostgreSQL state store needs: pip install 'ringfence[postgres]'") from None
        dsn = urlunsplit(parts._replace(query=""))
        try:
            self._conn = psycopg.connect(dsn, connect_timeout=10)
            with self._conn.cursor() as cur:
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                cur.execute(f'SET search_path TO "{schema}"')
            self._conn.commit()
        except psycopg.Error:
            raise WorkspaceError(f"cannot connect to the state store at {self.url}") from None

    def _has_table(self, name: str) -> bool:
        rows = self.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            (self.schema, name),
        )
        return bool(rows)


def open_store(url: str, base_dir: Path | None = None, *, migrate: bool = True) -> SqlStore:
    """Opens (and by default migrates) the store at ``url``; SQLite paths are relative to ``base_dir``."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        store: SqlStore = SqliteStore(path)
    elif url.startswith(("postgresql://", "postgres://")):
        store = PostgresStore(url)
    else:
        raise UsageError("the state store must be a sqlite:/// or postgresql:// URL")
    if migrate:
        store.migrate()
    return store
