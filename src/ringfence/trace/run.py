"""``trace``: is this leaked data ours, how much of it, and whose copy did it come from.

```
LEAK... ─▶ read (any format) ─▶ align to the released columns (align.py)
        ─▶ authenticity: identifiers vs references' digests, tokens vs our tokens (verdict.py)
        ─▶ attribution: per-recipient tokens (tokens.py); marks and canaries read from the aligned leak
           (ringfence.fingerprint.attribute); each recipient with a computed bound
        ─▶ verdict ─▶ a "trace" ledger entry (digests of the leak files, verdict, suspects; no values)
```

Candidate releases come from the ledger only (every ``release`` entry, its ``"fingerprint"`` mark record
when it has one), never from a stored copy of released data. A recipient with evidence of both kinds
(tokens, and marks or canaries) gets twice the smaller of the two bounds: each bound holds on its own,
and the union over the two tests keeps the combined one honest. Everything the result holds is a count,
a rate, a name of a column, a recipient or a release, or a bound: never a value of the leak.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ringfence import __version__
from ringfence.detect.scan import scan_source
from ringfence.errors import InvalidFormat, UsageError
from ringfence.fingerprint import Accusation, MarkRecord, attribute, canary_hits
from ringfence.io.read import Source, open_sources
from ringfence.io.write import sha256_file
from ringfence.keys import KeyResolver
from ringfence.ledger import Entry, Ledger
from ringfence.state import StateStore
from ringfence.trace.align import Alignment, Target, align
from ringfence.trace.identifiers import STRONG, digest_normal, domain, normalise
from ringfence.trace.reference import ReferenceDigests, contains, load_digests
from ringfence.trace.tokens import FLOOR, Candidates, ReleaseInfo, TokenEvidence, token_evidence
from ringfence.trace.verdict import NAME_BOUND, Verdict, verdict, wilson

__all__ = ["ColumnHits", "Scored", "TraceResult", "read_releases", "trace"]


@dataclass(frozen=True)
class ColumnHits:
    """How many of a leak column's values a reference holds (a count, never a value)."""

    column: str
    kind: str
    values: int
    matched: int

    def to_json(self) -> dict[str, Any]:
        return {"column": self.column, "kind": self.kind, "values": self.values, "matched": self.matched}


@dataclass(frozen=True)
class Scored:
    """One recipient as trace scored it: its evidence and the computed false-accusation bound."""

    recipient: str
    release_id: str
    evidence: tuple[str, ...]
    false_accusation_bound: float
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        return self.false_accusation_bound <= NAME_BOUND

    def to_json(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "release_id": self.release_id,
            "evidence": list(self.evidence),
            "false_accusation_bound": self.false_accusation_bound,
        }


