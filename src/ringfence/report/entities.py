"""How reports present entity types: a readable label and a risk tier for each.

The tier drives colour only; it never hides anything. ``high`` marks the identifiers whose leak harms most
and lasts longest (national IDs, passports, cards and accounts), ``personal`` every other kind of personal
data, ``none`` a column without personal data. An entity type this module does not know (a type added
after it) is ``personal``, never ``none``: an unknown kind of personal data is still personal data.
Labels and high-risk marks come from the entity specs (:class:`ringfence.detect.spec.EntitySpec`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from ringfence.detect.entities import SPECS

Tier = Literal["high", "personal", "none"]

# Each spec's label, and the entities it marks high_risk (ringfence.detect.spec.EntitySpec).
LABELS: dict[str, str] = {spec.entity: spec.label for spec in SPECS.values()}
HIGH_RISK: frozenset[str] = frozenset(spec.entity for spec in SPECS.values() if spec.high_risk)


def label(entity: str | None) -> str:
    """The readable name of an entity type; the type's own code when it has none; "" for no entity."""
    if entity is None:
        return ""
    return LABELS.get(entity, entity)


def tier(entity: str | None, contains: Iterable[str] = ()) -> Tier:
    """The risk tier of a column: ``high`` for national IDs, passports, cards and accounts, and for free
    text that contains one of them; ``none`` only when there is no entity."""
    if entity is None:
        return "none"
    if entity in HIGH_RISK or any(c in HIGH_RISK for c in contains):
        return "high"
    return "personal"
