"""The versioned schema of the state store, as an ordered list of migrations.

A migration is applied once, in order, inside a transaction, and recorded in ``schema_migrations``. Its
SQL is written to run unchanged on SQLite and PostgreSQL. Migrations are never edited once released: a
change to the schema is a new migration at the end of the list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "workspace metadata",
        ("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",),
    ),
)

LATEST = MIGRATIONS[-1].version
