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
"""

from __future__ import annotations

from typing import Any

import polars as pl

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


def fpe_domain(scope_label: str, column: str) -> str:
    """The domain an FF1 key is derived for: the scope and the column."""
    return f"{scope_label}|{column}"


def _crypt(ff1: FF1, values: pl.Series, *, column: str, decrypt: bool, threads: int | None) -> pl.Series:
    strings = values.cast(pl.String).alias(column)
    crypt = decrypt_column if decrypt else encrypt_column
    try:
        return crypt(ff1, strings, preserving=True, threads=threads).alias(values.name)
    except InvalidFormat:  # InvalidLength too: some values are below FF1's domain (rare: looked at now)
        pass
    numerals = strings.str.count_matches(_alphabet_class(ff1.alphabet.chars))
    # A placeholder is a junk word once folded (NFKC, case) that either holds none of the alphabet's
    # characters or is written with a symbol (N/A, #N/A, (null)): a bare word such as "Na" or "none" may be
    # a value (a surname) and is treated as one. The rule looks at the value alone, never at its batch.
    folded = strings.str.normalize("NFKC").str.strip_chars().str.to_lowercase()
    symbolic = folded.str.contains(r"[^\p{L}\p{N}]")
    placeholder = (folded.is_in(JUNK_VALUES) & ((numerals == 0) | symbolic)).fill_null(False)
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
) -> pl.Series:
    """FF1 ciphertexts of a column (see the module docstring) under ``key_id`` (default: the primary
    ``aead`` key). Raises :class:`UsageError` naming the column if a value is too short for FF1."""
    ff1 = keys.ff1(key_id or keys.primary_id("aead"), fpe_domain(scope_label, column), alphabet_of(alphabet))
    return _crypt(ff1, values, column=column, decrypt=False, threads=None)


def fpe_decrypt_column(
    keys: KeyResolver,
    values: pl.Series,
    *,
    column: str,
    key_id: str,
    alphabet: str = "digits",
    scope_label: str = "global",
) -> pl.Series:
    """The plaintexts of :func:`fpe_encrypt_column` output, given the key id recorded at encryption time
    (works after rotation while that key is enabled) and the same column, alphabet and scope label
    (``global`` or ``recipient:<id>``)."""
    ff1 = keys.ff1(key_id, fpe_domain(scope_label, column), alphabet_of(alphabet))
    return _crypt(ff1, values, column=column, decrypt=True, threads=None)


class Fpe(TransformSpec):
    """FF1 format-preserving encryption (see the module docstring). Reversible: yes, by the key holder
    with the recorded key id. Joinable: yes, within one column and scope."""

    name = "fpe"

    def __init__(self, alphabet: str = "digits", scope: Scope = "recipient") -> None:
        alphabet_of(alphabet)  # a bad custom alphabet fails here, before any data flows
        self.alphabet = alphabet
        self.scope: Scope = scope

    def params(self) -> dict[str, Any]:
        return {"alphabet": self.alphabet, "scope": self.scope}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        keys, key_id = ctx.key("fpe")
        domain = fpe_domain(ctx.scope_label(self.scope, "fpe"), column)
        threads = ctx.threads
        kernel = Kernel(
            keys.ff1(key_id, domain, alphabet_of(self.alphabet)),
            lambda ff1, values: _crypt(ff1, values, column=column, decrypt=False, threads=threads),
            pl.String(),
        )
        return [kernel.expr(text(column, ctx.dtype(column))).alias(column)]
