"""Loading policies: valid documents load; every kind of mistake is refused naming the file, line and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ringfence.errors import InputError, UsageError
from ringfence.policy import load_policy, parse_policy
from ringfence.policy.load import MAX_POLICY_BYTES, PolicyError, PolicyFileError
from ringfence.policy.rules import Derive, Generalize, Keep, Mask, Round, Tokenize

EXAMPLE = """\
ringfence_policy: 1
name: partner-analytics
unlisted: fail            # fail (default) | keep | drop
columns:
  customer_id: {action: tokenize, scope: recipient}
  phone: {action: mask, entity: PHONE_NUMBER}
  card_number: {action: mask, entity: PAYMENT_CARD}          # default keep_last 4
  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}
  amount: {action: round, to: 10}
  ts: {action: generalize, date: day}
  merchant_id: keep        # short form
entities:
  EMAIL_ADDRESS: {action: tokenize}
fingerprint: {enabled: true}
"""


def test_the_issue_example_loads_with_every_rule_typed() -> None:
    policy = parse_policy(EXAMPLE, "policy.yaml")
    assert policy.name == "partner-analytics"
    assert policy.unlisted == "fail"
    assert isinstance(policy.columns["customer_id"], Tokenize)
    assert policy.columns["customer_id"].scope == "recipient"
    card = policy.columns["card_number"]
    assert isinstance(card, Mask) and card.entity == "PAYMENT_CARD"
    national = policy.columns["national_id"]
    assert isinstance(national, Derive) and national.fields == ["birth_year", "gender"]
    assert isinstance(policy.columns["amount"], Round) and policy.columns["amount"].to == 10.0
    ts = policy.columns["ts"]
    assert isinstance(ts, Generalize) and ts.mode == "date" and ts.date == "day"
    assert isinstance(policy.columns["merchant_id"], Keep)
    email = policy.entities["EMAIL_ADDRESS"]
    assert isinstance(email, Tokenize) and email.entity == "EMAIL_ADDRESS"  # filled from the key
    assert policy.fingerprint.enabled and policy.fingerprint.strength == "normal"


def test_every_action_has_a_loadable_form() -> None:
    text = """\
ringfence_policy: 1
name: all-actions
columns:
  a: keep
  b: drop
  c: suppress
  d: {action: redact, value: "***"}
  e: {action: mask, keep_first: 2, keep_last: 2, char: "#"}
  f: {action: tokenize, scope: global, digest_bytes: 10}
  g: encrypt
  h: {action: fpe, alphabet: alnum}
  i: {action: fpe, alphabet: "0123456789ABCDEF"}
  j: {action: generalize, bins: [0, 18, 65]}
  k: {action: generalize, width: 1000}
  l: {action: generalize, age_band: 10, as_of: 2026-01-31}
  m: {action: generalize, birth_year: true, entity: KR_RRN}
  n: {action: generalize, geo_decimals: 2}
  o: {action: generalize, ip: {v4: 16}}
  p: {action: generalize, address: province}
  q: {action: date_shift, subject: a, max_days: 90}
  r: {action: round, to: 0.05}
  s: {action: noise, relative: 0.1, subject: a}
  t: {action: derive, entity: KR_RRN, fields: [birth_year, age_band], as_of: "2026-01-31"}
