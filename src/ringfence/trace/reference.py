"""References: the company's own records, kept only as keyed digests of their identifiers.

``add_reference(store, keys, INPUT)`` scans the table (:mod:`ringfence.detect.scan`), takes every column
whose entity is an identifier kind trace compares (:data:`ringfence.trace.identifiers.KINDS`), streams
the table in batches, normalises and digests each value with the keyset's PRF under the primary ``hmac``
key (:mod:`ringfence.trace.identifiers`), and stores per kind one sorted array of distinct 64-bit digests
(little-endian ``uint64`` in a BLOB, 8 bytes per distinct value) in the state store (migration 5).

What it guarantees:

- No value is stored, not even hashed without a key: a digest is useless without the ``hmac`` key that
  made it (recorded by id), and nothing here is shareable as a filter.
- A reference is replaced as a whole (same name): its rows and digests change in one transaction.
- Membership of a whole leaked column is one ``np.searchsorted`` over the sorted digests
  (:func:`contains`), never a loop over rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ringfence.detect.scan import scan_source
from ringfence.errors import UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.read import Source, open_source
from ringfence.keys import KeyResolver
from ringfence.state import StateStore
from ringfence.trace.identifiers import KINDS, Digests, digest_values, domain, kinds_of

__all__ = ["Reference", "ReferenceDigests", "add_reference", "contains", "list_references", "load_digests"]


@dataclass(frozen=True)
class Reference:
    """One stored reference: where it came from and how many distinct digests per kind (no values)."""

    name: str
    created_at: str
    input: str
    rows: int
    key_id: str
    columns: dict[str, list[str]]  # column -> kinds
    digests: dict[str, int]  # kind -> distinct digests

    def digests_text(self) -> str:
        """``EMAIL_ADDRESS 1,200, PHONE_NUMBER 1,198``: the distinct digests per kind, for people."""
        return ", ".join(f"{kind} {n:,}" for kind, n in sorted(self.digests.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at,
            "input": self.input,
            "rows": self.rows,
            "key_id": self.key_id,
            "columns": self.columns,
            "digests": self.digests,
        }


@dataclass(frozen=True)
class ReferenceDigests:
    """Every reference's digests of one key, merged per kind (sorted, distinct)."""

    key_id: str
    by_kind: dict[str, Digests]

    @property
    def size(self) -> int:
        return sum(len(d) for d in self.by_kind.values())


def contains(sorted_digests: Digests, words: Digests) -> np.ndarray:
    """Whether each of ``words`` is among ``sorted_digests`` (sorted ascending): one binary search each."""
    if not len(sorted_digests) or not len(words):
        return np.zeros(len(words), dtype=np.bool_)
    at = np.searchsorted(sorted_digests, words)
    at[at == len(sorted_digests)] = 0
    return np.asarray(sorted_digests[at] == words, dtype=np.bool_)


def _name_of(source: Source, name: str | None) -> str:
    chosen = name if name is not None else Path(source.name).stem
    if not chosen or len(chosen) > 100 or any(c in chosen for c in "\r\n\t"):
        raise UsageError("a reference name is 1 to 100 characters on one line (--name)")
    return chosen


def add_reference(
    store: StateStore,
    keys: KeyResolver,
    input: str | os.PathLike[str] | Source,
    *,
    name: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Reference:
    """Scans, digests and stores ``input`` as a reference (see the module docstring); replaces a
    reference of the same name. Raises :class:`UsageError` when the table holds no identifier trace
    compares."""
    source = input if isinstance(input, Source) else open_source(input)
    chosen = _name_of(source, name)
    finding = scan_source(source)
    columns = {c.name: kinds_of(c) for c in finding.columns if kinds_of(c)}
    if not columns:
        raise UsageError(
            f"{source.name}: no column holds an identifier a reference keeps "
            f"({', '.join(KINDS)}); nothing to add"
        )
    key_id = keys.primary_id("hmac")
    prfs = {kind: keys.prf(key_id, domain(kind)) for kinds in columns.values() for kind in kinds}
    parts: dict[str, list[Digests]] = defaultdict(list)
    rows = 0
    for batch in source.batches(batch_rows, list(columns)):
        rows += batch.height
        for column, kinds in columns.items():
            for kind in kinds:
                parts[kind].append(digest_values(prfs[kind], batch.get_column(column), kind))
    merged = {kind: np.unique(np.concatenate(p)) for kind, p in parts.items()}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.transaction():
        store.execute("DELETE FROM reference_digests WHERE name = ?", (chosen,))
        store.execute("DELETE FROM reference_sets WHERE name = ?", (chosen,))
        store.execute(
            "INSERT INTO reference_sets (name, created_at, input, rows, key_id, columns) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (chosen, now, source.name, rows, key_id, json.dumps(columns, sort_keys=True)),
        )
        store.executemany(
            "INSERT INTO reference_digests (name, kind, n, digests) VALUES (?, ?, ?, ?)",
            [(chosen, kind, len(d), d.astype("<u8").tobytes()) for kind, d in sorted(merged.items())],
        )
    return Reference(chosen, now, source.name, rows, key_id, columns, {k: len(d) for k, d in merged.items()})


def list_references(store: StateStore) -> list[Reference]:
    """Every stored reference, by name (counts only)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for ref, kind, n in store.query("SELECT name, kind, n FROM reference_digests"):
        counts[str(ref)][str(kind)] = int(n)
    rows = store.query(
        "SELECT name, created_at, input, rows, key_id, columns FROM reference_sets ORDER BY name"
    )
    return [
        Reference(str(n), str(c), str(i), int(r), str(k), json.loads(cols), counts.get(str(n), {}))
        for n, c, i, r, k, cols in rows
    ]


def load_digests(store: StateStore) -> list[ReferenceDigests]:
    """Every reference's digests merged per key id and kind (references made under several keys, after a
    rotation, give one group per key)."""
    keys_of = {str(n): str(k) for n, k in store.query("SELECT name, key_id FROM reference_sets")}
    parts: dict[str, dict[str, list[Digests]]] = defaultdict(lambda: defaultdict(list))
    for ref, kind, blob in store.query("SELECT name, kind, digests FROM reference_digests ORDER BY name"):
        words = np.frombuffer(bytes(blob), dtype="<u8").astype(np.uint64)
        parts[keys_of[str(ref)]][str(kind)].append(words)
    return [
        ReferenceDigests(key_id, {kind: _merged(p) for kind, p in by_kind.items()})
        for key_id, by_kind in sorted(parts.items())
    ]


def _merged(parts: list[Digests]) -> Digests:
    """Sorted distinct digests of several references (one is already sorted and distinct)."""
    return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
