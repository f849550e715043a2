"""Mobile device identity (IMEI, 3GPP TS 23.003).

An 8-digit type allocation code (TAC) and a 6-digit serial: 14 digits, or 15 with a Luhn check digit,
or 16 for an IMEISV (two software-version digits instead of the check digit); written plain or with
spaces, hyphens or slashes. The same rules as ``stdnum.imei`` (``tests/detect/test_imei.py`` checks they
agree), plus NFKC.

14- and 16-digit forms carry no check, so any such run of digits is valid; :func:`score_expr` grades by
evidence: 1.0 for 15 digits passing Luhn whose TAC starts with an allocated reporting-body code (01, 10,
30-35, 44, 45, 49-54, 86, 91, 98, 99), 0.8 for other Luhn-valid 15-digit ones, 0.6 for 14/16 digits under
an allocated code and 0.3 for the rest.

>>> validate('35-209900-176148-1'), imei_type('35209900176148'), is_valid('352099001761482')
('352099001761481', 'IMEI', False)
"""

from __future__ import annotations

import polars as pl

from ringfence.detect.checksums import luhn_is_valid, luhn_valid_expr
from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidChecksum, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "IMEI",
    label="Device IMEI",
    kind="direct",
    category="device",
    hints=Hints(en=("imei", "deviceid"), zh=("设备号",), ko=("단말기",)),
    detection=Detection("strong", bar=0.7, gate=r"^[\s\d\-/]{14,24}$", precedence=50),
    draft=Draft("tokenize", {"scope": "recipient"}, "keyed token; the device number is removed"),
)
ENTITY = SPEC.entity

SEPARATORS = _text.WHITESPACE + _text.INVISIBLE + _text.DASHES + "/"
REPORTING_BODIES: tuple[str, ...] = ("01", "10", "30", "31", "32", "33", "34", "35", "44", "45", "49")
REPORTING_BODIES += ("50", "51", "52", "53", "54", "86", "91", "98", "99")
_SHAPE_RE = _text.anchored("[0-9]{14,16}")


def compact(value: str) -> str:
    """The IMEI NFKC-normalised, without spaces, hyphens or slashes."""
    return _text.delete(_text.nfkc(value), SEPARATORS)


def validate(value: str) -> str:
    """The compact IMEI, or raises: not digits, not 14-16 digits, wrong Luhn digit (15 digits)."""
    number = compact(value)
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat(f"{ENTITY}: an IMEI is digits")
    if len(number) not in (14, 15, 16):
        raise InvalidLength(f"{ENTITY}: an IMEI has 14, 15 or 16 digits")
    if len(number) == 15 and not luhn_is_valid(number):
        raise InvalidChecksum(f"{ENTITY}: the Luhn check digit does not match")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid IMEI or IMEISV (never raises)."""
    return is_valid_by(validate, value)


def imei_type(value: str) -> str:
    """``"IMEI"`` (14 or 15 digits) or ``"IMEISV"`` (16 digits)."""
    return "IMEISV" if len(validate(value)) == 16 else "IMEI"


def tac(value: str) -> str:
    """The 8-digit type allocation code (identifies the device model)."""
    return validate(value)[:8]


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_text.nfkc_expr(_text.as_text(col)), SEPARATORS)


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``number`` (compact), ``valid`` and ``luhn`` (a 15-digit number passing Luhn)."""
    raw = pl.col(_text.VALUE)
    frame = _text.value_frame(series).with_columns(plain=raw.str.contains(_SHAPE_RE))
    plain = pl.col("plain")
    frame = frame.with_columns(number=pl.when(plain).then(raw).otherwise(compact_expr(raw)))
    number = pl.col("number")
    frame = frame.with_columns(
        shape=pl.when(plain).then(True).otherwise(number.str.contains(_SHAPE_RE)),
        fifteen=number.str.len_bytes() == 15,
    )
    shape, fifteen = pl.col("shape"), pl.col("fifteen")
    frame = frame.with_columns(
        luhn=pl.when(shape & fifteen).then(luhn_valid_expr(number, 15)).otherwise(False).fill_null(False)
    )
    return frame.with_columns(valid=(shape & (~fifteen | pl.col("luhn"))).fill_null(False))


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the graded confidence described in the module docstring (0.0 where invalid)."""
    valid, luhn = pl.col("valid"), pl.col("luhn")
    allocated = pl.col("number").str.slice(0, 2).is_in(list(REPORTING_BODIES))
    score = (
        pl.when(~valid)
        .then(0.0)
        .when(luhn & allocated)
        .then(1.0)
        .when(luhn)
        .then(0.8)
        .when(allocated)
        .then(0.6)
        .otherwise(0.3)
    )
    return _text.staged(col, _checks, _text.score_with_nulls(pl.col(_text.VALUE), score), pl.Float64())
