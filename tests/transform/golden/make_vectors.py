"""Writes ``vectors.json``: the golden format vectors that ``tests/transform/test_golden.py`` checks.

Run ONCE, by hand, when a format is deliberately added (``python tests/transform/golden/make_vectors.py``);
never by the tests. The vectors pin what users rely on across releases: tokens that must keep joining,
ciphertexts, FPE values and sealed footers that must stay revealable, and keyed per-row outputs. A
change that alters any of them is a format change and needs a new version tag, not a new vector file.

Everything is computed under a fixed test keyset (fixed key bytes, fixed ids), through the policy
(YAML → :func:`ringfence.transform.plan.build_plan`), the path users take.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
from pathlib import Path
from typing import Any

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringfence.detect.checksums import mod11_2_check_char, rrn_check_digit
from ringfence.keys import KeyInfo, Keyset
from ringfence.policy import parse_policy, policy_hash
from ringfence.transform.base import TransformContext, keyed_uniform
from ringfence.transform.encrypt import seal_record
from ringfence.transform.plan import build_plan

OUT = Path(__file__).with_name("vectors.json")
CREATED = "2026-01-01T00:00:00+00:00"

# id, purpose, status, key bytes (hex): fixed test keys, never used outside the tests
KEYS = [
    ("0a1b2c3d", "hmac", "primary", bytes(range(32)).hex()),
    ("4e5f6071", "hmac", "enabled", bytes(range(100, 132)).hex()),
    ("1b2c3d4e", "aead", "primary", bytes(range(32, 64)).hex()),
    ("3d4e5f60", "aead", "enabled", bytes(range(64, 96)).hex()),
    ("2c3d4e5f", "signing", "primary", bytes(range(200, 232)).hex()),
]

DTYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "date": pl.Date(),
    "float": pl.Float64(),
    "int": pl.Int64(),
}


def keyset() -> Keyset:
    infos = [KeyInfo(kid, purpose, status, CREATED) for kid, purpose, status, _ in KEYS]  # type: ignore[arg-type]
    return Keyset(infos, {kid: bytes.fromhex(hexed) for kid, _, _, hexed in KEYS})


def cn_id(region: str, born: str, seq: int) -> str:
    payload = f"{region}{born}{seq:03d}"
    return payload + mod11_2_check_char(payload)


def kr_rrn(born: str, g: int, serial: str) -> str:
    payload = f"{born}{g}{serial}"
    return payload[:6] + "-" + payload[6:] + rrn_check_digit(payload)


PHONES = ["13812345678", "+86 139 1020 3344", "138-0013-8000", "010-2345-6789", None]
EMAILS = ["zhang.wei@example.com", "minsu.kim@naver.com", "li.na@163.com", "seoyeon.lee@kakao.com", None]
NAMES = ["김민수", "이서연", "박지훈", "张伟", None]
CARDS = ["6222 0212 3456 7890", "4111111111111111", "6228-4800-1234-5678", "3782 822463 10005", None]
CN_IDS = [
    "11010519491231002X",
    cn_id("440305", "19880214", 123),
    cn_id("310115", "20010730", 456),
    cn_id("510107", "19751109", 789),
    None,
]
KR_RRNS = [
    kr_rrn("850312", 1, "23456"),
    kr_rrn("920101", 2, "12345"),
    kr_rrn("030415", 3, "54321"),
    kr_rrn("011120", 8, "10203"),
    None,
]
CUSTOMERS = ["C0001", "C0002", "C0003", "C0001", None]
PASSPORTS = ["E12345678", "G87654321", "M1234567", "EA1234567", None]
AMOUNTS = [128.5, 9999.0, 0.01, 128.5, None]
COUNTS = [3, 250, 12000, 3, None]
DATES = ["2026-03-05", "2025-12-31", "2024-02-29", "2026-03-05", None]
TEXT_DATES = ["2026-03-05", "2026/3/5 7:08", "2026年3月5日", "2026-03-05", None]


def _case(
    name: str, recipient: str | None, columns: dict[str, tuple[str, list[Any]]], yaml: str
) -> dict[str, Any]:
    return {"name": name, "recipient": recipient, "input": columns, "policy": yaml}


CASES = [
    _case(
        "tokens per scope and domain",
        "acme",
        {
            "phone_global": ("str", PHONES),
            "phone_recipient": ("str", PHONES),
            "customer_id": ("str", CUSTOMERS),
            "email": ("str", EMAILS),
            "name": ("str", NAMES),
            "card_number": ("str", CARDS),
            "amount": ("float", AMOUNTS),
        },
        """
