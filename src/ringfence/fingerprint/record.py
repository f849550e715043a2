"""What a release records about its marks (:class:`MarkRecord`, JSON in its ledger entry) and what
detection says about each recipient (:class:`Accusation`).

A record holds everything detection needs besides the keys: the recipient, the key id and domain of the
code, the columns that carry marks (name, kind, tolerance), the selection rate and the bias cut-off, and
the canary records' keyed digests. Never key bytes, never a data value of a real row.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from ringfence.fingerprint.code import NAMED_BOUND
from ringfence.policy import MarkKind

__all__ = ["RECORD_VERSION", "Accusation", "CanaryRecord", "ColumnShift", "MarkRecord", "MarkedColumn"]

RECORD_VERSION = 1


class MarkedColumn(BaseModel):
    """A released column that carries marks: how its cells are read, the largest change of one cell (in
    the column's units: currency units for an amount, seconds for a timestamp), the grain marks count in
    (``None``: the tolerance; a tolerance of 3 grains lets each cell carry two symbols), and the share of
    its markable cells selected to carry symbols (set by the embedder from the release's first batch so
    that about 4.8% of the column's cells change; ``None``: the record's ``rate``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: MarkKind
    tolerance: float = Field(gt=0)
    grain: float | None = Field(default=None, gt=0)
    rate: float | None = Field(default=None, gt=0, le=0.5)


class CanaryRecord(BaseModel):
    """One canary row of a release, as keyed digests (hex, 8 bytes) of its released values per column,
    with the bits of key-drawn randomness each value holds (what an unrelated value matches by chance)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    digests: dict[str, str]
    bits: dict[str, float]


class ColumnShift(BaseModel):
    """What marking did to one column of a release (counts and moments, never a value)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cells: int
    changed: int
    mean_shift: float
    variance_shift: float
    max_change: float


class MarkRecord(BaseModel):
    """The marks of one release (see the module docstring); stored under ``"fingerprint"`` in its
    ``release`` ledger entry, and all that detection needs besides the keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = RECORD_VERSION
    recipient: str
    release_id: str | None
    key_id: str
    domain: str
    columns: list[MarkedColumn]
    rate: float = Field(gt=0, le=0.5)
    cutoff: float = Field(gt=0, lt=0.5)
    strength: str = "normal"
    canaries: list[CanaryRecord] = Field(default_factory=list)
    shifts: dict[str, ColumnShift] = Field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        """The ``"fingerprint"`` object of ``release --json``: cells changed, columns, canaries, shifts."""
        return {
            "columns": [c.name for c in self.columns],
            "cells": sum(s.cells for s in self.shifts.values()),
            "cells_changed": sum(s.changed for s in self.shifts.values()),
            "canaries": len(self.canaries),
            "strength": self.strength,
            "shift": {name: s.model_dump(mode="json") for name, s in self.shifts.items()},
        }


@dataclass(frozen=True)
class Accusation:
    """What detection says about one recipient: its score against the threshold, the computed chance
    that an innocent recipient would score as high (``false_accusation_bound``) and the evidence."""

    recipient: str
    release_ids: tuple[str, ...]
    evidence: tuple[str, ...]
    score: float
    threshold: float
    false_accusation_bound: float
    cells_read: int
    canary_hits: int = 0

    @property
    def named(self) -> bool:
        """Whether the evidence names this recipient (DESIGN.md: bound ≤ 1e-9, never an innocent)."""
        return self.false_accusation_bound <= NAMED_BOUND
