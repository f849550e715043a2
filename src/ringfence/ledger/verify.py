"""Verification of a ledger from its stored rows, trusting none of the stored hashes.

:func:`verify_store` reads every entry in index order and checks, for each, that its index is the next
one (a deletion or reordering breaks this), its data is canonical JSON whose index, id, time and kind
match the row, its ``prev`` is the previous entry's recomputed leaf hash (the chain), its stored leaf
hash is ``SHA-256(0x00 || data)``, and its subject buckets decode to exactly the set its data commits
to. Then every signed head kept for the log must verify under a signing key of the keyset and be a
prefix of today's tree (a truncation or a rewrite below a signed size fails here). The first failure
names its entry.

:func:`verify_against` does that, then checks a signed note kept elsewhere: its signature, that the log
is not shorter than it (a rollback), and an RFC 9162 consistency proof from it to today's head, checked
with the RFC's verification algorithm (a re-signed rewrite fails here).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ringfence.errors import InvalidFormat
from ringfence.ledger import merkle, note
from ringfence.ledger import subjects as subject_index
from ringfence.ledger.model import GENESIS, KINDS, VerifyReport, canonical

if TYPE_CHECKING:
    from ringfence.ledger.ledger import Ledger

__all__ = ["verify_against", "verify_store"]

_PAGE = 2000


class _Bad(Exception):
    def __init__(self, index: int | None, reason: str) -> None:
        super().__init__(reason)
        self.index, self.reason = index, reason


def _pages(ledger: Ledger) -> Iterator[tuple[list[tuple[Any, ...]], dict[int, list[tuple[int, int, bytes]]]]]:
    """Entry rows and their subject rows, a page of indexes at a time."""
    start = 0
    while True:
        rows = ledger.store.query(
            "SELECT idx, id, created_at, kind, data, leaf_hash FROM ledger_entries "
            "WHERE idx >= ? ORDER BY idx LIMIT ?",
            (start, _PAGE),
        )
        if not rows:
            return
        last = int(rows[-1][0])
        buckets: dict[int, list[tuple[int, int, bytes]]] = {}
        for idx, bucket, n, blob in ledger.store.query(
            "SELECT idx, bucket, n, digests FROM ledger_subjects "
            "WHERE idx >= ? AND idx <= ? ORDER BY idx, bucket",
            (start, last),
        ):
            buckets.setdefault(int(idx), []).append((int(bucket), int(n), bytes(blob)))
        yield rows, buckets
        start = last + 1


def _check_entry(
    position: int, row: tuple[Any, ...], prev: str, buckets: list[tuple[int, int, bytes]]
) -> bytes:
    idx, entry_id, created_at, kind, data, stored_leaf = row
    if int(idx) != position:
        raise _Bad(position, f"entry {position} is missing (the next stored entry is {int(idx)})")
    try:
        doc = json.loads(data)
        is_canonical = canonical(doc) == data
    except (ValueError, TypeError):
        raise _Bad(position, f"entry {position} is not valid JSON") from None
    if not is_canonical or not isinstance(doc, dict):
        raise _Bad(position, f"entry {position} is not in canonical form")
    expect = {"index": position, "id": entry_id, "time": created_at, "kind": kind}
    for name, value in expect.items():
        if doc.get(name) != value:
            raise _Bad(position, f"entry {position}'s {name} does not match its data")
    if kind not in KINDS or doc.get("v") != 1:
        raise _Bad(position, f"entry {position} has an unknown kind or version")
    if doc.get("prev") != prev:
        raise _Bad(position, f"entry {position} does not chain to entry {position - 1}")
    leaf = merkle.leaf_hash(str(data).encode())
    if leaf.hex() != stored_leaf:
        raise _Bad(position, f"entry {position}'s leaf hash does not match its data")
    commitment = doc.get("subjects")
    try:
        words = subject_index.join_buckets(buckets)
    except InvalidFormat as exc:
        raise _Bad(position, f"entry {position}'s subjects: {exc}") from None
    if commitment is None:
        if buckets:
            raise _Bad(position, f"entry {position} has subjects it does not commit to")
    elif commitment.get("count") != len(words) or commitment.get("sha256") != subject_index.commitment(words):
        raise _Bad(position, f"entry {position}'s subjects do not match its commitment")
    return leaf


def _check_heads(ledger: Ledger, leaves: list[bytes]) -> None:
    publics = ledger.public_keys()
    for _, origin, _, _ in ledger.origins():
        rows = ledger.store.query(
            "SELECT size, note FROM ledger_heads WHERE origin = ? ORDER BY size", (origin,)
        )
        for size, text in rows:
            at = min(int(size), len(leaves))
            try:
                signed = note.parse_signed_note(str(text))
                head = note.parse_checkpoint(signed.text)
            except InvalidFormat:
                raise _Bad(
                    max(at - 1, 0), f"the head of size {int(size)} under {origin} is malformed"
                ) from None
            if head.origin != origin or head.size != int(size):
                raise _Bad(
                    max(at - 1, 0), f"the head of size {int(size)} under {origin} is not what its row says"
                )
            if not any(note.verify_note_signature(signed, origin, p) for p in publics):
                raise _Bad(
                    max(at - 1, 0), f"the head of size {head.size} under {origin} has no valid signature"
                )
            if head.size > len(leaves):
                raise _Bad(
                    len(leaves),
                    f"entries {len(leaves)} to {head.size - 1} are missing: a head of size {head.size} "
                    f"was signed under {origin} (truncated)",
                )
            if merkle.root(leaves[: head.size]) != head.root:
                raise _Bad(None, f"the log differs from the head of size {head.size} signed under {origin}")


def _notes(ledger: Ledger) -> tuple[str, ...]:
    return tuple(
        f"origin {origin} starts at size {start}: {reason}"
        for epoch, origin, start, reason in ledger.origins()
        if epoch
    )


def _walk(ledger: Ledger) -> tuple[list[bytes], VerifyReport | None]:
    leaves: list[bytes] = []
    prev = GENESIS
    try:
        for rows, buckets in _pages(ledger):
            for row in rows:
                leaf = _check_entry(len(leaves), row, prev, buckets.get(int(row[0]), []))
                leaves.append(leaf)
                prev = leaf.hex()
        _check_heads(ledger, leaves)
    except _Bad as bad:
        return leaves, VerifyReport(False, len(leaves), bad.index, bad.reason, notes=_notes(ledger))
    return leaves, None


def _current_origin(ledger: Ledger) -> str | None:
    found = ledger.origins()
    return found[-1][1] if found else None


def verify_store(ledger: Ledger) -> VerifyReport:
    leaves, failed = _walk(ledger)
    if failed is not None:
        return failed
    head = merkle.root(leaves).hex()
    return VerifyReport(True, len(leaves), origin=_current_origin(ledger), root=head, notes=_notes(ledger))


def verify_against(ledger: Ledger, signed_note: str) -> VerifyReport:
    leaves, failed = _walk(ledger)
    if failed is not None:
        return failed
    notes = _notes(ledger)
    origin = _current_origin(ledger)

    def fail(first_bad: int | None, reason: str) -> VerifyReport:
        return VerifyReport(False, len(leaves), first_bad, reason, origin, merkle.root(leaves).hex(), notes)

    try:
        signed = note.parse_signed_note(signed_note)
        old = note.parse_checkpoint(signed.text)
    except InvalidFormat as exc:
        return fail(None, f"the kept checkpoint is not a C2SP signed checkpoint: {exc}")
    known = {o for _, o, _, _ in ledger.origins()} | ({ledger.origin_base} if ledger.origin_base else set())
    if old.origin not in known:
        return fail(None, f"the kept checkpoint is of another log ({old.origin}), not of this ledger")
    if not any(note.verify_note_signature(signed, old.origin, p) for p in ledger.public_keys()):
        return fail(None, "the kept checkpoint's signature does not verify under this ledger's signing keys")
    if old.size > len(leaves):
        return fail(
            len(leaves),
            f"the log holds {len(leaves)} entries but the kept checkpoint signed {old.size}: rolled back",
        )
    new_root = merkle.root(leaves)
    proof = merkle.consistency_proof(old.size, leaves)
    if not merkle.verify_consistency(old.size, len(leaves), old.root, new_root, proof):
        return fail(None, f"the log is not an extension of the kept checkpoint of size {old.size}: rewritten")
    return VerifyReport(True, len(leaves), origin=origin, root=new_root.hex(), notes=notes)
