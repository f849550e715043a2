"""The action registry: each action declared once, one transform per action, guarantees and key purposes
derived from the declaration; the key a plan records is the key its transform uses, pinned ids win over
the primary, and kernels take their thread count from the context."""

from __future__ import annotations

from typing import get_args

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.keys import Aead, Keyset, Prf, RecordSealer
from ringfence.keys.ff1 import FF1, Alphabet
from ringfence.policy import ACTIONS, KEY_PURPOSES, REGISTRY, REVEALABLE, RULE_TYPES, Rule, parse_policy
from ringfence.transform.base import TRANSFORMS, TransformContext, TransformSpec
from ringfence.transform.plan import build_plan
from ringfence.transform.registry import SPECS
from ringfence.transform.reverse import REVERSIBLE_ACTIONS

POLICY = """
ringfence_policy: 1
name: pinned
columns:
  customer_id: {action: tokenize, scope: global}
  card_number: {action: fpe}
  email: {action: encrypt}
  amount: {action: noise, subject: customer_id}
"""
FRAME = pl.DataFrame(
    {
        "customer_id": ["C0001", "C0002", None],
        "card_number": ["6222 0212 3456 7890", "4111111111111111", None],
        "email": ["zhang.wei@example.com", "minsu.kim@naver.com", None],
        "amount": [128.5, 9999.0, None],
    }
)


def test_every_declared_action_has_exactly_one_transform() -> None:
    assert [a.name for a in REGISTRY] == list(ACTIONS)
    assert set(TRANSFORMS) == set(ACTIONS) and SPECS is TRANSFORMS
    assert {a.name: a.rule for a in REGISTRY} == RULE_TYPES
    assert set(get_args(Rule)) == set(RULE_TYPES.values())  # the typing union lists the declared models
    with pytest.raises(TypeError, match="two transforms"):
        type("Again", (TransformSpec,), {"name": "keep", "expr": lambda self, column, ctx: []})
    with pytest.raises(TypeError, match="no action declares"):
        type("Unknown", (TransformSpec,), {"name": "shred", "expr": lambda self, column, ctx: []})


def test_guarantees_and_key_purposes_come_from_the_declaration() -> None:
    for action in REGISTRY:
        spec = SPECS[action.name]
        assert spec.name == action.name
        assert KEY_PURPOSES.get(action.name) == action.key_purpose
    assert set(REVEALABLE) == {"tokenize", "encrypt", "fpe"} == set(REVERSIBLE_ACTIONS)
    assert {a.name for a in REGISTRY if a.key_purpose} == {
        "tokenize",
        "encrypt",
        "fpe",
        "card_surrogate",
        "date_shift",
        "noise",
    }


def test_the_plan_records_the_key_its_transforms_use_and_pinned_ids_win() -> None:
    keyset = Keyset.generate()
    old_hmac, old_aead = keyset.primary_id("hmac"), keyset.primary_id("aead")
    policy = parse_policy(POLICY)
    before = FRAME.select(
        build_plan(policy, FRAME.schema, {}, TransformContext(keyset=keyset, recipient="a")).exprs()
    )
    new_hmac, new_aead = keyset.rotate("hmac"), keyset.rotate("aead")
    ctx = TransformContext(keys=keyset, recipient="a")
    fresh = build_plan(policy, FRAME.schema, {}, ctx)
    assert {c.column: c.key_id for c in fresh.columns} == {
        "customer_id": new_hmac, "card_number": new_aead, "email": new_aead, "amount": new_hmac,
    }  # fmt: skip
    assert FRAME.select(fresh.exprs())["customer_id"][0].startswith(f"rt1_{new_hmac}_")
    pins = {"customer_id": old_hmac, "card_number": old_aead, "email": old_aead, "amount": old_hmac}
    pinned = build_plan(policy, FRAME.schema, {}, ctx, key_ids=pins)
    assert {c.column: c.key_id for c in pinned.columns} == pins
    again = FRAME.select(pinned.exprs())
    for column in ("customer_id", "card_number", "amount"):  # deterministic: the same bytes as before
        assert again[column].to_list() == before[column].to_list()
    assert again["email"][0].startswith(f"re1_{old_aead}_")
    with pytest.raises(UsageError, match="not in the table"):
        build_plan(policy, FRAME.schema, {}, ctx, key_ids={"nope": old_hmac})
    with pytest.raises(UsageError, match="not an aead key"):
        build_plan(policy, FRAME.schema, {}, ctx, key_ids={"card_number": old_hmac})


def test_thread_count_does_not_change_the_bytes() -> None:
    keyset = Keyset.generate()
    policy = parse_policy(POLICY.replace("  email: {action: encrypt}\n", ""))
    frame = FRAME.drop("email")
    outs = [
        frame.select(
            build_plan(
                policy, frame.schema, {}, TransformContext(keys=keyset, recipient="a", threads=n)
            ).exprs()
        )
        for n in (1, 3)
    ]
    assert outs[0].equals(outs[1])
    with pytest.raises(UsageError, match="at least one thread"):
        TransformContext(threads=0)


class _Resolver:
    """Another resolver (as a Spark executor will provide): transforms use the protocol only."""

    def __init__(self, keyset: Keyset) -> None:
        self._keyset = keyset
        self.asked: list[str] = []

    def primary_id(self, purpose: str) -> str:
        return self._keyset.primary_id(purpose)  # type: ignore[arg-type]

    def prf(self, key_id: str, domain: str) -> Prf:
        self.asked.append(f"prf {key_id}")
        return self._keyset.prf(key_id, domain)

    def aead(self, key_id: str, label: bytes) -> Aead:
        self.asked.append(f"aead {key_id}")
        return self._keyset.aead(key_id, label)

    def ff1(self, key_id: str, domain: str, alphabet: Alphabet) -> FF1:
        self.asked.append(f"ff1 {key_id}")
        return self._keyset.ff1(key_id, domain, alphabet)

    def record_sealer(self, key_id: str) -> RecordSealer:
        return self._keyset.record_sealer(key_id)


def test_transforms_depend_on_the_resolver_protocol_not_the_keyset() -> None:
    keyset = Keyset.generate()
    resolver = _Resolver(keyset)
    policy = parse_policy(POLICY)
    out = FRAME.select(
        build_plan(policy, FRAME.schema, {}, TransformContext(keys=resolver, recipient="a")).exprs()
    )
    ref = FRAME.select(
        build_plan(policy, FRAME.schema, {}, TransformContext(keys=keyset, recipient="a")).exprs()
    )
    assert out.drop("email").equals(ref.drop("email"))
    hmac_id, aead_id = keyset.primary_id("hmac"), keyset.primary_id("aead")
    assert sorted(set(resolver.asked)) == [f"aead {aead_id}", f"ff1 {aead_id}", f"prf {hmac_id}"]


def test_parameters_given_directly_are_checked_by_the_declared_rule_model() -> None:
    from ringfence.transform.dates import DateShift
    from ringfence.transform.derive import Derive
    from ringfence.transform.numeric import Noise, Round
    from ringfence.transform.tokenize import Tokenize

    for make, match in (
        (lambda: Tokenize(digest_bytes=9), "tokenize digest_bytes"),
        (lambda: Round(0), "round to"),
        (lambda: Noise(0.9), "noise relative"),
        (lambda: DateShift("customer", max_days=0), "date_shift max_days"),
        (lambda: Derive("CN_RESIDENT_ID", ["gender", "gender"]), "derive fields: a field is named twice"),
        (lambda: Derive(None, ["gender"]), "derive needs the entity"),
    ):
        with pytest.raises(UsageError, match=match):
            make()
