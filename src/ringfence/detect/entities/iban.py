"""International bank account number (IBAN, ISO 13616).

Two letters of country code, two check digits (02-98) and the country's BBAN, whose length and structure
the SWIFT IBAN registry fixes per country (``data/iban_bban.txt``, 89 countries, generated from
python-stdnum's ``iban.dat`` by ``scripts/update_entity_data.py``); the whole passes ISO 7064 MOD 97-10.
Written in groups of four with spaces, hyphens or dots, in any case.

Compared with ``stdnum.iban``: we agree with ``stdnum.iban.is_valid(number, check_country=False)``
except that we reject the check digits 00, 01 and 99, which ISO 13616 never assigns (they pass MOD 97-10
as 97, 98 and 02 do). We do not run the national check digits inside some BBANs (Belgium, Spain, France,
...) that stdnum runs by default. ``tests/detect/test_iban.py`` asserts both.

>>> validate('GB82 WEST 1234 5698 7654 32'), country('de89370400440532013000')
('GB82WEST12345698765432', 'DE')
>>> is_valid('GB82WEST12345698765433'), is_valid('XX82WEST12345698765432')
(False, False)
"""

from __future__ import annotations

import re

import polars as pl

from ringfence.detect.checksums import mod97_10_digits_expr, mod97_10_digits_valid_expr, mod97_10_is_valid
from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "IBAN",
    label="IBAN",
    kind="direct",
    category="financial_account",
    hints=Hints(en=("iban",)),
    detection=Detection("strong", bar=0.7, gate=r"^\s*[A-Za-z]{2}\s*\d", precedence=30),
    draft=Draft("mask", {"keep_last": 4}, "last 4 characters only"),
    mask=(0, 4),
    high_risk=True,
)
ENTITY = SPEC.entity

SEPARATORS = _text.WHITESPACE + _text.INVISIBLE + _text.DASHES + "."
_CHARS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_CHECK = "(?:0[2-9]|[1-8][0-9]|9[0-8])"


def _bban_regex(structure: str) -> tuple[str, int]:
    parts = re.findall(r"([1-9][0-9]*)!([nac])", structure)
    return "".join(f"{_CHARS[kind]}{{{count}}}" for count, kind in parts), sum(int(c) for c, _ in parts)


BBAN: dict[str, tuple[str, int]] = {
    line.split()[0]: _bban_regex(line.split()[1]) for line in _text.data_lines("iban_bban.txt")
}
LENGTHS: dict[str, int] = {cc: 4 + length for cc, (_, length) in BBAN.items()}
_ANY = "|".join(f"{cc}{_CHECK}{regex}" for cc, (regex, _) in BBAN.items())
_ANY_RE = _text.anchored(_ANY)
_any = _text.fullmatcher(_ANY)
_MAX_LEN = max(LENGTHS.values())


def compact(value: str) -> str:
    """The IBAN NFKC-normalised, upper-case, without spaces, hyphens or dots."""
    return _text.delete(_text.nfkc(value), SEPARATORS).upper()


def validate(value: str) -> str:
    """The compact IBAN, or raises: unknown country, wrong length or structure, wrong check digits."""
    number = compact(value)
    if number[:2] not in LENGTHS:
        raise InvalidComponent(f"{ENTITY}: the country code has no IBAN format")
    if len(number) != LENGTHS[number[:2]]:
        raise InvalidLength(f"{ENTITY}: wrong length for the country's IBAN")
    if not _any(number):
        raise InvalidFormat(f"{ENTITY}: the account part does not have the country's structure")
    if not mod97_10_is_valid(number):
        raise InvalidChecksum(f"{ENTITY}: the check digits do not match")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid IBAN (never raises)."""
    return is_valid_by(validate, value)


def country(value: str) -> str:
    """The ISO 3166 country code of a valid IBAN."""
    return validate(value)[:2]


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_text.nfkc_expr(_text.as_text(col)), SEPARATORS).str.to_uppercase()


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``valid``; the check digits are computed only for values of a country's structure."""
    raw = pl.col(_text.VALUE)
    frame = _text.value_frame(series).with_columns(plain=raw.str.contains(_ANY_RE))
    plain = pl.col("plain")
    frame = frame.with_columns(number=pl.when(plain).then(raw).otherwise(compact_expr(raw)))
    number = pl.col("number")
    frame = frame.with_columns(shape=pl.when(plain).then(True).otherwise(number.str.contains(_ANY_RE)))
    frame = frame.with_columns(digits=pl.when(pl.col("shape")).then(mod97_10_digits_expr(number, _MAX_LEN)))
    ok = mod97_10_digits_valid_expr(pl.col("digits"), _MAX_LEN)
    return frame.with_columns(valid=(pl.col("shape") & ok).fill_null(False))


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 for a valid IBAN, 0.0 otherwise."""
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64))
    return _text.staged(col, _checks, out, pl.Float64())
