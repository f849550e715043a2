"""Appending, reading, subject lookup, checkpoints and verify_against on a clean ledger."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.keys import Keyset
from ringfence.ledger import Entry, Ledger, note
from ringfence.state import open_store
from tests.ledger.conftest import fill, release


def test_appends_chain_and_verify(ledger: Ledger) -> None:
    assert ledger.verify().ok and ledger.verify().size == 0
    fill(ledger, 6)
    ledger.append(Entry("denied", {"recipient": "x", "reasons": ["no consent"]}))
    report = ledger.verify()
    assert report.ok and report.size == 7 and report.first_bad is None
    entries = list(ledger.entries())
    assert [e.index for e in entries] == list(range(7))
    assert all(b.prev_hash == a.leaf_hash for a, b in itertools.pairwise(entries))
    assert entries[0].subjects == 20 and entries[6].subjects == 0
    assert [e.index for e in ledger.entries(since=5)] == [5, 6]


def test_an_entry_must_be_json_and_of_a_known_kind(ledger: Ledger) -> None:
    with pytest.raises(UsageError):
        ledger.append(Entry("deleted", {}))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ledger.append(Entry("release", {"when": object()}))
    assert ledger.size() == 0


def test_subject_lists_every_release_that_held_the_person(ledger: Ledger) -> None:
    fill(ledger, 5)  # entry i holds cust-(7i) .. cust-(7i+19)
    hits = ledger.subject("cust-15")
    assert [d.index for d in hits] == [0, 1, 2]
    assert hits[0].to_json() == {
        "release_id": "rel-0",
        "time": hits[0].time,
        "recipient": "globex",
        "country": "KR",
        "purpose": "analytics",
        "legal_basis": "PIPA Art. 17(1)1 consent",
        "categories": ["contact", "transaction"],
    }
    assert ledger.subject("cust-999") == []
    assert ledger.subject("") == []


def test_subject_digests_are_keyed_and_survive_a_key_rotation(ledger: Ledger, keys: Keyset) -> None:
    fill(ledger, 2)
    raw = ledger.store.query("SELECT digests FROM ledger_subjects")
    assert all(b"cust" not in bytes(r[0]) for r in raw)
    keys.rotate("hmac")
    ledger.append(release(9), pl.Series(["cust-3"]))
    assert [d.index for d in ledger.subject("cust-3")] == [0, 2]
    assert ledger.verify().ok


def test_checkpoint_then_verify_against_after_more_appends(ledger: Ledger) -> None:
    fill(ledger, 4)
    old = ledger.checkpoint()
    cp = note.parse_checkpoint(note.parse_signed_note(old).text)
    assert cp.origin == "example.com/ledger" and cp.size == 4
    fill(ledger, 3)
    assert ledger.verify_against(old).ok
    assert ledger.verify_against(ledger.checkpoint()).ok
    assert ledger.verify().ok


def test_verify_against_refuses_foreign_or_unsigned_notes(ledger: Ledger, tmp_path: Path) -> None:
    fill(ledger, 3)
    other = Ledger(
        open_store(f"sqlite:///{tmp_path}/other.db"), Keyset.generate(), origin="example.com/ledger"
    )
    fill(other, 3)
    report = ledger.verify_against(other.checkpoint())
    assert not report.ok and "signature" in (report.reason or "")
    assert not ledger.verify_against("not a note").ok


def test_a_re_signed_rewrite_is_caught_by_an_older_checkpoint(ledger: Ledger) -> None:
    fill(ledger, 6)
    kept = ledger.checkpoint()  # the auditor keeps this
    # the operator, holding the signing key, rewrites entry 2 and everything after it, and re-signs
    entries = list(ledger.entries())
    with ledger.store.transaction():
        ledger.store.execute("DELETE FROM ledger_subjects")
        ledger.store.execute("DELETE FROM ledger_entries")
        ledger.store.execute("DELETE FROM ledger_heads")
    for e in entries:
        fields = dict(e.fields)
        if e.index == 2:
            fields["recipient"] = "someone-else"
        ledger.append(Entry(e.kind, fields))
    ledger.checkpoint()
    assert ledger.verify().ok  # internally consistent...
    report = ledger.verify_against(kept)
    assert not report.ok and "rewritten" in (report.reason or "")  # ...but not the log the auditor saw


def test_a_rollback_is_caught_and_starts_a_new_origin(ledger: Ledger, tmp_path: Path, keys: Keyset) -> None:
    heads = tmp_path / "heads.log"
    ledger = Ledger(ledger.store, keys, origin="example.com/ledger", head_log=heads)
    fill(ledger, 3)
    backup = [r for r in ledger.store.query("SELECT idx FROM ledger_entries")]
    assert len(backup) == 3
    fill(ledger, 2)
    kept = ledger.checkpoint()
    # restore the "backup": the two newer entries and the head that signed them are gone
    with ledger.store.transaction():
        ledger.store.execute("DELETE FROM ledger_subjects WHERE idx >= 3")
        ledger.store.execute("DELETE FROM ledger_entries WHERE idx >= 3")
        ledger.store.execute("DELETE FROM ledger_heads")
    report = ledger.verify_against(kept)
    assert not report.ok and "rolled back" in (report.reason or "") and report.first_bad == 3
    signed = ledger.checkpoint()  # the head log remembers size 5: the size is not signed again lower
    cp = note.parse_checkpoint(note.parse_signed_note(signed).text)
    assert cp.origin == "example.com/ledger/epoch-1" and cp.size == 3
    report = ledger.verify()
    assert report.ok and report.origin == "example.com/ledger/epoch-1"
    assert any("epoch-1 starts at size 3" in n for n in report.notes)


def test_truncation_below_a_signed_head_fails_verify(ledger: Ledger) -> None:
    fill(ledger, 5)
    ledger.checkpoint()
    ledger.store.execute("DELETE FROM ledger_entries WHERE idx = 4")
    report = ledger.verify()
    assert not report.ok and report.first_bad == 4 and "truncated" in (report.reason or "")


def test_inclusion_proofs_of_entries(ledger: Ledger) -> None:
    from ringfence.ledger import merkle

    fill(ledger, 9)
    leaves = ledger.leaf_hashes()
    head = merkle.root(leaves)
    for i in range(9):
        assert merkle.verify_inclusion(i, 9, leaves[i], ledger.inclusion_proof(i), head)


def test_a_large_release_is_split_into_buckets_and_found(ledger: Ledger) -> None:
    from ringfence.ledger import subjects

    ids = pl.Series([f"p-{j}" for j in range(5000)] + [None, "p-1"])
    ledger.append(release(0), ids)
    fill(ledger, 2)
    rows = ledger.store.query("SELECT bucket, n FROM ledger_subjects WHERE idx = 0")
    assert len(rows) == 2 ** subjects.level_for(5000) == 128 and sum(int(n) for _, n in rows) == 5000
    assert [d.index for d in ledger.subject("p-4999")] == [0]
    assert next(ledger.entries()).subjects == 5000
    assert ledger.verify().ok
