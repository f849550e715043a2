"""resolve_rules: column rule, then entity rule, then unlisted; fail closed on anything unnamed."""

from __future__ import annotations

import pytest

from ringfence.errors import UsageError
from ringfence.policy import parse_policy, resolve_rules

HEAD = "ringfence_policy: 1\nname: p\n"


def test_column_rules_win_over_entity_rules() -> None:
    policy = parse_policy(
        HEAD + "columns:\n  phone: {action: mask, entity: PHONE_NUMBER}\n  amount: keep\n"
        "entities:\n  PHONE_NUMBER: tokenize\n  EMAIL_ADDRESS: {action: tokenize, scope: global}\n"
    )
    rules = resolve_rules(
        policy,
        ["amount", "phone", "mobile", "email"],
        {"phone": "PHONE_NUMBER", "mobile": "PHONE_NUMBER", "email": "EMAIL_ADDRESS", "amount": None},
    )
    assert list(rules) == ["amount", "phone", "mobile", "email"]  # table order
    assert rules["phone"].action == "mask"
    assert rules["mobile"].action == "tokenize" and rules["mobile"].entity == "PHONE_NUMBER"
    assert rules["email"].action == "tokenize"
    assert rules["amount"].action == "keep"


def test_unlisted_fail_names_every_unlisted_column() -> None:
    policy = parse_policy(HEAD + "columns:\n  amount: keep\n")
    with pytest.raises(UsageError, match=r"no rule for columns 'note', 'city' and unlisted is 'fail'"):
        resolve_rules(policy, ["amount", "note", "city"], {})


def test_unlisted_is_fail_by_default() -> None:
    with pytest.raises(UsageError, match="unlisted is 'fail'"):
        resolve_rules(parse_policy(HEAD), ["amount"], {})


def test_unlisted_drop_drops_and_keep_keeps_only_non_personal_columns() -> None:
    drop = parse_policy(HEAD + "unlisted: drop\n")
    rules = resolve_rules(drop, ["amount", "phone"], {"phone": "PHONE_NUMBER"})
    assert {name: r.action for name, r in rules.items()} == {"amount": "drop", "phone": "drop"}
    keep = parse_policy(HEAD + "unlisted: keep\n")
    assert resolve_rules(keep, ["amount"], {"amount": None})["amount"].action == "keep"
    with pytest.raises(UsageError, match=r"columns 'phone' hold personal data and no rule names them"):
        resolve_rules(keep, ["amount", "phone"], {"phone": "PHONE_NUMBER"})


def test_a_rule_for_a_column_the_table_lacks_is_an_error() -> None:
    policy = parse_policy(HEAD + "unlisted: keep\ncolumns:\n  phnoe: drop\n")
    with pytest.raises(UsageError, match=r"rules name columns the table does not have: 'phnoe'"):
        resolve_rules(policy, ["phone"], {})


def test_columns_rules_read_must_exist_and_fingerprint_columns_must_survive() -> None:
    shift = parse_policy(HEAD + "columns:\n  ts: {action: date_shift, subject: customer}\n")
    with pytest.raises(UsageError, match=r"reads subject column 'customer'"):
        resolve_rules(shift, ["ts"], {})
    shift_keep = parse_policy(
        HEAD + "unlisted: keep\ncolumns:\n  ts: {action: date_shift, subject: customer}\n"
    )
    assert resolve_rules(shift_keep, ["ts", "customer"], {})["ts"].action == "date_shift"
    fp = parse_policy(
        HEAD + "unlisted: keep\ncolumns:\n  a: drop\nfingerprint: {enabled: true, columns: [a]}\n"
    )
    with pytest.raises(UsageError, match=r"fingerprint names columns the policy removes: 'a'"):
        resolve_rules(fp, ["a", "b"], {})
    missing = parse_policy(HEAD + "unlisted: keep\nfingerprint: {enabled: true, columns: [z]}\n")
    with pytest.raises(UsageError, match=r"fingerprint names columns the table does not have: 'z'"):
        resolve_rules(missing, ["a"], {})


def test_duplicate_table_columns_are_refused() -> None:
    with pytest.raises(UsageError, match="two columns with the same name"):
        resolve_rules(parse_policy(HEAD + "unlisted: keep\n"), ["a", "a"], {})


def test_many_unlisted_columns_are_summarised() -> None:
    columns = [f"c{i}" for i in range(25)]
    with pytest.raises(UsageError, match=r"'c9' and 15 more"):
        resolve_rules(parse_policy(HEAD), columns, {})
