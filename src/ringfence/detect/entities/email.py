"""E-mail address.

A practical subset of RFC 5321/5322 that real addresses keep to: a dot-atom local part of at most 64
characters (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots only between them), ``@``, and a domain of
dot-separated labels (letters, digits, inner hyphens, at most 63 characters each) ending in an alphabetic
top-level domain of 2-63 letters or an ``xn--`` (internationalised) one; at most 254 characters in all.
Quoted local parts, IP-literal domains and non-ASCII addresses are not accepted.

:func:`compact` trims white space, applies NFKC (a full-width ``＠`` becomes ``@``) and lower-cases the
address: mail systems treat addresses case-insensitively in practice, and the compact form is what
tokens are made from, so ``Wang.Wei@QQ.com`` and ``wang.wei@qq.com`` get the same token.

>>> validate(' Wang.Wei@QQ.com '), is_valid('wang..wei@qq.com'), is_valid('张伟@qq.com')
('wang.wei@qq.com', False, False)
"""

from __future__ import annotations

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "EMAIL_ADDRESS",
    label="Email address",
    kind="direct",
    category="contact",
    hints=Hints(en=("email", "mail"), zh=("邮箱", "电子邮件"), ko=("이메일", "메일")),
    detection=Detection("strong", bar=0.6, gate=r"@", precedence=60, span="email"),
    draft=Draft(
        "tokenize",
        {"scope": "recipient"},
        "keyed token: joins within this recipient's copy, links to no other copy",
    ),
    mask=(1, 0),
)
ENTITY = SPEC.entity

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}"
PATTERN = rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:{_TLD})"
_PATTERN_RE = _text.anchored(PATTERN)
_match = _text.fullmatcher(PATTERN)
MAX_LEN = 254
MAX_LOCAL = 64


def compact(value: str) -> str:
    """The address trimmed, NFKC-normalised and lower-cased."""
    return _text.strip(_text.nfkc(value)).lower()


def validate(value: str) -> str:
    """The compact address, or raises: too long, or not of the accepted shape."""
    address = compact(value)
    if len(address) > MAX_LEN:
        raise InvalidLength(f"{ENTITY}: an address has at most {MAX_LEN} characters")
    if not _match(address):
        raise InvalidFormat(f"{ENTITY}: not a local part, @ and a domain name")
    if address.index("@") > MAX_LOCAL:
        raise InvalidLength(f"{ENTITY}: the local part has more than {MAX_LOCAL} characters")
    return address


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid e-mail address (never raises)."""
    return is_valid_by(validate, value)


def domain(value: str) -> str:
    """The domain of a valid address (lower case)."""
    return validate(value).rsplit("@", 1)[1]


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.strip_expr(_text.nfkc_expr(_text.as_text(col))).str.to_lowercase()


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``valid``."""
    frame = _text.value_frame(series).with_columns(
        address=_text.strip_expr(_text.nfkc_expr(pl.col(_text.VALUE)))
    )
    address = pl.col("address")
    ok = (
        (address.str.len_chars() <= MAX_LEN)
        & address.str.contains(_PATTERN_RE)
        & (address.str.find("@", literal=True) <= MAX_LOCAL)
    )
    return frame.with_columns(valid=ok.fill_null(False))


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 for a valid address, 0.0 otherwise."""
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64))
    return _text.staged(col, _checks, out, pl.Float64())