@dataclass
class TraceResult:
    rows: int
    matched_rows: int
    interval: tuple[float, float]
    verdict: Verdict
    scored: list[Scored]
    alignment: Alignment
    hits: list[ColumnHits]
    token_columns: list[str]
    tokens: int
    leaks: list[dict[str, Any]]
    releases: int
    references: int
    trace_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ledger_entry: int | None = None

    @property
    def match_rate(self) -> float:
        return self.matched_rows / self.rows if self.rows else 0.0

    @property
    def suspects(self) -> list[Scored]:
        """The named recipients only (bound at most 1e-9), the strongest first."""
        return sorted((s for s in self.scored if s.named), key=lambda s: s.false_accusation_bound)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md §2 ``trace --json`` document."""
        return {
            "rows": self.rows,
            "matched_rows": self.matched_rows,
            "match_rate": round(self.match_rate, 6),
            "match_rate_ci99": [round(self.interval[0], 6), round(self.interval[1], 6)],
            "verdict": self.verdict,
            "suspects": [s.to_json() for s in self.suspects],
        }

    def ledger_fields(self) -> dict[str, Any]:
        """The ``trace`` ledger entry: digests of the leak files, counts, verdict, suspects; no values."""
        return {
            "trace_id": self.trace_id,
            "leaks": self.leaks,
            **self.to_json(),
            "interval": "wilson-99",
            "releases_scored": self.releases,
            "references": self.references,
            "tool_version": __version__,
        }


def read_releases(ledger: Ledger) -> list[ReleaseInfo]:
    """Every ``release`` entry of the ledger, as trace needs it."""
    found = []
    for entry in ledger.entries():
        if entry.kind != "release":
            continue
        f = entry.fields
        found.append(
            ReleaseInfo(
                release_id=str(f.get("release_id")),
                recipient=str(f.get("recipient")),
                time=entry.time,
                key_ids=tuple(f.get("key_ids") or ()),
                columns=tuple(f.get("columns") or ()),
                entry=entry.index,
                fingerprint=f.get("fingerprint"),
            )
        )
    return found


def _read_leaks(
    leaks: Sequence[str | os.PathLike[str] | Source],
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    frames, described = [], []
    for spec in leaks:
        sources = [spec] if isinstance(spec, Source) else open_sources(spec)
        for source in sources:
            frame = source.read_all()
            path = Path(source.location) if not source.is_table else None
            digest = sha256_file(path) if path is not None and path.is_file() else None
            described.append({"sha256": digest, "rows": frame.height})
            frames.append(frame)
    if not frames:
        raise UsageError("no leak to trace: give a file, a folder of files or a table")
    return pl.concat(frames, how="diagonal_relaxed"), described


def _candidates(sources: Sequence[str | os.PathLike[str] | Source]) -> list[Candidates]:
    """Every column of the company's own tables as candidate values (text, distinct), with its entity."""
    found = []
    for spec in sources:
        for source in [spec] if isinstance(spec, Source) else open_sources(spec):
            entities = {c.name: c.entity for c in scan_source(source).columns}
            frame = source.read_all()
            for column in frame.columns:
                values = frame.get_column(column).cast(pl.String).drop_nulls().unique()
                if values.len():
                    found.append(Candidates(column, entities.get(column), values))
    return found


def _reference_hits(
    leak: pl.DataFrame, alignment: Alignment, groups: Sequence[ReferenceDigests], keys: KeyResolver
) -> tuple[np.ndarray, list[ColumnHits]]:
    """Rows whose strong identifiers a reference holds, and per identifier column how many values hit.

    A row is ours when its strong identifiers hit at least ``min(2, present)`` times (``present``: how
    many it holds in a valid form): a forger's invented e-mail can equal a real one by chance (names
    spelled the same way); two invented identifiers of one row both equal to real ones are far rarer
    (bench/RESULTS.md: 452 of 500,000 invented rows against 1M real customers, the generator's device
    numbers being drawn from a small space). Names never count.
    """
    present = np.zeros(leak.height, dtype=np.int64)
    hits_per_row = np.zeros(leak.height, dtype=np.int64)
    hits = []
    for name, prof in alignment.profiles.items():
        kinds = [
            k for k in (prof.entity, *prof.also) if k is not None and any(k in g.by_kind for g in groups)
        ]
        for kind in kinds:
            normal = normalise(leak.get_column(name), kind)
            valid = normal.is_not_null().to_numpy()
            hit = np.zeros(leak.height, dtype=np.bool_)
            for group in groups:
                if kind in group.by_kind:
                    words = digest_normal(keys.prf(group.key_id, domain(kind)), normal)
                    hit[np.flatnonzero(valid)] |= contains(group.by_kind[kind], words)
            if kind in STRONG:
                present += valid
                hits_per_row += hit
            hits.append(ColumnHits(name, kind, int(valid.sum()), int(hit.sum())))
    rows = (hits_per_row >= 1) & (hits_per_row >= np.minimum(present, 2))
    return rows, hits


