"""The policy's fingerprint section: new fields leave existing policies' hashes as they were, columns are
chosen and checked against the plan, and drafts mark what they say they mark."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.fingerprint.setup import mark_columns
from ringfence.keys import Keyset
from ringfence.policy import PolicyError, parse_policy, policy_hash
from ringfence.policy.draft import draft_policy
from ringfence.transform.base import TransformContext
from ringfence.transform.plan import Plan, build_plan

# Hashes computed by the code before the section grew (main at f875d29): they must not move.
BEFORE = {
    "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  amount: keep\n"
    "fingerprint: {enabled: true}\n": (
        "sha256:f0fdab208424f915cb9462713a9508edae5323d9138dbdec8e9b946fe9c3ef09"
    ),
    "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  amount: keep\n"
    "fingerprint: {enabled: true, columns: [amount], strength: high}\n": (
        "sha256:47d5b9688dd7f0f7145a9b1f9ddac1c8f1aa6c9c29c9745a77d2c6ad474490d9"
    ),
    "ringfence_policy: 1\nname: p\nunlisted: keep\n": (
        "sha256:8326e9ade1013b004b1f3d30ce96a3e63eb20ccc72853546a762539d27355cd4"
    ),
}


@pytest.mark.parametrize("text", list(BEFORE))
def test_policies_without_the_new_fields_keep_their_hash(text: str) -> None:
    assert policy_hash(parse_policy(text)) == BEFORE[text]


def test_the_new_fields_change_the_hash_when_set() -> None:
    base = next(iter(BEFORE))
    assert (
        policy_hash(parse_policy(base.replace("{enabled: true}", "{enabled: true, canaries: 5}")))
        != BEFORE[base]
    )


def _plan(text: str, frame: pl.DataFrame) -> Plan:
    entities: dict[str, str | None] = {c: None for c in frame.columns}
    return build_plan(
        parse_policy(text),
        dict(frame.schema),
        entities,
        TransformContext(keys=Keyset.generate(), recipient="acme"),
    )


FRAME = pl.DataFrame(
    {
        "customer_id": ["C1"],
        "amount": [12.34],
        "fee": [0.1],
        "qty": [3],
        "ts": [dt.datetime(2025, 1, 1)],
        "lat": [31.2],
    }
)


def test_left_out_columns_are_the_kept_amounts_and_timestamps_never_identifiers_or_immutables() -> None:
    text = (
        "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  customer_id: drop\n"
        "  lat: {action: keep, entity: GEO_COORDINATE}\nfingerprint: {enabled: true, immutable: [fee]}\n"
    )
    policy = parse_policy(text)
    chosen = mark_columns(_plan(text, FRAME), policy.fingerprint)
    assert [(c.name, c.kind, c.tolerance, c.grain) for c in chosen] == [
        ("amount", "amount", 0.01, 0.01),
        ("ts", "timestamp", 3.0, 1.0),
    ]
    assert mark_columns(_plan(text, FRAME), policy.fingerprint, risk_columns=["ts"])[-1].name == "amount"


def test_declared_columns_are_checked() -> None:
    good = (
        "ringfence_policy: 1\nname: p\nunlisted: keep\n"
        "fingerprint:\n  enabled: true\n  columns: {qty: {kind: number}}\n"
    )
    (qty,) = mark_columns(_plan(good, FRAME), parse_policy(good).fingerprint)
    assert (qty.kind, qty.tolerance) == ("number", 1.0)
    bad = good.replace("qty: {kind: number}", "customer_id: {kind: number}").replace(
        "unlisted: keep\n", "unlisted: keep\ncolumns:\n  customer_id: {action: keep, entity: PHONE_NUMBER}\n"
    )
    with pytest.raises(UsageError, match="cannot carry marks"):
        mark_columns(_plan(bad, FRAME), parse_policy(bad).fingerprint)
    with pytest.raises(PolicyError, match="both marked and immutable"):
        parse_policy(good.replace("columns: {qty: {kind: number}}", "columns: [qty]\n  immutable: [qty]"))


def test_a_drafted_policy_marks_its_kept_amount_and_time() -> None:
    findings = [
        ("customer_id", None),
        ("amount", None),
        ("ts", None),
        ("lat", None),
        ("fee", None),
        ("qty", None),
    ]
    text = draft_policy(findings)
    policy = parse_policy(text)
    assert policy.fingerprint.enabled
    names = [c.name for c in mark_columns(_plan(text, FRAME), policy.fingerprint, subject=policy.subject)]
    assert names == ["amount", "fee", "ts"]
