"""The witness client against a small C2SP tlog-witness on 127.0.0.1: cosignatures kept and verifiable
from the specs, the old size and consistency proof sent, and the 4xx answers handled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ringfence.errors import CheckFailed
from ringfence.ledger import Entry, Ledger, note
from ringfence.ledger.witness import Witness, add_checkpoint
from tests.ledger import spec_verifier as spec
from tests.ledger.conftest import fill
from tests.ledger.small_witness import SmallWitness


@pytest.fixture
def served(ledger: Ledger) -> Iterator[tuple[SmallWitness, Witness]]:
    small = SmallWitness()
    small.trust(ledger.verifier_key())
    with small.serving() as url:
        yield small, Witness.from_vkey(url, small.vkey)


def test_cosignatures_are_kept_and_verify_from_the_spec(ledger: Ledger, served) -> None:  # type: ignore[no-untyped-def]
    small, witness = served
    fill(ledger, 5)
    cosigned = add_checkpoint(ledger, witness)
    assert small.requests[-1].startswith(b"old 0\n\n")
    text, _sep, sigs = cosigned.rpartition("\n\n")
    lines = sigs.rstrip("\n").split("\n")
    assert len(lines) == 2 and lines[1].startswith("\u2014 witness.example/w1 ")
    assert spec.open_cosignature(text + "\n", lines[1], small.name, small.public) > 0
    name, _, public = spec.parse_vkey(ledger.verifier_key())
    assert spec.open_note(cosigned, name, public) == text + "\n"
    # the next submission starts from the size the witness cosigned, with a consistency proof
    fill(ledger, 4)
    again = add_checkpoint(ledger, witness)
    body = small.requests[-1].decode()
    assert body.startswith("old 5\n") and body.split("\n\n")[0].count("\n") >= 1
    assert note.parse_checkpoint(note.parse_signed_note(again).text).size == 9
    assert ledger.witnessed_size(small.name, "example.com/ledger") == 9


def test_a_409_with_the_witness_size_is_retried_from_it(ledger: Ledger, served) -> None:  # type: ignore[no-untyped-def]
    small, witness = served
    fill(ledger, 3)
    add_checkpoint(ledger, witness)
    ledger.store.execute("DELETE FROM ledger_cosignatures")  # we forgot what it cosigned
    fill(ledger, 2)
    add_checkpoint(ledger, witness)
    assert [r.split(b"\n", 1)[0] for r in small.requests] == [b"old 0", b"old 0", b"old 3"]


def test_a_rollback_is_refused_by_the_witness(ledger: Ledger, served) -> None:  # type: ignore[no-untyped-def]
    _small, witness = served
    fill(ledger, 6)
    first = add_checkpoint(ledger, witness)
    assert first
    # an operator re-creates the log shorter and re-signs it under the same origin
    with ledger.store.transaction():
        ledger.store.execute("DELETE FROM ledger_subjects WHERE idx >= 4")
        ledger.store.execute("DELETE FROM ledger_entries WHERE idx >= 4")
        ledger.store.execute("DELETE FROM ledger_heads")
        ledger.store.execute("DELETE FROM ledger_cosignatures")
    with pytest.raises(CheckFailed, match=r"rolled back or forked.*epoch-1"):
        add_checkpoint(ledger, witness)
    # the ledger now signs under a new origin, which the witness does not know yet
    assert ledger.origin() == "example.com/ledger/epoch-1"
    with pytest.raises(CheckFailed, match="does not know this ledger's origin"):
        add_checkpoint(ledger, witness)
    report = ledger.verify()
    assert report.ok and any("epoch-1 starts at size 4" in n for n in report.notes)


def test_a_rewrite_fails_the_witness_consistency_check(ledger: Ledger, served) -> None:  # type: ignore[no-untyped-def]
    _small, witness = served
    fill(ledger, 4)
    add_checkpoint(ledger, witness)
    entries = list(ledger.entries())
    with ledger.store.transaction():
        for table in ("ledger_subjects", "ledger_entries", "ledger_heads"):
            ledger.store.execute(f"DELETE FROM {table}")
    for e in entries:
        ledger.append(Entry(e.kind, {**e.fields, "recipient": "elsewhere"}))
    ledger.append(Entry("denied", {}))
    with pytest.raises(CheckFailed, match="consistency proof invalid"):
        add_checkpoint(ledger, witness)


def test_unknown_origin_and_untrusted_key(ledger: Ledger) -> None:
    fill(ledger, 2)
    stranger = SmallWitness()
    with stranger.serving() as url:
        with pytest.raises(CheckFailed, match="does not know this ledger's origin"):
            add_checkpoint(ledger, Witness.from_vkey(url, stranger.vkey))
        other = SmallWitness()
        stranger.logs["example.com/ledger"] = [other.public]
        with pytest.raises(CheckFailed, match="does not trust this ledger's signing key"):
            add_checkpoint(ledger, Witness.from_vkey(url, stranger.vkey))


def test_a_cosignature_by_another_key_is_not_kept(ledger: Ledger, served) -> None:  # type: ignore[no-untyped-def]
    _small, witness = served
    fill(ledger, 2)
    impostor = Witness(witness.url, witness.name, SmallWitness().public)
    with pytest.raises(CheckFailed, match="no cosignature"):
        add_checkpoint(ledger, impostor)


def test_an_unreachable_witness_is_one_line(ledger: Ledger) -> None:
    fill(ledger, 1)
    with pytest.raises(CheckFailed, match="cannot be reached"):
        add_checkpoint(ledger, Witness("http://127.0.0.1:1/w", "w", bytes(32), timeout=2))