def _scored(
    tokens: TokenEvidence, accusations: Sequence[Accusation], canaries: dict[str, int]
) -> list[Scored]:
    """Every recipient scored, with its evidence and bound (see the module docstring)."""
    found: dict[str, Scored] = {}
    for a in accusations:
        detail: dict[str, Any] = {"score": round(a.score, 3), "threshold": round(a.threshold, 3)}
        detail |= {"cells read": a.cells_read, "canaries": canaries.get(a.recipient, 0)}
        release = a.release_ids[-1] if a.release_ids else ""
        bound = max(a.false_accusation_bound, FLOOR)  # a float's underflow is not an impossibility
        found[a.recipient] = Scored(a.recipient, release, a.evidence, bound, detail)
    for recipient, k in tokens.matched.items():
        bound = tokens.bound[recipient]
        detail = {"tokens": k, "leaked tokens": tokens.tokens}
        marks = found.get(recipient)
        if marks is None:
            found[recipient] = Scored(recipient, tokens.release_of[recipient], ("tokens",), bound, detail)
            continue
        combined = min(1.0, 2 * min(bound, marks.false_accusation_bound)) if marks.evidence else bound
        found[recipient] = Scored(
            recipient,
            tokens.release_of[recipient],
            ("tokens", *marks.evidence),
            combined,
            marks.detail | detail,
        )
    return sorted(found.values(), key=lambda s: (s.false_accusation_bound, s.recipient))


def _mark_records(releases: Sequence[ReleaseInfo]) -> list[MarkRecord]:
    """The mark records of the releases that carry one (a malformed one stops the trace: fail closed)."""
    records = []
    for r in releases:
        if r.fingerprint is None:
            continue
        try:
            records.append(MarkRecord.model_validate(r.fingerprint))
        except ValueError:
            raise InvalidFormat(
                f"the mark record of release {r.release_id} (ledger entry {r.entry}) is malformed"
            ) from None
    return records


def trace(
    leaks: Sequence[str | os.PathLike[str] | Source],
    *,
    keys: KeyResolver,
    store: StateStore,
    ledger: Ledger,
    sources: Sequence[str | os.PathLike[str] | Source] = (),
    record: bool = True,
) -> TraceResult:
    """Traces ``leaks`` (see the module docstring); ``sources``: the company's own tables, whose values
    are tokenized again to recognise leaked tokens. Appends the ``trace`` ledger entry unless ``record``
    is False."""
    leak, described = _read_leaks(leaks)
    releases = read_releases(ledger)
    records = _mark_records(releases)
    alignment = align(leak, _targets(releases, records))
    groups = load_digests(store)
    ours, hits = _reference_hits(leak, alignment, groups, keys)
    paired = {m.leak: m.target for m in alignment.matches}
    token_cols = {n: paired.get(n) for n, p in alignment.profiles.items() if p.kind == "token"}
    candidates = _candidates(sources) if token_cols else []
    tokens = token_evidence(leak, token_cols, releases, candidates, keys)
    ours |= tokens.rows
    matched = int(ours.sum())
    interval = wilson(matched, leak.height)
    accusations = attribute(alignment.frame, records, keys) if records and alignment.matches else []
    canaries = canary_hits(alignment.frame, records, keys) if records and alignment.matches else {}
    scored = _scored(tokens, accusations, canaries)
    # Rows are checked by identifiers and tokens; tokens only when our own values could be tokenized
    # again (--source). Marks name a copy as a whole but prove no single row, so they count for
    # attribution only: a leak without identifiers and with no recipient named is inconclusive.
    comparable = any(h.kind in STRONG for h in hits) or bool(token_cols and candidates)
    result = TraceResult(
        rows=leak.height,
        matched_rows=matched,
        interval=interval,
        verdict=verdict(leak.height, interval, comparable, sum(s.named for s in scored)),
        scored=scored,
        alignment=alignment,
        hits=hits,
        token_columns=list(token_cols),
        tokens=tokens.tokens,
        leaks=described,
        releases=len(releases),
        references=len(groups),
    )
    if record:
        result.ledger_entry = ledger.append(Entry("trace", result.ledger_fields())).index
    return result


_MARK_KINDS = {"amount": "number", "timestamp": "timestamp", "number": "number"}


def _targets(releases: Sequence[ReleaseInfo], records: Sequence[MarkRecord]) -> list[Target]:
    """Every column name any release wrote, once; a marked column with the kind its record gives."""
    kinds = {c.name: _MARK_KINDS[c.kind] for r in records for c in r.columns}
    seen: dict[str, Target] = {}
    for r in releases:
        for column in r.columns:
            seen.setdefault(column, Target(column, kinds.get(column)))
    for name, kind in kinds.items():
        seen.setdefault(name, Target(name, kind))
    return list(seen.values())
