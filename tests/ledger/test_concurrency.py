"""Two processes appending at once both land, as separate entries of one verifiable chain, on SQLite and
on the real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from ringfence.keys import Keyset
from ringfence.ledger import Ledger
from ringfence.state import open_store
from tests.conftest import POSTGRES_URL

PER_PROCESS = 40

WORKER = textwrap.dedent(
    """
    import sys
    import polars as pl
    from ringfence.keys import Keyset
    from ringfence.ledger import Entry, Ledger
    from ringfence.state import open_store

    url, keyset, who, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = open_store(url)
    ledger = Ledger(store, Keyset.load(keyset))
    for i in range(n):
        ledger.append(Entry("release", {"release_id": f"{who}-{i}"}), pl.Series([f"{who}-s{i}", "shared"]))
    store.close()
    """
)


def _race(url: str, tmp_path: Path) -> None:
    keys = Keyset.generate()
    keyset = tmp_path / "keyset.json"
    keys.save(keyset)
    store = open_store(url)  # migrated once, before the race
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, str(keyset), who, str(PER_PROCESS)])
        for who in ("a", "b")
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    ledger = Ledger(store, keys)
    report = ledger.verify()
    assert report.ok and report.size == 2 * PER_PROCESS
    ids = sorted(e.fields["release_id"] for e in ledger.entries())
    assert ids == sorted(f"{w}-{i}" for w in "ab" for i in range(PER_PROCESS))
    assert len(ledger.subject("shared")) == 2 * PER_PROCESS
    assert [d.release_id for d in ledger.subject("b-s7")] == ["b-7"]
    store.close()


def test_two_processes_append_at_once_on_sqlite(tmp_path: Path) -> None:
    _race(f"sqlite:///{tmp_path}/state.db", tmp_path)


@pytest.mark.db
def test_two_processes_append_at_once_on_postgresql(tmp_path: Path) -> None:
    schema = f"rf_ledger_{uuid.uuid4().hex[:10]}"
    url = f"{POSTGRES_URL}?schema={schema}"
    try:
        _race(url, tmp_path)
    finally:
        store = open_store(url, migrate=False)
        store.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()
