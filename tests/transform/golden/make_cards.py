"""Writes ``cards.json``: golden vectors of the card surrogates (``fpe`` with ``keep_bin``,
``card_surrogate``) that ``tests/transform/test_card.py`` checks.

Run ONCE, by hand, when the formats were added (``python tests/transform/golden/make_cards.py``); never by
the tests. The expected outputs are computed here value by value, with the scalar primitives (``FF1.encrypt``
on the digits between BIN and check digit, the scalar Luhn check digit, one keyed 64-bit value per card)
and plain string handling, not by the columnar kernels the tests check against them. Keys: the fixed test
keyset of ``vectors.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from ringfence.detect.checksums import luhn_check_digit
from ringfence.keys import KeyInfo, Keyset
from ringfence.keys.ff1 import DIGITS

HERE = Path(__file__).parent
OUT = HERE / "cards.json"
VECTORS = json.loads((HERE / "vectors.json").read_text(encoding="utf-8"))
KEYSET = Keyset(
    [KeyInfo(k["id"], k["purpose"], k["status"], VECTORS["created_at"]) for k in VECTORS["keys"]],
    {k["id"]: bytes.fromhex(k["material"]) for k in VECTORS["keys"]},
)
AEAD, HMAC = "1b2c3d4e", "0a1b2c3d"
RECIPIENT = "acme"
CARDS = [
    "4111111111111111",
    "4111 1111 1111 1112",  # not Luhn-valid: stays not valid
    "5500-0000-0000-0004",
    "378282246310005",
    "3056930009020004",
    "6212269619326377197",
    "4222222222222",
    "N/A",
    None,
]


def _digit_places(value: str) -> list[int]:
    return [i for i, ch in enumerate(value) if ch.isdigit()]


def keep_bin(value: str) -> str:
    ff1 = KEYSET.ff1(AEAD, f"recipient:{RECIPIENT}|card_number|bin", DIGITS)
    places = _digit_places(value)
    digits = "".join(value[i] for i in places)
    middle = digits[6:-1]
    crypted = ff1.encrypt(middle)
    old, new = int(luhn_check_digit(digits[:-1])), int(luhn_check_digit(digits[:6] + crypted))
    out_digits = digits[:6] + crypted + str((int(digits[-1]) - old + new) % 10)
    out = list(value)
    for i, d in zip(places, out_digits, strict=True):
        out[i] = d
    return "".join(out)


def surrogate(value: str) -> str:
    prf = KEYSET.prf(HMAC, f"recipient:{RECIPIENT}|card_surrogate|card_number")
    places = _digit_places(value)
    digits = "".join(value[i] for i in places)
    keyed = f"{int(prf.uint64(pl.Series([digits]))[0]) % 10**9:09d}"
    free = len(digits) - 11
    body = digits[:6] + keyed[:free] + "0" + digits[-4:]
    total = sum(
        (2 * int(d) - 9 if 2 * int(d) > 9 else 2 * int(d)) if k % 2 else int(d)
        for k, d in enumerate(reversed(body))
    )
    out_digits = digits[:6] + keyed[:free] + str((10 - total % 10) % 10) + digits[-4:]
    out = list(value)
    for i, d in zip(places, out_digits, strict=True):
        out[i] = d
    return "".join(out)


def main() -> None:
    def real(v: str | None) -> bool:
        return v is not None and bool(re.search(r"\d", v))

    doc = {
        "recipient": RECIPIENT,
        "aead_key": AEAD,
        "hmac_key": HMAC,
        "input": CARDS,
        "fpe_keep_bin": [keep_bin(v) if real(v) else v for v in CARDS],
        "card_surrogate": [surrogate(v) if real(v) else v for v in CARDS],
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
