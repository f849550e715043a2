"""Payment card number (PAN).

A card number is 12-19 digits, written plain or in groups separated by spaces or hyphens, whose issuer
prefix (IIN) and length belong to a card scheme and whose last digit is the Luhn check digit. Schemes:

========== =================================== ===============
scheme     prefixes                            lengths
========== =================================== ===============
UnionPay   62                                  16-19
Visa       4                                   13, 16, 19
Mastercard 51-55, 2221-2720                    16
Amex       34, 37                              15
JCB        3528-3589                           16-19
Diners     300-305, 36, 38                     14-19
Discover   6011, 644-649, 65                   16-19
Maestro    5018, 5020, 5038, 5893, 6304, 6759, 12-19
           6761-6763
Mir        2200-2204                           16-19
========== =================================== ===============

Compared with ``stdnum.luhn`` (any digit string passing Luhn): every valid card passes Luhn, and a
Luhn-valid number is a card exactly when its prefix and length fit a scheme above
(``tests/detect/test_payment_card.py`` checks both directions).

>>> validate('6222 0212 3456 7890 128'), brand('6222021234567890128')
('6222021234567890128', 'UnionPay')
>>> is_valid('4111-1111-1111-1111'), is_valid('4111-1111-1111-1112'), is_valid('9111111111111111')
(True, False, False)
"""

from __future__ import annotations

import polars as pl

from ringfence.detect.checksums import luhn_is_valid, luhn_valid_expr
from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "PAYMENT_CARD",
    label="Payment card number",
    kind="direct",
    category="financial_account",
    hints=Hints(
        en=("card", "pan", "cardno", "cardnumber"),
        zh=("卡号", "银行卡", "信用卡"),
        ko=("카드번호", "카드"),
    ),
    detection=Detection("strong", bar=0.7, gate=r"^[\s\d\-]{12,30}$", precedence=40, span="digits"),
    draft=Draft(
        "mask",
        {"keep_last": 4},
        "last 4 digits only, as PCI DSS allows for display; use tokenize to join on the card",
    ),
    mask=(0, 4),
    high_risk=True,
)
ENTITY = SPEC.entity

SEPARATORS = _text.WHITESPACE + _text.INVISIBLE + _text.DASHES
# Disjoint prefix ranges, so at most one scheme fits a number.
SCHEMES: dict[str, str] = {
    "UnionPay": r"62[0-9]{14,17}",
    "Visa": r"4[0-9]{12}(?:[0-9]{3}){0,2}",
    "Mastercard": r"(?:5[1-5][0-9]{2}|222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}",
    "Amex": r"3[47][0-9]{13}",
    "JCB": r"35(?:2[89]|[3-8][0-9])[0-9]{12,15}",
    "Diners": r"(?:30[0-5]|3[68][0-9])[0-9]{11,16}",
    "Discover": r"(?:6011|64[4-9][0-9]|65[0-9]{2})[0-9]{12,15}",
    "Maestro": r"(?:5018|5020|5038|5893|6304|6759|676[1-3])[0-9]{8,15}",
    "Mir": r"220[0-4][0-9]{12,15}",
}
_ANY_SCHEME = "|".join(SCHEMES.values())
_ANY_RE = _text.anchored(_ANY_SCHEME)
_any_scheme = _text.fullmatcher(_ANY_SCHEME)
_scheme = {name: _text.fullmatcher(p) for name, p in SCHEMES.items()}


def compact(value: str) -> str:
    """The number NFKC-normalised, without spaces or hyphens."""
    return _text.delete(_text.nfkc(value), SEPARATORS)


def validate(value: str) -> str:
    """The compact number, or raises: not digits, wrong length, no scheme fits, wrong Luhn digit."""
    number = compact(value)
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat(f"{ENTITY}: a card number is digits, spaces and hyphens")
    if not 12 <= len(number) <= 19:
        raise InvalidLength(f"{ENTITY}: a card number has 12 to 19 digits")
    if not _any_scheme(number):
        raise InvalidComponent(f"{ENTITY}: the issuer prefix and length fit no card scheme")
    if not luhn_is_valid(number):
        raise InvalidChecksum(f"{ENTITY}: the Luhn check digit does not match")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid card number (never raises)."""
    return is_valid_by(validate, value)


def brand(value: str) -> str:
    """The card scheme of a valid number (``"UnionPay"``, ``"Visa"``, ...)."""
    number = validate(value)
    return next(name for name, match in _scheme.items() if match(number))


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_text.nfkc_expr(_text.as_text(col)), SEPARATORS)


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``number`` (compact) and ``valid``."""
    raw = pl.col(_text.VALUE)
    frame = _text.value_frame(series).with_columns(plain=raw.str.contains(_ANY_RE))
    plain = pl.col("plain")
    frame = frame.with_columns(
        number=pl.when(plain).then(raw).otherwise(_text.delete_expr(_text.nfkc_expr(raw), SEPARATORS))
    )
    number = pl.col("number")
    frame = frame.with_columns(shape=pl.when(plain).then(True).otherwise(number.str.contains(_ANY_RE)))
    valid = pl.when(pl.col("shape")).then(luhn_valid_expr(number)).otherwise(False).fill_null(False)
    return frame.with_columns(valid=valid)


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 for a valid card number, 0.0 otherwise."""
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64))
    return _text.staged(col, _checks, out, pl.Float64())


def brand_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the scheme of every valid number, null for the others."""
    number = pl.col("number")
    chain: pl.Expr = pl.lit(None, dtype=pl.String)
    for name, pattern in reversed(SCHEMES.items()):
        chain = pl.when(number.str.contains(_text.anchored(pattern))).then(pl.lit(name)).otherwise(chain)
    return _text.staged(col, _checks, pl.when(pl.col("valid")).then(chain), pl.String())
