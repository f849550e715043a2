"""encrypt: ciphertexts equal to AESGCM, decryption after rotation, tampering refused."""

from __future__ import annotations

import base64

import polars as pl
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringfence.errors import InvalidFormat, KeyAccessError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.transform.base import TransformContext
from ringfence.transform.encrypt import Encrypt, associated_data, decrypt_column, encrypt_column, encrypt_one

# lengths around the block boundaries, multi-byte text, empty text and nulls
VALUES = [
    "",
    "a",
    "13812345678",
    "x" * 15,
    "y" * 16,
    "z" * 17,
    None,
    "张三丰" * 11,
    "q" * 100,
    "kim@example.kr",
]


def _raw(token: str) -> bytes:
    body = token.split("_", 2)[2]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def test_each_ciphertext_is_aesgcm_of_the_value_under_the_named_key() -> None:
    keyset = Keyset.generate()
    kid = keyset.primary_id("aead")
    key = keyset.secret(kid, SECRET_ACCESS)
    out = encrypt_column(keyset, pl.Series("phone", VALUES))
    for value, token in zip(VALUES, out.to_list(), strict=True):
        if value is None:
            assert token is None
            continue
        assert token.startswith(f"re1_{kid}_") and "=" not in token
        raw = _raw(token)
        assert AESGCM(key).decrypt(raw[:12], raw[12:], associated_data("phone")).decode() == value
        assert encrypt_one(keyset, value, "phone", raw[:12]) == token


def test_round_trip_and_randomized() -> None:
    keyset = Keyset.generate()
    values = pl.Series("email", VALUES * 50)
    first, second = encrypt_column(keyset, values), encrypt_column(keyset, values)
    assert decrypt_column(keyset, first).to_list() == values.to_list()
    assert first.drop_nulls().n_unique() == first.drop_nulls().len()  # equal values, unrelated ciphertexts
    assert (first != second).drop_nulls().all()


def test_decrypts_after_rotation_and_refuses_a_disabled_key() -> None:
    keyset = Keyset.generate()
    old = encrypt_column(keyset, pl.Series("iban", VALUES))
    old_id = keyset.primary_id("aead")
    keyset.rotate("aead")
    new = encrypt_column(keyset, pl.Series("iban", VALUES))
    mixed = pl.Series("iban", [o if i % 2 else n for i, (o, n) in enumerate(zip(old, new, strict=True))])
    assert decrypt_column(keyset, mixed).to_list() == VALUES
    keyset.disable(old_id)
    with pytest.raises(KeyAccessError):
        decrypt_column(keyset, old)


def test_tampering_or_another_column_fails_authentication_without_showing_values() -> None:
    keyset = Keyset.generate()
    out = encrypt_column(keyset, pl.Series("phone", ["13812345678", "13900001111"]))
    token = out[0]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(InvalidFormat, match="1 values fail authentication") as info:
        decrypt_column(keyset, pl.Series("phone", [flipped, out[1]]))
    assert "1381234" not in str(info.value)
    with pytest.raises(InvalidFormat, match="fail authentication"):
        decrypt_column(keyset, out, column="email")
    with pytest.raises(InvalidFormat, match="not re1_ ciphertexts"):
        decrypt_column(keyset, pl.Series("phone", ["13812345678"]))


def test_spec_is_reversible_not_joinable_and_streams() -> None:
    keyset = Keyset.generate()
    spec = Encrypt()
    assert spec.reversible and not spec.joinable
    frame = pl.DataFrame({"account_no": [6222021234567890, None, 42]})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset)
    out = frame.select(spec.expr("account_no", ctx))["account_no"]
    assert decrypt_column(keyset, out).to_list() == ["6222021234567890", None, "42"]
