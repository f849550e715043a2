"""Internal identifier of a person (the platform's own customer, account, user or member key).

``customer_id``, ``account_id``, ``user_id``, ``subject_id``, ``会員ID``, ``고객번호``: keys that the platform
gives each customer. They carry no checksum and look like any other key, but they single a person out
and link every release that keeps them, so drafts tokenise them per recipient. A column is found only
under a header that names a person's key (:attr:`SPEC` hints; ``order_no`` or ``merchant_id`` name no
person), when its values have a key's shape and are many (the classifier checks their distinct count).

A key's shape: 4 to 64 characters of letters, digits and ``- _ . :``, holding a digit, not one digit
repeated, with no run of more than 20 digits (a 64-bit integer has at most 20; longer runs are account,
card or ID numbers): ``C00012345``, ``AC-12345678``, ``10042``, a UUID. Values with spaces are names or
text, not keys.

>>> validate(' AC-12345678 '), is_valid('550e8400-e29b-41d4-a716-446655440000'), is_valid('ACTIVE')
('AC-12345678', True, False)
>>> is_valid('0000'), is_valid('12'), is_valid('Kim Min-jun 1')
(False, False, False)
"""

from __future__ import annotations

import re

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength

# Who a key belongs to, in a header: a customer's, a user's... (an account's key is an account number
# unless the header says id or key: ``account_no`` is a bank account).
_PEOPLE = ("customer", "cust", "user", "member", "subject", "client", "cardholder")

SPEC = EntitySpec(
    "INTERNAL_ID",
    label="Internal person key",
    kind="direct",
    category="identity",
    hints=Hints(
        en=(
            *(p + s for p in _PEOPLE for s in ("id", "no", "num", "number", "key", "uuid")),
            "accountid",
            "acctid",
            "accountkey",
            "accountuuid",
        ),
        zh=("用户id", "客户id", "会员id", "客户编号", "客户号", "用户编号", "用户号", "会员号", "会员编号"),
        ko=("고객번호", "회원번호", "고객id", "회원id"),
        ja=("会員id", "顧客id", "顧客番号", "会員番号"),
        eu=("kundennummer", "kundenid", "numeroclient", "idcliente"),
    ),
    detection=Detection("weak", bar=0.9, gate=r"[0-9]", precedence=150, needs_hint=True),
    draft=Draft(
        "tokenize",
        {"scope": "recipient"},
        "the platform's own key of a person: it singles them out and links every release, so it is "
        "tokenised per recipient (joins within one recipient's copies still work)",
    ),
)
ENTITY = SPEC.entity

_KEY = r"[A-Za-z0-9_.:\-]{4,64}"
_KEY_RE = _text.anchored(_KEY)
_key = _text.fullmatcher(_KEY)
_REPEATED_RE = _text.anchored("|".join(f"{c}+" for c in "0123456789"))
_repeated = _text.fullmatcher("|".join(f"{c}+" for c in "0123456789"))
_LONG_RUN = "[0-9]{21}"
_long_run = re.compile(_LONG_RUN).search


def compact(value: str) -> str:
    """The key NFKC-normalised and trimmed."""
    return _text.strip(_text.nfkc(value))


def validate(value: str) -> str:
    """The compact key, or raises: not a key's characters, no digit, too short or long, one digit repeated."""
    key = compact(value)
    if not 4 <= len(key) <= 64:
        raise InvalidLength(f"{ENTITY}: a key has 4 to 64 characters")
    if not _key(key):
        raise InvalidFormat(f"{ENTITY}: a key is letters, digits and - _ . :")
    if not any(c.isdigit() for c in key):
        raise InvalidFormat(f"{ENTITY}: a key holds a digit")
    if _repeated(key):
        raise InvalidComponent(f"{ENTITY}: one digit repeated is a placeholder, not a key")
    if _long_run(key):
        raise InvalidComponent(f"{ENTITY}: more than 20 digits in a row is a number, not a key")
    return key


def is_valid(value: object) -> bool:
    """Whether ``value`` has a key's shape (never raises)."""
    return is_valid_by(validate, value)


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.strip_expr(_text.nfkc_expr(_text.as_text(col)))


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``key`` (compact), ``valid``."""
    frame = _text.value_frame(series).with_columns(key=compact_expr(pl.col(_text.VALUE)))
    key = pl.col("key")
    valid = (
        key.str.contains(_KEY_RE)
        & key.str.contains("[0-9]")
        & ~key.str.contains(_REPEATED_RE)
        & ~key.str.contains(_LONG_RUN)
    )
    return frame.with_columns(valid=valid.fill_null(False))


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 0.6 for a key's shape (weak: only the header and the distinct count make it a person's
    key), 0.0 otherwise."""
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64) * 0.6)
    return _text.staged(col, _checks, out, pl.Float64())
