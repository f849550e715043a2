"""The reversals table (state migration 2): written and read back on SQLite and PostgreSQL, reached by
upgrading a version-1 store, and refusing a record without a reason."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from ringfence.errors import UsageError
from ringfence.state import SqlStore, open_store
from ringfence.state.migrations import LATEST
from ringfence.state.reversals import (
    ColumnReversal,
    ReversalRecord,
    get_reversal,
    list_reversals,
    record_reversal,
    withdraw_reversal,
)
from tests.conftest import POSTGRES_URL


def _record(reason: str = "chargeback dispute 4711", rows: int = 1_800) -> ReversalRecord:
    return ReversalRecord(
        created_at="2026-11-21T08:00:00+00:00",
        actor="analyst",
        input="out/partner.parquet",
        input_sha256="ab" * 32,
        output="revealed/partner.parquet",
        reference="data/customers.parquet",
        reference_sha256="cd" * 32,
        policy_name="partner",
        policy_hash="sha256:" + "ef" * 32,
        recipient="acme",
        columns={
            "email": ColumnReversal("encrypt", ("0a1b2c3d", "4e5f6a7b"), rows, 0),
            "phone": ColumnReversal("tokenize", ("11223344",), rows - 25, 25),
        },
        rows=rows,
        reason=reason,
    )


def _round_trip(store: SqlStore) -> None:
    assert store.schema_version() == LATEST >= 2
    first, second = _record(), _record(rows=3_000_000_000)  # more rows than a 32-bit integer holds
    assert record_reversal(store, first) == first.id
    record_reversal(store, second)
    assert get_reversal(store, first.id) == first
    assert get_reversal(store, "no-such-id") is None
    assert {r.id for r in list_reversals(store)} == {first.id, second.id}
    assert get_reversal(store, second.id).rows == 3_000_000_000  # type: ignore[union-attr]
    with pytest.raises(UsageError, match="--reason"):
        record_reversal(store, _record(reason="   "))
    assert len(list_reversals(store)) == 2
    # A reason is data, never SQL: quotes and statements are stored as typed, the table is intact.
    hostile = _record(reason='ticket 7\'); DELETE FROM reversals; -- "x" ? %s')
    record_reversal(store, hostile)
    assert get_reversal(store, hostile.id) == hostile and len(list_reversals(store)) == 3
    # Withdrawing (a reversal whose output never appeared) removes that record only.
    withdraw_reversal(store, hostile.id)
    assert {r.id for r in list_reversals(store)} == {first.id, second.id}


def test_reversals_round_trip_on_sqlite(tmp_path: Path) -> None:
    store = open_store("sqlite:///state.db", tmp_path)
    try:
        _round_trip(store)
    finally:
        store.close()


def test_a_version_1_store_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations "
            "(version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO schema_migrations VALUES (1, 'workspace metadata', '2026-01-01')")
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('workspace_id', 'w1')")
    conn.close()
    store = open_store("sqlite:///state.db", tmp_path)
    try:
        assert store.schema_version() == LATEST
        assert store.query("SELECT value FROM meta WHERE key = 'workspace_id'") == [("w1",)]
        assert list_reversals(store) == []
    finally:
        store.close()


@pytest.mark.db
def test_reversals_round_trip_on_postgresql() -> None:
    schema = f"rf_test_{uuid.uuid4().hex[:10]}"
    store = open_store(f"{POSTGRES_URL}?schema={schema}")
    try:
        _round_trip(store)
    finally:
        store.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()
