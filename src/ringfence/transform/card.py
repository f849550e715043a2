"""``card_surrogate``: a keyed, one-way card number that keeps the BIN and the last 4 digits and passes Luhn.

What it guarantees:

- The first 6 digits (the BIN: issuer, brand, card type) and the last 4 stay, with every separator in
  place and the value's length; the digits between them are replaced: all but the last by keyed digits
  (``Prf.uint64`` of the whole card number, its digits only, in the domain
  ``<scope>|card_surrogate|<column>``), and the last by the digit that makes the number pass the Luhn
  check. Test systems and partners' validators accept the surrogate; the last 4 still match a receipt.
- One-way: nothing decrypts it. FF1 needs at least 1,000,000 possible values, and a 16-digit card with
  its BIN and last 4 kept and one digit fixed for Luhn has 5 free digits (100,000 values); a 13-digit
  card has 2. A surrogate that reveal decrypts is ``fpe`` with ``keep_bin: true`` (the last 4 change).
- Joinable within a scope: the same card gives the same surrogate. Two cards with the same BIN and last
  4 may share one (1 in 10^k for k free digits), so it is not a unique key.
- Values that are not card numbers of 13 to 19 digits stop the run, counted and never shown, apart from
  placeholders (``N/A``, empty) that stay as they are, as with ``fpe``. Null stays null.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ringfence.detect.checksums import luhn_sum_expr
from ringfence.errors import UsageError
from ringfence.keys import Kernel
from ringfence.transform.base import Scope, TransformContext, TransformSpec, text
from ringfence.transform.fpe import CARD_DIGITS, placeholders

__all__ = ["CardSurrogate"]

# BIN (through the 6th digit), the digits to replace (with separators), the last 4 (with separators).
_PARTS = r"^(\D*(?:\d\D*){5}\d)(.*?)((?:\D*\d){4}\D*)$"
# Keyed digits are drawn as letters a-j (so that a replaced digit is never matched again), then mapped back.
_LETTERS = "abcdefghij"
_MAX_FREE = CARD_DIGITS[1] - 10


def _surrogate(value: pl.Expr, keyed: pl.Expr, column: str) -> pl.Expr:
    """The surrogate of each card (``value``, already checked to be one) from its keyed ``UInt64``."""
    parts = value.str.extract_groups(_PARTS)
    bin_, middle, last4 = (parts.struct.field(n) for n in ("1", "2", "3"))
    digits = (keyed % 10**_MAX_FREE).cast(pl.String).str.zfill(_MAX_FREE)
    letters = digits.str.replace_many(list("0123456789"), list(_LETTERS))
    # Every digit of the middle but its last one (the Luhn digit, set below) takes a keyed digit, in turn.
    fixed = middle.str.replace(r"\d(\D*)$", "x$1")
    for i in range(_MAX_FREE):
        fixed = fixed.str.replace(r"\d", letters.str.slice(i, 1), literal=False, n=1)
    fixed = fixed.str.replace_many(list(_LETTERS), list("0123456789"))
    bare = pl.concat_str([bin_, fixed.str.replace("x", "0", literal=True), last4]).str.replace_all(r"\D", "")
    # The Luhn digit sits 5th from the right, an undoubled place: it adds itself to the sum.
    luhn = ((10 - luhn_sum_expr(bare) % 10) % 10).cast(pl.String)
    return pl.concat_str([bin_, fixed.str.replace("x", luhn, literal=True), last4]).alias(column)


class CardSurrogate(TransformSpec):
    """Keyed one-way card surrogates keeping BIN and last 4, Luhn-valid (see the module docstring)."""

    name = "card_surrogate"

    def __init__(self, scope: Scope = "recipient") -> None:
        self.scope: Scope = scope

    def params(self) -> dict[str, Any]:
        return {"scope": self.scope}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        keys, key_id = ctx.key(self.name)
        threads = ctx.threads
        domain = f"{ctx.scope_label(self.scope, self.name)}|{self.name}|{column}"
        value = text(column, ctx.dtype(column))
        keyed = Kernel(
            keys.prf(key_id, domain),
            lambda prf, values: prf.uint64(values, threads=threads),
            pl.UInt64(),
        ).expr(value.str.replace_all(r"\D", ""))
        checked = value.map_batches(
            lambda values: _checked(values, column), return_dtype=pl.String, is_elementwise=True
        )
        card = checked.str.contains(_PARTS)
        return [pl.when(card).then(_surrogate(checked, keyed, column)).otherwise(checked).alias(column)]


def _checked(values: pl.Series, column: str) -> pl.Series:
    """The values, once every one is known to be a card number, a placeholder or null (else the run
    stops, with a count and no value)."""
    digits = values.str.count_matches(r"\d")
    card = (values.str.contains(_PARTS) & digits.is_between(*CARD_DIGITS)).fill_null(False)
    bad = int((~card & ~placeholders(values, digits) & values.is_not_null()).sum())
    if bad:
        raise UsageError(
            f"card_surrogate of column {column!r}: {bad} value(s) are not card numbers of "
            f"{CARD_DIGITS[0]} to {CARD_DIGITS[1]} digits"
        )
    return values
