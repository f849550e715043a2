"""Check-digit algorithms, once: Luhn, ISO 7064 MOD 11-2, the KR RRN weights, ISO 7064 MOD 97-10 (IBAN).

Each algorithm comes in three forms that must agree (``tests/detect/test_checksums.py`` checks it):

- a scalar function on a ``str`` of digits, for single values and tests;
- a NumPy function on a matrix of digits (one row per number), used by the synthetic generator to compute
  check digits for millions of numbers at once;
- a Polars expression over a string column, used by the entity modules to validate whole columns.

The Polars forms take already-compacted strings (separators removed) and return null where the input is
null; they assume the caller checked the length and the character set first.
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
    total = doubled.sum(axis=1) + digits[:, 1::2].sum(axis=1)
    return ((10 - total % 10) % 10).astype(np.uint8)


def luhn_valid_expr(col: pl.Expr, max_len: int = 19) -> pl.Expr:
    """Polars: Luhn validity of a column of digit strings of up to ``max_len`` digits."""
    rev = col.str.reverse()
    total: pl.Expr = pl.lit(0, dtype=pl.Int32)
    for i in range(max_len):
        d = rev.str.slice(i, 1).cast(pl.Int32, strict=False).fill_null(0)
        if i % 2 == 1:
            d = pl.when(d > 4).then(d * 2 - 9).otherwise(d * 2)
        total = total + d
    return pl.when(col.is_null()).then(None).otherwise((total % 10) == 0)


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


def mod11_2_valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: ISO 7064 MOD 11-2 validity of 18-character strings (17 digits and a check digit or X/x)."""
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(_MOD11_2_WEIGHTS.tolist()):
        total = total + col.str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0) * w
    value = (12 - total % 11) % 11
    check = col.str.slice(17, 1).str.to_uppercase()
    expected = pl.when(value == 10).then(pl.lit("X")).otherwise(value.cast(pl.String))
    return check == expected


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
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for i, w in enumerate(_RRN_WEIGHTS.tolist()):
        total = total + col.str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0) * w
    return col.str.slice(12, 1).cast(pl.Int64, strict=False) == (11 - total % 11) % 10


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

    Letters become two digits (A=10 ... Z=35), and the remainder is the sum of each digit times its place
    value modulo 97, so the expression grows linearly with the length.
    """
    rearranged = col.str.slice(4) + col.str.slice(0, 4)
    numeric = rearranged.str.replace_many(_LETTERS, _LETTER_VALUES).str.reverse()
    total: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for i in range(2 * max_len):
        digit = numeric.str.slice(i, 1).cast(pl.Int64, strict=False).fill_null(0)
        total = total + digit * pow(10, i, 97)
    return pl.when(col.is_null()).then(None).otherwise((total % 97) == 1)


_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LETTER_VALUES = [str(c - 55) for c in range(ord("A"), ord("Z") + 1)]
