"""Properties of decide over generated requests: fail closed, monotone in categories, blind to
pseudonymisation outside statistics, research and archiving."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.transfer import CATEGORIES, JURISDICTIONS, Recipient, TransferRequest, decide, purposes
from ringfence.transfer.pack import countries, load_pack

STATISTICAL = {"statistics", "research", "archiving"}
COUNTRIES = ["KR", "CN", "DE", "FR", "NO", "US", "SG", "JP", "GB", "HK", "IN", "CH", "BR"]
MECHANISMS = sorted({m for j in JURISDICTIONS for m in load_pack(j).mechanisms})


@st.composite
def requests(draw: st.DrawFn) -> TransferRequest:
    jurisdiction = draw(st.sampled_from(JURISDICTIONS))
    known = purposes(jurisdiction)
    controller = draw(st.sampled_from(sorted(load_pack(jurisdiction).controllers)))
    recipient = Recipient(
        id=draw(st.sampled_from(["acme", "alipay", "cloud"])),
        country=draw(st.sampled_from(COUNTRIES)),
        role=draw(st.sampled_from(["processor", "third-party"])),
        purposes=tuple(draw(st.lists(st.sampled_from(known), max_size=3, unique=True))),
        affiliate_of=draw(st.none() | st.just("group")),
    )
    return TransferRequest(
        jurisdiction=jurisdiction,
        controller_country=controller,
        recipient=recipient,
        purpose=draw(st.sampled_from(known)),
        categories=frozenset(draw(st.sets(st.sampled_from(CATEGORIES)))),
        pseudonymised=draw(st.booleans()),
        credit_information=draw(st.booleans()),
        mechanism=draw(st.none() | st.sampled_from(MECHANISMS)),
    )


def _unknown(known: set[str]) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=12).filter(lambda s: s not in known)


@settings(max_examples=400, deadline=None)
@given(requests(), st.data())
def test_an_unknown_value_in_any_field_is_denied(request: TransferRequest, data: st.DataObject) -> None:
    pack = load_pack(request.jurisdiction)
    field = data.draw(
        st.sampled_from(
            ["jurisdiction", "controller", "country", "role", "purpose", "category", "mechanism", "id"]
        )
    )
    recipient = request.recipient
    if field == "jurisdiction":
        changed = dataclasses.replace(request, jurisdiction=data.draw(_unknown(set(JURISDICTIONS))))
    elif field == "controller":
        changed = dataclasses.replace(request, controller_country=data.draw(_unknown(set(pack.controllers))))
    elif field == "country":
        recipient = dataclasses.replace(recipient, country=data.draw(_unknown(set(countries()))))
        changed = dataclasses.replace(request, recipient=recipient)
    elif field == "role":
        recipient = dataclasses.replace(recipient, role=data.draw(_unknown({"processor", "third-party"})))
        changed = dataclasses.replace(request, recipient=recipient)
    elif field == "purpose":
        changed = dataclasses.replace(request, purpose=data.draw(_unknown(set(pack.purposes))))
    elif field == "category":
        extra = data.draw(_unknown(set(CATEGORIES)))
        changed = dataclasses.replace(request, categories=request.categories | {extra})
    elif field == "mechanism":
        changed = dataclasses.replace(request, mechanism=data.draw(_unknown(set(pack.mechanisms))))
    else:
        changed = dataclasses.replace(request, recipient=dataclasses.replace(recipient, id=""))
    decision = decide(changed)
    assert decision.decision == "denied"
    assert decision.consent == frozenset()
    assert decision.reasons and all(c.article for _, c in decision.reasons)


@settings(max_examples=400, deadline=None)
@given(requests(), st.sampled_from(CATEGORIES))
def test_adding_a_category_never_allows_more(request: TransferRequest, category: str) -> None:
    before = decide(request)
    after = decide(dataclasses.replace(request, categories=request.categories | {category}))
    if not before.allowed:
        assert not after.allowed
    elif after.allowed:
        assert before.consent <= after.consent
        assert before.sensitive <= after.sensitive


@settings(max_examples=400, deadline=None)
@given(requests())
def test_pseudonymised_matters_only_for_statistics_research_archiving(request: TransferRequest) -> None:
    if request.purpose in STATISTICAL:
        return
    clear = decide(dataclasses.replace(request, pseudonymised=False))
    assert decide(dataclasses.replace(request, pseudonymised=True)) == clear


@settings(max_examples=300, deadline=None)
@given(requests())
def test_every_decision_is_reasoned(request: TransferRequest) -> None:
    decision = decide(request)
    assert decision.reasons
    assert (decision.legal_basis == "none") == (not decision.allowed)
    if not decision.allowed:
        assert decision.consent == frozenset()
