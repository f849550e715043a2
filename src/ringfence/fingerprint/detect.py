"""Reading marks from an aligned leak and accusing with a computed bound; finding canaries.

:func:`attribute` groups the candidate releases' records by code (key id, domain, cut-off, rate): in each,
it reads the leak's cells in the marked columns it has (:mod:`ringfence.fingerprint.cells`), keeps the
cells the domain selected, takes the majority symbol of each position (cells of one position carry one
symbol, so each position counts once and the innocent's terms stay independent), and scores every
recipient of the group's records with both scores of :mod:`~ringfence.fingerprint.code`. Each
recipient's ``false_accusation_bound`` is the exact Chernoff bound of
:class:`~ringfence.fingerprint.code.Bound` for its better score, with a union over every (code,
recipient, score) test; its ``score`` and ``threshold`` are that score's; a
canary hit (:func:`canary_hits`) adds its own bound, the chance that unrelated rows match a canary's
key-drawn values; marks and canaries being two families of tests, the bound reported is twice the
better one's. A recipient is named only when the bound is at most 1e-9.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import polars as pl

from ringfence.fingerprint.canary import canary_matches
from ringfence.fingerprint.cells import positions_of, read_cells
from ringfence.fingerprint.code import Bound, biases, codewords, scores, single_terms, symmetric_terms
from ringfence.fingerprint.embed import low_bits, selection
from ringfence.fingerprint.record import Accusation, MarkedColumn, MarkRecord
from ringfence.keys import KeyResolver

__all__ = ["attribute", "canary_hits", "read_symbols"]

# The scores every recipient gets: the symmetric Tardos score (coalitions) and the single-leaker decoder.
_SCORES = (symmetric_terms, single_terms)


def read_symbols(
    leak: pl.DataFrame,
    columns: Sequence[MarkedColumn],
    keys: KeyResolver,
    key_id: str,
    domain: str,
    rate: float,
) -> tuple[pl.Series, np.ndarray, int]:
    """(positions, majority symbol of each, selected cells read) of the leak's marked cells."""
    frames = []
    for column in columns:
        if column.name not in leak.columns:
            continue
        cells = read_cells(leak.get_column(column.name), column)
        chosen, mask, _ = selection(
            keys, key_id, domain, column.name, cells.anchors, column.rate or rate, cells.bits
        )
        bits = (low_bits(cells.grains[chosen], cells.bits) ^ mask[chosen]).reshape(-1)
        positions = positions_of(column.name, cells.anchors[chosen], cells.bits)
        frames.append(pl.DataFrame({"p": positions, "b": bits}))
    if not frames:
        return pl.Series("p", [], dtype=pl.String), np.zeros(0, dtype=np.int64), 0
    read = pl.concat(frames)
    votes = (
        read.group_by("p")
        .agg(ones=pl.col("b").sum(), n=pl.len())
        .filter(pl.col("ones") * 2 != pl.col("n"))  # a tie says nothing
        .sort("p")
    )
    y = (votes.get_column("ones") * 2 > votes.get_column("n")).cast(pl.Int64).to_numpy()
    return votes.get_column("p"), y, read.height


def attribute(leak: pl.DataFrame, records: Sequence[MarkRecord], keys: KeyResolver) -> list[Accusation]:
    """One :class:`Accusation` per recipient of ``records`` (see the module docstring). ``leak`` is
    aligned: columns renamed to the released names, amounts numeric, timestamps ``pl.Datetime``."""
    groups: dict[tuple[str, str, float, float], list[MarkRecord]] = defaultdict(list)
    for record in records:
        groups[(record.key_id, record.domain, record.cutoff, record.rate)].append(record)
    # Every (code, recipient, score) triple scored is one test of the union bound.
    tests = len(_SCORES) * sum(len({r.recipient for r in group}) for group in groups.values())
    hits = canary_matches(leak, records, keys)
    # Marks and canaries are two families of tests: a name stands on the better one, at twice its bound.
    families = 2 if any(r.canaries for r in records) else 1
    best: dict[str, Accusation] = {}
    for (key_id, domain, cutoff, rate), group in groups.items():
        positions, y, _ = read_symbols(leak, _columns(group), keys, key_id, domain, rate)
        recipients = sorted({r.recipient for r in group})
        released: dict[str, set[str]] = defaultdict(set)
        for r in group:
            if r.release_id:
                released[r.recipient].add(r.release_id)
        p = biases(keys, key_id, domain, positions, cutoff)
        x = codewords(keys, key_id, domain, recipients, positions, p)
        tested = []
        for terms_of in _SCORES:
            terms = terms_of(y, p)
            score = scores(x, terms) if positions.len() else np.zeros(len(recipients))
            bound = Bound.of(terms, p, tests)
            tested.append((score, bound.union(score), bound.threshold()))
        for k, recipient in enumerate(recipients):
            score, marks, threshold = min(((s[k], u[k], t) for s, u, t in tested), key=lambda t: t[1])
            ids = tuple(sorted(released[recipient]))
            found, canary_bound = hits.get(recipient, (0, 1.0))
            evidence = (("marks",) if marks < 1.0 and score > 0 else ()) + (("canaries",) if found else ())
            accusation = Accusation(
                recipient=recipient,
                release_ids=ids,
                evidence=evidence,
                score=float(score),
                threshold=float(threshold),
                false_accusation_bound=float(min(1.0, families * min(marks, canary_bound))),
                cells_read=int(positions.len()),
                canary_hits=found,
            )
            kept = best.get(recipient)
            if kept is not None:  # the same recipient under two codes: the stronger, with every release id
                stronger = min(kept, accusation, key=lambda a: a.false_accusation_bound)
                accusation = replace(stronger, release_ids=tuple(sorted({*ids, *kept.release_ids})))
            best[recipient] = accusation
    return sorted(best.values(), key=lambda a: (a.false_accusation_bound, -a.score, a.recipient))


def _columns(group: Sequence[MarkRecord]) -> list[MarkedColumn]:
    """The group's marked columns, once per (name, kind, tolerance, grain), each read at the highest rate any
    release used (the selections are nested: a lower rate selects a subset of the cells)."""
    found: dict[tuple[str, str, float, float | None], MarkedColumn] = {}
    for record in group:
        for c in record.columns:
            rated = c if c.rate is not None else c.model_copy(update={"rate": record.rate})
            key = (c.name, c.kind, c.tolerance, c.grain)
            if key not in found or (rated.rate or 0) > (found[key].rate or 0):
                found[key] = rated
    return list(found.values())


def canary_hits(leak: pl.DataFrame, records: Sequence[MarkRecord], keys: KeyResolver) -> dict[str, int]:
    """The number of each recipient's canary records found in ``leak`` (recipients with none left out)."""
    return {recipient: n for recipient, (n, _) in canary_matches(leak, records, keys).items() if n}
