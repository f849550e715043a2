"""``tokenize``: a keyed, deterministic token per value (``rt1_<key id>_<base32>``).

What it guarantees:

- The token is the AES-CMAC keyed digest of the value's UTF-8 text (numbers as their decimal text) under
  the ``hmac`` key the plan chose (the primary, unless pinned; :mod:`ringfence.keys.keyed_hash`), in a
  domain made of the scope and what the column holds: ``global|tokenize|entity:PHONE_NUMBER`` or
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
from ringfence.keys import Kernel, KeyResolver
from ringfence.keys.keyed_hash import DIGEST_SIZE
from ringfence.transform.base import Scope, TransformContext, TransformSpec, text

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
    keys: KeyResolver,
    values: pl.Series,
    domain: str,
    *,
    key_id: str | None = None,
    digest_bytes: int = DIGEST_SIZE,
    threads: int | None = None,
) -> pl.Series:
    """``rt1_`` tokens of a column in ``domain`` under ``key_id`` (default: the primary ``hmac`` key);
    recompute with an older key id to match tokens made before a rotation."""
    prf = keys.prf(key_id or keys.primary_id("hmac"), domain)
    return prf.tokens(values, digest_bytes, threads=threads).alias(values.name)


class Tokenize(TransformSpec):
    """Keyed deterministic tokens (see the module docstring). Reversible: no. Joinable: yes, within a
    scope."""

    name = "tokenize"

    def __init__(
        self, scope: Scope = "recipient", digest_bytes: int = DIGEST_SIZE, entity: str | None = None
    ) -> None:
        self.check(scope=scope, digest_bytes=digest_bytes, entity=entity)
        self.scope: Scope = scope
        self.digest_bytes = digest_bytes
        self.entity = entity

    def params(self) -> dict[str, Any]:
        return {"scope": self.scope, "digest_bytes": self.digest_bytes, "entity": self.entity}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        keys, key_id = ctx.key("tokenize")
        domain = token_domain(ctx.scope_label(self.scope, "tokenize"), column, self.entity)
        n_bytes, threads = self.digest_bytes, ctx.threads
        kernel = Kernel(
            keys.prf(key_id, domain),
            lambda prf, values: prf.tokens(values, n_bytes, threads=threads),
            pl.String(),
        )
        return [kernel.expr(text(column, ctx.dtype(column))).alias(column)]
