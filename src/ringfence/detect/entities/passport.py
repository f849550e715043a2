"""Passport number (China, Korea, Japan, and nine-digit numbers such as the US's and the UK's).

Chinese passports: ``E`` + 8 digits (ordinary, since 2012), ``E`` + a letter (not I or O) + 7 digits
(once the E-digits ran out), ``G`` + 8 digits (ordinary, 2006-2012), ``D``/``S``/``P`` + 7 or 8 digits or
``DE``/``SE``/``PE`` + 7 digits (diplomatic, service, public affairs). Korean passports: ``M``/``S``/``R``/
``G``/``D`` + 8 digits, and since December 2021 ``M`` + 3 digits + a letter + 4 digits. Written in any
case, with spaces or hyphens.

Japanese passports: two letters, the first T or M, and seven digits (``TK1234567``). US, UK and many
other passports: nine digits, or a letter and eight digits (US, since 2021), which score only 0.6 (a
passport header must agree: nine digits are many things).

Passport numbers have no check digit (outside the machine-readable zone), so this is a shape test, and
``G``/``S``/``D`` + 8 digits fit both countries (:func:`country` then returns None). :func:`score_expr`
is 0.95 for the distinctive current forms (E-series, Korean M-series), 0.75 for the others.

>>> validate('e1234 5678'), country('EA1234567'), country('M123A4567'), country('G12345678')
('E12345678', 'CN', 'KR', None)
>>> is_valid('E1234567'), is_valid('E1234567X'), country('TK1234567'), country('978690736')
(False, False, 'JP', None)
"""

from __future__ import annotations

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "PASSPORT_NUMBER",
    label="Passport number",
    kind="direct",
    category="identity",
    hints=Hints(
        en=("passport",),
        zh=("护照",),
        ko=("여권",),
        ja=("旅券", "パスポート"),
        eu=("passeport", "reisepass", "pasaporte", "passaporto"),
    ),
    detection=Detection("weak", bar=0.8, gate=r"^\s*[A-Za-z0-9]", precedence=90),
    draft=Draft("tokenize", {"scope": "recipient"}, "keyed token; the number is removed"),
    high_risk=True,
)
ENTITY = SPEC.entity

SEPARATORS = _text.WHITESPACE + _text.INVISIBLE + _text.DASHES
CN = r"E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8}|[DSP]E[0-9]{7}|[DSP][0-9]{7,8}"
KR = r"[MSRGD][0-9]{8}|M[0-9]{3}[A-Z][0-9]{4}"
# Japan: T or M, a letter and seven digits (TK1234567, MZ1234567); the US, the UK and many others: nine
# digits, which only a passport header makes a passport (weak alone).
JP = r"[TM][A-Z][0-9]{7}"
DIGITS = r"[0-9]{9}|[A-Z][0-9]{8}"  # US passports since 2021: a letter and eight digits
DISTINCTIVE = r"E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|M[0-9]{8}|M[0-9]{3}[A-Z][0-9]{4}"
_cn, _kr = _text.fullmatcher(CN), _text.fullmatcher(KR)
_CN_RE, _KR_RE = _text.anchored(CN), _text.anchored(KR)
_jp, _digits = _text.fullmatcher(JP), _text.fullmatcher(DIGITS)
_JP_RE, _DIGITS_RE = _text.anchored(JP), _text.anchored(DIGITS)


def compact(value: str) -> str:
    """The number NFKC-normalised, upper-case, without spaces or hyphens."""
    return _text.delete(_text.nfkc(value), SEPARATORS).upper()


def validate(value: str) -> str:
    """The compact number, or raises: not a Chinese or Korean passport number's shape."""
    number = compact(value)
    if not 8 <= len(number) <= 9:
        raise InvalidLength(f"{ENTITY}: a passport number has 8 or 9 characters")
    if not (_cn(number) or _kr(number) or _jp(number) or _digits(number)):
        raise InvalidFormat(f"{ENTITY}: not the shape of a Chinese or Korean passport number")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a Chinese or Korean passport number (never raises)."""
    return is_valid_by(validate, value)


def country(value: str) -> str | None:
    """``"CN"``, ``"KR"`` or ``"JP"``, or None when the shape fits both CN and KR or is nine digits."""
    number = validate(value)
    fits = [c for c, match in (("CN", _cn), ("KR", _kr)) if match(number)]
    if not fits and _jp(number):
        return "JP"  # two letters and seven digits that are no Chinese E-series number
    return fits[0] if len(fits) == 1 else None


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_text.nfkc_expr(_text.as_text(col)), SEPARATORS).str.to_uppercase()


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``number`` (compact), ``cn`` and ``kr`` (the number has that country's form)."""
    frame = _text.value_frame(series).with_columns(number=compact_expr(pl.col(_text.VALUE)))
    number = pl.col("number")
    return frame.with_columns(
        cn=number.str.contains(_CN_RE).fill_null(False),
        kr=number.str.contains(_KR_RE).fill_null(False),
        jp=number.str.contains(_JP_RE).fill_null(False),
        digits=number.str.contains(_DIGITS_RE).fill_null(False),
    )


_VALID = pl.col("cn") | pl.col("kr") | pl.col("jp") | pl.col("digits")


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), _VALID), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 0.95 for distinctive forms, 0.75 for the other valid ones, 0.0 otherwise."""
    weight = pl.col("number").str.contains(_text.anchored(DISTINCTIVE)).cast(pl.Float64) * 0.2 + 0.75
    weight = pl.when(pl.col("cn") | pl.col("kr") | pl.col("jp")).then(weight).otherwise(0.6)
    out = _text.score_with_nulls(pl.col(_text.VALUE), _VALID.cast(pl.Float64) * weight)
    return _text.staged(col, _checks, out, pl.Float64())


def country_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`country` of every value (null where invalid or ambiguous)."""
    cn, kr, jp = pl.col("cn"), pl.col("kr"), pl.col("jp")
    out = _text.first_of([(cn & ~kr, pl.lit("CN")), (kr & ~cn, pl.lit("KR")), (jp & ~cn & ~kr, pl.lit("JP"))])
    return _text.staged(col, _checks, out, pl.String())
