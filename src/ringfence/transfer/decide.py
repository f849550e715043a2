"""``decide``: a transfer request against its jurisdiction's rule pack, failing closed.

What it guarantees:

- Fail closed. A jurisdiction without a pack, a controller country the pack does not govern, a recipient
  without an id, a country that is not ISO 3166-1 alpha-2, a role, purpose, category or mechanism the
  pack does not know: each is a denial, and every unknown value is named in the reasons with the article
  the pack gives for it. ``decide`` never raises on a request.
- Allowed only with a ground for every part of the transfer that applies (the provision or entrustment
  itself, the crossing of a border, sensitive data, credit information) and no denial rule matching. The
  first ground whose conditions match wins; a part without one denies, citing the article it needed.
- A processor is a processor only for the purposes registered for it; a transfer to a "processor" for
  another purpose is refused as a disguised provision (the pack's denial), and the reasons say what a
  provision would need.
- The decision is a function of the request's facts only (:data:`ringfence.transfer.pack.FACTS`);
  ``pseudonymised`` is read only by rules that also require a statistical purpose, so it never changes a
  decision for any other purpose; encryption or tokenisation is never itself a ground.
- Every reason carries its :class:`~ringfence.transfer.model.Citation`; ``legal_basis`` lists the articles
  of the grounds that allowed the transfer (``"none"`` on a denial).
"""

from __future__ import annotations

from ringfence.errors import UsageError
from ringfence.transfer.model import (
    CATEGORIES,
    ROLES,
    Category,
    Citation,
    ConsentKind,
    Decision,
    TransferRequest,
)
from ringfence.transfer.pack import Ground, Note, Pack, Part, Unknown, countries, load_pack

__all__ = ["decide", "purposes"]

Reasons = list[tuple[str, Citation]]

NO_PACK = Citation("ringfence", "rule packs", "a transfer no rule pack governs is refused")


def purposes(jurisdiction: str) -> tuple[str, ...]:
    """The purpose vocabulary of a jurisdiction's pack, in the pack's order."""
    return tuple(load_pack(jurisdiction).purposes)


def decide(request: TransferRequest) -> Decision:
    """Whether the transfer may happen, on which basis, with which consents, and why."""
    try:
        pack = load_pack(request.jurisdiction)
    except UsageError:
        return _denied([("no rule pack for this jurisdiction", NO_PACK)], frozenset())
    sensitive = frozenset(c for c in request.categories if c in pack.sensitive)
    unknown = _unknown(pack, request)
    if unknown:
        return _denied(unknown, sensitive)
    facts = _facts(pack, request, sensitive)
    reasons: Reasons = []
    for rule in pack.denials:
        if rule.when.matches(facts):
            reasons.append(_reason(pack, rule))
            if rule.explain_as is not None:
                reasons += _explain(pack, {**facts, "role": rule.explain_as}, rule.explain_as)
    granted, missing = _grounds(pack, facts)
    reasons += [_reason(pack, part.missing) for part in missing]
    notes = [_reason(pack, n) for n in pack.notes if n.when.matches(facts)]
    if reasons:
        return _denied(reasons + notes, sensitive)
    consent: frozenset[ConsentKind] = frozenset().union(*(g.consent for g in granted))
    for ground in granted:
        reasons += [_reason(pack, ground), *(_reason(pack, n) for n in ground.also)]
    for category in sorted(sensitive):
        reasons.append((f"{category} is sensitive under this law", pack.cite(pack.sensitive[category])))
    return Decision(
        decision="allowed",
        legal_basis="; ".join(f"{pack.cite(g.cite)} {g.basis}" for g in granted),
        consent=consent,
        reasons=tuple(reasons + notes),
        sensitive=sensitive,
    )


def _denied(reasons: Reasons, sensitive: frozenset[Category]) -> Decision:
    return Decision("denied", "none", frozenset(), tuple(reasons), sensitive)


def _reason(pack: Pack, note: Note) -> tuple[str, Citation]:
    return note.why, pack.cite(note.cite)


def _unknown(pack: Pack, request: TransferRequest) -> Reasons:
    """A reason for every value the pack does not know, naming it (names of purposes, countries and
    categories, never a data value), with the article the pack refuses it under."""
    recipient = request.recipient
    strange = sorted(str(c) for c in request.categories if c not in CATEGORIES)
    checks: list[tuple[bool, Unknown, str]] = [
        (
            request.controller_country in pack.controllers,
            "controller",
            f"controller country {request.controller_country!r} is not governed by this pack",
        ),
        (bool(recipient.id), "recipient", "the recipient has no id"),
        (recipient.country in countries(), "country", f"recipient country {recipient.country!r} is unknown"),
        (recipient.role in ROLES, "role", f"recipient role {recipient.role!r} is unknown"),
        (request.purpose in pack.purposes, "purpose", f"purpose {request.purpose!r} is unknown"),
        (not strange, "category", f"data categories {strange} are unknown"),
        (
            request.mechanism is None or request.mechanism in pack.mechanisms,
            "mechanism",
            f"cross-border mechanism {request.mechanism!r} is unknown",
        ),
    ]
    return [(f"fail closed: {why}", pack.cite(pack.unknown[field])) for ok, field, why in checks if not ok]


def _facts(pack: Pack, request: TransferRequest, sensitive: frozenset[Category]) -> dict[str, object]:
    recipient = request.recipient
    purpose = pack.purposes[request.purpose]
    cross_border = recipient.country not in pack.domestic
    return {
        "role": recipient.role,
        "within_purpose": request.purpose in recipient.purposes,
        "affiliate": recipient.affiliate_of is not None,
        "cross_border": cross_border,
        "adequate": cross_border and recipient.country in pack.adequate,
        "mechanism": request.mechanism if cross_border else None,
        "basis": purpose.basis,
        "statistical": purpose.statistical,
        "pseudonymised": request.pseudonymised,
        "identifying": bool(request.categories & pack.identifying),
        "sensitive": bool(sensitive),
        "credit_information": request.credit_information,
    }


def _grounds(pack: Pack, facts: dict[str, object]) -> tuple[list[Ground], list[Part]]:
    """The first matching ground of every part that applies, and the parts left without one."""
    granted: list[Ground] = []
    missing: list[Part] = []
    for part in pack.parts.values():
        if not part.applies.matches(facts):
            continue
        ground = next((g for g in part.grounds if g.when.matches(facts)), None)
        if ground is None:
            missing.append(part)
        else:
            granted.append(ground)
    return granted, missing


def _explain(pack: Pack, facts: dict[str, object], role: str) -> Reasons:
    """What the transfer would need in the role it really has: its grounds' consents, or what is missing."""
    granted, missing = _grounds(pack, facts)
    needs = [
        (f"treated as {role}: {g.why} (consent: {', '.join(sorted(g.consent))})", pack.cite(g.cite))
        for g in granted
        if g.consent
    ]
    return needs + [(f"treated as {role}: {p.missing.why}", pack.cite(p.missing.cite)) for p in missing]
