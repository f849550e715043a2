"""The policy's ``risk:`` section: strict, consistent, and absent from the hash of policies without it."""

from __future__ import annotations

import pytest

from ringfence.policy import PolicyError, parse_policy, policy_hash


def _doc(risk: str) -> str:
    return "ringfence_policy: 1\nname: p\ncolumns:\n  a: keep\n" + risk


def test_a_full_section_loads() -> None:
    policy = parse_policy(
        _doc(
            "risk:\n  quasi_identifiers: [a, b]\n  sensitive: [s]\n  subject: person\n  k: 5\n  l: 2\n"
            "  t: 0.4\n  suppression: 0.02\n  on_violation: suppress\n"
            "  hierarchies: {b: {kind: number, levels: [5, 10]}}\n"
        )
    )
    risk = policy.risk
    assert risk is not None
    assert (risk.k, risk.l, risk.t, risk.suppression, risk.on_violation) == (5, 2, 0.4, 0.02, "suppress")
    assert risk.hierarchies["b"].levels == [5, 10]


@pytest.mark.parametrize(
    "risk",
    [
        "risk: {quasi_identifiers: []}\n",
        "risk: {quasi_identifiers: [a], k: 0}\n",
        "risk: {quasi_identifiers: [a], suppression: 2}\n",
        "risk: {quasi_identifiers: [a], on_violation: ignore}\n",
        "risk: {quasi_identifiers: [a], l: 2}\n",
        "risk: {quasi_identifiers: [a, a]}\n",
        "risk: {quasi_identifiers: [a], hierarchies: {b: {kind: number}}}\n",
        "risk: {quasi_identifiers: [a], colour: red}\n",
    ],
)
def test_bad_sections_are_refused(risk: str) -> None:
    with pytest.raises(PolicyError):
        parse_policy(_doc(risk))


def test_a_policy_without_risk_keeps_its_hash() -> None:
    # the hash of this document before the risk section existed
    plain = parse_policy(_doc(""))
    assert "risk" not in plain.model_dump(exclude_none=True)
    with_risk = parse_policy(_doc("risk: {quasi_identifiers: [a]}\n"))
    assert policy_hash(plain) != policy_hash(with_risk)
    from ringfence.policy.model import canonical_json

    assert '"risk"' not in canonical_json(plain)
