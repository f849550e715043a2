"""How much of a leak is ours (with a 99% interval), and the verdict of DESIGN.md.

- **Authenticity**: a leak row is *ours* when one of its strong identifiers (phone, e-mail, ID numbers,
  card, account, device; not a name alone, which many people share) is among a reference's digests, or one
  of its tokens is one of ours under any scope. ``match_rate`` is the share of rows that are ours, with
  the **Wilson score interval** at 99% (z = 2.5758): it stays inside [0, 1] and keeps its coverage for
  small samples and rates near 0 or 1, where the normal interval does not.
- **Verdict**: ``attributed`` when at least one recipient's computed false-accusation bound is at most
  :data:`NAME_BOUND` (1e-9; only such a recipient is named); else ``ours-unattributed`` when the
  interval's lower end is above :data:`CHANCE` (the share of a fabricated table that could match by
  chance: real phone numbers reused by a forger); ``not-ours`` when its upper end is at most
  :data:`NOT_OURS` (at 99% confidence, at most a tenth of it could be ours); otherwise, or with fewer than
  :data:`MIN_ROWS` rows or nothing to compare (no identifier, token or mark), ``inconclusive``.
"""

from __future__ import annotations

import math
from typing import Literal

__all__ = ["CHANCE", "MIN_ROWS", "NAME_BOUND", "NOT_OURS", "Verdict", "bound_text", "verdict", "wilson"]

Verdict = Literal["attributed", "ours-unattributed", "not-ours", "inconclusive"]

Z99 = 2.5758293035489004  # the 99.5% quantile of the standard normal: a two-sided 99% interval
NAME_BOUND = 1e-9
CHANCE = 0.01
NOT_OURS = 0.10
MIN_ROWS = 20


def wilson(matched: int, rows: int, z: float = Z99) -> tuple[float, float]:
    """The Wilson score interval of ``matched / rows`` (``(0, 1)`` for no rows)."""
    if rows <= 0:
        return (0.0, 1.0)
    p = matched / rows
    z2 = z * z
    centre = (p + z2 / (2 * rows)) / (1 + z2 / rows)
    half = z * math.sqrt(p * (1 - p) / rows + z2 / (4 * rows * rows)) / (1 + z2 / rows)
    return (max(0.0, centre - half), min(1.0, centre + half))


def verdict(rows: int, interval: tuple[float, float], comparable: bool, named: int) -> Verdict:
    """The verdict (see the module docstring); ``comparable``: the leak had something to compare."""
    if named:
        return "attributed"
    if rows < MIN_ROWS or not comparable:
        return "inconclusive"
    low, high = interval
    if low > CHANCE:
        return "ours-unattributed"
    if high <= NOT_OURS:
        return "not-ours"
    return "inconclusive"


def bound_text(bound: float) -> str:
    """A false-accusation bound for people: ``3e-14``, or ``below 1e-300`` past what a float holds."""
    return "below 1e-300" if bound <= 1e-300 else f"{bound:.0e}"
