"""Korean resident registration number (주민등록번호, RRN).

``YYMMDD-GNNNNNN``: the birth date, then G for century and sex (1/2 men/women born 1900-1999, 3/4 born
2000-2099, 5-8 the same for registered foreigners), then six more digits, written with or without the
hyphen. Numbers issued before October 2020 carry an area code (00-96), a community-centre number, a
serial and a check digit (weights 2-9, 2-5, modulo 11); numbers issued since then have six random digits.

So the check digit cannot decide validity: a number is valid when its birth date is a real date from
1900-01-01 to today and G is 1-8. :func:`score_expr` grades: 1.0 with a matching check digit and area code,
0.9 without one when the birth date is October 2020 or later (a new-style number), 0.3 without one for
an earlier birth date (a re-issued number, a typo, or a look-alike).

Where this differs from ``stdnum.kr.rrn`` on purpose (``tests/detect/test_kr_rrn.py`` asserts each):

- stdnum rejects a number whose check digit does not match; since the 2020 reform that rejects real
  numbers, so we accept it (with a lower score);
- stdnum accepts G = 9 and 0 (born 1800-1899) and birth dates in the future; no living resident has
  either, so we reject them;
- we apply NFKC first (full-width digits count) and also remove spaces.

>>> validate('900101-1234568')
'9001011234568'
>>> has_check_digit('900101-1234568'), birth_date('9001011234568'), gender('9001011234568')
(True, datetime.date(1990, 1, 1), 'M')
>>> is_valid('900101-1234567'), has_check_digit('900101-1234567')  # valid without a check digit
(True, False)
>>> is_valid('901301-1234567')  # no 13th month
False
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ringfence.detect.checksums import rrn_check_digit, rrn_check_series
from ringfence.detect.entities import _dates, _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "KR_RRN",
    label="KR resident registration no.",
    kind="direct",
    category="identity",
    hints=Hints(en=("rrn", "residentregistration", "jumin"), ko=("주민등록", "주민번호")),
    detection=Detection("strong", bar=0.6, gate=r"^[\s\d\-]{13,20}$", precedence=20, span="digits"),
    draft=Draft(
        "derive",
        {"fields": ["birth_year", "gender"]},
        "the RRN is removed (PIPA restricts processing it); birth year and gender are kept (check "
        "`ringfence risk`). Use {action: tokenize} instead if the recipient must join on the person",
    ),
    country="KR",
    high_risk=True,
)
ENTITY = SPEC.entity

REFORM = dt.date(2020, 10, 1)  # numbers issued from then on carry no area code and no check digit
MAX_AREA = 96
_SHAPE = r"[0-9]{6}[1-8][0-9]{6}"
_shape = _text.fullmatcher(_SHAPE)
_SHAPE_RE = _text.anchored(_SHAPE)
_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}


def compact(value: str) -> str:
    """The number without the hyphen or spaces, NFKC-normalised."""
    return _text.delete(_text.nfkc(value), _text.ID_SEPARATORS)


def _birth(number: str) -> dt.date | None:
    century = _CENTURY[number[6]]
    return _dates.birth_date_ok(century + int(number[:2]), int(number[2:4]), int(number[4:6]))


def validate(value: str) -> str:
    """The compact number, or raises: wrong length or characters, G not 1-8, impossible birth date."""
    number = compact(value)
    if len(number) != 13:
        raise InvalidLength(f"{ENTITY}: a resident registration number has 13 digits")
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat(f"{ENTITY}: a resident registration number is digits and a hyphen")
    if not _shape(number):
        raise InvalidComponent(f"{ENTITY}: the 7th digit (century and sex) is not 1-8")
    if _birth(number) is None:
        raise InvalidComponent(f"{ENTITY}: the birth date is not a date between 1900 and today")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid RRN (never raises)."""
    return is_valid_by(validate, value)


def has_check_digit(value: str) -> bool:
    """Whether a valid number carries a pre-2020 area code and matching check digit."""
    number = validate(value)
    return int(number[7:9]) <= MAX_AREA and rrn_check_digit(number[:12]) == number[12]


def birth_date(value: str) -> dt.date:
    """The birth date of a valid number."""
    birth = _birth(validate(value))
    assert birth is not None  # validate checked it
    return birth


def gender(value: str) -> str:
    """``"M"`` or ``"F"``: G is odd for men, even for women."""
    return "M" if int(validate(value)[6]) % 2 else "F"


def is_foreigner(value: str) -> bool:
    """Whether G marks a registered foreigner (5-8)."""
    return validate(value)[6] in "5678"


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_text.nfkc_expr(_text.as_text(col)), _text.ID_SEPARATORS)


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``number`` (compact), ``g`` (the gender/century digit), ``ymd``, ``valid`` and ``check``."""
    frame = _text.compact_frame(series, _SHAPE_RE, _text.ID_SEPARATORS)
    number = pl.col("number")
    frame = frame.with_columns(
        g=number.str.slice(6, 1).cast(pl.Int64, strict=False),
        shape=pl.when(pl.col("plain")).then(True).otherwise(number.str.contains(_SHAPE_RE)),
        area_ok=number.str.slice(7, 2).cast(pl.Int64, strict=False) <= MAX_AREA,
    )
    frame = frame.with_columns(digit_ok=rrn_check_series(frame["number"], frame["shape"]))
    century = pl.when(pl.col("g").is_in([3, 4, 7, 8])).then(pl.lit(20_000_000)).otherwise(pl.lit(19_000_000))
    frame = frame.with_columns(ymd=century + number.str.slice(0, 6).cast(pl.Int64, strict=False))
    return frame.with_columns(
        valid=(pl.col("shape") & _dates.ymd_valid_expr(pl.col("ymd"))).fill_null(False),
        check=(pl.col("area_ok") & pl.col("digit_ok")).fill_null(False),
    )


_VALID, _CHECK = pl.col("valid"), pl.col("check")


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), _VALID), pl.Boolean())


def checksum_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`has_check_digit` of every valid value (False for invalid ones, null for null)."""
    out = _text.with_nulls(pl.col(_text.VALUE), _VALID & _CHECK)
    return _text.staged(col, _checks, out, pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 with a check digit, 0.9 without one for births since October 2020, 0.3 for earlier
    births without one, 0.0 when invalid."""
    reform = REFORM.year * 10_000 + REFORM.month * 100 + REFORM.day
    score = (
        pl.when(~_VALID)
        .then(0.0)
        .when(_CHECK)
        .then(1.0)
        .when(pl.col("ymd") >= reform)
        .then(0.9)
        .otherwise(0.3)
    )
    return _text.staged(col, _checks, _text.score_with_nulls(pl.col(_text.VALUE), score), pl.Float64())


def birth_date_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the birth date (``pl.Date``) of every valid number, null for the others."""
    out = pl.when(_VALID).then(_dates.ymd_to_date_expr(pl.col("ymd")))
    return _text.staged(col, _checks, out, pl.Date())


def gender_expr(col: pl.Expr) -> pl.Expr:
    """Polars: ``"M"``/``"F"`` for every valid number, null for the others."""
    male = pl.when(pl.col("g") % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))
    return _text.staged(col, _checks, pl.when(_VALID).then(male), pl.String())
