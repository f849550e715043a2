"""Which :class:`~ringfence.transform.base.TransformSpec` each policy action builds, and which key purpose
a keyed action uses (for the key ids a plan records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ringfence.errors import UsageError
from ringfence.keys.keyset import KeyPurpose
from ringfence.policy.rules import Rule
from ringfence.transform.base import TransformSpec
from ringfence.transform.dates import DateShift
from ringfence.transform.derive import Derive
from ringfence.transform.encrypt import Encrypt
from ringfence.transform.fpe import Fpe
from ringfence.transform.generalize import Generalize
from ringfence.transform.mask import Mask
from ringfence.transform.numeric import Noise, Round
from ringfence.transform.redact import Drop, Keep, Redact, Suppress
from ringfence.transform.tokenize import Tokenize

__all__ = ["KEY_PURPOSES", "SPECS", "spec_for"]

SPECS: dict[str, Callable[[Any], TransformSpec]] = {
    "keep": Keep.from_rule,
    "drop": Drop.from_rule,
    "suppress": Suppress.from_rule,
    "redact": Redact.from_rule,
    "mask": Mask.from_rule,
    "tokenize": Tokenize.from_rule,
    "encrypt": Encrypt.from_rule,
    "fpe": Fpe.from_rule,
    "generalize": Generalize.from_rule,
    "date_shift": DateShift.from_rule,
    "round": Round.from_rule,
    "noise": Noise.from_rule,
    "derive": Derive.from_rule,
}

# The keyset purpose whose primary key a keyed action uses; unkeyed actions are absent.
KEY_PURPOSES: dict[str, KeyPurpose] = {
    "tokenize": "hmac",
    "date_shift": "hmac",
    "noise": "hmac",
    "encrypt": "aead",
    "fpe": "aead",
}


def spec_for(rule: Rule) -> TransformSpec:
    """The transform a rule asks for, with the rule's parameters."""
    try:
        make = SPECS[rule.action]
    except KeyError:
        raise UsageError(f"unknown action {rule.action!r}") from None
    return make(rule)
