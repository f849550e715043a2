"""``fpe``: format-preserving encryption (FF1, :mod:`ringfence.keys.ff1`) of a column.

What it guarantees:

- Each value keeps its length, its separators and every character outside the alphabet in place; the
  alphabet's characters (``digits``, ``alnum`` = ``0-9a-zA-Z``, or a custom string) are FF1-encrypted, so
  a card number stays 16 digits with its spaces and fits the column it came from.
- The FF1 key is derived per column and scope from the ``aead`` key the plan chose (the primary unless
  pinned), by the keyset (:meth:`ringfence.keys.Keyset.ff1`):
  ``HMAC-SHA256(aead key, "ringfence fpe v1" 0x00 scope "|" column)``; two columns or two recipients
  encrypt the same value differently (unlinkable), and one column's ciphertexts are joinable within it.
- Reversible by the key holder: :func:`fpe_decrypt_column` with the key id and the same column, scope and
  alphabet. Unlike a token or a ``re1_`` ciphertext, an FPE value cannot carry its key id (it must keep the
  input's format), so the key id is recorded in the plan and the run summary (``key_ids``); keep it with
  the output. After ``keys rotate``, pass the recorded (old) key id to decrypt.
- FF1's domain rule is enforced: a value with fewer alphabet characters than ``radix**n >= 1,000,000``
  needs (6 digits, 4 alphanumerics) is refused, naming the column and the count, never the value: the
  policy asks for something FF1 cannot do safely (``fpe`` of a gender column, of 4-digit PINs), and the
  run stops rather than pass values through or null them silently. Junk placeholders (empty, ``-``,
  ``N/A``, ``未知``: :data:`ringfence.detect.classify.JUNK_VALUES`, compared after NFKC and lower-casing)
  that hold none of the alphabet's characters or are written with a symbol are not values and stay as
  they are, so one ``N/A`` among 20M card numbers does not stop a run; a bare junk word that holds the
  alphabet's characters (``Na``, a surname, or ``none`` under ``alnum``) is a value like any other,
  encrypted or refused the same way in every batch and in both directions.
- Null stays null.
- ``keep_bin`` (card numbers, ``alphabet: digits``): the first 6 digits (the BIN: issuer and card type)
  are kept, the digits between them and the check digit are FF1-encrypted, and the check digit is moved
  by the change in the Luhn check digit, so a valid card gives a valid card (test systems and partners'
  validators accept it) and reveal gives the input back exactly. Its FF1 key is derived for
  ``<scope>|<column>|bin``. Keeping the last 4 digits as well is not offered here: with the check digit
  among them, one more digit would have to be fixed for Luhn, leaving 5 free digits of a 16-digit card
  (100,000 values) below FF1's floor of 1,000,000 (NIST SP 800-38G Rev. 1); ``card_surrogate`` keeps
  BIN and last 4 as a keyed, one-way surrogate instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from ringfence.detect.checksums import luhn_check_digit_expr
from ringfence.detect.classify import JUNK_VALUES
from ringfence.errors import InvalidFormat, UsageError
from ringfence.keys import Kernel, KeyResolver
from ringfence.keys.ff1 import ALPHANUMERIC, DIGITS, FF1, Alphabet, decrypt_column, encrypt_column
from ringfence.transform.base import Scope, TransformContext, TransformSpec, text

__all__ = ["Fpe", "alphabet_of", "fpe_decrypt_column", "fpe_domain", "fpe_encrypt_column"]


def alphabet_of(name: str) -> Alphabet:
    """``digits``, ``alnum``, or the custom alphabet the string spells."""
    if name == "digits":
        return DIGITS
    if name == "alnum":
        return ALPHANUMERIC
    return Alphabet(name)


def fpe_domain(scope_label: str, column: str, keep_bin: bool = False) -> str:
    """The domain an FF1 key is derived for: the scope and the column (and ``|bin`` for the mode that
    keeps a card's BIN, so its key differs from plain fpe's)."""
    return f"{scope_label}|{column}" + ("|bin" if keep_bin else "")


def placeholders(strings: pl.Series, numerals: pl.Series) -> pl.Series:
    """A placeholder is a junk word once folded (NFKC, case) that either holds none of the alphabet's
    characters (``numerals`` counts them) or is written with a symbol (N/A, #N/A, (null)): a bare word
    such as "Na" or "none" may be a value (a surname) and is treated as one. The rule looks at the value
    alone, never at its batch."""
    folded = strings.str.normalize("NFKC").str.strip_chars().str.to_lowercase()
    symbolic = folded.str.contains(r"[^\p{L}\p{N}]")
    return (folded.is_in(JUNK_VALUES) & ((numerals == 0) | symbolic)).fill_null(False)


def _crypt(ff1: FF1, values: pl.Series, *, column: str, decrypt: bool, threads: int | None) -> pl.Series:
    strings = values.cast(pl.String).alias(column)
    crypt = decrypt_column if decrypt else encrypt_column
    try:
        return crypt(ff1, strings, preserving=True, threads=threads).alias(values.name)
    except InvalidFormat:  # InvalidLength too: some values are below FF1's domain (rare: looked at now)
        pass
    numerals = strings.str.count_matches(_alphabet_class(ff1.alphabet.chars))
    placeholder = placeholders(strings, numerals)
    short = int(((numerals < ff1.min_length) & ~placeholder).sum())
    if short:
        raise UsageError(
            f"fpe of column {column!r}: {short} value(s) have fewer than {ff1.min_length} characters of the "
            f"alphabet; FF1 needs radix**length >= 1,000,000 (use another action for such values)"
        )
    try:
        kept = pl.select(pl.when(~placeholder).then(strings)).to_series()
        done = crypt(ff1, kept, preserving=True, threads=threads)
    except InvalidFormat as exc:
        raise UsageError(f"fpe of column {column!r}: {str(exc).splitlines()[0]}") from None
    return pl.select(pl.when(placeholder).then(strings).otherwise(done)).to_series().alias(values.name)


# A card number with its separators: the BIN (up to the 6th digit), the digits between it and the check
# digit (with their separators), the check digit, and what follows it (separators only).
_CARD = r"^(\D*(?:\d\D*){5}\d)(.*)(\d)(\D*)$"
CARD_DIGITS = (13, 19)


def _card_crypt(ff1: FF1, values: pl.Series, *, column: str, decrypt: bool, threads: int | None) -> pl.Series:
    """``keep_bin``: the first 6 digits kept, FF1 over the digits between them and the check digit
    (separators in place), and the check digit moved by the change of the Luhn check digit the new
    digits call for: a valid card number gives a valid one, an invalid one an invalid one, and decryption
    (the same formula the other way) gives the input back exactly. Columnar: one regular expression splits
    every value, the FF1 kernel runs over the middles, Luhn is computed by :func:`luhn_check_digit_expr`."""
    strings = values.cast(pl.String).alias(column)
    digits = strings.str.count_matches(r"\d")
    card = (strings.str.contains(_CARD) & digits.is_between(*CARD_DIGITS)).fill_null(False)
    placeholder = placeholders(strings, digits)
    bad = int((~card & ~placeholder & strings.is_not_null()).sum())
    if bad:
        raise UsageError(
            f"fpe keep_bin of column {column!r}: {bad} value(s) are not card numbers of "
            f"{CARD_DIGITS[0]} to {CARD_DIGITS[1]} digits (use fpe without keep_bin for other numbers)"
        )
    parts = pl.select(pl.when(card).then(strings)).to_series().str.extract_groups(_CARD).struct.unnest()
    parts.columns = ["bin", "middle", "check", "tail"]
    crypted = _crypt(ff1, parts.get_column("middle"), column=column, decrypt=decrypt, threads=threads)
    frame = parts.with_columns(crypted.alias("crypted"), strings.alias("value"), card.alias("card"))
    bare = pl.col("bin").str.replace_all(r"\D", "")

    def luhn(middle: str) -> pl.Expr:
        return luhn_check_digit_expr(bare + pl.col(middle).str.replace_all(r"\D", ""))

    check = (pl.col("check").cast(pl.Int64) - luhn("middle") + luhn("crypted") + 10) % 10
    out = pl.concat_str([pl.col("bin"), pl.col("crypted"), check.cast(pl.String), pl.col("tail")])
    return (
        frame.select(pl.when(pl.col("card")).then(out).otherwise(pl.col("value")))
        .to_series()
        .alias(values.name)
    )


def _crypt_for(keep_bin: bool) -> Callable[..., pl.Series]:
    return _card_crypt if keep_bin else _crypt


def _alphabet_class(chars: str) -> str:
    """A regex character class of exactly the alphabet's characters."""
    return "[" + "".join("\\" + ch if ch in "\\[]^-&~|" else ch for ch in chars) + "]"


def fpe_encrypt_column(
    keys: KeyResolver,
    values: pl.Series,
    *,
    column: str,
    key_id: str | None = None,
    alphabet: str = "digits",
    scope_label: str = "global",
    keep_bin: bool = False,
) -> pl.Series:
    """FF1 ciphertexts of a column (see the module docstring) under ``key_id`` (default: the primary
    ``aead`` key). Raises :class:`UsageError` naming the column if a value is too short for FF1."""
    domain = fpe_domain(scope_label, column, keep_bin)
    ff1 = keys.ff1(key_id or keys.primary_id("aead"), domain, alphabet_of(alphabet))
    return _crypt_for(keep_bin)(ff1, values, column=column, decrypt=False, threads=None)


def fpe_decrypt_column(
    keys: KeyResolver,
    values: pl.Series,
    *,
    column: str,
    key_id: str,
    alphabet: str = "digits",
    scope_label: str = "global",
    keep_bin: bool = False,
) -> pl.Series:
    """The plaintexts of :func:`fpe_encrypt_column` output, given the key id recorded at encryption time
    (works after rotation while that key is enabled) and the same column, alphabet, scope label
    (``global`` or ``recipient:<id>``) and ``keep_bin``."""
    ff1 = keys.ff1(key_id, fpe_domain(scope_label, column, keep_bin), alphabet_of(alphabet))
    return _crypt_for(keep_bin)(ff1, values, column=column, decrypt=True, threads=None)


class Fpe(TransformSpec):
    """FF1 format-preserving encryption (see the module docstring). Reversible: yes, by the key holder
    with the recorded key id. Joinable: yes, within one column and scope."""

    name = "fpe"

    def __init__(self, alphabet: str = "digits", scope: Scope = "recipient", keep_bin: bool = False) -> None:
        alphabet_of(alphabet)  # a bad custom alphabet fails here, before any data flows
        self.alphabet = alphabet
        self.scope: Scope = scope
        self.keep_bin = keep_bin

    def params(self) -> dict[str, Any]:
        # keep_bin only when set: a plain fpe plan's record (and its sealed footer) stays as it was
        return {
            "alphabet": self.alphabet,
            "scope": self.scope,
            **({"keep_bin": True} if self.keep_bin else {}),
        }

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        keys, key_id = ctx.key("fpe")
        domain = fpe_domain(ctx.scope_label(self.scope, "fpe"), column, self.keep_bin)
        threads, crypt = ctx.threads, _crypt_for(self.keep_bin)
        kernel = Kernel(
            keys.ff1(key_id, domain, alphabet_of(self.alphabet)),
            lambda ff1, values: crypt(ff1, values, column=column, decrypt=False, threads=threads),
            pl.String(),
        )
        return [kernel.expr(text(column, ctx.dtype(column))).alias(column)]
