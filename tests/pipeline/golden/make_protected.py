"""Writes ``protected_v1.parquet`` and ``original.parquet``: a small customer table protected by this
version under the golden test keyset (``tests/transform/golden/vectors.json``), whose footer carries the
sealed plan record. Run once, by hand, when the file was first made; never by the tests: the point is that
files protected by an earlier version stay revealable by every later one.

    python tests/pipeline/golden/make_protected.py
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ringfence.keys import KeyInfo, Keyset
from ringfence.pipeline.protect import protect
from ringfence.policy import parse_policy

HERE = Path(__file__).parent
POLICY = """\
ringfence_policy: 1
name: golden-partner
unlisted: drop
columns:
  customer_id: {action: tokenize, scope: global}
  name: redact
  email: {action: encrypt}
  card: {action: fpe, scope: recipient, entity: PAYMENT_CARD}
  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}
  city: keep
entities:
  PHONE_NUMBER: {action: tokenize, scope: recipient}
  KR_RRN: {action: fpe, scope: global}
"""
ENTITIES = {"mobile": "PHONE_NUMBER", "rrn": "KR_RRN", "city": None}


def keyset() -> Keyset:
    vectors = json.loads((HERE.parent.parent / "transform" / "golden" / "vectors.json").read_text("utf-8"))
    infos = [KeyInfo(k["id"], k["purpose"], k["status"], vectors["created_at"]) for k in vectors["keys"]]
    return Keyset(infos, {k["id"]: bytes.fromhex(k["material"]) for k in vectors["keys"]})


def original() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": ["C000001", "C000002", "C000003", "C000004"],
            "name": ["张伟", "김민준", "王芳", "이서연"],
            "email": ["zhang.wei@example.cn", "minjun.kim@example.kr", None, "seoyeon@example.kr"],
            "card": ["4111111111111111", "5500005555555559", "6221260000000000", None],
            "national_id": ["110101199003074514", None, "440301198507150023", None],
            "mobile": ["13812345678", "010-1234-5678", "13987654321", "010-9876-5432"],
            "rrn": ["900101-1234568", "850715-2345671", None, "031122-3456789"],
            "city": ["北京", "서울", "深圳", "부산"],
        }
    )


if __name__ == "__main__":
    source = HERE / "original.parquet"
    original().write_parquet(source)
    protect(
        source,
        parse_policy(POLICY),
        HERE / "protected_v1.parquet",
        keyset=keyset(),
        recipient="acme",
        entities=ENTITIES,
    )
