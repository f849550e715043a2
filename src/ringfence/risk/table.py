"""The risk of a readable table (a file or a database table), with its quasi-identifiers given or
proposed: what ``ringfence risk`` runs.

The table is read once through :meth:`ringfence.io.read.Source.lazy` (Parquet natively, other kinds
streamed in batches), so only the columns the measures need are read. When no quasi-identifiers are
given, a sample is scanned for entities and :func:`~ringfence.risk.propose.propose_quasi_identifiers`
chooses them; the assessment says which and why.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ringfence.errors import UsageError
from ringfence.io.read import Source, open_source
from ringfence.risk.measures import RiskResult, measure
from ringfence.risk.propose import Proposal, propose_quasi_identifiers

__all__ = ["Assessment", "assess"]


@dataclass(frozen=True)
class Assessment:
    """A table's risk and, when they were proposed, why its quasi-identifiers were chosen."""

    input: str
    result: RiskResult
    proposed: list[Proposal]

    def to_json(self) -> dict[str, Any]:
        doc = {"input": self.input, **self.result.to_json()}
        if self.proposed:
            doc["proposed"] = [{"column": p.column, "reason": p.reason} for p in self.proposed]
        return doc


def _open(source: str | os.PathLike[str] | Source) -> Source:
    return source if isinstance(source, Source) else open_source(source)


def assess(
    source: str | os.PathLike[str] | Source,
    qi: Sequence[str] | None = None,
    *,
    sensitive: Sequence[str] = (),
    subject: str | None = None,
    population: str | os.PathLike[str] | Source | None = None,
) -> Assessment:
    """The risk of ``source`` over ``qi`` (proposed when None); see :func:`~ringfence.risk.measure`."""
    src = _open(source)
    proposed: list[Proposal] = []
    if not qi:
        from ringfence.detect.scan import scan_source  # detection only when the user names no QI

        found = {c.name: c.entity for c in scan_source(src).columns}
        skip = {*sensitive, *([subject] if subject else [])}
        proposed = [p for p in propose_quasi_identifiers(src.schema(), found) if p.column not in skip]
        if not proposed:
            raise UsageError(f"{src.name}: no quasi-identifier found; name them with --qi")
        qi = [p.column for p in proposed]
    wanted = list(dict.fromkeys([*qi, *sensitive, *([subject] if subject else [])]))
    frame = src.lazy().select(wanted) if set(wanted) <= set(src.schema().names()) else src.lazy()
    pop = _open(population).lazy() if population is not None else None
    result = measure(frame, qi, sensitive=sensitive, subject=subject, population=pop)
    return Assessment(src.name, result, proposed)
