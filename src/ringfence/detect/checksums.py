"""Check-digit algorithms, once: Luhn, ISO 7064 MOD 11-2, the KR RRN weights, ISO 7064 MOD 97-10 (IBAN).

Each algorithm comes in three forms that must agree (``tests/detect/test_checksums.py`` checks it):

- a scalar function on a ``str`` of digits, for single values and tests;
- a NumPy function on a matrix of digits (one row per number), used by the synthetic generator to compute
  check digits for millions of numbers at once;
- a Polars expression over a string column, used by the entity modules to validate whole columns.

The Polars forms take already-compacted strings (separators removed) and return null where the input is
null; they assume the caller checked the length and the character set first (an entity module's shape
regex does), and give an unspecified boolean for anything else.

The Polars forms avoid one-character slices: a string column is parsed into integers a few times and the
digits are combined with integer arithmetic, so a check costs a handful of vectorised operations per value.

- Luhn parses up to 16 digits at a time *as hexadecimal*, so each decimal digit lands in its own 4-bit
  nibble (packed BCD); the digits in even and odd places are then summed eight at a time with masks and a
  remainder by 255 (256 = 1 mod 255, and no sum of eight digits reaches 255).
- MOD 11-2 parses the 17 payload digits *in base 13*: 13 = 2 mod 11, so the base-13 value is congruent to
  the weighted sum with weights 2^k (this is python-stdnum's ``int(number, 13)`` trick).
- MOD 97-10 reduces the digit string in chunks of 18 digits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

DigitMatrix = npt.NDArray[np.uint8]

# ---------------------------------------------------------------------------------------------- Luhn


def luhn_is_valid(number: str) -> bool:
    """True when the digit string passes the Luhn check (ISO/IEC 7812-1)."""
    if not number.isascii() or not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit to append to ``payload``."""
    return str(luhn_check_digits(np.frombuffer(payload.encode(), dtype=np.uint8)[None, :] - 48)[0])


