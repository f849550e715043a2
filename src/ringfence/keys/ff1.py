"""Format-preserving encryption with FF1 (NIST SP 800-38G) over AES, for one value and for whole columns.

What it guarantees:

- ``encrypt`` maps a string of ``n`` characters of an :class:`Alphabet` to another such string of the same
  length, and ``decrypt`` with the same key and tweak gives the original back. The ciphertext of a card
  number looks like a card number (it is not Luhn-valid in general), so it fits the column it came from.
- It is deterministic: equal values under one key and tweak give equal ciphertexts (joinable, not
  semantically secure). Use a different tweak per column or purpose to unlink them.
- Domain rule of SP 800-38G Rev. 1 (2nd public draft, 2025), which turns the old recommendation into a
  requirement: ``radix ** length >= 1,000,000`` for every value, and ``2 <= length < 2**32``. Smaller domains
  are refused (e.g. fewer than 6 digits), because they can be enumerated or attacked by known rounds.
- Columns run through :func:`encrypt_column` / :func:`decrypt_column`, which give exactly what the scalar
  methods give for every value, null in → null out, and never loop over rows in Python.

Key bytes are held only inside the AES object; ``repr`` shows none, and the object refuses to be pickled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from ringfence.errors import InvalidFormat, InvalidLength, UsageError
from ringfence.keys._aes import BlockCipher
from ringfence.keys._ff1_column import ColumnJob, crypt_strings
from ringfence.keys._ff1_core import MAX_LENGTH, MIN_DOMAIN, crypt_numerals
from ringfence.keys.columns import read_column, to_arrow
from ringfence.keys.holder import KeyHolder

__all__ = [
    "ALPHANUMERIC",
    "BASE36",
    "DIGITS",
    "FF1",
    "HEX",
    "MIN_DOMAIN",
    "Alphabet",
    "decrypt_column",
    "encrypt_column",
]

DEFAULT_TWEAK_MAX = 256
BASE62_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Alphabet:
    """The distinct characters of a numeral system, in numeral order: character ``k`` stands for ``k``."""

    __slots__ = ("_chars", "_code_points", "_first", "_index", "_table")

    def __init__(self, chars: str) -> None:
        if not 2 <= len(chars) <= 1 << 16:
            raise UsageError(f"an FF1 alphabet needs 2 to 65536 characters, not {len(chars)}")
        if len(set(chars)) != len(chars):
            raise UsageError("the characters of an FF1 alphabet must be distinct")
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in chars):
            raise UsageError("an FF1 alphabet cannot hold surrogate code points: they have no UTF-8 form")
        self._chars = chars
        self._index = {ch: k for k, ch in enumerate(chars)}
        self._code_points = np.array([ord(ch) for ch in chars], dtype=np.int32)
        table = np.full(max(int(self._code_points.max()), 255) + 2, len(chars), dtype=self.numeral_dtype)
        table[self._code_points] = np.arange(len(chars))
        self._table = table
        first = int(self._code_points[0])
        contiguous = bool((self._code_points == np.arange(first, first + len(chars))).all())
        self._first = first if contiguous else None  # "0-9", "a-z", a block of CJK: arithmetic, no table

    @classmethod
    def for_radix(cls, radix: int) -> Alphabet:
        """The first ``radix`` characters of ``0-9a-zA-Z`` (radix 2 to 62)."""
        if not 2 <= radix <= len(BASE62_CHARS):
            raise UsageError(f"a named FF1 radix must be 2 to 62, not {radix}; pass an alphabet instead")
        return cls(BASE62_CHARS[:radix])

    @property
    def chars(self) -> str:
        return self._chars

    @property
    def radix(self) -> int:
        return len(self._chars)

    @property
    def is_ascii(self) -> bool:
        return self._chars.isascii()

    @property
    def code_points(self) -> npt.NDArray[np.int32]:
        return self._code_points

    @property
    def min_length(self) -> int:
        """The shortest value FF1 accepts over this alphabet: ``radix ** n >= 1,000,000`` and ``n >= 2``."""
        n = 2
        while self.radix**n < MIN_DOMAIN:
            n += 1
        return n

    def numeral(self, ch: str) -> int | None:
        """The numeral of one character, or None when it is not in the alphabet."""
        return self._index.get(ch)

    @property
    def numeral_dtype(self) -> type[np.unsignedinteger]:
        """The narrowest unsigned type holding every numeral and the "not in the alphabet" mark (= radix)."""
        return np.uint8 if self.radix < 1 << 8 else np.uint16 if self.radix < 1 << 16 else np.uint32

    def lookup(self, cps: npt.NDArray[np.integer]) -> npt.NDArray[np.unsignedinteger]:
        """Numerals of an array of code points; a value ``>= radix`` where it is not in the alphabet."""
        numerals: npt.NDArray[np.unsignedinteger]
        if self._first is not None and self._first + self.radix <= 256 and cps.dtype == np.uint8:
            # a byte below the range wraps around to 256 - k, above the radix like bytes above the range
            numerals = np.subtract(cps, np.uint8(self._first), dtype=np.uint8)
            return numerals
        index = cps if cps.dtype == np.uint8 else np.minimum(cps, len(self._table) - 1)  # table covers 0..255
        numerals = np.take(self._table, index)
        return numerals

    def ascii_bytes(self, numerals: npt.NDArray[np.unsignedinteger]) -> npt.NDArray[np.uint8]:
        """The characters of numerals as bytes, for an ASCII alphabet."""
        if self._first is not None:
            return numerals.astype(np.uint8) + np.uint8(self._first)
        return np.take(self._code_points.astype(np.uint8), numerals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Alphabet) and other._chars == self._chars

    def __hash__(self) -> int:
        return hash(self._chars)

    def __repr__(self) -> str:
        return f"Alphabet({self._chars!r})"


DIGITS = Alphabet("0123456789")
HEX = Alphabet("0123456789abcdef")
BASE36 = Alphabet(BASE62_CHARS[:36])
ALPHANUMERIC = Alphabet(BASE62_CHARS)


class FF1(KeyHolder):
    """FF1 under one AES key (16, 24 or 32 bytes) over one alphabet; tweaks up to ``tweak_max`` bytes."""

    __slots__ = ("_alphabet", "_cipher", "_tweak_max")

    def __init__(self, key: bytes, alphabet: Alphabet | str, tweak_max: int = DEFAULT_TWEAK_MAX) -> None:
        if not 0 <= tweak_max <= MAX_LENGTH:
            raise UsageError(f"FF1 tweak_max must be 0 to 2**32-1 bytes, not {tweak_max}")
        self._cipher = BlockCipher(key)
        self._alphabet = alphabet if isinstance(alphabet, Alphabet) else Alphabet(alphabet)
        self._tweak_max = tweak_max

    @property
    def alphabet(self) -> Alphabet:
        return self._alphabet

    @property
    def radix(self) -> int:
        return self._alphabet.radix

    @property
    def min_length(self) -> int:
        return self._alphabet.min_length

    @property
    def tweak_max(self) -> int:
        return self._tweak_max

    def check_tweak(self, tweak: bytes) -> None:
        """Raise :class:`UsageError` unless ``tweak`` is bytes of at most ``tweak_max`` bytes."""
        if not isinstance(tweak, bytes | bytearray):
            raise UsageError(f"an FF1 tweak must be bytes, not {type(tweak).__name__}")
        if len(tweak) > self._tweak_max:
            raise UsageError(f"the FF1 tweak has {len(tweak)} bytes; at most {self._tweak_max} are allowed")

    def check_length(self, n: int, what: str = "the value") -> None:
        """Raise :class:`InvalidLength` unless ``n`` numerals are inside FF1's domain for this radix."""
        if n < self.min_length:
            raise InvalidLength(
                f"{what} has {n} characters of the FF1 alphabet; radix {self.radix} needs at least "
                f"{self.min_length} (radix**length >= {MIN_DOMAIN:,})"
            )
        if n > MAX_LENGTH:
            raise InvalidLength(f"{what} has more than 2**32-1 characters, FF1's maximum length")

    def encrypt_numerals(self, numerals: Sequence[int], tweak: bytes = b"") -> list[int]:
        """FF1.Encrypt of a numeral string (each numeral below the radix)."""
        return self._crypt(numerals, tweak, decrypt=False)

    def decrypt_numerals(self, numerals: Sequence[int], tweak: bytes = b"") -> list[int]:
        """FF1.Decrypt of a numeral string (each numeral below the radix)."""
        return self._crypt(numerals, tweak, decrypt=True)

    def _crypt(self, numerals: Sequence[int], tweak: bytes, *, decrypt: bool) -> list[int]:
        self.check_tweak(tweak)
        self.check_length(len(numerals))
        if any(not 0 <= x < self.radix for x in numerals):
            raise InvalidFormat(f"a numeral is outside 0..{self.radix - 1}")
        return crypt_numerals(self._cipher, self.radix, numerals, bytes(tweak), decrypt=decrypt)

    def _numerals(self, value: str) -> list[int]:
        out = [self._alphabet.numeral(ch) for ch in value]
        if any(x is None for x in out):
            raise InvalidFormat(f"the value has characters outside the FF1 alphabet (radix {self.radix})")
        return [x for x in out if x is not None]

    def encrypt(self, value: str, tweak: bytes = b"") -> str:
        """The FF1 ciphertext of ``value``, every character of which must be in the alphabet."""
        chars = self._alphabet.chars
        return "".join(chars[x] for x in self.encrypt_numerals(self._numerals(value), tweak))

    def decrypt(self, value: str, tweak: bytes = b"") -> str:
        """The plaintext of an FF1 ciphertext made by :meth:`encrypt` with the same key and tweak."""
        chars = self._alphabet.chars
        return "".join(chars[x] for x in self.decrypt_numerals(self._numerals(value), tweak))

    def encrypt_preserving(self, value: str, tweak: bytes = b"") -> str:
        """Encrypt only the alphabet's characters of ``value``; others (spaces, dashes) stay in place."""
        return self._preserving(value, tweak, decrypt=False)

    def decrypt_preserving(self, value: str, tweak: bytes = b"") -> str:
        """The inverse of :meth:`encrypt_preserving`."""
        return self._preserving(value, tweak, decrypt=True)

    def _preserving(self, value: str, tweak: bytes, *, decrypt: bool) -> str:
        found = [(k, self._alphabet.numeral(ch)) for k, ch in enumerate(value)]
        places = [(k, x) for k, x in found if x is not None]
        result = self._crypt([x for _, x in places], tweak, decrypt=decrypt)
        out = list(value)
        for (k, _), x in zip(places, result, strict=True):
            out[k] = self._alphabet.chars[x]
        return "".join(out)

    def __repr__(self) -> str:
        return f"FF1(aes-{self._cipher.key_bits}, radix={self.radix})"