ringfence_policy: 1
name: golden-tokens
columns:
  phone_global: {action: tokenize, scope: global, entity: PHONE_NUMBER}
  phone_recipient: {action: tokenize, entity: PHONE_NUMBER}
  customer_id: {action: tokenize, scope: global}
  email: {action: tokenize, entity: EMAIL_ADDRESS, digest_bytes: 10}
  name: {action: tokenize, entity: PERSON_NAME, digest_bytes: 12}
  card_number: {action: tokenize, scope: recipient, digest_bytes: 16}
  amount: {action: tokenize, scope: global}
""",
    ),
    _case(
        "tokens for another recipient",
        "beta",
        {"phone_recipient": ("str", PHONES), "customer_id": ("str", CUSTOMERS)},
        """
ringfence_policy: 1
name: golden-tokens-beta
columns:
  phone_recipient: {action: tokenize, entity: PHONE_NUMBER}
  customer_id: {action: tokenize}
""",
    ),
    _case(
        "format-preserving encryption",
        "acme",
        {
            "card_number": ("str", CARDS),
            "phone": ("str", PHONES),
            "passport": ("str", PASSPORTS),
            "national_id": ("str", CN_IDS),
        },
        """
ringfence_policy: 1
name: golden-fpe
columns:
  card_number: {action: fpe}
  phone: {action: fpe, scope: global}
  passport: {action: fpe, alphabet: alnum}
  national_id: {action: fpe, alphabet: "0123456789X"}
""",
    ),
    _case(
        "keyed per-row outputs",
        "acme",
        {
            "customer_id": ("str", CUSTOMERS),
            "paid_on": ("date", DATES),
            "paid_text": ("str", TEXT_DATES),
            "amount": ("float", AMOUNTS),
            "amount_global": ("float", AMOUNTS),
            "items": ("int", COUNTS),
        },
        """
ringfence_policy: 1
name: golden-keyed
columns:
  customer_id: keep
  paid_on: {action: date_shift, subject: customer_id}
  paid_text: {action: date_shift, subject: customer_id, max_days: 365, scope: global}
  amount: {action: noise, subject: customer_id}
  amount_global: {action: noise, relative: 0.2, scope: global}
  items: {action: noise, relative: 0.5}
""",
    ),
    _case(
        "national IDs masked and derived",
        None,
        {
            "cn_masked": ("str", CN_IDS),
            "cn_id": ("str", CN_IDS),
            "kr_masked": ("str", KR_RRNS),
            "kr_rrn": ("str", KR_RRNS),
            "phone": ("str", PHONES),
            "email": ("str", EMAILS),
            "name": ("str", NAMES),
        },
        """
ringfence_policy: 1
name: golden-ids
columns:
  cn_masked: {action: mask, entity: CN_RESIDENT_ID}
  cn_id:
    action: derive
    entity: CN_RESIDENT_ID
    fields: [birth_year, birth_date, gender, age_band, region]
    region_digits: 4
    as_of: 2026-06-30
  kr_masked: {action: mask, entity: KR_RRN}
  kr_rrn: {action: derive, entity: KR_RRN, fields: [birth_date, gender, age_band], as_of: 2026-06-30}
  phone: {action: mask, entity: PHONE_NUMBER}
  email: {action: mask, entity: EMAIL_ADDRESS}
  name: {action: mask, entity: PERSON_NAME}
