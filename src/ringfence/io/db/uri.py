"""Database table URIs taken apart: ``postgresql://``, ``mysql://`` (or ``mariadb://``) and ``sqlite:///``.

A table is named by a URI: ``postgresql://user@host:5432/db?table=schema.t``,
``mysql://root@127.0.0.1:3306/test?table=t``, ``sqlite:///relative/file.db?table=t`` (four slashes for an
absolute path, as in SQLAlchemy). ``postgres://``, ``mariadb://`` and SQLAlchemy's ``+driver`` suffixes are
accepted too. The table name must be a plain identifier (``schema.table`` at most), checked against a
pattern that admits no quote, space, dot or semicolon, so ``?table=`` cannot carry SQL.

Guarantees: a password (in the URI or in ``?password=``) is kept in :attr:`DbTarget.password` only; it never
appears in :attr:`DbTarget.location`, :attr:`DbTarget.display`, a ``repr`` or an error message, and error
messages never repeat the URI.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ringfence.errors import UsageError

DbKind = Literal["postgresql", "mysql", "sqlite"]

# The schemes ringfence reads and writes tables at, and the dialect each one names.
SCHEMES: dict[str, DbKind] = dict(
    postgresql="postgresql", postgres="postgresql", mysql="mysql", mariadb="mysql", sqlite="sqlite"
)
IDENTIFIER = re.compile(r"[^\W\d]\w{0,62}")
_PASSWORD_PARAMS = ("password", "passwd")
_HIDDEN_PARAMS = frozenset({*_PASSWORD_PARAMS, "table"})


def db_scheme(spec: str) -> str | None:
    """The lower-cased scheme of a URI (``postgresql+psycopg`` gives ``postgresql``), None for a path."""
    if "://" not in spec:
        return None
    return spec.split("://", 1)[0].lower().split("+", 1)[0]


def is_db_uri(spec: str | os.PathLike[str]) -> bool:
    """True when ``spec`` is a URI of a database ringfence can read and write."""
    return isinstance(spec, str) and db_scheme(spec) in SCHEMES


@dataclass(frozen=True)
class DbTarget:
    """A parsed database table URI: the dialect, the table (``(schema, name)`` or ``(name,)``), the URI
    without its password (``location``) and what connecting needs. The password is kept out of ``repr``
    and of every derived string."""

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
        """E.g. ``postgresql table public.customers`` (``postgresql database test`` when no table)."""
        if not self.table:
            return f"{self.kind} database {self.database}"
        return f"{self.kind} table {self.table_name}"

    def with_table(self, name: str) -> DbTarget:
        """The same database (and password) with ``?table=name`` (checked like a typed one)."""
        table = _table_parts(name, self.kind)
        base, _, query = self.location.partition("?")
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "table"]
        suffix = urlencode([("table", ".".join(table)), *kept], safe=".")
        return replace(self, table=table, location=f"{base}?{suffix}")


def _table_parts(raw: str, kind: DbKind) -> tuple[str, ...]:
    parts = tuple(raw.split("."))
    if not 1 <= len(parts) <= 2 or not all(IDENTIFIER.fullmatch(part) for part in parts):
        raise UsageError(
            f"the {kind} table name in ?table= must be a plain name of letters, digits and underscores "
            "(or schema.table)"
        )
    return parts


def _netloc(user: str | None, host: str | None, port: int | None) -> str:
    """``user@host:port`` without the password, an IPv6 host in brackets."""
    shown = f"[{host}]" if host and ":" in host else (host or "")
    return (quote(user, safe="") + "@" if user else "") + shown + (f":{port}" if port is not None else "")


def parse_db_uri(uri: str, *, any_table: bool = False) -> DbTarget:
    """The table URI taken apart; :class:`UsageError` for an unknown scheme, no table or a bad table name.
    With ``any_table``, a URI without ``?table=`` names the database (``table`` is empty): every table of
    its schema, listed by :func:`ringfence.io.db.read.database_tables`.

    Error messages never repeat the URI (it may hold a password).
    """
    scheme = db_scheme(uri)
    if scheme is None or scheme not in SCHEMES:
        raise UsageError(
            f"unknown URI scheme {scheme!r}; use a file path or a postgresql://, mysql:// or sqlite:/// URI"
        )
    kind = SCHEMES[scheme]
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tables = [value for key, value in query if key == "table"]
    if any_table and not tables:
        table: tuple[str, ...] = ()
    elif len(tables) != 1 or not tables[0]:
        raise UsageError(f"a {kind} URI must name one table with ?table=NAME")
    else:
        table = _table_parts(tables[0], kind)
    params = tuple((key, value) for key, value in query if key not in _HIDDEN_PARAMS)
    password = next((value for key, value in query if key in _PASSWORD_PARAMS), None)
    if parts.password:
        password = unquote(parts.password)
    extra = urlencode(params)
    named = [f"table={'.'.join(table)}"] if table else []
    suffix = "?" + "&".join([*named, *([extra] if extra else [])]) if named or extra else ""
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
    location = f"{kind}://{_netloc(user, host, port)}/{quote(database)}{suffix}"
    return DbTarget(kind, table, location, database, user, host, port, params, password)
