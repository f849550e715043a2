"""Identity numbers with real structure and valid check digits, built for whole columns at once.

- Chinese resident identity numbers (GB 11643): 18 digits = region code, birth date, sequence (odd for men),
  ISO 7064 MOD 11-2 check character; and first-generation 15-digit numbers (region, YYMMDD, sequence) that
  people born before 1980 may still have on file.
- Korean resident registration numbers: YYMMDD-GNNNNNN. Numbers issued before October 2020 carry an area
  code and the RRN check digit; numbers issued since are six random digits after G.
- IMEIs: an 8-digit type allocation code, a 6-digit serial and a Luhn check digit.
- Payment cards: a bank's issuer prefix, random account digits and a Luhn check digit.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.detect.checksums import luhn_check_digits, mod11_2_check_values, rrn_check_digits
from ringfence.synth.rand import (
    BoolArray,
    ByteMatrix,
    IntArray,
    ascii_strings,
    civil_from_days,
    digit_strings,
    random_digits,
    to_digits,
)

_X = np.uint8(ord("X"))


def cn_resident_ids(
    rng: np.random.Generator, region: IntArray, birth_days: IntArray, male: BoolArray
) -> pl.Series:
    """18-character resident identity numbers for 6-digit region codes, birth dates (day numbers) and sexes.

    The birth date inside matches ``birth_days``, the sequence number is odd for men and even for women, and
    the last character is the MOD 11-2 check value ('X' for 10, about one number in eleven).
    """
    n = len(region)
    year, month, day = civil_from_days(birth_days)
    seq = rng.integers(0, 500, n) * 2 + np.where(male, 1, 0)
    body = region * 10**11 + (year * 10_000 + month * 100 + day) * 1000 + seq
    payload = to_digits(body, 17)
    check = mod11_2_check_values(payload)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = payload + np.uint8(48)
    chars[:, 17] = np.where(check == 10, _X, check + np.uint8(48))
    return ascii_strings(chars)


def cn_first_generation_ids(
    rng: np.random.Generator, region: IntArray, birth_days: IntArray, male: BoolArray
) -> pl.Series:
    """15-digit first-generation resident IDs: region, YYMMDD, a sequence odd for men; no check digit."""
    n = len(region)
    year, month, day = civil_from_days(birth_days)
    seq = rng.integers(0, 500, n) * 2 + np.where(male, 1, 0)
    body = region * 10**9 + ((year % 100) * 10_000 + month * 100 + day) * 1000 + seq
    return digit_strings(to_digits(body, 15))


def kr_gender_digit(birth_year: IntArray, male: BoolArray, foreign: BoolArray) -> IntArray:
    """The RRN's 7th digit: 1/2 (men/women born 1900-1999), 3/4 (2000-2099); 5-8 the same for foreigners."""
    base = np.where(birth_year >= 2000, 3, 1) + np.where(foreign, 4, 0)
    return (base + np.where(male, 0, 1)).astype(np.int64)


def kr_rrns(
    rng: np.random.Generator,
    birth_days: IntArray,
    male: BoolArray,
    foreign: BoolArray,
    area: IntArray,
    issued_after_2020: BoolArray,
    hyphen: BoolArray,
) -> pl.Series:
    """Resident registration numbers.

    Digits 1-6 are the birth date (YYMMDD) and digit 7 the century and sex (see :func:`kr_gender_digit`).
    For numbers issued before October 2020, digits 8-9 are the area code ``area`` (00-95), 10-11 a
    community-centre number, 12 a serial and 13 the RRN check digit. For ``issued_after_2020`` rows, digits
    8-13 are random, as the 2020 reform made them. ``hyphen`` rows are written ``YYMMDD-GNNNNNN``.
    """
    n = len(birth_days)
    year, month, day = civil_from_days(birth_days)
    front = (year % 100) * 10_000 + month * 100 + day
    gender = kr_gender_digit(year, male, foreign)
    tail = area * 1000 + rng.integers(0, 100, n) * 10 + rng.integers(0, 10, n)  # area, centre, serial
    payload = to_digits(front * 10**6 + gender * 10**5 + tail, 12)
    check = rrn_check_digits(payload)
    digits: ByteMatrix = np.empty((n, 13), dtype=np.uint8)
    digits[:, :12] = payload
    digits[:, 12] = check
    digits[issued_after_2020, 7:] = random_digits(rng, int(issued_after_2020.sum()), 6)
    chars = np.empty((n, 14), dtype=np.uint8)
    chars[:, :6] = digits[:, :6] + np.uint8(48)
    chars[:, 6] = ord("-")
    chars[:, 7:] = digits[:, 6:] + np.uint8(48)
    with_hyphen = ascii_strings(chars)
    plain = digit_strings(digits)
    return with_hyphen.zip_with(pl.Series(hyphen), plain)


def luhn_numbers(rng: np.random.Generator, prefix: IntArray, prefix_len: int, length: int) -> ByteMatrix:
    """Digit matrix of ``length``-digit numbers that start with ``prefix`` and end in a Luhn check digit."""
    n = len(prefix)
    payload = np.empty((n, length - 1), dtype=np.uint8)
    payload[:, :prefix_len] = to_digits(prefix, prefix_len)
    payload[:, prefix_len:] = random_digits(rng, n, length - 1 - prefix_len)
    out = np.empty((n, length), dtype=np.uint8)
    out[:, :-1] = payload
    out[:, -1] = luhn_check_digits(payload)
    return out


def imeis(rng: np.random.Generator, tac: IntArray) -> pl.Series:
    """15-digit IMEIs: the 8-digit type allocation code, a random 6-digit serial, a Luhn check digit."""
    return digit_strings(luhn_numbers(rng, tac, 8, 15))


def card_numbers(rng: np.random.Generator, bin6: IntArray, length: IntArray, spaced: BoolArray) -> pl.Series:
    """Card numbers of the given lengths under 6-digit issuer prefixes, passing Luhn; ``spaced`` rows are
    written in groups of four (``6222 0212 3456 7890 123``)."""
    n = len(bin6)
    out = pl.Series("card", [None] * n, dtype=pl.String)
    for size in np.unique(length).tolist():
        rows = np.flatnonzero(length == size)
        digits = luhn_numbers(rng, bin6[rows], 6, int(size))
        groups = (int(size) + 3) // 4
        chars = np.full((len(rows), int(size) + groups - 1), ord(" "), dtype=np.uint8)
        for g in range(groups):
            part = digits[:, g * 4 : (g + 1) * 4]
            chars[:, g * 5 : g * 5 + part.shape[1]] = part + np.uint8(48)
        plain = digit_strings(digits)
        text = ascii_strings(chars).zip_with(pl.Series(spaced[rows]), plain)
        out = out.scatter(rows, text)
    return out
