"""Which :class:`~ringfence.transform.base.TransformSpec` each declared action builds.

The actions are declared once, in :data:`ringfence.policy.rules.REGISTRY`; each transform class registers
itself against its action by naming it (:data:`ringfence.transform.base.TRANSFORMS`), and importing this
module imports them all. The key purpose of a keyed action (for the key ids a plan records) is the
declaration's: :data:`KEY_PURPOSES`.
"""

from __future__ import annotations

from ringfence.errors import UsageError
from ringfence.policy.rules import KEY_PURPOSES, Rule
from ringfence.transform import (
    card,
    dates,
    derive,
    encrypt,
    fpe,
    generalize,
    mask,
    numeric,
    redact,
    tokenize,
)
from ringfence.transform.base import TRANSFORMS, TransformSpec

__all__ = ["KEY_PURPOSES", "SPECS", "spec_for"]

# the modules whose classes register the transforms (imported for that)
_MODULES = (card, dates, derive, encrypt, fpe, generalize, mask, numeric, redact, tokenize)

SPECS: dict[str, type[TransformSpec]] = TRANSFORMS


def spec_for(rule: Rule) -> TransformSpec:
    """The transform a rule asks for, with the rule's parameters."""
    try:
        make = SPECS[rule.action]
    except KeyError:
        raise UsageError(f"unknown action {rule.action!r}") from None
    return make.from_rule(rule)
