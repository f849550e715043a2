"""Golden format vectors: tokens keep joining across releases, and everything protected so far stays
revealable.

``golden/vectors.json`` was written once by ``golden/make_vectors.py`` (never run here) under a fixed test
keyset. This release must reproduce every deterministic output byte for byte (tokens per scope and
domain, FPE values, keyed per-row outputs, masked and derived national IDs, policy hashes) and open every
ciphertext and sealed footer. If a test here fails, a format changed: give the new format a new version
tag and keep the old one readable; never regenerate the vectors to make it pass.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringfence.errors import InvalidFormat
from ringfence.keys import KeyInfo, Keyset
from ringfence.policy import parse_policy, policy_hash
from ringfence.transform.base import TransformContext, keyed_uniform
from ringfence.transform.encrypt import decrypt_column, open_record, seal_record
from ringfence.transform.fpe import fpe_decrypt_column
from ringfence.transform.plan import build_plan

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "golden" / "vectors.json").read_text(encoding="utf-8")
)
DTYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "date": pl.Date(),
    "float": pl.Float64(),
    "int": pl.Int64(),
}
MATERIAL = {k["id"]: bytes.fromhex(k["material"]) for k in VECTORS["keys"]}
KEYSET = Keyset(
    [KeyInfo(k["id"], k["purpose"], k["status"], VECTORS["created_at"]) for k in VECTORS["keys"]],
    MATERIAL,
)
CASES = {case["name"]: case for case in VECTORS["cases"]}


def _frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    data = {
        name: [dt.date.fromisoformat(v) if v is not None and kind == "date" else v for v in values]
        for name, (kind, values) in columns.items()
    }
    return pl.DataFrame(data, schema={name: DTYPES[kind] for name, (kind, _) in columns.items()})


def _jsonable(frame: pl.DataFrame) -> dict[str, list[Any]]:
    return {
        name: [v.isoformat() if isinstance(v, dt.date) else v for v in frame[name].to_list()]
        for name in frame.columns
    }


def _protect(case: dict[str, Any]) -> pl.DataFrame:
    frame = _frame(case["input"])
    ctx = TransformContext(keyset=KEYSET, recipient=case["recipient"])
    return frame.select(build_plan(parse_policy(case["policy"]), frame.schema, {}, ctx).exprs())


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("name", list(CASES))
def test_the_policy_reproduces_every_deterministic_output_byte_for_byte(name: str) -> None:
    case = CASES[name]
    policy = parse_policy(case["policy"])
    frame = _frame(case["input"])
    plan = build_plan(policy, frame.schema, {}, TransformContext(keyset=KEYSET, recipient=case["recipient"]))
    out = frame.select(plan.exprs())
    assert policy_hash(policy) == case["policy_hash"]
    assert plan.key_ids() == case["key_ids"]
    assert {n: str(d) for n, d in out.schema.items()} == case["output_dtypes"]
    assert _jsonable(out) == case["output"]


def test_tokens_join_within_a_domain_and_not_across_scopes() -> None:
    tokens = CASES["tokens per scope and domain"]["output"]
    beta = CASES["tokens for another recipient"]["output"]
    assert tokens["customer_id"][0] == tokens["customer_id"][3]  # equal values, equal tokens
    assert not set(tokens["phone_global"]) - {None} & set(tokens["phone_recipient"])
    assert not set(beta["phone_recipient"]) - {None} & set(tokens["phone_recipient"])
    assert all(t is None or t.startswith("rt1_0a1b2c3d_") for t in tokens["email"])
    assert {len(t) for t in tokens["email"] if t} == {13 + 16}  # digest_bytes 10: 16 base32 characters


def test_fpe_values_decrypt_with_the_recorded_key() -> None:
    case = CASES["format-preserving encryption"]
    rules = parse_policy(case["policy"]).columns
    for column, encrypted in case["output"].items():
        rule = rules[column]
        scope = "global" if rule.scope == "global" else f"recipient:{case['recipient']}"  # type: ignore[union-attr]
        plain = fpe_decrypt_column(
            KEYSET,
            pl.Series(column, encrypted, dtype=pl.String),
            column=column,
            key_id="1b2c3d4e",
            alphabet=rule.alphabet,  # type: ignore[union-attr]
            scope_label=scope,
        )
        assert plain.to_list() == case["input"][column][1]


@pytest.mark.parametrize("vector", VECTORS["encrypt"], ids=lambda v: f"{v['key_id']}-{v['column']}")
def test_pinned_ciphertexts_decrypt_and_are_bound_to_their_column(vector: dict[str, Any]) -> None:
    sealed = vector["ciphertext"]
    # the format: re1_<key id>_<base64url(nonce | AES-GCM ciphertext | tag)>,
    # associated data "ringfence encrypt v1|" + column
    prefix, kid, body = sealed.split("_", 2)
    assert (prefix, kid) == ("re1", vector["key_id"])
    raw = _b64url_decode(body)
    assert raw[:12].hex() == vector["nonce"]
    aad = b"ringfence encrypt v1|" + vector["column"].encode()
    assert AESGCM(MATERIAL[kid]).decrypt(raw[:12], raw[12:], aad).decode() == vector["plaintext"]
    opened = decrypt_column(KEYSET, pl.Series("c", [sealed, None]), vector["column"])
    assert opened.to_list() == [vector["plaintext"], None]
    with pytest.raises(InvalidFormat, match="fail authentication"):
        decrypt_column(KEYSET, pl.Series("c", [sealed]), vector["column"] + "_moved")


def test_new_ciphertexts_use_the_pinned_format_and_associated_data() -> None:
    frame = pl.DataFrame({"email": [v["plaintext"] for v in VECTORS["encrypt"]] + [None]})
    policy = parse_policy("ringfence_policy: 1\nname: golden-encrypt\ncolumns:\n  email: {action: encrypt}\n")
    out = frame.select(build_plan(policy, frame.schema, {}, TransformContext(keyset=KEYSET)).exprs())
    aad = b"ringfence encrypt v1|email"
    for plain, sealed in zip(frame["email"].to_list()[:-1], out["email"].to_list()[:-1], strict=True):
        prefix, kid, body = sealed.split("_", 2)
        assert (prefix, kid) == ("re1", "1b2c3d4e")
        raw = _b64url_decode(body)
        assert AESGCM(MATERIAL[kid]).decrypt(raw[:12], raw[12:], aad).decode() == plain
    assert out["email"][-1] is None


@pytest.mark.parametrize("vector", VECTORS["footer"], ids=lambda v: f"v{v['version']}-{v['key_id']}")
def test_sealed_footers_of_every_version_open(vector: dict[str, Any]) -> None:
    assert open_record(KEYSET, vector["sealed"], vector["label"]) == vector["text"]
    with pytest.raises(InvalidFormat):
        open_record(KEYSET, vector["sealed"], vector["label"] + ".other")


def test_the_v1_footer_is_what_its_format_says() -> None:
    """v1: nonce = HMAC-SHA256(aead key, "ringfence record nonce v1" 0x00 || text)[:12], then ``re1_``
    AES-GCM bound to the label."""
    for vector in (v for v in VECTORS["footer"] if v["version"] == 1):
        key = MATERIAL[vector["key_id"]]
        text = vector["text"].encode()
        nonce = hmac.digest(key, b"ringfence record nonce v1\x00" + text, "sha256")[:12]
        body = AESGCM(key).encrypt(nonce, text, b"ringfence encrypt v1|" + vector["label"].encode())
        expected = f"re1_{vector['key_id']}_" + base64.urlsafe_b64encode(nonce + body).decode().rstrip("=")
        assert vector["sealed"] == expected


def test_footers_sealed_now_are_deterministic_and_open() -> None:
    text = VECTORS["footer"][0]["text"]
    sealed = seal_record(KEYSET, text, "ringfence.protect")
    assert sealed == seal_record(KEYSET, text, "ringfence.protect")
    assert open_record(KEYSET, sealed, "ringfence.protect") == text


@pytest.mark.parametrize("vector", VECTORS["keyed_uniform"], ids=lambda v: v["action"])
def test_keyed_uniform_values_are_reproduced(vector: dict[str, Any]) -> None:
    ctx = TransformContext(keyset=KEYSET, recipient=vector["recipient"])
    series = pl.Series("v", vector["input"], dtype=pl.String)
    values = pl.select(keyed_uniform(ctx, vector["action"], vector["scope"]).expr(pl.lit(series))).to_series()
    assert values.to_list() == vector["output"]
