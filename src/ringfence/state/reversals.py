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
- ``reason`` is the justification the person gave;
- ``state`` is ``started`` from before the first value is decrypted or resolved (:func:`record_reversal`),
  ``revealed`` once the output is complete and about to appear (:func:`complete_reversal`), or
  ``aborted`` when the reveal failed, was refused, or was killed (:func:`abort_reversal`; a killed run's
  record is found by :func:`stale_reversals` from its ``process``, ``host:pid``, at the next reveal).
  So no plaintext exists, even staged, without a record naming who and why.

When the tamper-evident ledger (the govern issue) lands, these records move into it: the ledger becomes
the one append-only record of releases and reversals, and this table is migrated into its entries.
"""

from __future__ import annotations

import json
import os
import socket
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.errors import UsageError
from ringfence.state.store import StateStore

__all__ = [
    "ColumnReversal",
    "ReversalRecord",
    "abort_reversal",
    "complete_reversal",
    "get_reversal",
    "list_reversals",
    "process_label",
    "record_reversal",
    "stale_reversals",
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
# Stored beside the record's fields (schema migration 6), not part of what the ledger keeps.
_TRACKING = ("state", "process")
_COLUMNS = _FIELDS + _TRACKING
STATES = ("started", "revealed", "aborted")
MAX_REASON_CHARS = 2000


def process_label() -> str:
    """``host:pid`` of this process: whose staged output a ``started`` record may have left."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
    state: str = "revealed"
    process: str | None = None

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


def _row(record: ReversalRecord) -> dict[str, Any]:
    check_reason(record.reason)
    if record.state not in STATES:
        raise UsageError(f"a reversal's state is one of {', '.join(STATES)}, not {record.state!r}")
    doc = record.to_json()
    doc["columns"] = json.dumps(doc["columns"], sort_keys=True, separators=(",", ":"))
    doc["state"], doc["process"] = record.state, record.process
    return doc


def record_reversal(store: StateStore, record: ReversalRecord) -> str:
    """Writes ``record`` in one transaction and returns its id."""
    doc = _row(record)
    names = ", ".join(_COLUMNS)
    marks = ", ".join("?" for _ in _COLUMNS)
    with store.transaction():
        store.execute(f"INSERT INTO reversals ({names}) VALUES ({marks})", [doc[n] for n in _COLUMNS])
    return record.id


def complete_reversal(store: StateStore, record: ReversalRecord) -> None:
    """Replaces the ``started`` record of ``record.id`` by ``record`` (its counts, ``revealed``); a record
    that is not ``started`` any more (aborted by another reveal's sweep) is a :class:`UsageError`."""
    doc = _row(record)
    changed = [n for n in _COLUMNS if n != "id"]
    assignments = ", ".join(f"{n} = ?" for n in changed)
    with store.transaction():
        if not store.query("SELECT 1 FROM reversals WHERE id = ? AND state = 'started'", (record.id,)):
            raise UsageError(f"reversal {record.id} is no longer started")
        store.execute(
            f"UPDATE reversals SET {assignments} WHERE id = ? AND state = 'started'",
            [doc[n] for n in changed] + [record.id],
        )


def abort_reversal(store: StateStore, reversal_id: str) -> None:
    """Marks a reversal ``aborted``: its output never appeared (or was never completed)."""
    with store.transaction():
        store.execute("UPDATE reversals SET state = 'aborted' WHERE id = ?", (reversal_id,))


def withdraw_reversal(store: StateStore, reversal_id: str) -> None:
    """Removes the record of a reversal whose output never appeared (the only deletion there is)."""
    with store.transaction():
        store.execute("DELETE FROM reversals WHERE id = ?", (reversal_id,))


def stale_reversals(store: StateStore, alive: Callable[[int], bool]) -> list[ReversalRecord]:
    """The ``started`` reversals of processes on this host that no longer run (``alive(pid)`` is False):
    reveals killed before they could finish or abort."""
    host = socket.gethostname()
    found = []
    for record in _select(store, "WHERE state = 'started'"):
        where, _, pid = (record.process or "").rpartition(":")
        if where == host and pid.isdigit() and not alive(int(pid)):
            found.append(record)
    return found


def _record(row: tuple[Any, ...]) -> ReversalRecord:
    doc = dict(zip(_COLUMNS, row, strict=True))
    columns = {name: ColumnReversal.from_json(c) for name, c in json.loads(doc.pop("columns")).items()}
    doc["rows"] = int(doc["rows"])
    return ReversalRecord(columns=columns, **doc)


def _select(store: StateStore, where: str, params: tuple[Any, ...] = ()) -> list[ReversalRecord]:
    rows = store.query(f"SELECT {', '.join(_COLUMNS)} FROM reversals {where}", params)
    return [_record(r) for r in rows]


def list_reversals(store: StateStore) -> list[ReversalRecord]:
    """Every recorded reversal (started, revealed or aborted), oldest first."""
    return _select(store, "ORDER BY created_at, id")


def get_reversal(store: StateStore, reversal_id: str) -> ReversalRecord | None:
    """The reversal with this id, or ``None``."""
    found = _select(store, "WHERE id = ?", (reversal_id,))
    return found[0] if found else None
