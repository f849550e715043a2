"""tokenize: keyed tokens that join within a scope, unlink across recipients, and survive rotation."""

from __future__ import annotations

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.keys import Keyset
from ringfence.transform.base import TransformContext
from ringfence.transform.tokenize import Tokenize, token_domain, token_key_id, tokenize_column

PHONES = ["13812345678", "01012345678", "13812345678", None, "+82 10-1234-5678"]


def _tokens(
    keyset: Keyset, spec: Tokenize, column: str, values: list[str | None], recipient: str | None = None
) -> list[str | None]:
    frame = pl.DataFrame({column: values}, schema={column: pl.String})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset, recipient=recipient)
    return frame.select(spec.expr(column, ctx))[column].to_list()


def test_equal_values_equal_tokens_with_the_key_id() -> None:
    keyset = Keyset.generate()
    tokens = _tokens(keyset, Tokenize("global"), "phone", PHONES)
    assert tokens[0] == tokens[2] and tokens[0] != tokens[1]
    assert tokens[3] is None
    kid = keyset.primary_id("hmac")
    assert all(token_key_id(t) == kid for t in tokens if t)
    assert not any(p in (t or "") for t in tokens for p in ("1381234", "0101234"))


def test_recipients_get_unlinkable_tokens_and_entity_domains_join_across_columns() -> None:
    keyset = Keyset.generate()
    spec = Tokenize("recipient", entity="PHONE_NUMBER")
    a = _tokens(keyset, spec, "phone", PHONES, recipient="acme")
    b = _tokens(keyset, spec, "phone", PHONES, recipient="bravo")
    assert not set(filter(None, a)) & set(filter(None, b))
    # same entity, another column name, same recipient: the tokens join
    assert _tokens(keyset, spec, "msisdn", PHONES, recipient="acme") == a
    # no entity: the column is its own domain
    assert _tokens(keyset, Tokenize("global"), "msisdn", PHONES) != _tokens(
        keyset, Tokenize("global"), "phone", PHONES
    )
    with pytest.raises(UsageError, match="needs a recipient"):
        _tokens(keyset, spec, "phone", PHONES)


def test_tokens_recompute_under_the_old_key_after_rotation() -> None:
    keyset = Keyset.generate()
    domain = token_domain("global", "phone", None)
    before = tokenize_column(keyset, pl.Series(PHONES), domain)
    old = token_key_id(before[0])
    keyset.rotate("hmac")
    after = tokenize_column(keyset, pl.Series(PHONES), domain)
    assert token_key_id(after[0]) != old
    assert tokenize_column(keyset, pl.Series(PHONES), domain, key_id=old).to_list() == before.to_list()


def test_numbers_are_tokenized_as_their_text_and_short_digests_are_shorter() -> None:
    keyset = Keyset.generate()
    frame = pl.DataFrame({"card": [4111111111111111, None]})
    ctx = TransformContext(schema=dict(frame.schema), keyset=keyset)
    spec = Tokenize("global", digest_bytes=10)
    out = frame.select(spec.expr("card", ctx))["card"]
    assert out[0] == _tokens(keyset, spec, "card", ["4111111111111111"])[0]
    assert len(out[0]) == len("rt1_12345678_") + 16
    assert not spec.reversible and spec.joinable
