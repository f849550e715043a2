"""The dialect of each kind of database, declared once."""

from __future__ import annotations

from ringfence.io.db.dialect import Dialect
from ringfence.io.db.mysql import MySql
from ringfence.io.db.postgres import Postgres
from ringfence.io.db.sqlite import Sqlite
from ringfence.io.db.uri import DbKind, DbTarget

DIALECTS: dict[DbKind, type[Dialect]] = {"postgresql": Postgres, "mysql": MySql, "sqlite": Sqlite}


def dialect_for(target: DbTarget) -> Dialect:
    """The dialect that reads and writes ``target``'s database."""
    return DIALECTS[target.kind](target)
