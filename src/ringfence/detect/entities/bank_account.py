"""Bank account number (domestic; for IBANs see :mod:`ringfence.detect.entities.iban`).

Chinese and Korean domestic account numbers have no common structure or public check digit: 10-20 digits,
often written in bank-specific groups (``110-123-456789``, ``1002-123-456789``, ``123456-01-234567``).
So any such run of digits is valid here (except one digit repeated), and a column is an account column
only when its header says so: :func:`score_expr` is 0.5 for plain digits and 0.8 when the value is written
in two to five hyphen- or space-separated groups of 2-8 digits, as account numbers are and most other
numbers are not.

>>> validate('110-123-456789'), is_valid('0000000000'), is_valid('123456789')
('110123456789', False, False)
"""

from __future__ import annotations

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "BANK_ACCOUNT",
    label="Bank account number",
    kind="direct",
    category="financial_account",
    hints=Hints(
        en=("account", "acct", "accountno", "bankaccount"),
        zh=("账号", "账户", "帐号", "银行账户"),
        ko=("계좌", "계좌번호"),
    ),
    detection=Detection("weak", bar=0.8, gate=r"\d{4}", precedence=140, needs_hint=True),
    draft=Draft("tokenize", {"scope": "recipient"}, "keyed token; the number is removed"),
    mask=(0, 4),
    high_risk=True,
)
ENTITY = SPEC.entity

SEPARATORS = _text.WHITESPACE + _text.INVISIBLE + _text.DASHES
_REPEATED = "|".join(f"{d}+" for d in "0123456789")
_GROUPED = r"[0-9]{2,8}(?:[ -][0-9]{2,8}){1,4}"
_SHAPE_RE = _text.anchored("[0-9]{10,20}")
_REPEATED_RE = _text.anchored(_REPEATED)
_repeated = _text.fullmatcher(_REPEATED)


def compact(value: str) -> str:
    """The number NFKC-normalised, without spaces or hyphens."""
    return _text.delete(_text.nfkc(value), SEPARATORS)


def validate(value: str) -> str:
    """The compact number, or raises: not digits, not 10-20 of them, one digit repeated."""
    number = compact(value)
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat(f"{ENTITY}: an account number is digits, spaces and hyphens")
    if not 10 <= len(number) <= 20:
        raise InvalidLength(f"{ENTITY}: an account number has 10 to 20 digits")
    if _repeated(number):
        raise InvalidComponent(f"{ENTITY}: one digit repeated is a placeholder, not an account")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` could be an account number (never raises)."""
    return is_valid_by(validate, value)


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_text.nfkc_expr(_text.as_text(col)), SEPARATORS)


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``text`` (trimmed, NFKC), ``valid``."""
    frame = _text.value_frame(series).with_columns(
        text=_text.strip_expr(_text.nfkc_expr(pl.col(_text.VALUE)))
    )
    frame = frame.with_columns(number=_text.delete_expr(pl.col("text"), SEPARATORS))
    number = pl.col("number")
    return frame.with_columns(
        valid=(number.str.contains(_SHAPE_RE) & ~number.str.contains(_REPEATED_RE)).fill_null(False)
    )


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 0.8 for valid numbers written in groups, 0.5 for other valid ones, 0.0 otherwise."""
    grouped = pl.col("text").str.contains(_text.anchored(_GROUPED)).cast(pl.Float64) * 0.3 + 0.5
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64) * grouped)
    return _text.staged(col, _checks, out, pl.Float64())
