"""Chinese resident identity number (居民身份证号码, GB 11643).

Eighteen characters: the 6-digit GB/T 2260 code of the region where the number was issued, the birth date
(YYYYMMDD), a 3-digit sequence number (odd for men, even for women) and an ISO 7064 MOD 11-2 check
character (``0``-``9`` or ``X``). First-generation numbers (cards issued 1984-2004, still on file in older
records) have 15 digits: region code, birth date as YYMMDD in the 1900s, sequence number, no check.

A number is valid when its region code is one GB/T 2260 has listed at any time (``data/cn_regions.txt``,
generated from python-stdnum's ``cn/loc.dat`` by ``scripts/update_entity_data.py``; it includes 810000,
820000 and 830000, the codes of residence permits for Hong Kong, Macao and Taiwan residents), its birth
date is a real date from 1900-01-01 to today and, for 18 characters, its check character matches.

Where this differs from ``stdnum.cn.ric`` on purpose (``tests/detect/test_cn_resident_id.py`` asserts each):

- stdnum rejects a number whose birth year lies outside the years it dates the region code to. A number
  keeps its code when districts are renamed or merged and is often issued long after birth, so real
  numbers fail that test (110112 Tongzhou, created 1997, for someone born in 1980; 810000 for a Hong Kong
  resident born before 1997). We accept every code ever listed.
- stdnum raises ``KeyError`` for some numbers whose province is known but whose county is not; we never
  raise, we reject.
- We accept 15-digit first-generation numbers and the 830000 Taiwan-resident code; stdnum does not.
- We reject birth dates before 1900 or after today; stdnum accepts any calendar date.
- We apply NFKC first, so full-width digits count; stdnum rejects non-ASCII digits.

>>> validate('11010519491231002x')
'11010519491231002X'
>>> birth_date('110105 19491231 002X'), gender('11010519491231002X'), region('11010519491231002X')
(datetime.date(1949, 12, 31), 'F', '110105')
>>> is_valid('110105194912310021')  # wrong check character
False
>>> validate('110105491231002')  # first generation
'110105491231002'
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ringfence.detect.checksums import mod11_2_check_char, mod11_2_valid_expr
from ringfence.detect.entities import _dates, _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "CN_RESIDENT_ID",
    label="CN resident ID",
    kind="direct",
    category="identity",
    hints=Hints(
        en=("residentid", "citizenid", "idcard", "idno", "nationalid", "sfz", "shenfenzheng", "ric"),
        zh=("身份证", "证件号", "公民身份"),
    ),
    detection=Detection("strong", bar=0.6, gate=r"^[\s\d\-xX]{15,30}$", precedence=10, span="digits"),
    draft=Draft(
        "derive",
        {"fields": ["birth_year", "gender"]},
        "the ID is removed; birth year and gender are kept for analysis (quasi-identifiers: check "
        "`ringfence risk`). Use {action: tokenize} instead if the recipient must join on the person",
    ),
    country="CN",
    high_risk=True,
)
ENTITY = SPEC.entity

REGION_CODES: frozenset[int] = frozenset(int(code) for code in _text.data_lines("cn_regions.txt"))
PROVINCES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾居民居住证",
}  # fmt: skip
_SHAPE = r"[0-9]{17}[0-9Xx]|[0-9]{15}"
_shape = _text.fullmatcher(_SHAPE)
_SHAPE_RE = _text.anchored(_SHAPE)
_REGION_LIST = pl.Series(sorted(REGION_CODES), dtype=pl.Int64).implode()


def compact(value: str) -> str:
    """The number without spaces or dashes, NFKC-normalised, with an upper-case X."""
    return _text.delete(_text.nfkc(value), _text.ID_SEPARATORS).upper()


def _birth_ymd(number: str) -> tuple[int, int, int]:
    if len(number) == 18:
        return int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])


def validate(value: str) -> str:
    """The compact number, or raises: wrong length or characters, unknown region, impossible birth date,
    wrong check character."""
    number = compact(value)
    if len(number) not in (15, 18):
        raise InvalidLength(f"{ENTITY}: a resident ID has 18 characters (15 for first-generation cards)")
    if not _shape(number):
        raise InvalidFormat(f"{ENTITY}: a resident ID is digits with an optional final X")
    if int(number[:6]) not in REGION_CODES:
        raise InvalidComponent(f"{ENTITY}: the region code is not a GB/T 2260 code")
    if _dates.birth_date_ok(*_birth_ymd(number)) is None:
        raise InvalidComponent(f"{ENTITY}: the birth date is not a date between 1900 and today")
    if len(number) == 18 and mod11_2_check_char(number[:17]) != number[17]:
        raise InvalidChecksum(f"{ENTITY}: the check character does not match")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid resident ID (never raises)."""
    return is_valid_by(validate, value)


