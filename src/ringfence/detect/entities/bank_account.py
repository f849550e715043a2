"""Bank account number (domestic; for IBANs see :mod:`ringfence.detect.entities.iban`).

Chinese and Korean domestic account numbers have no common structure or public check digit: 10-20 digits,
often written in bank-specific groups (``110-123-456789``, ``1002-123-456789``, ``123456-01-234567``).
So any such run of digits is valid here (except one digit repeated), and a column is an account column
only when its header says so: :func:`score_expr` is 0.5 for plain digits and 0.8 when the value is written
in two to five hyphen- or space-separated groups of 2-8 digits, as account numbers are and most other
numbers are not.

Round two (issue 14): US and other domestic accounts of 8 and 9 digits count too; an Argentine CBU
(22 digits) counts when both its check digits hold (python-stdnum's ``ar.cbu`` for single values, the same
weights as a Polars expression for columns), and BBANs that hold letters (UK, Dutch, ...) count when they
fit one of the IBAN registry's structures.

>>> validate('110-123-456789'), is_valid('0000000000'), is_valid('1234567')
('110123456789', False, False)
>>> validate('0070 0344 2000 0002 3100 35'), validate('NWBK60161331926819')
('0070034420000002310035', 'NWBK60161331926819')
>>> is_valid('0070034420000002310036')  # the last check digit is wrong
False
"""

from __future__ import annotations

import polars as pl
from stdnum.ar import cbu

from ringfence.detect.entities import _text, iban
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
        ja=("口座",),
        eu=("konto", "compte", "cuenta", "cbu", "conto"),
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
_SHAPE_RE = _text.anchored("[0-9]{8,20}")
_REPEATED_RE = _text.anchored(_REPEATED)
_repeated = _text.fullmatcher(_REPEATED)
# Argentine CBU: 22 digits, two blocks (bank and branch, 7 + check; account, 13 + check) whose check
# digits python-stdnum's ``ar.cbu`` computes with weights 3, 1, 7, 9 from the right.
_CBU_RE = _text.anchored("[0-9]{22}")
# BBANs that start with a bank code of four letters (GB ``NWBK60161331926819``, NL ``ABNA0417164300``,
# IE, BG...): the structures of the IBAN registry (data/iban_bban.txt) that begin so.
LETTERED_BBAN = "|".join(sorted({regex for regex, _ in iban.BBAN.values() if regex.startswith("[A-Z]{4}")}))
_LETTERED_RE = _text.anchored(LETTERED_BBAN)
_lettered = _text.fullmatcher(LETTERED_BBAN)


def _cbu_block_ok(block: pl.Expr, length: int) -> pl.Expr:
    """Polars: whether the last digit of a ``length``-digit block is its CBU check digit."""
    weights = (3, 1, 7, 9)
    total = pl.sum_horizontal(
        block.str.slice(i, 1).cast(pl.Int64, strict=False) * weights[(length - 2 - i) % 4]
        for i in range(length - 1)
    )
    return (10 - total % 10) % 10 == block.str.slice(length - 1, 1).cast(pl.Int64, strict=False)


def cbu_valid_expr(number: pl.Expr) -> pl.Expr:
    """Polars: whether a compact number is a CBU with both check digits right (as ``stdnum.ar.cbu``)."""
    return (
        number.str.contains(_CBU_RE)
        & _cbu_block_ok(number.str.slice(0, 8), 8)
        & _cbu_block_ok(number.str.slice(8, 14), 14)
    )


def compact(value: str) -> str:
    """The number NFKC-normalised, without spaces or hyphens."""
    return _text.delete(_text.nfkc(value), SEPARATORS)


def validate(value: str) -> str:
    """The compact number, or raises: a lettered BBAN, a CBU, or 8-20 digits not all one digit."""
    number = compact(value)
    if _lettered(number.upper()):
        return number.upper()
    if not number.isascii() or not number.isdigit():
        raise InvalidFormat(f"{ENTITY}: an account number is digits, spaces and hyphens, or a BBAN")
    if len(number) == 22 and cbu.is_valid(number):
        return number
    if not 8 <= len(number) <= 20:
        raise InvalidLength(f"{ENTITY}: an account number has 8 to 20 digits (a CBU 22)")
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
    frame = frame.with_columns(
        digits=(number.str.contains(_SHAPE_RE) & ~number.str.contains(_REPEATED_RE)).fill_null(False),
        long=(number.str.len_bytes() == 22).fill_null(False),
        letters=number.str.contains("[A-Za-z]").fill_null(False),
    )
    # The CBU and BBAN checks run only in batches that hold a 22-digit value or a letter.
    long, letters = frame.select(pl.col("long").any(), pl.col("letters").any()).row(0)
    frame = frame.with_columns(
        cbu=cbu_valid_expr(number).fill_null(False) if long else pl.lit(False),
        lettered=number.str.to_uppercase().str.contains(_LETTERED_RE).fill_null(False)
        if letters
        else pl.lit(False),
    )
    return frame.with_columns(valid=pl.col("digits") | pl.col("cbu") | pl.col("lettered"))


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 0.95 for CBUs, 0.8 for lettered BBANs and numbers written in groups, 0.5 for other valid
    ones, 0.0 otherwise."""
    grouped = pl.col("text").str.contains(_text.anchored(_GROUPED)).cast(pl.Float64) * 0.3 + 0.5
    grouped = pl.when(pl.col("cbu")).then(0.95).when(pl.col("lettered")).then(0.8).otherwise(grouped)
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64) * grouped)
    return _text.staged(col, _checks, out, pl.Float64())
