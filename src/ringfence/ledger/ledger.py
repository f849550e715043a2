"""The ledger: an append-only, hash-chained, Merkle-tree log of releases, denials and reveals.

Guarantees:

- **One transaction per append.** :meth:`Ledger.append` first takes the ledger's write lock (an
  ``UPDATE`` of ``ledger_lock``: the SQLite write lock, a PostgreSQL row lock), then reads the head and
  writes the entry, its leaf hash and its subject buckets; two processes appending at once serialize and
  both land, each chained to the other.
- **Chained and in a tree.** An entry's leaf data (:func:`~ringfence.ledger.model.canonical` JSON) holds
  its index, id, time, kind, fields, the commitment to its subjects and the previous leaf hash; the leaf
  hash is ``SHA-256(0x00 || data)`` and the entries form an RFC 9162 Merkle tree
  (:mod:`ringfence.ledger.merkle`).
- **Verify recomputes everything** (:mod:`ringfence.ledger.verify`) and names the first bad entry.
- **Signed heads never roll back.** :meth:`Ledger.checkpoint` signs a C2SP checkpoint under the log's
  origin and keeps it. If the log no longer extends a head signed under the current origin (restored from
  an older backup, rewritten), it starts a new origin, records why, and says so in every verify report.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ringfence.errors import UsageError
from ringfence.keys import Keyset, Prf
from ringfence.ledger import merkle, note
from ringfence.ledger import subjects as subject_index
from ringfence.ledger.model import (
    GENESIS,
    KINDS,
    AppendedEntry,
    Disclosure,
    Entry,
    StoredEntry,
    VerifyReport,
    canonical,
)
from ringfence.state import StateStore

__all__ = ["Ledger"]

_PAGE = 5000


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class Ledger:
    """The ledger of one state store, signed with the keyset's ``signing`` key (see the module docstring).

    ``origin`` names the log in its checkpoints (default: ``ringfence.local/ledger/<random>``, chosen at
    the first checkpoint); ``head_log`` is an optional file outside the store where every signed head is
    also appended, so a store restored from an older backup is caught even though its own heads table
    went back with it.
    """

    def __init__(
        self, store: StateStore, keys: Keyset, *, origin: str | None = None, head_log: Path | None = None
    ) -> None:
        self.store, self.keys = store, keys
        self.origin_base, self.head_log = origin, head_log
        self._prfs: dict[str, Prf] = {}

    def _prf(self, key_id: str) -> Prf:
        """The subject-index PRF under ``key_id`` (kept: deriving it is most of a small append's cost)."""
        if key_id not in self._prfs:
            self._prfs[key_id] = self.keys.prf(key_id, subject_index.DOMAIN)
        return self._prfs[key_id]

    # ------------------------------------------------------------------ append

    def _lock(self) -> None:
        self.store.execute("UPDATE ledger_lock SET n = n + 1 WHERE id = 1")

    def append(self, entry: Entry, subjects: pl.Series | None = None) -> AppendedEntry:
        """Adds ``entry`` (and the digests of its released subject ids) in one transaction."""
        if entry.kind not in KINDS:
            raise UsageError(f"a ledger entry kind must be one of {', '.join(KINDS)}")
        fields = json.loads(canonical(dict(entry.fields)))  # JSON-able, or a clear error now
        commitment, buckets = None, []
        if subjects is not None:
            key_id = self.keys.primary_id("hmac")
            words = subject_index.digests(self._prf(key_id), subjects)
            commitment = {"key_id": key_id, "count": len(words), "sha256": subject_index.commitment(words)}
            buckets = subject_index.encode(words)
        entry_id, now = uuid.uuid4().hex, _now()
        with self.store.transaction():
            self._lock()
            head = self.store.query("SELECT idx, leaf_hash FROM ledger_entries ORDER BY idx DESC LIMIT 1")
            at, prev = (int(head[0][0]) + 1, str(head[0][1])) if head else (0, GENESIS)
            data = canonical(
                {
                    "v": 1,
                    "index": at,
                    "id": entry_id,
                    "time": now,
                    "kind": entry.kind,
                    "fields": fields,
                    "subjects": commitment,
                    "prev": prev,
                }
            )
            leaf = merkle.leaf_hash(data.encode()).hex()
            self.store.execute(
                "INSERT INTO ledger_entries (idx, id, created_at, kind, data, leaf_hash) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (at, entry_id, now, entry.kind, data, leaf),
            )
            for bucket, count, blob in buckets:
                self.store.execute(
                    "INSERT INTO ledger_subjects (bucket, idx, n, digests) VALUES (?, ?, ?, ?)",
                    (bucket, at, count, blob),
                )
        return AppendedEntry(at, entry_id, now, leaf)

    # ------------------------------------------------------------------ read

    def size(self) -> int:
        return int(self.store.query("SELECT COUNT(*) FROM ledger_entries")[0][0])

    def entries(self, since: int = 0) -> Iterator[StoredEntry]:
        """Entries from index ``since`` on, in order (paged, never the whole log in memory)."""
        start = since
        while True:
            rows = self.store.query(
                "SELECT data, leaf_hash, idx FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?",
                (start, _PAGE),
            )
            for data, leaf, _ in rows:
                yield StoredEntry.from_data(json.loads(data), str(leaf))
            if len(rows) < _PAGE:
                return
            start = int(rows[-1][2]) + 1

    def leaf_hashes(self) -> list[bytes]:
        rows = self.store.query("SELECT leaf_hash FROM ledger_entries ORDER BY idx")
        return [bytes.fromhex(str(r[0])) for r in rows]

    def subject(self, subject_id: str) -> list[Disclosure]:
        """Every entry whose released subjects include ``subject_id``, oldest first."""
        probe = pl.Series("subject", [subject_id], dtype=pl.String)
        hits: dict[int, str] = {}
        for info in self.keys.all_keys():  # every hmac key that may have digested a release's subjects
            if info.purpose != "hmac":
                continue
            word = int(subject_index.digests(self._prf(info.key_id), probe)[0])
            nodes = subject_index.candidates(word)
            marks = ", ".join("?" * len(nodes))
            rows = self.store.query(
                f"SELECT idx, n, digests FROM ledger_subjects WHERE bucket IN ({marks})", nodes
            )
            for i, n, blob in rows:
                if subject_index.contains(bytes(blob), int(n), word):
                    hits[int(i)] = info.key_id
        out = []
        for i in sorted(hits):
            (data,) = self.store.query("SELECT data FROM ledger_entries WHERE idx = ?", (i,))[0]
            doc = json.loads(data)
            if (doc["subjects"] or {}).get("key_id") != hits[i]:
                continue
            f = doc["fields"]
            out.append(
                Disclosure(
                    i,
                    doc["kind"],
                    f.get("release_id"),
                    doc["time"],
                    f.get("recipient"),
                    f.get("country"),
                    f.get("purpose"),
                    f.get("legal_basis"),
                    tuple(f.get("categories") or ()),
                )
            )
        return out

    # ------------------------------------------------------------------ verify

    def verify(self) -> VerifyReport:
        """Recomputes every entry, the chain, the subject commitments and the signed heads."""
        from ringfence.ledger.verify import verify_store

        return verify_store(self)

    def verify_against(self, signed_note: str) -> VerifyReport:
        """Verifies the log, then proves with an RFC 9162 consistency proof that it extends the tree
        ``signed_note`` (a checkpoint this ledger signed, kept by someone else) committed to."""
        from ringfence.ledger.verify import verify_against

        return verify_against(self, signed_note)

    def public_keys(self) -> list[bytes]:
        """The raw Ed25519 public keys of every signing key of the keyset (any may have signed a head)."""
        return [
            note.public_bytes(self.keys.public_key(k.key_id))
            for k in self.keys.all_keys()
            if k.purpose == "signing"
        ]

    def verifier_key(self) -> str:
        """The C2SP verifier key of the current origin and primary signing key, for an auditor to keep."""
        public = note.public_bytes(self.keys.public_key(self.keys.primary_id("signing")))
        return note.verifier_key(self.origin(), public)

    # ------------------------------------------------------------------ heads

    def origins(self) -> list[tuple[int, str, int, str]]:
        """(epoch, origin, start size, reason) of every origin, oldest first."""
        rows = self.store.query("SELECT epoch, origin, start_size, reason FROM ledger_origins ORDER BY epoch")
        return [(int(e), str(o), int(s), str(r)) for e, o, s, r in rows]

    def origin(self) -> str:
        """The current origin (created on first use)."""
        found = self.origins()
        if found:
            return found[-1][1]
        with self.store.transaction():
            self._lock()
            if not self.origins():
                base = self.origin_base or f"ringfence.local/ledger/{uuid.uuid4().hex[:16]}"
                self._new_origin(0, base, 0, "the first checkpoint of this ledger")
        return self.origins()[-1][1]

    def _new_origin(self, epoch: int, origin: str, start: int, reason: str) -> None:
        self.store.execute(
            "INSERT INTO ledger_origins (epoch, origin, start_size, reason, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (epoch, origin, start, reason, _now()),
        )

    def start_new_origin(self, reason: str) -> str:
        """Starts the next origin (``<first origin>/epoch-<n>``) at today's size, recording ``reason``;
        for when the current origin's signed size can no longer be extended (a rollback the ledger learns
        of, e.g. from a witness). Returns the new origin."""
        self.origin()
        with self.store.transaction():
            self._lock()
            found = self.origins()
            epoch = found[-1][0] + 1
            origin = f"{found[0][1]}/epoch-{epoch}"
            self._new_origin(epoch, origin, self.size(), reason)
        return origin

    def signed_heads(self, origin: str) -> list[note.Checkpoint]:
        """Every head signed under ``origin`` (the store's, and the head log's when one is kept)."""
        notes = [
            str(r[0]) for r in self.store.query("SELECT note FROM ledger_heads WHERE origin = ?", (origin,))
        ]
        if self.head_log is not None and self.head_log.exists():
            text = self.head_log.read_text(encoding="utf-8")
            notes += [n + "\n" for n in text.split("\n\f\n") if n.strip()]
        heads = [note.parse_checkpoint(note.parse_signed_note(n).text) for n in notes]
        return [h for h in heads if h.origin == origin]

    def _rolled_back(self, origin: str, leaves: list[bytes]) -> note.Checkpoint | None:
        for head in sorted(self.signed_heads(origin), key=lambda h: -h.size):
            if head.size > len(leaves) or merkle.root(leaves[: head.size]) != head.root:
                return head
        return None

    def checkpoint(self) -> str:
        """Signs and keeps a C2SP checkpoint of the whole log; returns the signed note text."""
        origin = self.origin()
        with self.store.transaction():
            self._lock()
            leaves = self.leaf_hashes()
            bad = self._rolled_back(origin, leaves)
            if bad is not None:
                origin = self.start_new_origin(
                    f"the log ({len(leaves)} entries) does not extend the head of size {bad.size} signed "
                    f"under {bad.origin} (restored from an older backup, or rewritten): a new origin starts"
                )
            text = note.Checkpoint(origin, len(leaves), merkle.root(leaves)).text()
            kid, signature = self.keys.sign(text.encode())
            public = note.public_bytes(self.keys.public_key(kid))
            line = note.signature_line(origin, note.key_id(origin, note.ED25519, public) + signature)
            signed = text + "\n" + line
            exists = self.store.query(
                "SELECT 1 FROM ledger_heads WHERE origin = ? AND size = ?", (origin, len(leaves))
            )
            if not exists:
                self.store.execute(
                    "INSERT INTO ledger_heads (origin, size, note, created_at) VALUES (?, ?, ?, ?)",
                    (origin, len(leaves), signed, _now()),
                )
        if self.head_log is not None:
            with self.head_log.open("a", encoding="utf-8") as fh:
                fh.write(signed + "\f\n")
        return signed

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The RFC 9162 consistency proof from the tree of the first ``old_size`` entries to the tree of
        the first ``new_size`` (default: all)."""
        leaves = self.leaf_hashes()
        return merkle.consistency_proof(old_size, leaves if new_size is None else leaves[:new_size])

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        leaves = self.leaf_hashes()
        return merkle.inclusion_proof(index, leaves[: len(leaves) if size is None else size])

    def add_cosignatures(self, signed_note: str, witness: str, lines: list[str]) -> None:
        """Keeps a witness's cosignature lines on a checkpoint this ledger signed."""
        cp = note.parse_checkpoint(note.parse_signed_note(signed_note).text)
        with self.store.transaction():
            for line in lines:
                self.store.execute(
                    "DELETE FROM ledger_cosignatures WHERE origin = ? AND size = ? AND line = ?",
                    (cp.origin, cp.size, line),
                )
                self.store.execute(
                    "INSERT INTO ledger_cosignatures (origin, size, witness, line, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (cp.origin, cp.size, witness, line, _now()),
                )

    def cosigned(self, signed_note: str) -> str:
        """The note with every kept cosignature line appended (what an auditor should keep)."""
        cp = note.parse_checkpoint(note.parse_signed_note(signed_note).text)
        rows = self.store.query(
            "SELECT line FROM ledger_cosignatures WHERE origin = ? AND size = ? ORDER BY created_at, line",
            (cp.origin, cp.size),
        )
        extra = [str(r[0]) for r in rows if str(r[0]) not in signed_note]
        return signed_note + "".join(extra)

    def witnessed_size(self, witness: str, origin: str) -> int:
        rows = self.store.query(
            "SELECT MAX(size) FROM ledger_cosignatures WHERE witness = ? AND origin = ?", (witness, origin)
        )
        return int(rows[0][0] or 0)
