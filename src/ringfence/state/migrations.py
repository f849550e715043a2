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
    Migration(
        3,
        "ledger: hash-chained entries, their subject digests, signed heads, cosignatures, origins",
        (
            "CREATE TABLE ledger_entries ("
            "idx BIGINT PRIMARY KEY, "
            "id TEXT NOT NULL UNIQUE, "
            "created_at TEXT NOT NULL, "
            "kind TEXT NOT NULL, "
            "data TEXT NOT NULL, "
            "leaf_hash TEXT NOT NULL)",
            "CREATE INDEX ledger_entries_created_at ON ledger_entries (created_at)",
            "CREATE TABLE ledger_subjects ("
            "bucket INTEGER NOT NULL, "
            "idx BIGINT NOT NULL, "
            "n BIGINT NOT NULL, "
            "digests BYTEA NOT NULL, "
            "PRIMARY KEY (bucket, idx))",
            "CREATE INDEX ledger_subjects_idx ON ledger_subjects (idx, bucket)",
            "CREATE TABLE ledger_origins ("
            "epoch INTEGER PRIMARY KEY, "
            "origin TEXT NOT NULL UNIQUE, "
            "start_size BIGINT NOT NULL, "
            "reason TEXT NOT NULL, "
            "created_at TEXT NOT NULL)",
            "CREATE TABLE ledger_heads ("
            "origin TEXT NOT NULL, "
            "size BIGINT NOT NULL, "
            "note TEXT NOT NULL, "
            "created_at TEXT NOT NULL, "
            "PRIMARY KEY (origin, size))",
            "CREATE TABLE ledger_cosignatures ("
            "origin TEXT NOT NULL, "
            "size BIGINT NOT NULL, "
            "witness TEXT NOT NULL, "
            "line TEXT NOT NULL, "
            "created_at TEXT NOT NULL, "
            "PRIMARY KEY (origin, size, line))",
            "CREATE TABLE ledger_lock (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
            "INSERT INTO ledger_lock (id, n) VALUES (1, 0)",
        ),
    ),
    Migration(
        4,
        "recipients and consents: who may receive data, and what each subject agreed to",
        (
            "CREATE TABLE recipients ("
            "id TEXT PRIMARY KEY, "
            "country TEXT NOT NULL, "
            "role TEXT NOT NULL, "
            "purposes TEXT NOT NULL, "
            "affiliate_of TEXT, "
            "mechanism TEXT, "
            "added_at TEXT NOT NULL, "
            "removed_at TEXT)",
            "CREATE TABLE consents ("
            "subject_id TEXT NOT NULL, "
            "purpose TEXT NOT NULL, "
            "recipient TEXT NOT NULL, "
            "granted_at TEXT NOT NULL, "
            "withdrawn_at TEXT, "
            "separate_sensitive INTEGER NOT NULL, "
            "cross_border INTEGER NOT NULL, "
            "imported_at TEXT NOT NULL, "
            "PRIMARY KEY (subject_id, purpose, recipient, granted_at))",
            "CREATE INDEX consents_scope ON consents (purpose, recipient)",
        ),
    ),
    Migration(
        5,
        "references: keyed digests of the identifiers of the company's own records, for trace",
        (
            "CREATE TABLE reference_sets ("
            "name TEXT PRIMARY KEY, "
            "created_at TEXT NOT NULL, "
            "input TEXT NOT NULL, "
            "rows BIGINT NOT NULL, "
            "key_id TEXT NOT NULL, "
            "columns TEXT NOT NULL)",
            "CREATE TABLE reference_digests ("
            "name TEXT NOT NULL, "
            "kind TEXT NOT NULL, "
            "n BIGINT NOT NULL, "
            "digests BYTEA NOT NULL, "
            "PRIMARY KEY (name, kind))",
        ),
    ),
    Migration(
        6,
        "reversals: recorded before the first value is decrypted (started, revealed, aborted)",
        (
            "ALTER TABLE reversals ADD COLUMN state TEXT NOT NULL DEFAULT 'revealed'",
            "ALTER TABLE reversals ADD COLUMN process TEXT",
        ),
    ),
    Migration(
        7,
        "inventory of personal data found by scan, and planted canary identifiers (keyed digests only)",
        (
            "CREATE TABLE inventory ("
            "source TEXT NOT NULL, "
            "table_name TEXT NOT NULL, "
            "column_name TEXT NOT NULL, "
            "entity TEXT, "
            "confidence DOUBLE PRECISION NOT NULL, "
            "table_rows BIGINT NOT NULL, "
            "scanned_at TEXT NOT NULL, "
            "PRIMARY KEY (source, column_name))",
            "CREATE INDEX inventory_table ON inventory (table_name)",
            "CREATE TABLE canaries ("
            "key_id TEXT NOT NULL, "
            "digest TEXT NOT NULL, "
            "label TEXT NOT NULL, "
            "planted_at TEXT NOT NULL, "
            "PRIMARY KEY (key_id, digest))",
        ),
    ),
)
# Versions are applied in order, each once; a version may arrive after a later one was applied (5 was being
# added on another branch when 6 and 7 were written) and is applied whenever it arrives (SqlStore.migrate).
MIGRATIONS = tuple(sorted(MIGRATIONS, key=lambda m: m.version))

LATEST = max(m.version for m in MIGRATIONS)
