"""policy_hash: the same policy however it is written, a different hash for any change in what it does."""

from __future__ import annotations

import re

import pytest

from ringfence.policy import parse_policy, policy_hash

BASE = """\
ringfence_policy: 1
name: partner-analytics
unlisted: fail
columns:
  customer_id: {action: tokenize, scope: recipient}
  card_number: {action: mask, entity: PAYMENT_CARD}
  amount: {action: round, to: 10}
  ts: {action: generalize, date: day}
  merchant_id: keep
entities:
  EMAIL_ADDRESS: {action: tokenize}
fingerprint: {enabled: true}
"""

# The same policy: block style, other order, defaults written out, comments, short forms expanded.
REFORMATTED = """\
# a comment changes nothing
fingerprint:
  strength: normal
  enabled: true
entities:
  EMAIL_ADDRESS:
    action: tokenize
    entity: EMAIL_ADDRESS
    scope: recipient
columns:
  merchant_id: {action: keep}
  ts:
    date: day
    action: generalize
  amount: {to: 10.0, action: round}
  card_number:
    entity: PAYMENT_CARD
    action: mask
    char: "*"
  customer_id: {scope: recipient, action: tokenize, digest_bytes: 16}
name: partner-analytics
ringfence_policy: 1
"""


def test_hash_is_sha256_prefixed() -> None:
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", policy_hash(parse_policy(BASE)))


def test_reformatting_reordering_and_spelled_out_defaults_keep_the_hash() -> None:
    assert policy_hash(parse_policy(BASE)) == policy_hash(parse_policy(REFORMATTED))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("scope: recipient}", "scope: global}"),
        ("entity: PAYMENT_CARD}", "entity: PAYMENT_CARD, keep_first: 6}"),
        ("to: 10}", "to: 100}"),
        ("date: day}", "date: month}"),
        ("merchant_id: keep", "merchant_id: drop"),
        ("merchant_id: keep", "merchant_id_2: keep"),
        ("EMAIL_ADDRESS: {action: tokenize}", "PHONE_NUMBER: {action: tokenize}"),
        ("unlisted: fail", "unlisted: drop"),
        ("fingerprint: {enabled: true}", "fingerprint: {enabled: false}"),
        ("fingerprint: {enabled: true}", "fingerprint: {enabled: true, strength: high}"),
        ("name: partner-analytics", "name: partner-analytics-2"),
        ("  merchant_id: keep\n", "  merchant_id: keep\n  extra: keep\n"),
    ],
)
def test_any_change_in_what_the_policy_does_changes_the_hash(old: str, new: str) -> None:
    assert old in BASE
    changed = BASE.replace(old, new)
    assert policy_hash(parse_policy(changed)) != policy_hash(parse_policy(BASE))
