"""Date of birth (a calendar date from 1900-01-01 to today).

Accepted writings: ``1990-01-31``, ``1990/1/31``, ``1990.01.31``, ``1990. 1. 31.`` (Korean style),
``1990年1月31日``, ``1990년 1월 31일``, ``19900131``, and day-first or month-first with the year last
(``31/01/1990``, ``01/31/1990``; valid when either reading is a date, read day-first when both are).
A trailing midnight time (``1990-01-31 00:00:00``, ``...T00:00:00.000+08:00``) is allowed: that is how
databases export a date kept in a timestamp column. Any other time of day is not a birth date.

Telling a birth-date column from other date columns is the classifier's job (ages, spread, header); this
module only says whether a value is a plausible one, and :func:`looks_like_timestamp` /
:func:`timestamp_expr` say whether a value carries a time of day.

:func:`score_expr` is 1.0 for separated dates, 0.9 for day/month-first ones and 0.7 for the bare
``19900131`` form (eight digits may as well be an order number).

>>> validate('1990年1月31日'), birth_date('31/01/1990'), is_valid('1990-02-30'), is_valid('1850-01-01')
('1990-01-31', datetime.date(1990, 1, 31), False, False)
>>> is_valid('1990-01-31 00:00:00'), is_valid('1990-01-31 14:05:00'), looks_like_timestamp('1990-01-31 14:05')
(True, False, True)
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ringfence.detect.entities import _dates, _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "DATE_OF_BIRTH",
    label="Date of birth",
    kind="quasi",
    category="identity",
    hints=Hints(
        en=("birth", "dob", "birthday", "birthdate"),
        zh=("出生", "生日"),
        ko=("생년월일", "생일"),
        ja=("生年月日",),
        eu=("geburtsdatum", "naissance", "nacimiento", "nascita"),
    ),
    # The gate takes every writing validate accepts: 年月日 and 년월일, a midnight time with Z/UTC/+08:00,
    # and the full-width forms NFKC reads as ASCII.
    detection=Detection(
        "strong", bar=0.8, gate=r"^\s*\d[\d\-/.年月日년월일\s:TZUC+－／．：]{5,39}$", precedence=110
    ),
    draft=Draft("generalize", {"birth_year": True}, "birth year only"),
)
ENTITY = SPEC.entity

_MIDNIGHT = r"[ T]00:00(?::00(?:\.0{1,9})?)?(?: ?(?:Z|UTC|[+-][0-9]{2}:?[0-9]{2}))?"
_TIME = r"[ T]?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?(?: ?(?:Z|UTC|[+-][0-9]{2}:?[0-9]{2}))?"
# Year first with separators; bare eight digits; day or month first with the year last.
PATTERN = (
    r"(?P<y1>[0-9]{4})[-/.] ?(?P<m1>[0-9]{1,2})[-/.] ?(?P<d1>[0-9]{1,2})\.?"
    r"|(?P<y2>[0-9]{4})(?P<m2>[0-9]{2})(?P<d2>[0-9]{2})"
    r"|(?P<a3>[0-9]{1,2})[-/.](?P<b3>[0-9]{1,2})[-/.](?P<y3>[0-9]{4})"
)
_CJK = {"年": "-", "월": "-", "년": "-", "月": "-", "日": "", "일": ""}
_match = _text.fullmatcher(f"(?:{PATTERN})(?:{_MIDNIGHT})?")
_REGEX = _text.anchored(f"(?:{PATTERN})(?:{_MIDNIGHT})?")
_time = _text.fullmatcher(f".*?{_TIME}")
MAX_LEN = 40


def compact(value: str) -> str:
    """The value trimmed and NFKC-normalised, with 年月日/년월일 written as hyphens."""
    text = _text.strip(_text.nfkc(value))
    for cjk, ascii_ in _CJK.items():
        text = text.replace(cjk, ascii_)
    return _text.strip(text.replace("- ", "-"))


def _candidates(text: str) -> tuple[list[tuple[int, int, int]], int]:
    """Possible (year, month, day) readings in order of preference, and which form matched (1-3)."""
    m = _match(text)
    if m is None:
        return [], 0
    g = m.groupdict()
    if g["y1"]:
        return [(int(g["y1"]), int(g["m1"]), int(g["d1"]))], 1
    if g["y2"]:
        return [(int(g["y2"]), int(g["m2"]), int(g["d2"]))], 2
    a, b, y = int(g["a3"]), int(g["b3"]), int(g["y3"])
    return [(y, b, a), (y, a, b)], 3


def _date(value: str) -> tuple[dt.date, int]:
    text = compact(value)
    if len(text) > MAX_LEN:
        raise InvalidLength(f"{ENTITY}: too long for a date")
    readings, form = _candidates(text)
    if not readings:
        raise InvalidFormat(f"{ENTITY}: not a date written year-month-day, day-month-year or 8 digits")
    for reading in readings:
        date = _dates.birth_date_ok(*reading)
        if date is not None:
            return date, form
    raise InvalidComponent(f"{ENTITY}: not a calendar date between 1900 and today")


def validate(value: str) -> str:
    """The date in ISO form (``1990-01-31``), or raises: not a date, or not between 1900 and today."""
    return _date(value)[0].isoformat()


def is_valid(value: object) -> bool:
    """Whether ``value`` is a plausible date of birth (never raises)."""
    return is_valid_by(validate, value)


def birth_date(value: str) -> dt.date:
    """The date a valid value holds."""
    return _date(value)[0]


def looks_like_timestamp(value: object) -> bool:
    """Whether the value carries a time of day (``hh:mm``) other than midnight."""
    if not isinstance(value, str) or len(value) > 100:
        return False
    text = compact(value)
    return bool(_time(text)) and not _match(text)


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    text = _text.strip_expr(_text.nfkc_expr(_text.as_text(col)))
    text = text.str.replace_many(list(_CJK), list(_CJK.values())).str.replace_all("- ", "-", literal=True)
    return _text.strip_expr(text)


def _parts(series: pl.Series) -> pl.DataFrame:
    """Staged: ``ymd`` (yyyymmdd of the preferred valid reading, null when none) and ``form`` (1-3).

    Values already written ``YYYY-MM-DD`` (their own compact form, and the first form of the pattern)
    are read by position; only the others are compacted and matched against the full pattern.
    """
    v = pl.col(_text.VALUE)
    frame = _text.value_frame(series).with_columns(iso=v.str.contains(_ISO))
    iso = pl.col("iso")
    frame = frame.with_columns(text=pl.when(iso).then(v).otherwise(compact_expr(v)))
    text = pl.col("text")
    frame = frame.with_columns(
        short=text.str.len_chars() <= MAX_LEN,
        groups=pl.when(~iso).then(text.str.extract_groups(_REGEX)),
        iso_ymd=pl.when(iso).then(
            text.str.slice(0, 4).cast(pl.Int64) * 10_000
            + text.str.slice(5, 2).cast(pl.Int64) * 100
            + text.str.slice(8, 2).cast(pl.Int64)
        ),
    ).unnest("groups")
    frame = frame.with_columns([pl.col(name).cast(pl.Int64, strict=False) for name in _GROUPS])
    num = {name: pl.col(name) for name in _GROUPS}
    frame = frame.with_columns(
        r0=pl.coalesce(pl.col("iso_ymd"), num["y1"] * 10_000 + num["m1"] * 100 + num["d1"]),  # year first
        r1=num["y2"] * 10_000 + num["m2"] * 100 + num["d2"],  # bare eight digits
        r2=num["y3"] * 10_000 + num["b3"] * 100 + num["a3"],  # day first
        r3=num["y3"] * 10_000 + num["a3"] * 100 + num["b3"],  # month first
    )
    readings = [pl.col(f"r{k}") for k in range(4)]
    short = pl.col("short")
    frame = frame.with_columns(
        [(short & _dates.ymd_valid_expr(r)).alias(f"ok{k}") for k, r in enumerate(readings)]
    )
    return frame.with_columns(
        ymd=_text.first_of([(pl.col(f"ok{k}"), r) for k, r in enumerate(readings)]),
        form=_text.first_of(
            [(iso | num["y1"].is_not_null(), pl.lit(1)), (num["y2"].is_not_null(), pl.lit(2))]
        ).fill_null(3),
    )


_ISO = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_GROUPS = ("y1", "m1", "d1", "y2", "m2", "d2", "a3", "b3", "y3")


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    out = _text.with_nulls(pl.col(_text.VALUE), pl.col("ymd").is_not_null())
    return _text.staged(col, _parts, out, pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 / 0.9 / 0.7 by form (see the module docstring), 0.0 where invalid."""
    weight = pl.col("form").replace_strict({1: 1.0, 2: 0.7, 3: 0.9}, default=0.0, return_dtype=pl.Float64)
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("ymd").is_not_null().cast(pl.Float64) * weight)
    return _text.staged(col, _parts, out, pl.Float64())


def birth_date_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the date (``pl.Date``) of every valid value, null for the others."""
    return _text.staged(col, _parts, _dates.ymd_to_date_expr(pl.col("ymd")), pl.Date())


def timestamp_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`looks_like_timestamp` of every value (null for null)."""
    text = compact_expr(col)
    timed = text.str.contains(f"^(?:.*?{_TIME})$") & ~text.str.contains(_REGEX)
    return _text.with_nulls(col, timed & (_text.as_text(col).str.len_chars() <= 100))
