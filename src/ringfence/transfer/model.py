"""The face of the transfer rules: what a transfer request says and what a decision answers.

What it guarantees:

- Every type is a frozen dataclass of plain values, so a decision can be compared, hashed, logged and
  written into a ledger entry as it is; none of them holds a data value, only names and counts of nothing.
- The vocabularies are declared once here as ``Literal`` types and the tuples the rule packs and the
  engine check against are derived from them (:data:`JURISDICTIONS`, :data:`CATEGORIES`, :data:`ROLES`,
  :data:`CONSENT_KINDS`). :data:`CATEGORIES` repeats ``ringfence.detect.spec.Category`` because this side
  rail sits below detect and may not import it; ``tests/transfer`` checks that the two stay equal.
- A :class:`Decision` is ``allowed`` only with a legal basis for every part of the transfer; its
  ``consent`` names the consent kinds each released subject must hold, and is empty on a denial (what a
  lawful path would need is then in ``reasons``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "CATEGORIES",
    "CONSENT_KINDS",
    "JURISDICTIONS",
    "ROLES",
    "Category",
    "Citation",
    "ConsentKind",
    "Decision",
    "Jurisdiction",
    "Recipient",
    "Role",
    "TransferRequest",
]

Jurisdiction = Literal["KR", "CN", "EU"]
Category = Literal["identity", "contact", "financial_account", "transaction", "location", "device"]
Role = Literal["processor", "third-party", "internal"]
# provision: consent to the provision to this recipient for this purpose (PIPA Art. 17, PIPL Art. 23,
# GDPR Art. 6(1)(a)); separate_sensitive: consent given apart from any other for sensitive data or unique
# identifiers (PIPA Art. 23/24, PIPL Art. 29, GDPR Art. 9(2)(a)); cross_border: separate consent to the
# transfer abroad (PIPA Art. 28-8(1)1, PIPL Art. 39, GDPR Art. 49(1)(a)); per_provision: consent given
# for this one provision, not a standing one (Credit Information Act Art. 32(1)).
ConsentKind = Literal["provision", "separate_sensitive", "cross_border", "per_provision"]

JURISDICTIONS: tuple[str, ...] = get_args(Jurisdiction)
CATEGORIES: tuple[str, ...] = get_args(Category)
ROLES: tuple[str, ...] = get_args(Role)
CONSENT_KINDS: tuple[str, ...] = get_args(ConsentKind)


@dataclass(frozen=True)
class Recipient:
    """Who receives: ``country`` ISO 3166-1 alpha-2; a processor acts only for its ``purposes``."""

    id: str
    country: str
    role: Role
    purposes: tuple[str, ...]
    affiliate_of: str | None = None


@dataclass(frozen=True)
class TransferRequest:
    """One release, as the rules see it.

    ``categories`` are what the released columns hold in a recognisable form; ``pseudonymised`` says no
    direct identifier leaves in clear or reversible form for the recipient; ``credit_information`` that the
    rows are personal credit information (the Korean Credit Information Act applies); ``mechanism`` the
    cross-border mechanism the controller declares for this recipient, if any.
    """

    jurisdiction: Jurisdiction
    controller_country: str
    recipient: Recipient
    purpose: str
    categories: frozenset[Category]
    pseudonymised: bool
    credit_information: bool
    mechanism: str | None = None


@dataclass(frozen=True)
class Citation:
    """An article a decision rests on: ``law`` (PIPA, CIA, PIPL, GDPR), ``article``, one line of ours."""

    law: str
    article: str
    text: str

    def __str__(self) -> str:
        return f"{self.law} {self.article}"


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or denied, on which basis, which consents, why (each reason with its article)."""

    decision: Literal["allowed", "denied"]
    legal_basis: str
    consent: frozenset[ConsentKind]
    reasons: tuple[tuple[str, Citation], ...]
    sensitive: frozenset[Category]

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every article the decision cites, in order, each once."""
        return tuple(dict.fromkeys(c for _, c in self.reasons))
