"""``tokenize``: a keyed, deterministic token per value (``rt1_<key id>_<base32>``).

What it guarantees:

- The token is the AES-CMAC keyed digest of the value's UTF-8 text (numbers as their decimal text) under
  the keyset's primary ``hmac`` key (:mod:`ringfence.transform.keyed_hash`), in a domain made of the
  scope and what the column holds: ``global|tokenize|entity:PHONE_NUMBER`` or
  ``recipient:acme|tokenize|column:msisdn``. A column whose rule names an entity is tokenized in the
  entity's domain, so phone numbers in two tables (under different column names) give the same tokens and
  join; a column without an entity is tokenized in its own column's domain.
- Joinable: equal values in one domain give equal tokens. Unlinkable across scopes: recipient A's tokens
  and recipient B's tokens of the same value are unrelated, and so are global and recipient tokens.
- The token names the key that made it, so tokens made before ``keys rotate`` can still be recomputed and
  matched (:func:`tokenize_column` with ``key_id``) as long as that key is not disabled.
- Not reversible: a token is a one-way keyed digest. There is no ``detokenize``: ringfence keeps no token
  vault, so the only way back from a token is to tokenize candidate values under the same key and domain
  and compare (which only the key holder can do).
- Null stays null.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ringfence.errors import UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.policy.rules import Tokenize as TokenizeRule
from ringfence.transform.base import Scope, TransformContext, TransformSpec, text
from ringfence.transform.keyed_hash import DIGEST_SIZE, KeyedDigest

__all__ = ["Tokenize", "token_domain", "token_key_id", "tokenize_column"]


def token_domain(scope_label: str, column: str, entity: str | None) -> str:
    """The keyed-digest domain of a tokenized column: scope, action, and the entity (or the column)."""
    what = f"entity:{entity}" if entity else f"column:{column}"
    return f"{scope_label}|tokenize|{what}"


def token_key_id(token: str) -> str:
    """The id of the key that made an ``rt1_`` token."""
    parts = token.split("_")
    if len(parts) != 3 or parts[0] != "rt1" or len(parts[1]) != 8:
        raise UsageError("not an rt1_ token")
    return parts[1]


def tokenize_column(
    keyset: Keyset,
    values: pl.Series,
    domain: str,
    *,
    key_id: str | None = None,
    digest_bytes: int = DIGEST_SIZE,
) -> pl.Series:
    """``rt1_`` tokens of a column in ``domain`` under ``key_id`` (default: the primary ``hmac`` key);
    recompute with an older key id to match tokens made before a rotation."""
    kid = key_id or keyset.primary_id("hmac")
    digest = KeyedDigest(keyset.secret(kid, SECRET_ACCESS), domain)
    return digest.tokens(values.cast(pl.String), kid, digest_bytes)


class _TokenKernel:
    """The batch function: holds the keyset (which refuses pickling) and the key id, never key bytes."""

    __slots__ = ("_digest_bytes", "_domain", "_key_id", "_keyset")

    def __init__(self, keyset: Keyset, key_id: str, domain: str, digest_bytes: int) -> None:
        self._keyset, self._key_id, self._domain = keyset, key_id, domain
        self._digest_bytes = digest_bytes

    def __call__(self, values: pl.Series) -> pl.Series:
        return tokenize_column(
            self._keyset, values, self._domain, key_id=self._key_id, digest_bytes=self._digest_bytes
        ).alias(values.name)

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("a tokenize kernel holds a keyset and cannot be pickled")


class Tokenize(TransformSpec):
    """Keyed deterministic tokens (see the module docstring). Reversible: no. Joinable: yes, within a
    scope."""

    name = "tokenize"
    reversible = False
    joinable = True

    def __init__(
        self, scope: Scope = "recipient", digest_bytes: int = DIGEST_SIZE, entity: str | None = None
    ) -> None:
        if not 10 <= digest_bytes <= DIGEST_SIZE:
            raise UsageError(f"tokenize digest_bytes must be 10 to {DIGEST_SIZE}, not {digest_bytes}")
        self.scope: Scope = scope
        self.digest_bytes = digest_bytes
        self.entity = entity

    @classmethod
    def from_rule(cls, rule: TokenizeRule) -> Tokenize:
        return cls(rule.scope, rule.digest_bytes, rule.entity)

    def params(self) -> dict[str, Any]:
        return {"scope": self.scope, "digest_bytes": self.digest_bytes, "entity": self.entity}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        if ctx.keyset is None:
            raise UsageError("tokenize is keyed and needs the workspace keyset")
        domain = token_domain(ctx.scope_label(self.scope, "tokenize"), column, self.entity)
        kernel = _TokenKernel(ctx.keyset, ctx.keyset.primary_id("hmac"), domain, self.digest_bytes)
        value = text(column, ctx.dtype(column))
        return [value.map_batches(kernel, return_dtype=pl.String, is_elementwise=True).alias(column)]
