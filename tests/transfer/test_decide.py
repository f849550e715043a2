"""decide and the packs: the Kakao Pay replay, the shared vocabularies, and packs that refuse to load."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any, get_args

import pytest
import yaml
from pydantic import ValidationError

from ringfence.detect.spec import Category as DetectCategory
from ringfence.errors import UsageError
from ringfence.transfer import CATEGORIES, JURISDICTIONS, Recipient, TransferRequest, decide, purposes
from ringfence.transfer.decide import NO_PACK
from ringfence.transfer.pack import Pack, load_pack

KAKAO_PAY = TransferRequest(
    jurisdiction="KR",
    controller_country="KR",
    recipient=Recipient("alipay", "CN", "processor", ("payment_processing",), affiliate_of="ant-group"),
    purpose="credit_assessment",
    categories=frozenset({"identity", "contact", "financial_account", "transaction"}),
    pseudonymised=True,
    credit_information=True,
)


def _raw(jurisdiction: str) -> dict[str, Any]:
    path = f"packs/{jurisdiction.lower()}.yaml"
    data: dict[str, Any] = yaml.safe_load(resources.files("ringfence.transfer").joinpath(path).read_text())
    return data


def test_kakao_pay_replay_is_denied_with_its_articles() -> None:
    decision = decide(KAKAO_PAY)
    assert decision.decision == "denied"
    assert decision.legal_basis == "none"
    assert decision.consent == frozenset()
    cited = {str(c) for c in decision.citations}
    assert {"PIPA Art. 17(1)1", "PIPA Art. 28-8(1)1", "CIA Art. 32(1)", "PIPA Art. 26(5)"} <= cited
    text = " ".join(why for why, _ in decision.reasons)
    assert "encrypted" in text and "own purpose" in text
    assert all(c.text for c in decision.citations)


def test_encryption_is_no_way_around_the_kakao_pay_denial() -> None:
    import dataclasses

    for pseudonymised in (True, False):
        for mechanism in (None, "certification", "contract-disclosure"):
            request = dataclasses.replace(KAKAO_PAY, pseudonymised=pseudonymised, mechanism=mechanism)
            assert decide(request).decision == "denied"


def test_categories_are_the_entity_specs_categories() -> None:
    assert get_args(DetectCategory) == CATEGORIES


def test_every_jurisdiction_has_a_pack_with_one_purpose_vocabulary() -> None:
    vocabularies = {j: purposes(j) for j in JURISDICTIONS}
    assert len(set(vocabularies.values())) == 1
    assert {"statistics", "research", "archiving", "payment_processing"} <= set(vocabularies["KR"])
    assert all(load_pack(j).jurisdiction == j for j in JURISDICTIONS)


def test_an_unknown_jurisdiction_is_denied_and_has_no_purposes() -> None:
    request = TransferRequest(
        "US",  # type: ignore[arg-type]
        "US",
        Recipient("acme", "US", "third-party", ()),
        "marketing",
        frozenset(),
        False,
        False,
    )
    decision = decide(request)
    assert decision.decision == "denied"
    assert decision.citations == (NO_PACK,)
    with pytest.raises(UsageError, match="no transfer rule pack"):
        purposes("US")


def test_sensitive_is_reported_on_a_denial_too() -> None:
    decision = decide(KAKAO_PAY)
    assert decision.sensitive == frozenset({"identity"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["parts"]["transfer"]["grounds"][1]["when"].pop("statistical"), "statistical: true"),
        (lambda p: p["parts"]["transfer"]["grounds"][0].update(cite="pipa-99"), "pipa-99"),
        (lambda p: p.update(domestic=["KR", "XX"]), "XX"),
        (lambda p: p["unknown"].pop("country"), "country"),
        (lambda p: p["parts"]["cross_border"]["grounds"][1]["when"].update(mechanism="scc"), "scc"),
        (lambda p: p["parts"]["transfer"]["grounds"][0]["when"].update(colour="red"), "colour"),
        (lambda p: p["purposes"]["marketing"].update(basis="whim"), "basis"),
        (lambda p: p["parts"]["credit"]["grounds"][1].update(consent=["forever"]), "consent"),
    ],
)
def test_a_broken_pack_does_not_load(change: Any, message: str) -> None:
    raw = copy.deepcopy(_raw("KR"))
    Pack.model_validate(raw)
    change(raw)
    with pytest.raises(ValidationError, match=message):
        Pack.model_validate(raw)


def test_decisions_are_frozen_values() -> None:
    decision = decide(KAKAO_PAY)
    assert decide(KAKAO_PAY) == decision
    assert hash(decision) == hash(decide(KAKAO_PAY))


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_declared_article_is_cited_by_a_rule(jurisdiction: str) -> None:
    pack = load_pack(jurisdiction)
    assert set(pack.citations) == set(pack.cited())
