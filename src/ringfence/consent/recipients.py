"""The recipients registry: who may receive released data, where they are, and in what role.

A recipient is registered once (``ringfence recipients add``) with its country, its role (a *processor*
acting only for the company's own purposes, or a *third party* receiving data for its own), the purposes it
is registered for, the organisation it is an affiliate of, and the cross-border mechanism the company
relies on for it (adequacy, standard contractual clauses, certification, ...). Releases read it; the
transfer rules decide on it.

What it guarantees:

- Ids, countries, roles and purposes are checked on the way in (an id is 1-64 of ``A-Za-z0-9._-``; a
  country is an ISO 3166-1 alpha-2 code; a role is ``processor`` or ``third-party``); nothing else is stored.
- A removed recipient stays in the store, marked removed with its time, so the ledger's entries that name it
  keep their meaning; a removed recipient receives nothing (:func:`get_recipient` refuses it), and adding
  the same id again is refused (an id is never reused for another organisation).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Literal, cast

from ringfence.errors import UsageError
from ringfence.state.store import StateStore

__all__ = [
    "ROLES",
    "RecipientRecord",
    "add_recipient",
    "get_recipient",
    "list_recipients",
    "remove_recipient",
]

Role = Literal["processor", "third-party", "internal"]
ROLES: tuple[Role, ...] = ("processor", "third-party", "internal")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PURPOSE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_COLUMNS = "id, country, role, purposes, affiliate_of, mechanism, added_at, removed_at"


@dataclass(frozen=True)
class RecipientRecord:
    """One registered recipient (no personal data: an organisation)."""

    id: str
    country: str
    role: Role
    purposes: tuple[str, ...]
    affiliate_of: str | None
    mechanism: str | None
    added_at: str
    removed_at: str | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "country": self.country,
            "role": self.role,
            "purposes": list(self.purposes),
            "affiliate_of": self.affiliate_of,
            "mechanism": self.mechanism,
            "added_at": self.added_at,
            "removed_at": self.removed_at,
        }


def _checked(recipient_id: str, country: str, role: str, purposes: tuple[str, ...]) -> None:
    if not _ID.match(recipient_id):
        raise UsageError(
            "a recipient id is 1-64 characters of A-Z a-z 0-9 . _ - (starting with a letter or digit)"
        )
    if not _COUNTRY.match(country):
        raise UsageError("--country takes an ISO 3166-1 alpha-2 code in capitals, e.g. KR, CN, SG, DE")
    if role not in ROLES:
        raise UsageError(f"--role is one of {', '.join(ROLES)}")
    bad = [p for p in purposes if not _PURPOSE.match(p)]
    if bad:
        raise UsageError("a purpose is a lowercase word (a-z, 0-9, _ and -), e.g. fraud_prevention")


def _record(row: tuple[Any, ...]) -> RecipientRecord:
    rid, country, role, purposes, affiliate, mechanism, added, removed = row
    return RecipientRecord(
        str(rid),
        str(country),
        cast(Role, role),
        tuple(json.loads(purposes)),
        affiliate,
        mechanism,
        str(added),
        removed,
    )


def add_recipient(
    store: StateStore,
    recipient_id: str,
    *,
    country: str,
    role: str = "third-party",
    purposes: tuple[str, ...] = (),
    affiliate_of: str | None = None,
    mechanism: str | None = None,
) -> RecipientRecord:
    """Registers a recipient (see the module docstring); an id already used, even by a removed one, is
    refused."""
    _checked(recipient_id, country, role, purposes)
    if affiliate_of is not None and not _ID.match(affiliate_of):
        raise UsageError("--affiliate-of takes an organisation id of A-Z a-z 0-9 . _ -")
    if mechanism is not None and not _PURPOSE.match(mechanism):
        raise UsageError("--mechanism is a lowercase word, e.g. adequacy, scc, certification")
    record = RecipientRecord(
        recipient_id,
        country,
        cast(Role, role),
        tuple(dict.fromkeys(purposes)),
        affiliate_of,
        mechanism,
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    with store.transaction():
        if store.query("SELECT 1 FROM recipients WHERE id = ?", (recipient_id,)):
            raise UsageError(f"recipient {recipient_id!r} is already registered (ids are never reused)")
        store.execute(
            f"INSERT INTO recipients ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.country,
                record.role,
                json.dumps(list(record.purposes)),
                record.affiliate_of,
                record.mechanism,
                record.added_at,
                None,
            ),
        )
    return record


def list_recipients(store: StateStore, *, include_removed: bool = False) -> list[RecipientRecord]:
    """Every recipient, by id; removed ones only with ``include_removed``."""
    rows = store.query(f"SELECT {_COLUMNS} FROM recipients ORDER BY id")
    records = [_record(r) for r in rows]
    return records if include_removed else [r for r in records if r.active]


def find_recipient(store: StateStore, recipient_id: str) -> RecipientRecord | None:
    """The recipient with this id (removed or not), or None."""
    rows = store.query(f"SELECT {_COLUMNS} FROM recipients WHERE id = ?", (recipient_id,))
    return _record(rows[0]) if rows else None


def get_recipient(store: StateStore, recipient_id: str) -> RecipientRecord:
    """The active recipient with this id; a :class:`UsageError` when it is unknown or removed."""
    record = find_recipient(store, recipient_id)
    if record is None:
        raise UsageError(
            f"recipient {recipient_id!r} is not registered; add it with "
            f"ringfence recipients add {recipient_id} --country CC"
        )
    if not record.active:
        raise UsageError(f"recipient {recipient_id!r} was removed on {record.removed_at}")
    return record


def remove_recipient(store: StateStore, recipient_id: str) -> RecipientRecord:
    """Marks a recipient removed (it stays, for the ledger's sake)."""
    record = get_recipient(store, recipient_id)
    removed = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    store.execute("UPDATE recipients SET removed_at = ? WHERE id = ?", (removed, recipient_id))
    return RecipientRecord(**{**record.__dict__, "removed_at": removed})
