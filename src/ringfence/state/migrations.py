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
    Migration(
        2,
        "reversals: every reveal (decrypt, detokenize) of a protected table",
        (
            "CREATE TABLE reversals ("
            "id TEXT PRIMARY KEY, "
            "created_at TEXT NOT NULL, "
            "actor TEXT NOT NULL, "
            "input TEXT NOT NULL, "
            "input_sha256 TEXT, "
            "output TEXT NOT NULL, "
            "reference TEXT, "
            "reference_sha256 TEXT, "
            "policy_name TEXT NOT NULL, "
            "policy_hash TEXT NOT NULL, "
            "recipient TEXT, "
            "columns TEXT NOT NULL, "
            "rows BIGINT NOT NULL, "
            "reason TEXT NOT NULL)",
            "CREATE INDEX reversals_created_at ON reversals (created_at)",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version