# ------------------------------------------------------------------------------------------- columns


class _ColumnCrypt:
    """FF1 over every value of a string column, one direction (a Series in → a Series out, Arrow in →
    Arrow out): equal to :meth:`FF1.encrypt` / :meth:`FF1.decrypt` (or their ``_preserving`` forms with
    ``preserving=True``) on every value; nulls stay null. Raises :class:`InvalidFormat` /
    :class:`InvalidLength` naming how many values are outside the alphabet or too short, and never which.
    ``threads`` (default: the cores, at most 4) share the column's slices; pass 1 when columns already run
    in parallel."""

    __slots__ = ("_decrypt",)

    def __init__(self, *, decrypt: bool) -> None:
        self._decrypt = decrypt

    @overload
    def __call__(
        self,
        ff1: FF1,
        values: pl.Series,
        tweak: bytes = ...,
        *,
        preserving: bool = ...,
        threads: int | None = ...,
    ) -> pl.Series: ...
    @overload
    def __call__(
        self,
        ff1: FF1,
        values: pa.Array | pa.ChunkedArray,
        tweak: bytes = ...,
        *,
        preserving: bool = ...,
        threads: int | None = ...,
    ) -> pa.Array: ...
    def __call__(
        self,
        ff1: FF1,
        values: pl.Series | pa.Array | pa.ChunkedArray,
        tweak: bytes = b"",
        *,
        preserving: bool = False,
        threads: int | None = None,
    ) -> pl.Series | pa.Array:
        decrypt = self._decrypt
        return _crypt_column(ff1, values, tweak, preserving=preserving, decrypt=decrypt, threads=threads)


#: FF1-encrypt every value of a string column (see :class:`_ColumnCrypt`).
encrypt_column = _ColumnCrypt(decrypt=False)
#: The inverse of :func:`encrypt_column` with the same key, tweak and ``preserving``.
decrypt_column = _ColumnCrypt(decrypt=True)


def _crypt_column(
    ff1: FF1,
    values: pl.Series | pa.Array | pa.ChunkedArray,
    tweak: bytes,
    *,
    preserving: bool,
    decrypt: bool,
    threads: int | None,
) -> pl.Series | pa.Array:
    ff1.check_tweak(tweak)
    name = f"column {values.name!r}" if isinstance(values, pl.Series) else "the column"
    col = read_column(to_arrow(values), f"FF1 {name}")
    if col.kind != "string":
        raise UsageError(f"FF1 {name}: expected a string column, not binary")
    job = ColumnJob(ff1._cipher, ff1.alphabet, bytes(tweak), preserving=preserving, decrypt=decrypt)
    out = crypt_strings(job, col, name, threads=threads)
    return pl.Series(values.name, out) if isinstance(values, pl.Series) else out
