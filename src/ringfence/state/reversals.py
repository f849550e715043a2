"""The record of every reversal: who revealed which protected table, under which keys, and why.

A reversal (``ringfence reveal``: decrypting ``encrypt``/``fpe`` columns, resolving tokens against the
company's own reference table) puts personal data back in clear, so each one leaves a row in the
``reversals`` table of the state store (schema migration 2). A row holds names, hashes, counts and key
ids, never a data value and never key material:

- ``actor`` is the operating-system user who ran it, ``created_at`` the UTC time it was recorded;
- ``input``/``output``/``reference`` are workspace-relative paths (absolute outside the workspace, or a
  table URI without its password), with the SHA-256 of each file read;
- ``columns`` is JSON: per reversed column, the action reversed, the key ids used and how many rows were
  resolved and left unresolved;
- ``reason`` is the justification the person gave.

When the tamper-evident ledger (the govern issue) lands, these records move into it: the ledger becomes
the one append-only record of releases and reversals, and this table is migrated into its entries.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.errors import UsageError
from ringfence.state.store import StateStore

__all__ = [
    "ColumnReversal",
    "ReversalRecord",
    "get_reversal",
    "list_reversals",
    "record_reversal",
    "withdraw_reversal",
]

_FIELDS = (
    "id",
    "created_at",
    "actor",
    "input",
    "input_sha256",
    "output",
    "reference",
    "reference_sha256",
    "policy_name",
    "policy_hash",
    "recipient",
    "columns",
    "rows",
    "reason",
)
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class ColumnReversal:
    """What a reversal did to one column: counts and key ids only."""

    action: str
    key_ids: tuple[str, ...]
    rows_resolved: int
    rows_unresolved: int
    # fpe: decrypted values that are not valid as the column's entity (a trace of a wrong key or scope)
    rows_invalid: int = 0

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "action": self.action,
            "key_ids": list(self.key_ids),
            "rows_resolved": self.rows_resolved,
            "rows_unresolved": self.rows_unresolved,
        }
        if self.action == "fpe":
            doc["rows_invalid"] = self.rows_invalid
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> ColumnReversal:
        return cls(
            str(doc["action"]),
            tuple(str(k) for k in doc["key_ids"]),
            int(doc["rows_resolved"]),
            int(doc["rows_unresolved"]),
            int(doc.get("rows_invalid", 0)),
        )


@dataclass(frozen=True)
class ReversalRecord:
    """One row of the ``reversals`` table (see the module docstring)."""

    created_at: str
    actor: str
    input: str
    output: str
    policy_name: str
    policy_hash: str
    rows: int
    reason: str
    columns: dict[str, ColumnReversal]
    input_sha256: str | None = None
    reference: str | None = None
    reference_sha256: str | None = None
    recipient: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_json(self) -> dict[str, Any]:
        doc = {name: getattr(self, name) for name in _FIELDS}
        doc["columns"] = {name: c.to_json() for name, c in self.columns.items()}
        return doc


def check_reason(reason: str | None) -> str:
    """The reason, stripped; a missing, blank or overlong reason is a :class:`UsageError`.

    Blank means without a letter, digit, punctuation mark or symbol: whitespace and invisible format
    characters (a zero-width space, a joiner, a direction mark) are not a reason.
    """
    text = (reason or "").strip()
    if not any(unicodedata.category(ch)[0] in "LNPS" for ch in text):
        raise UsageError("a reversal needs a reason: pass --reason TEXT (why the data must be seen in clear)")
    if len(text) > MAX_REASON_CHARS:
        raise UsageError(f"the reason is longer than {MAX_REASON_CHARS} characters; say it shorter")
    return text


def record_reversal(store: StateStore, record: ReversalRecord) -> str:
    """Writes ``record`` in one transaction and returns its id."""
    check_reason(record.reason)
    doc = record.to_json()
    doc["columns"] = json.dumps(doc["columns"], sort_keys=True, separators=(",", ":"))
    names = ", ".join(_FIELDS)
    marks = ", ".join("?" for _ in _FIELDS)
    with store.transaction():
        store.execute(f"INSERT INTO reversals ({names}) VALUES ({marks})", [doc[n] for n in _FIELDS])
    return record.id


def withdraw_reversal(store: StateStore, reversal_id: str) -> None:
    """Removes the record of a reversal whose output never appeared (the only deletion there is)."""
    with store.transaction():
        store.execute("DELETE FROM reversals WHERE id = ?", (reversal_id,))


def _record(row: tuple[Any, ...]) -> ReversalRecord:
    doc = dict(zip(_FIELDS, row, strict=True))
    columns = {name: ColumnReversal.from_json(c) for name, c in json.loads(doc.pop("columns")).items()}
    doc["rows"] = int(doc["rows"])
    return ReversalRecord(columns=columns, **doc)


def list_reversals(store: StateStore) -> list[ReversalRecord]:
    """Every recorded reversal, oldest first."""
    rows = store.query(f"SELECT {', '.join(_FIELDS)} FROM reversals ORDER BY created_at, id")
    return [_record(r) for r in rows]


def get_reversal(store: StateStore, reversal_id: str) -> ReversalRecord | None:
    """The reversal with this id, or ``None``."""
    rows = store.query(f"SELECT {', '.join(_FIELDS)} FROM reversals WHERE id = ?", (reversal_id,))
    return _record(rows[0]) if rows else None