""",
    ),
]


def frame_of(columns: dict[str, tuple[str, list[Any]]]) -> pl.DataFrame:
    data = {
        name: [dt.date.fromisoformat(v) if v is not None and kind == "date" else v for v in values]
        for name, (kind, values) in columns.items()
    }
    return pl.DataFrame(data, schema={name: DTYPES[kind] for name, (kind, _) in columns.items()})


def jsonable(frame: pl.DataFrame) -> dict[str, list[Any]]:
    return {
        name: [v.isoformat() if isinstance(v, dt.date) else v for v in frame[name].to_list()]
        for name in frame.columns
    }


def run_case(keys: Keyset, case: dict[str, Any]) -> dict[str, Any]:
    policy = parse_policy(case["policy"])
    frame = frame_of(case["input"])
    ctx = TransformContext(keyset=keys, recipient=case["recipient"])
    plan = build_plan(policy, frame.schema, {}, ctx)
    out = frame.select(plan.exprs())
    return {
        "policy_hash": policy_hash(policy),
        "key_ids": plan.key_ids(),
        "output_dtypes": {name: str(dtype) for name, dtype in out.schema.items()},
        "output": jsonable(out),
    }


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def ciphertext(key_id: str, value: str, column: str, nonce: bytes) -> str:
    """AES-256-GCM per the ``re1_`` format, by ``cryptography`` directly (the reference)."""
    key = bytes.fromhex(next(k[3] for k in KEYS if k[0] == key_id))
    aad = b"ringfence encrypt v1|" + column.encode()
    return f"re1_{key_id}_" + b64url(nonce + AESGCM(key).encrypt(nonce, value.encode(), aad))


def sealed_v1(key_id: str, text: str, label: str) -> str:
    """The footer record as sealed before derived subkeys (v1): the synthetic nonce is
    HMAC-SHA256(aead key, "ringfence record nonce v1" 0x00 || text)[:12], then ``re1_`` AES-GCM bound to
    the label."""
    key = bytes.fromhex(next(k[3] for k in KEYS if k[0] == key_id))
    nonce = hmac.digest(key, b"ringfence record nonce v1\x00" + text.encode(), "sha256")[:12]
    return ciphertext(key_id, text, label, nonce)


def encrypt_vectors() -> list[dict[str, Any]]:
    rows = [
        ("1b2c3d4e", "email", "zhang.wei@example.com", bytes(range(12))),
        ("1b2c3d4e", "email", "minsu.kim@naver.com", bytes(range(1, 13))),
        ("1b2c3d4e", "phone", "13812345678", bytes(range(2, 14))),
        ("1b2c3d4e", "name", "김민수", bytes(range(3, 15))),
        ("1b2c3d4e", "national_id", "11010519491231002X", bytes(range(4, 16))),
        ("1b2c3d4e", "memo", "", bytes(range(5, 17))),
        ("3d4e5f60", "email", "li.na@163.com", bytes(range(6, 18))),  # an older, still enabled key
        ("1b2c3d4e", "address", "上海市浦东新区世纪大道100号 " * 3, bytes(range(7, 19))),
    ]
    return [
        {"key_id": kid, "column": column, "plaintext": value, "nonce": nonce.hex(),
         "ciphertext": ciphertext(kid, value, column, nonce)}
        for kid, column, value, nonce in rows
    ]  # fmt: skip


def footer_vectors(keys: Keyset) -> list[dict[str, Any]]:
    plan_doc = run_case(keys, CASES[0])
    text = json.dumps({"policy": "golden-tokens", "key_ids": plan_doc["key_ids"], "recipient": "acme"})
    # the code of this release seals exactly this way (checked here, once)
    assert seal_record(keys, text, "ringfence.protect") == sealed_v1("1b2c3d4e", text, "ringfence.protect")
    return [
        {"version": 1, "key_id": "1b2c3d4e", "label": "ringfence.protect", "text": text,
         "sealed": sealed_v1("1b2c3d4e", text, "ringfence.protect")},
        {"version": 1, "key_id": "3d4e5f60", "label": "ringfence.protect", "text": "{}",
         "sealed": sealed_v1("3d4e5f60", "{}", "ringfence.protect")},
    ]  # fmt: skip


def uniform_vectors(keys: Keyset) -> list[dict[str, Any]]:
    out = []
    for action, scope, recipient in (("noise", "global", None), ("date_shift", "recipient", "acme")):
        ctx = TransformContext(keyset=keys, recipient=recipient)
        series = pl.Series("v", CUSTOMERS + PHONES, dtype=pl.String)
        values = pl.select(keyed_uniform(ctx, action, scope).expr(pl.lit(series))).to_series()  # type: ignore[arg-type]
        out.append(
            {"action": action, "scope": scope, "recipient": recipient, "input": series.to_list(),
             "output": values.to_list()}
        )  # fmt: skip
    return out


def main() -> None:
    keys = keyset()
    doc = {
        "about": "Golden format vectors; see make_vectors.py. Never regenerate to make a test pass.",
        "keys": [{"id": k, "purpose": p, "status": s, "material": m} for k, p, s, m in KEYS],
        "created_at": CREATED,
        "cases": [{**case, **run_case(keys, case)} for case in CASES],
        "encrypt": encrypt_vectors(),
        "footer": footer_vectors(keys),
        "keyed_uniform": uniform_vectors(keys),
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
