"""Tampering with the stored rows: random single-byte edits, deletions, swaps and truncations of the
ledger's tables are all detected by verify, which names the first bad entry."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from ringfence.keys import Keyset
from ringfence.ledger import Ledger
from ringfence.state import open_store
from tests.ledger.conftest import fill, release

SIZE = 12


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Keyset]:
    path = tmp_path_factory.mktemp("tamper") / "state.db"
    keys = Keyset.generate()
    store = open_store(f"sqlite:///{path}")
    ledger = Ledger(store, keys, origin="example.com/ledger")
    fill(ledger, SIZE - 1, subjects_per=30)  # one bucket each
    ledger.append(release(SIZE - 1), pl.Series([f"many-{j}" for j in range(3000)]))  # 32 buckets
    ledger.checkpoint()
    assert ledger.verify().ok
    store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path, keys


def _tampered(
    pristine: tuple[Path, Keyset], tmp_path: Path, edit: Callable[[sqlite3.Connection], int | None]
):  # type: ignore[no-untyped-def]
    path, keys = pristine
    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    conn = sqlite3.connect(copy)
    expected = edit(conn)
    conn.commit()
    conn.close()
    store = open_store(f"sqlite:///{copy}")
    try:
        return Ledger(store, keys, origin="example.com/ledger").verify(), expected
    finally:
        store.close()


def _edit_byte(value: object, rng: random.Random) -> object:
    if isinstance(value, bytes):
        raw = bytearray(value)
        i = rng.randrange(len(raw))
        raw[i] ^= rng.randrange(1, 256)
        return bytes(raw)
    if isinstance(value, int):
        text = str(value)
        i = rng.randrange(len(text))
        digits = [d for d in "0123456789" if d != text[i] and not (i == 0 and d == "0" and len(text) > 1)]
        return int(text[:i] + rng.choice(digits) + text[i + 1 :])
    text = str(value)
    i = rng.randrange(len(text))
    choices = [c for c in 'abcdef0123456789{}[]:," xyzT-+.' if c != text[i]]
    return text[:i] + rng.choice(choices) + text[i + 1 :]


TABLES = {
    "ledger_entries": ("idx", ("idx", "id", "created_at", "kind", "data", "leaf_hash")),
    "ledger_subjects": ("idx", ("bucket", "idx", "n", "digests")),
}


@pytest.mark.parametrize("seed", range(120))
def test_a_random_single_byte_edit_is_detected(pristine, tmp_path: Path, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    table = rng.choice(sorted(TABLES))
    _, columns = TABLES[table]

    def edit(conn: sqlite3.Connection) -> int | None:
        rows = conn.execute(f"SELECT rowid, {', '.join(columns)} FROM {table}").fetchall()
        for _ in range(20):
            rowid, *values = rng.choice(rows)
            column = rng.randrange(len(columns))
            new = _edit_byte(values[column], rng)
            try:
                conn.execute(f"UPDATE {table} SET {columns[column]} = ? WHERE rowid = ?", (new, rowid))
            except sqlite3.IntegrityError:
                continue  # the edit collides with a key; try another
            return int(values[columns.index("idx")])
        raise AssertionError("no edit applied")

    report, edited = _tampered(pristine, tmp_path, edit)
    assert not report.ok and report.first_bad is not None and report.reason
    assert edited is not None and report.first_bad <= edited


@pytest.mark.parametrize("index", range(SIZE))
def test_deleting_an_entry_is_detected_at_it(pristine, tmp_path: Path, index: int) -> None:  # type: ignore[no-untyped-def]
    report, _ = _tampered(
        pristine, tmp_path, lambda c: c.execute("DELETE FROM ledger_entries WHERE idx = ?", (index,)) and None
    )
    assert not report.ok and report.first_bad == index


@pytest.mark.parametrize("seed", range(15))
def test_deleting_a_subject_bucket_is_detected_at_its_entry(pristine, tmp_path: Path, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)

    def edit(conn: sqlite3.Connection) -> int:
        bucket, idx = rng.choice(conn.execute("SELECT bucket, idx FROM ledger_subjects").fetchall())
        conn.execute("DELETE FROM ledger_subjects WHERE bucket = ? AND idx = ?", (bucket, idx))
        return int(idx)

    report, idx = _tampered(pristine, tmp_path, edit)
    assert not report.ok and report.first_bad == idx


@pytest.mark.parametrize("pair", [(0, 1), (3, 7), (10, 11), (0, 11)])
def test_swapping_two_entries_is_detected_at_the_first(
    pristine, tmp_path: Path, pair: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    a, b = pair

    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE ledger_entries SET idx = -1 WHERE idx = ?", (a,))
        conn.execute("UPDATE ledger_entries SET idx = ? WHERE idx = ?", (a, b))
        conn.execute("UPDATE ledger_entries SET idx = ? WHERE idx = -1", (b,))

    report, _ = _tampered(pristine, tmp_path, edit)
    assert not report.ok and report.first_bad == a


@pytest.mark.parametrize("keep", [0, 1, 6, SIZE - 1])
def test_truncation_is_detected_where_it_starts(pristine, tmp_path: Path, keep: int) -> None:  # type: ignore[no-untyped-def]
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM ledger_subjects WHERE idx >= ?", (keep,))
        conn.execute("DELETE FROM ledger_entries WHERE idx >= ?", (keep,))

    report, _ = _tampered(pristine, tmp_path, edit)
    assert not report.ok and report.first_bad == keep and "truncated" in (report.reason or "")


def test_an_edited_signed_head_is_detected(pristine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def edit(conn: sqlite3.Connection) -> None:
        (text,) = conn.execute("SELECT note FROM ledger_heads").fetchone()
        conn.execute("UPDATE ledger_heads SET note = ?", (text.replace("\n12\n", "\n11\n"),))

    report, _ = _tampered(pristine, tmp_path, edit)
    assert not report.ok