def luhn_check_digits(payload: DigitMatrix) -> npt.NDArray[np.uint8]:
    """Luhn check digits for each row of a digit matrix (the payload without its check digit)."""
    digits = payload.astype(np.int64)[:, ::-1]
    doubled = digits[:, 0::2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total: npt.NDArray[np.int64] = doubled.sum(axis=1) + digits[:, 1::2].sum(axis=1)
    return ((10 - total % 10) % 10).astype(np.uint8)


_LOW_NIBBLES = 0x0F0F_0F0F_0F0F_0F0F
_THREES = 0x0303_0303_0303_0303
_ONES = 0x0101_0101_0101_0101


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


def _luhn_sum_bcd(chunk: pl.Expr) -> pl.Expr:
    """Luhn sum of a digit string of at most 16 digits (0 for an empty or null string).

    Parsed as hexadecimal, digit k from the right sits in nibble k. Even nibbles are summed as they are,
    odd ones are doubled, and a doubled digit of 5 or more loses 9 (its two digits are added): the number
    of such digits is counted by adding 3 to every byte and reading bit 3.
    """
    bcd = chunk.str.to_integer(base=16, dtype=pl.UInt64, strict=False).fill_null(0)
    even = bcd & _u64(_LOW_NIBBLES)
    odd = (bcd // 16) & _u64(_LOW_NIBBLES)
    five_or_more = ((odd + _u64(_THREES)) // 8) & _u64(_ONES)
    return (
        (even % 255).cast(pl.Int64) + 2 * (odd % 255).cast(pl.Int64) - 9 * (five_or_more % 255).cast(pl.Int64)
    )


def luhn_sum_expr(col: pl.Expr, max_len: int = 19) -> pl.Expr:
    """Polars: the Luhn sum of each digit string (the rightmost digit undoubled); valid when it is a
    multiple of 10."""
    total: pl.Expr = _luhn_sum_bcd(col.str.tail(16))
    rest = col
    # 16 is even, so every chunk of 16 digits starts on an undoubled place.
    for _ in range(16, max_len, 16):
        rest = rest.str.head(-16)
        total = total + _luhn_sum_bcd(rest.str.tail(16))
    return total


def luhn_valid_expr(col: pl.Expr, max_len: int = 19) -> pl.Expr:
    """Polars: Luhn validity of a column of digit strings of up to ``max_len`` digits."""
    return pl.when(col.is_null()).then(None).otherwise((luhn_sum_expr(col, max_len) % 10) == 0)


def luhn_check_digit_expr(payload: pl.Expr, max_len: int = 19) -> pl.Expr:
    """Polars: the Luhn check digit (Int64, 0-9) to append to each payload digit string (null stays
    null): the payload with a 0 appended, whose Luhn sum the digit brings to a multiple of 10."""
    total = luhn_sum_expr(payload + pl.lit("0"), max_len)
    return pl.when(payload.is_null()).then(None).otherwise((10 - total % 10) % 10)


# ------------------------------------------------------------------------- ISO 7064 MOD 11-2 (CN RIC)

_MOD11_2_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)


def mod11_2_check_char(payload: str) -> str:
    """ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') for a 17-digit payload."""
    total = sum(int(c) * int(w) for c, w in zip(payload, _MOD11_2_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def mod11_2_check_values(payload: DigitMatrix) -> npt.NDArray[np.uint8]:
    """MOD 11-2 check values 0..10 (10 is written 'X') for each row of a 17-column digit matrix."""
    total = payload.astype(np.int64) @ _MOD11_2_WEIGHTS
    return ((12 - total % 11) % 11).astype(np.uint8)


def mod11_2_check_value_expr(payload: pl.Expr) -> pl.Expr:
    """Polars: MOD 11-2 check values 0..10 (10 is written 'X') of 17-digit payload strings."""
    v = payload.str.to_integer(base=13, strict=False)  # = sum of digit * 2^k (mod 11); < 2^63
    return (12 - (2 * (v % 11)) % 11) % 11


def mod11_2_valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: ISO 7064 MOD 11-2 validity of 18-character strings (17 digits and a check digit or X/x)."""
    value = mod11_2_check_value_expr(col.str.head(17))
    # In base 36 the check character reads 0-9, and X or x reads 33.
    written = col.str.slice(17, 1).str.to_integer(base=36, strict=False)
    ok = (written == value + 23 * (value == 10).cast(pl.Int64)).fill_null(False)
    return pl.when(col.is_not_null()).then(ok)


# --------------------------------------------------------------------------------- KR RRN (pre-2020)

_RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], dtype=np.int64)


def rrn_check_digit(payload: str) -> str:
    """Check digit of a Korean resident registration number from its first 12 digits."""
    total = sum(int(c) * int(w) for c, w in zip(payload, _RRN_WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def rrn_check_digits(payload: DigitMatrix) -> npt.NDArray[np.uint8]:
    """RRN check digits for each row of a 12-column digit matrix."""
    total = payload.astype(np.int64) @ _RRN_WEIGHTS
    return ((11 - total % 11) % 10).astype(np.uint8)


def rrn_check_expr(col: pl.Expr) -> pl.Expr:
    """Polars: whether 13-digit strings carry a valid (pre-October-2020) RRN check digit."""
    bcd = col.str.head(12).str.to_integer(base=16, dtype=pl.UInt64, strict=False)
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(_RRN_WEIGHTS.tolist()):
        total = total + ((bcd // 16 ** (11 - i)) & _u64(15)).cast(pl.Int64) * w
    ok = (col.str.slice(12, 1).cast(pl.Int64, strict=False) == (11 - total % 11) % 10).fill_null(False)
    return pl.when(col.is_null()).then(None).otherwise(ok)


def rrn_check_series(numbers: pl.Series, where: pl.Series) -> pl.Series:
    """Whether 13-digit strings carry a valid RRN check digit, computed with NumPy on a digit matrix.

    Only the rows where ``where`` holds are read (they must be 13 ASCII digits: an entity module's shape
    regex checked them); the others are False. Same verdicts as :func:`rrn_check_expr`, several times
    cheaper: the twelve weighted digits are one matrix product instead of a dozen column operations.
    """
    where = where.fill_null(False)
    out = np.zeros(numbers.len(), dtype=np.bool_)
    picked = numbers.filter(where)
    if picked.len():
        digits = digit_matrix(picked, 13)
        out[where.to_numpy()] = rrn_check_digits(digits[:, :12]) == digits[:, 12]
    return pl.Series(numbers.name, out)


def digit_matrix(values: pl.Series, width: int) -> DigitMatrix:
    """The digits of a Series of ``width``-character ASCII digit strings, one row per value.

    Raises ValueError when a value is null or not ``width`` ASCII digits.
    """
    if values.null_count() or not (values.str.len_bytes() == width).all():
        raise ValueError(f"digit_matrix: every value must be {width} ASCII digits")
    joined = values.str.join("").item() if values.len() else ""
    raw = np.frombuffer(str(joined).encode("ascii", errors="replace"), dtype=np.uint8)
    if raw.size != values.len() * width:
        raise ValueError(f"digit_matrix: every value must be {width} ASCII digits")
    digits = raw.reshape(-1, width) - 48
    if digits.size and digits.max() > 9:  # bytes below '0' wrap around to large values
        raise ValueError(f"digit_matrix: every value must be {width} ASCII digits")
    return digits


# ------------------------------------------------------------------------- ISO 7064 MOD 97-10 (IBAN)


def _alnum_value(ch: str) -> int:
    return ord(ch) - 48 if ch.isdigit() else ord(ch.upper()) - 55


def mod97_10_is_valid(number: str) -> bool:
    """ISO 7064 MOD 97-10 on an IBAN-ordered string (country, check digits, BBAN) of A-Z and 0-9."""
    if not number.isascii() or not number.isalnum() or len(number) < 5:
        return False
    rearranged = number[4:] + number[:4]
    return int("".join(str(_alnum_value(c)) for c in rearranged)) % 97 == 1


def mod97_10_check_digits(country: str, bban: str) -> str:
    """The two IBAN check digits for a country code and BBAN."""
    digits = "".join(str(_alnum_value(c)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def mod97_10_valid_expr(col: pl.Expr, max_len: int = 34) -> pl.Expr:
    """Polars: MOD 97-10 validity of upper-case IBAN strings of up to ``max_len`` characters.

    The country code and check digits move to the end, letters become two digits (A=10 ... Z=35), and the
    digit string is reduced modulo 97 eighteen digits at a time from the left (after left-padding with
    zeros to a whole number of chunks, which does not change the value). Written as
    :func:`mod97_10_digits_expr` then :func:`mod97_10_digits_valid_expr`, so a staged caller can
    materialise the digit string once instead of once per chunk.
    """
    return mod97_10_digits_valid_expr(mod97_10_digits_expr(col, max_len), max_len)


def mod97_10_digits_expr(col: pl.Expr, max_len: int = 34) -> pl.Expr:
    """Polars: the rearranged, all-digit, zero-padded string whose value MOD 97 the check tests."""
    rearranged = col.str.slice(4) + col.str.slice(0, 4)
    numeric = rearranged.str.replace_many(_LETTERS, _LETTER_VALUES)
    return numeric.str.zfill(-(-2 * max_len // _CHUNK) * _CHUNK)


def mod97_10_digits_valid_expr(padded: pl.Expr, max_len: int = 34) -> pl.Expr:
    """Polars: whether the strings of :func:`mod97_10_digits_expr` are 1 modulo 97 (null for null)."""
    remainder: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for k in range(-(-2 * max_len // _CHUNK)):
        part = padded.str.slice(k * _CHUNK, _CHUNK).cast(pl.Int64, strict=False)
        remainder = (remainder * _CHUNK_SHIFT + part % 97) % 97
    ok = (remainder == 1).fill_null(False)
    return pl.when(padded.is_null()).then(None).otherwise(ok)


_CHUNK = 18
_CHUNK_SHIFT = pow(10, _CHUNK, 97)
_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LETTER_VALUES = [str(c - 55) for c in range(ord("A"), ord("Z") + 1)]
