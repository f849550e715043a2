"""What goes into the ledger and what comes out: entries, stored entries, verify reports, disclosures.

An entry's leaf data is its canonical JSON (:func:`canonical`: sorted keys, no spaces, UTF-8), holding
its index, id, time, kind, fields, the commitment to its subjects and the previous entry's leaf hash
(the chain). Canonical means one byte string per entry: a verifier re-serializes and compares.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "GENESIS",
    "AppendedEntry",
    "Disclosure",
    "Entry",
    "EntryKind",
    "StoredEntry",
    "VerifyReport",
    "canonical",
]

EntryKind = Literal["release", "denied", "reveal", "aborted", "trace"]
KINDS: tuple[EntryKind, ...] = ("release", "denied", "reveal", "aborted", "trace")
GENESIS = "0" * 64  # the "previous leaf hash" of entry 0


def canonical(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class Entry:
    """What the pipeline hands in; the ledger adds index, id, time and hashes."""

    kind: EntryKind
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AppendedEntry:
    index: int
    id: str
    time: str
    leaf_hash: str  # hex


@dataclass(frozen=True)
class StoredEntry:
    index: int
    id: str
    time: str
    kind: EntryKind
    fields: dict[str, Any]
    subjects: int  # how many distinct subjects the entry commits to
    subjects_key_id: str | None
    prev_hash: str
    leaf_hash: str

    @classmethod
    def from_data(cls, data: Mapping[str, Any], leaf_hash: str) -> StoredEntry:
        subjects = data.get("subjects") or {}
        return cls(
            int(data["index"]),
            str(data["id"]),
            str(data["time"]),
            data["kind"],
            dict(data["fields"]),
            int(subjects.get("count", 0)),
            subjects.get("key_id"),
            str(data["prev"]),
            leaf_hash,
        )


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    size: int
    first_bad: int | None = None
    reason: str | None = None
    origin: str | None = None
    root: str | None = None  # hex tree head over the verified entries
    notes: tuple[str, ...] = ()  # things an auditor should know that are not failures (e.g. a new origin)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "size": self.size,
            "first_bad": self.first_bad,
            "reason": self.reason,
            "origin": self.origin,
            "root": self.root,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Disclosure:
    """One release that included a subject: the answer to "who got my data"."""

    index: int
    kind: EntryKind
    release_id: str | None
    time: str
    recipient: str | None
    country: str | None
    purpose: str | None
    legal_basis: str | None
    categories: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "release_id": self.release_id,
            "time": self.time,
            "recipient": self.recipient,
            "country": self.country,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "categories": list(self.categories),
        }
