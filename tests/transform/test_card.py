"""Card surrogates that still look like cards: ``fpe`` with ``keep_bin`` (BIN kept, FF1 over the middle,
Luhn recomputed, revealed exactly) and ``card_surrogate`` (BIN and last 4 kept, keyed, one-way), on the
synthetic platform's card numbers and on golden vectors computed value by value (``golden/make_cards.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ringfence.detect.checksums import luhn_is_valid
from ringfence.errors import UsageError
from ringfence.keys import KeyInfo, Keyset
from ringfence.policy import PolicyError, parse_policy, policy_hash
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.transform.base import TransformContext
from ringfence.transform.fpe import fpe_decrypt_column
from ringfence.transform.plan import build_plan

GOLDEN = Path(__file__).parent / "golden"
CARDS: dict[str, Any] = json.loads((GOLDEN / "cards.json").read_text(encoding="utf-8"))
_VECTORS = json.loads((GOLDEN / "vectors.json").read_text(encoding="utf-8"))
KEYSET = Keyset(
    [KeyInfo(k["id"], k["purpose"], k["status"], _VECTORS["created_at"]) for k in _VECTORS["keys"]],
    {k["id"]: bytes.fromhex(k["material"]) for k in _VECTORS["keys"]},
)
KEEP_BIN = "{action: fpe, entity: PAYMENT_CARD, keep_bin: true}"
SURROGATE = "{action: card_surrogate, entity: PAYMENT_CARD}"


def _protect(frame: pl.DataFrame, rule: str, keyset: Keyset = KEYSET, recipient: str = "acme") -> pl.Series:
    policy = parse_policy(f"ringfence_policy: 1\nname: cards\ncolumns:\n  card_number: {rule}\n")
    ctx = TransformContext(keyset=keyset, recipient=recipient)
    return frame.select(build_plan(policy, frame.schema, {}, ctx).exprs()).to_series()


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@pytest.fixture(scope="module")
def cards() -> pl.DataFrame:
    accounts = generate_platform(SynthConfig(customers=4_000, transactions=10, seed=21)).accounts
    return accounts.select("card_number").filter(pl.col("card_number").is_not_null())


@pytest.mark.parametrize(("rule", "name"), [(KEEP_BIN, "fpe_keep_bin"), (SURROGATE, "card_surrogate")])
def test_the_golden_vectors_are_reproduced(rule: str, name: str) -> None:
    frame = pl.DataFrame({"card_number": CARDS["input"]}, schema={"card_number": pl.String})
    assert _protect(frame, rule, recipient=CARDS["recipient"]).to_list() == CARDS[name]


def test_keep_bin_reveals_the_golden_vectors_exactly() -> None:
    plain = fpe_decrypt_column(
        KEYSET,
        pl.Series(CARDS["fpe_keep_bin"], dtype=pl.String),
        column="card_number",
        key_id=CARDS["aead_key"],
        scope_label=f"recipient:{CARDS['recipient']}",
        keep_bin=True,
    )
    assert plain.to_list() == CARDS["input"]


def test_keep_bin_keeps_bin_length_and_luhn_validity_and_decrypts(cards: pl.DataFrame) -> None:
    keyset = Keyset.generate()
    out = _protect(cards, KEEP_BIN, keyset)
    pairs = list(zip(cards["card_number"].to_list(), out.to_list(), strict=True))
    assert len(pairs) > 3_000
    assert all(len(a) == len(b) and _digits(a)[:6] == _digits(b)[:6] for a, b in pairs)
    assert all(luhn_is_valid(_digits(b)) == luhn_is_valid(_digits(a)) for a, b in pairs)
    assert sum(luhn_is_valid(_digits(b)) for _, b in pairs) == len(pairs)  # the platform's cards are valid
    changed = sum(_digits(a)[6:-1] != _digits(b)[6:-1] for a, b in pairs)
    assert changed >= len(pairs) - 1
    back = fpe_decrypt_column(
        keyset,
        out,
        column="card_number",
        key_id=keyset.primary_id("aead"),
        scope_label="recipient:acme",
        keep_bin=True,
    )
    assert back.to_list() == cards["card_number"].to_list()


def test_card_surrogate_keeps_bin_and_last4_passes_luhn_and_is_keyed(cards: pl.DataFrame) -> None:
    keyset = Keyset.generate()
    out = _protect(cards, SURROGATE, keyset)
    pairs = list(zip(cards["card_number"].to_list(), out.to_list(), strict=True))
    assert all(len(a) == len(b) for a, b in pairs)
    assert all(_digits(a)[:6] == _digits(b)[:6] and _digits(a)[-4:] == _digits(b)[-4:] for a, b in pairs)
    assert all(luhn_is_valid(_digits(b)) for _, b in pairs)
    assert sum(a == b for a, b in pairs) <= 2  # a card may map to itself by chance (1 in 10^k)
    assert _protect(cards, SURROGATE, keyset).to_list() == out.to_list()  # deterministic: joinable
    other = _protect(cards, SURROGATE, keyset, recipient="other")
    assert sum(a == b for a, b in zip(out.to_list(), other.to_list(), strict=True)) < len(pairs) // 100
    assert _protect(cards, SURROGATE, Keyset.generate()).to_list() != out.to_list()


@pytest.mark.parametrize("rule", [KEEP_BIN, SURROGATE])
def test_values_that_are_not_cards_stop_the_run_with_a_count_and_no_value(rule: str) -> None:
    frame = pl.DataFrame({"card_number": ["4111111111111111", "12345", "N/A", "99887766"]})
    with pytest.raises(UsageError, match=r"2 value\(s\) are not card numbers") as caught:
        _protect(frame, rule)
    assert "12345" not in str(caught.value) and "99887766" not in str(caught.value)


def test_the_rules_check_their_parameters_and_leave_older_hashes_alone() -> None:
    head = "ringfence_policy: 1\nname: p\ncolumns:\n  c: "
    with pytest.raises(PolicyError, match="keep_bin works on card numbers"):
        parse_policy(head + "{action: fpe, alphabet: alnum, keep_bin: true}\n")
    with pytest.raises(PolicyError, match="not a card"):
        parse_policy(head + "{action: fpe, entity: PHONE_NUMBER, keep_bin: true}\n")
    with pytest.raises(PolicyError, match="card_surrogate applies to PAYMENT_CARD"):
        parse_policy(head + "{action: card_surrogate, entity: IBAN}\n")
    # A policy written before keep_bin existed hashes as it did (its sealed footers name that hash).
    assert policy_hash(parse_policy(head + "{action: fpe}\n")) == policy_hash(
        parse_policy(head + "{action: fpe, keep_bin: false}\n")
    )
    assert policy_hash(parse_policy(head + "{action: fpe}\n")) != policy_hash(
        parse_policy(head + "{action: fpe, keep_bin: true}\n")
    )
