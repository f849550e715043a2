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


def test_small_domain_is_a_one_line_usage_error_naming_the_column() -> None:
    keyset = Keyset.generate()
    frame = pl.DataFrame({"pin": ["12345678", "1234"]})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset)
    with pytest.raises(UsageError) as info:
        frame.select(Fpe("digits", "global").expr("pin", ctx))
    first = str(info.value).splitlines()[0]
    assert "'pin'" in first and "1 value(s)" in first and "1234" not in first


def test_junk_placeholders_stay_and_do_not_stop_the_run() -> None:
    """One N/A among card numbers is not a value FF1 must refuse: it stays, and so do null and empty."""
    keyset = Keyset.generate()
    frame = pl.DataFrame({"card": ["6222 0212 3456 7890", "N/A", " 未知 ", "", "-", None, "123456"]})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset)
    out = frame.select(Fpe("digits", "global").expr("card", ctx))["card"].to_list()
    assert out[1:6] == ["N/A", " 未知 ", "", "-", None]
    assert out[0] is not None and out[0] != "6222 0212 3456 7890" and out[0][4::5] == "   "
    back = fpe_decrypt_column(keyset, pl.Series(out), column="card", key_id=keyset.primary_id("aead"))
    assert back.to_list() == frame["card"].to_list()


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


def test_junk_words_that_hold_alphabet_characters_are_values_in_every_batch() -> None:
    """Under alnum, "unknown" and "Na" (a Korean surname) are values: encrypted or refused whatever else
    the batch holds, never passed through because a placeholder sits beside them."""
    keyset = Keyset.generate()
    spec = Fpe("alnum", "global")

    def run(values: list[str | None]) -> list[str | None]:
        frame = pl.DataFrame({"ref": values}, schema={"ref": pl.String})
        return frame.select(spec.expr("ref", TransformContext(schema=dict(frame.schema), keyset=keyset)))[
            "ref"
        ].to_list()

    alone, beside_junk = (
        run(["ACCT123456", "unknown"]),
        run(["ACCT123456", "unknown", "#N/A", "ＮＵＬＬ", "－"]),
    )
    assert alone == beside_junk[:2] and "unknown" not in alone
    assert beside_junk[2:] == ["#N/A", "ＮＵＬＬ", "－"]
    with pytest.raises(UsageError, match="1 value"):
        run(["ACCT123456", "Na", "N/A"])
