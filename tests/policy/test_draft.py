"""draft_policy: a reviewed-by-a-person starting point that loads and protects every personal column."""

from __future__ import annotations

import pytest

from ringfence.errors import UsageError
from ringfence.policy import ENTITY_TYPES, draft_policy, parse_policy, resolve_rules
from ringfence.policy.draft import DEFAULTS

FINDINGS = [
    ("customer_id", None),
    ("姓名", "PERSON_NAME"),
    ("手机号", "PHONE_NUMBER"),
    ("email", "EMAIL_ADDRESS"),
    ("身份证号", "CN_RESIDENT_ID"),
    ("주민등록번호", "KR_RRN"),
    ("passport no", "PASSPORT_NUMBER"),
    ("card_number", "PAYMENT_CARD"),
    ("account", "BANK_ACCOUNT"),
    ("iban", "IBAN"),
    ("address", "POSTAL_ADDRESS"),
    ("ip", "IP_ADDRESS"),
    ("imei", "IMEI"),
    ("dob", "DATE_OF_BIRTH"),
    ("location", "GEO_COORDINATE"),
    ("note", "FREE_TEXT_PII"),
    ("amount", None),
    ("yes", None),
]


def test_the_draft_loads_and_protects_every_personal_column() -> None:
    text = draft_policy(FINDINGS, name="scan-draft")
    policy = parse_policy(text, "draft.yaml")
    assert policy.name == "scan-draft"
    assert policy.unlisted == "fail"
    assert policy.fingerprint.enabled
    rules = resolve_rules(policy, [c for c, _ in FINDINGS], dict(FINDINGS))
    for column, entity in FINDINGS:
        action = rules[column].action
        if entity is None:  # the platform's own person key is tokenised, anything else kept
            assert action == ("tokenize" if column == "customer_id" else "keep"), column
        else:
            assert action != "keep", column
            assert rules[column].entity == entity


def test_every_entity_of_the_vocabulary_has_a_default_with_a_reason() -> None:
    assert set(DEFAULTS) == set(ENTITY_TYPES)
    text = draft_policy([(f"col_{e.lower()}", e) for e in ENTITY_TYPES])
    for entity in ENTITY_TYPES:
        assert f"# {entity}: " in text


def test_sensible_defaults_per_entity() -> None:
    policy = parse_policy(draft_policy(FINDINGS))
    card = policy.columns["card_number"]
    assert card.action == "mask" and card.keep_last == 4 and not card.keep_first  # type: ignore[union-attr]
    assert policy.columns["手机号"].action == "tokenize"
    assert policy.columns["手机号"].scope == "recipient"  # type: ignore[union-attr]
    assert policy.columns["身份证号"].action == "derive"
    assert policy.columns["address"].action == "generalize"
    assert policy.columns["note"].action == "drop"


def test_a_column_seen_as_two_entities_is_dropped_and_one_seen_personal_once_is_protected() -> None:
    text = draft_policy(
        [("x", "IBAN"), ("x", "PAYMENT_CARD"), ("y", None), ("y", "PHONE_NUMBER"), ("y", None)]
    )
    policy = parse_policy(text)
    assert policy.columns["x"].action == "drop"
    assert "found as IBAN, PAYMENT_CARD in different tables" in text
    assert policy.columns["y"].action == "tokenize"


def test_awkward_column_names_survive_quoting() -> None:
    names = ["a: b", "- x", "#hash", "null", "on", "전화 번호", 'quote"d', "tab\tname", "1st"]
    policy = parse_policy(draft_policy([(n, None) for n in names]))
    assert list(policy.columns) == names


def test_unknown_entities_are_refused() -> None:
    with pytest.raises(UsageError, match="unknown entity 'SSN'"):
        draft_policy([("ssn", "SSN")])


def test_the_draft_is_deterministic() -> None:
    assert draft_policy(FINDINGS) == draft_policy(FINDINGS)


def test_the_platforms_own_person_keys_are_tokenised_not_kept() -> None:
    names = [
        "customer_id",
        "account_id",
        "subject_id",
        "user_no",
        "客户编号",
        "고객번호",
        "merchant_id",
        "txn_id",
    ]
    policy = parse_policy(draft_policy([(n, None) for n in names]))
    actions = {n: policy.columns[n].action for n in names}
    assert actions == {**dict.fromkeys(names[:6], "tokenize"), "merchant_id": "keep", "txn_id": "keep"}
    assert policy.columns["customer_id"].scope == "recipient"  # type: ignore[union-attr]


def test_proposed_quasi_identifiers_give_a_risk_section_with_k_10() -> None:
    qi = [("gender", "gender: its name says a gender"), ("birth date", "found as DATE_OF_BIRTH")]
    text = draft_policy([("gender", None), ("birth date", "DATE_OF_BIRTH")], quasi_identifiers=qi)
    policy = parse_policy(text)
    assert policy.risk is not None
    assert policy.risk.quasi_identifiers == ["gender", "birth date"]
    assert (policy.risk.k, policy.risk.suppression, policy.risk.on_violation) == (10, 0.01, "generalize")
    assert "# found as DATE_OF_BIRTH" in text
    assert parse_policy(draft_policy([("gender", None)])).risk is None
