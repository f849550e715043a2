"""fpe: format kept, per-column keys, old key ids decrypt after rotation, small domains refused."""

from __future__ import annotations

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.keys import Keyset
from ringfence.transform.base import TransformContext
from ringfence.transform.fpe import Fpe, fpe_decrypt_column, fpe_encrypt_column

CARDS = ["6222 0212 3456 7890", "4111-1111-1111-1111", None, "6222 0212 3456 7890"]


def test_format_and_separators_are_kept_and_round_trip() -> None:
    keyset = Keyset.generate()
    out = fpe_encrypt_column(keyset, pl.Series(CARDS), column="card")
    for before, after in zip(CARDS, out.to_list(), strict=True):
        if before is None:
            assert after is None
            continue
        assert len(after) == len(before) and after != before
        assert [c for c in after if not c.isdigit()] == [c for c in before if not c.isdigit()]
    assert out[0] == out[3]
    kid = keyset.primary_id("aead")
    assert fpe_decrypt_column(keyset, out, column="card", key_id=kid).to_list() == CARDS


def test_columns_and_recipients_have_their_own_keys() -> None:
    keyset = Keyset.generate()
    values = pl.Series(CARDS)
    a = fpe_encrypt_column(keyset, values, column="card", scope_label="recipient:acme")
    b = fpe_encrypt_column(keyset, values, column="card", scope_label="recipient:bravo")
    c = fpe_encrypt_column(keyset, values, column="card_no", scope_label="recipient:acme")
    assert a[0] != b[0] and a[0] != c[0]


def test_old_key_id_decrypts_after_rotation() -> None:
    keyset = Keyset.generate()
    old = keyset.primary_id("aead")
    out = fpe_encrypt_column(keyset, pl.Series(CARDS), column="card")
    keyset.rotate("aead")
    assert fpe_encrypt_column(keyset, pl.Series(CARDS), column="card")[0] != out[0]
    assert fpe_decrypt_column(keyset, out, column="card", key_id=old).to_list() == CARDS


def test_values_below_the_domain_become_null_and_values_without_numerals_stay() -> None:
    """FF1 refuses a domain below 10^6: such a value is never passed through (null), and one short value
    does not stop a run over millions; junk without a digit has nothing to encrypt and stays."""
    keyset = Keyset.generate()
    frame = pl.DataFrame({"pin": ["12345678", "1234", "12-34", "N/A", "未知", "", None, "123456"]})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset)
    out = frame.select(Fpe("digits", "global").expr("pin", ctx))["pin"].to_list()
    assert out[1:7] == [None, None, "N/A", "未知", "", None]
    assert out[0] is not None and len(out[0]) == 8 and out[0] != "12345678"
    assert out[7] is not None and len(out[7]) == 6 and out[7] != "123456"
    back = fpe_decrypt_column(keyset, pl.Series(out), column="pin", key_id=keyset.primary_id("aead"))
    assert back.to_list() == ["12345678", None, None, "N/A", "未知", "", None, "123456"]


def test_alnum_and_custom_alphabets() -> None:
    keyset = Keyset.generate()
    frame = pl.DataFrame({"passport": ["E12345678", "M98765432"], "code": ["ABCD-EFGH", "HGFE-DCBA"]})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset)
    out = frame.select(
        Fpe("alnum", "global").expr("passport", ctx) + Fpe("ABCDEFGH", "global").expr("code", ctx)
    )
    assert all(v.isalnum() and len(v) == 9 for v in out["passport"])
    assert all(set(v) <= set("ABCDEFGH-") and v[4] == "-" for v in out["code"])
    with pytest.raises(UsageError):
        Fpe("aa")