def birth_date(value: str) -> dt.date:
    """The birth date a valid number carries (raises like :func:`validate` otherwise)."""
    number = validate(value)
    return dt.date(*_birth_ymd(number))


def gender(value: str) -> str:
    """``"M"`` or ``"F"``: the parity of the sequence number's last digit (odd for men)."""
    number = validate(value)
    return "M" if int(number[16 if len(number) == 18 else 14]) % 2 else "F"


def region(value: str) -> str:
    """The 6-digit GB/T 2260 region code of issue."""
    return validate(value)[:6]


def province(value: str) -> str:
    """The province (or special region) of issue, in Chinese."""
    return PROVINCES[validate(value)[:2]]


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    text = _text.as_text(col)
    return _text.delete_expr(_text.nfkc_expr(text), _text.ID_SEPARATORS).str.to_uppercase()


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``number`` (compact), ``long`` (18 characters), ``ymd`` and ``valid``."""
    frame = _text.compact_frame(series, _SHAPE_RE, _text.ID_SEPARATORS)
    number = pl.col("number")
    frame = frame.with_columns(
        long=number.str.len_bytes() == 18,
        shape=pl.when(pl.col("plain")).then(True).otherwise(number.str.contains(_SHAPE_RE)),
    )
    long = pl.col("long")
    ymd = pl.when(long).then(number.str.slice(6, 8)).otherwise(pl.lit("19") + number.str.slice(6, 6))
    frame = frame.with_columns(
        ymd=ymd.cast(pl.Int64, strict=False),
        region=number.str.slice(0, 6).cast(pl.Int64, strict=False).is_in(_REGION_LIST),
        check=~long | mod11_2_valid_expr(number),
    )
    frame = frame.with_columns(date=_dates.ymd_valid_expr(pl.col("ymd")))
    ok = pl.col("region") & pl.col("date") & pl.col("check")
    return frame.with_columns(valid=(pl.col("shape") & ok).fill_null(False))


_VALID = pl.col("valid")


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), _VALID), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 for a valid 18-character number, 0.9 for a valid 15-digit one, 0.0 otherwise.

    (A number whose only fault is a county code missing from the table is not scored: the table is the
    standard's full history, and an unknown code is more often a look-alike than a gap in it.)
    """
    score = pl.when(_VALID).then(pl.when(pl.col("long")).then(1.0).otherwise(0.9))
    return _text.staged(col, _checks, _text.score_with_nulls(pl.col(_text.VALUE), score), pl.Float64())


def birth_date_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the birth date (``pl.Date``) of every valid number, null for the others."""
    out = pl.when(_VALID).then(_dates.ymd_to_date_expr(pl.col("ymd")))
    return _text.staged(col, _checks, out, pl.Date())


def gender_expr(col: pl.Expr) -> pl.Expr:
    """Polars: ``"M"``/``"F"`` for every valid number, null for the others."""
    number = pl.col("number")
    digit = pl.when(pl.col("long")).then(number.str.slice(16, 1)).otherwise(number.str.slice(14, 1))
    odd = digit.cast(pl.Int64, strict=False) % 2 == 1
    out = pl.when(_VALID).then(pl.when(odd).then(pl.lit("M")).otherwise(pl.lit("F")))
    return _text.staged(col, _checks, out, pl.String())


def region_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the 6-digit region code of every valid number, null for the others."""
    out = pl.when(_VALID).then(pl.col("number").str.slice(0, 6))
    return _text.staged(col, _checks, out, pl.String())
