"""The plan: rules resolved and checked against the schema before data flows; explain/JSON show ids only."""

from __future__ import annotations

import json
import pickle

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.policy import parse_policy, policy_hash
from ringfence.policy.rules import ACTIONS
from ringfence.transform.base import TransformContext
from ringfence.transform.plan import build_plan
from ringfence.transform.registry import SPECS

SCHEMA = {
    "customer_id": pl.String(),
    "phone": pl.String(),
    "national_id": pl.String(),
    "card_number": pl.String(),
    "email": pl.String(),
    "amount": pl.Float64(),
    "ts": pl.Datetime("us"),
}
POLICY = """
ringfence_policy: 1
name: partner
unlisted: fail
columns:
  customer_id: {action: tokenize, scope: global}
  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}
  card_number: {action: fpe}
  email: {action: encrypt}
  amount: {action: round, to: 100}
  ts: {action: generalize, date: month}
entities:
  PHONE_NUMBER: {action: mask}
"""


def _ctx(keyset: Keyset | None, recipient: str | None = "acme") -> TransformContext:
    return TransformContext(keyset=keyset, recipient=recipient)


def test_every_action_has_a_transform() -> None:
    assert set(SPECS) == set(ACTIONS)


def test_plan_resolves_rules_outputs_and_key_ids() -> None:
    keyset = Keyset.generate()
    policy = parse_policy(POLICY)
    plan = build_plan(policy, SCHEMA, {"phone": "PHONE_NUMBER"}, _ctx(keyset))
    assert plan.actions()["phone"] == "mask"
    assert plan.output_columns == [
        "customer_id", "phone", "national_id_birth_year", "national_id_gender",
        "card_number", "email", "amount", "ts",
    ]  # fmt: skip
    assert plan.key_ids() == sorted({keyset.primary_id("hmac"), keyset.primary_id("aead")})
    doc = plan.to_json()
    assert doc["policy_hash"] == policy_hash(policy)
    by_col = {c["column"]: c for c in doc["columns"]}
    assert by_col["email"]["reversible"] and not by_col["email"]["joinable"]
    assert by_col["customer_id"]["joinable"] and not by_col["customer_id"]["reversible"]
    assert by_col["card_number"]["key_id"] == keyset.primary_id("aead")
    text = plan.explain()
    assert "national_id_birth_year" in text and keyset.primary_id("hmac") in text
    dumped = json.dumps(doc) + text + repr(plan)
    for info in keyset.all_keys():
        secret = keyset.secret(info.key_id, SECRET_ACCESS)
        assert secret.hex() not in dumped


def test_a_plan_cannot_be_pickled_with_key_bytes() -> None:
    keyset = Keyset.generate()
    plan = build_plan(parse_policy(POLICY), SCHEMA, {"phone": "PHONE_NUMBER"}, _ctx(keyset))
    with pytest.raises(TypeError):
        pickle.dumps(plan)
    for expr in plan.exprs():  # Polars may serialize an expression: then it must hold no key
        try:
            blob = pickle.dumps(expr)
        except Exception:  # refusing is the other acceptable outcome
            continue
        for info in keyset.all_keys():
            assert keyset.secret(info.key_id, SECRET_ACCESS) not in blob


def test_unknown_columns_and_unruled_columns_fail_before_data() -> None:
    policy = parse_policy(POLICY)
    with pytest.raises(UsageError, match="'phone'"):  # no entity found: unlisted is fail
        build_plan(policy, SCHEMA, {}, _ctx(Keyset.generate()))
    schema = {k: v for k, v in SCHEMA.items() if k != "email"}
    with pytest.raises(UsageError, match="'email'"):
        build_plan(policy, schema, {"phone": "PHONE_NUMBER"}, _ctx(Keyset.generate()))


def test_derived_name_collision_is_refused() -> None:
    policy = parse_policy(POLICY.replace("unlisted: fail", "unlisted: keep"))
    schema = {**SCHEMA, "national_id_gender": pl.String()}
    with pytest.raises(UsageError, match="'national_id_gender'"):
        build_plan(policy, schema, {"phone": "PHONE_NUMBER"}, _ctx(Keyset.generate()))


def test_wrong_dtype_and_missing_keyset_or_recipient_name_the_column() -> None:
    policy = parse_policy(POLICY)
    with pytest.raises(UsageError, match="column 'ts'"):
        build_plan(policy, {**SCHEMA, "ts": pl.Boolean()}, {"phone": "PHONE_NUMBER"}, _ctx(Keyset.generate()))
    with pytest.raises(UsageError, match=r"column 'customer_id'.*keyset"):
        build_plan(policy, SCHEMA, {"phone": "PHONE_NUMBER"}, _ctx(None))
    with pytest.raises(UsageError, match=r"column 'card_number'.*recipient"):
        build_plan(policy, SCHEMA, {"phone": "PHONE_NUMBER"}, _ctx(Keyset.generate(), None))