"""
    policy = parse_policy(text, "all.yaml")
    assert [r.action for r in policy.columns.values()] == [
        "keep", "drop", "suppress", "redact", "mask", "tokenize", "encrypt", "fpe", "fpe", "generalize",
        "generalize", "generalize", "generalize", "generalize", "generalize", "generalize", "date_shift",
        "round", "noise", "derive",
    ]  # fmt: skip
    assert policy.columns["l"].as_of == dt.date(2026, 1, 31)  # type: ignore[union-attr]
    assert policy.columns["t"].as_of == dt.date(2026, 1, 31)  # type: ignore[union-attr]
    ip = policy.columns["o"]
    assert isinstance(ip, Generalize) and ip.ip is not None and (ip.ip.v4, ip.ip.v6) == (16, 48)


def _error(text: str) -> str:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "policy.yaml")
    message = str(info.value)
    assert "\n" not in message
    return message


HEAD = "ringfence_policy: 1\nname: p\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # unknown action, long and short form
        (
            "columns:\n  a: keep\n  phone:\n    action: maks\n",
            "policy.yaml:6: columns.phone.action: unknown action 'maks' (expected one of keep, drop,",
        ),
        (
            "columns:\n  a: keep\n  phone: maks\n",
            "policy.yaml:5: columns.phone.action: unknown action 'maks'",
        ),
        (
            "columns:\n  phone: {entity: PHONE_NUMBER}\n",
            "policy.yaml:4: columns.phone: a rule needs an action",
        ),
        # unknown keys at every level
        (
            "columns:\n  card:\n    action: mask\n    keep_lst: 4\n",
            "policy.yaml:6: columns.card.keep_lst: unknown key 'keep_lst' (expected one of",
        ),
        ("colums: {}\n", "policy.yaml:3: colums: unknown key 'colums'"),
        (
            "fingerprint:\n  enabled: true\n  strenght: high\n",
            "policy.yaml:5: fingerprint.strenght: unknown key 'strenght'",
        ),
        (
            "columns:\n  ip: {action: generalize, ip: {v5: 20}}\n",
            "policy.yaml:4: columns.ip.ip.v5: unknown key 'v5' (expected one of v4, v6)",
        ),
        # entities
        (
            "entities:\n  EMAIL: tokenize\n",
            "policy.yaml:4: entities.EMAIL: unknown entity 'EMAIL' (expected one of PERSON_NAME",
        ),
        (
            "columns:\n  x:\n    action: mask\n    entity: CARD\n",
            "policy.yaml:6: columns.x.entity: unknown entity 'CARD'",
        ),
        # wrong types (no coercion: "4" is not 4, yes is not true)
        (
            "columns:\n  card:\n    action: mask\n    keep_last: '4'\n",
            "policy.yaml:6: columns.card.keep_last: input should be a valid integer",
        ),
        (
            "fingerprint:\n  enabled: yes\n",
            "policy.yaml:4: fingerprint.enabled: input should be a valid boolean",
        ),
        (
            "columns:\n  a: {action: round, to: -5}\n",
            "policy.yaml:4: columns.a.to: input should be greater than 0",
        ),
        ("unlisted: no\n", "policy.yaml:3: unlisted: input should be 'fail', 'keep' or 'drop'"),
        ("columns: [a, b]\n", "policy.yaml:3: columns: input should be a valid dictionary"),
        # duplicate keys
        (
            "columns:\n  a: keep\n  b: drop\n  a: drop\n",
            "policy.yaml:6: columns: duplicate key 'a' (first on line 4)",
        ),
        (
            "columns:\n  a: {action: mask, keep_last: 2, keep_last: 3}\n",
            "policy.yaml:4: columns.a: duplicate key 'keep_last'",
        ),
        # rules that contradict themselves
        (
            "entities:\n  PAYMENT_CARD:\n    action: mask\n    keep_last: 6\n",
            "policy.yaml:6: entities.PAYMENT_CARD.keep_last: PCI DSS allows at most the last 4",
        ),
        (
            "columns:\n  card:\n    action: mask\n    entity: PAYMENT_CARD\n    keep_first: 8\n",
            "policy.yaml:7: columns.card.keep_first: PCI DSS allows at most the first 6",
        ),
        (
            "columns:\n  a: {action: mask, char: X}\n",
            "policy.yaml:4: columns.a.char: the mask character must be one ASCII punctuation character",
        ),
        (
            "columns:\n  id:\n    action: derive\n    fields: [gender]\n",
            "policy.yaml:4: columns.id.entity: derive needs entity",
        ),
        (
            "columns:\n  id: {action: derive, entity: KR_RRN, fields: [region]}\n",
            "policy.yaml:4: columns.id.fields: KR_RRN has no region",
        ),
        (
            "columns:\n  id: {action: derive, entity: PHONE_NUMBER, fields: [gender]}\n",
            "policy.yaml:4: columns.id.entity: derive reads CN_RESIDENT_ID or KR_RRN",
        ),
        (
            "columns:\n  x:\n    action: generalize\n    bins: [1, 2]\n    date: day\n",
            "policy.yaml:4: columns.x: give exactly one of bins, width",
        ),
        ("columns:\n  x: {action: generalize}\n", "policy.yaml:4: columns.x: give exactly one of"),
        (
            "columns:\n  x:\n    action: generalize\n    bins: [10, 5]\n",
            "policy.yaml:6: columns.x.bins: bin edges must be strictly increasing",
        ),
        (
            "columns:\n  x: {action: generalize, bins: [1], entity: KR_RRN}\n",
            "policy.yaml:4: columns.x.entity: bins does not apply to KR_RRN",
        ),
        (
            "columns:\n  x: {action: generalize, ip: {v4: 20}}\n",
            "policy.yaml:4: columns.x.ip.v4: input should be 8, 16 or 24",
        ),
        (
            "columns:\n  a: {action: date_shift, subject: a}\n",
            "policy.yaml:4: columns.a.subject: the subject must be another column",
        ),
        ("columns:\n  a: {action: date_shift}\n", "policy.yaml:4: columns.a.subject: this key is required"),
        (
            "columns:\n  a: {action: fpe, alphabet: aab}\n",
            "policy.yaml:4: columns.a.alphabet: a custom alphabet must not repeat",
        ),
        (
            "entities:\n  PHONE_NUMBER: {action: mask, entity: EMAIL_ADDRESS}\n",
            "policy.yaml:4: entities.PHONE_NUMBER.entity: the rule under PHONE_NUMBER names EMAIL_ADDRESS",
        ),
        ("fingerprint: {columns: [a, a]}\n", "policy.yaml:3: fingerprint.columns: a column is named twice"),
    ],
)
def test_each_mistake_names_the_line_and_the_key(body: str, expected: str) -> None:
    assert _error(HEAD + body).startswith(expected)


def test_top_level_mistakes() -> None:
    assert _error("name: p\n").startswith("policy.yaml:1: ringfence_policy: this key is required")
    assert _error("ringfence_policy: 2\nname: p\n").startswith(
        "policy.yaml:1: ringfence_policy: input should be 1"
    )
    assert _error("ringfence_policy: 1\nname: 'has space'\n").startswith(
        "policy.yaml:2: name: string should match"
    )
    assert _error("- a\n- b\n").startswith("policy.yaml:1: a policy is a map of keys")
    assert _error("").startswith("policy.yaml:1: the policy is empty")
    assert _error("ringfence_policy: 1\nname: [p\n").startswith("policy.yaml:3: not valid YAML")
    assert _error("a: 1\n---\nb: 2\n").startswith("policy.yaml:")


def test_several_problems_are_all_shown_by_line_with_a_fix() -> None:
    message = _error(
        HEAD
        + "columns:\n  a: {action: mask, keep_last: x}\n  b: maks\n"
        + "  c: {action: keep, entty: EMAIL_ADDRESS}\n"
    )
    assert message.startswith("policy.yaml:4: columns.a.keep_last:")
    assert "; line 5: columns.b.action: unknown action 'maks'" in message
    assert "did you mean 'mask'?" in message
    assert "; line 6: columns.c.entty: unknown key 'entty'" in message and "did you mean 'entity'?" in message
    assert message.endswith("3 problems: fix them all (docs/policy.md lists each action's keys)")
    assert "\n" not in message and "more problems" not in message


def test_a_long_list_of_problems_is_cut_at_ten() -> None:
    rules = "".join(f"  c{i}: maks\n" for i in range(14))
    message = _error(HEAD + "columns:\n" + rules)
    assert message.count("unknown action 'maks'") == 10
    assert "(and 4 more); 14 problems" in message


def test_unsafe_yaml_is_refused() -> None:
    assert "!!python/object" in _error(HEAD + "columns:\n  a: !!python/object:os.system keep\n")
    assert "!custom" in _error(HEAD + "columns:\n  a: !custom keep\n")
    assert "merge keys" in _error(HEAD + "base: &b {action: keep}\ncolumns:\n  a:\n    <<: *b\n")
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    assert "expands to more than" in _error(bomb)
    assert "nested deeper" in _error("a: &a [*a]\n")


def test_aliases_within_bounds_work() -> None:
    policy = parse_policy(HEAD + "columns:\n  a: &tok {action: tokenize, scope: global}\n  b: *tok\n")
    assert policy.columns["a"] == policy.columns["b"]


def test_yaml_1_1_words_stay_column_names() -> None:
    policy = parse_policy(HEAD + "columns:\n  no: drop\n  on: keep\n  null: keep\n  '2024': keep\n")
    assert list(policy.columns) == ["no", "on", "null", "2024"]


def test_errors_are_usage_errors_with_exit_code_2() -> None:
    with pytest.raises(UsageError) as info:
        parse_policy(HEAD + "columns:\n  a: maks\n")
    assert info.value.exit_code == 2


def test_load_policy_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("\ufeff" + EXAMPLE, encoding="utf-8")  # a BOM is accepted
    assert load_policy(path).name == "partner-analytics"
    path.write_text(HEAD + "columns:\n  a: maks\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"^{path}:4: columns\.a\.action: unknown action"):
        load_policy(path)


def test_unreadable_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="does not exist"):
        load_policy(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="is a folder"):
        load_policy(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_POLICY_BYTES + 1))
    with pytest.raises(PolicyFileError, match="larger than 1024 KiB"):
        load_policy(big)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(HEAD.encode() + b"\xff\xfe\x00junk")
    with pytest.raises(PolicyFileError, match="not UTF-8"):
        load_policy(binary)


def test_messages_stay_on_one_line_whatever_the_column_name() -> None:
    message = _error(HEAD + 'columns:\n  "line\\nbreak": maks\n')
    assert message.startswith("policy.yaml:4: columns.'line\\nbreak'.action: unknown action")
    assert _error(HEAD + 'columns:\n  "  ": keep\n').startswith(
        "policy.yaml:4: columns.  : a column name must"
    )


def test_zero_is_a_setting_not_an_absence() -> None:
    rule = parse_policy(HEAD + "columns:\n  geo: {action: generalize, geo_decimals: 0}\n").columns["geo"]
    assert isinstance(rule, Generalize) and rule.mode == "geo_decimals" and rule.geo_decimals == 0
