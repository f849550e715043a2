"""Geographic coordinate (a latitude/longitude pair in decimal degrees).

Accepted writings: ``31.2304,121.4737``, ``31.2304, 121.4737``, ``(31.2304 121.4737)``,
``N31.2304 E121.4737``, ``31.2304°N 121.4737°E``, ``S33.87 E151.21``; separators comma, semicolon, slash
or spaces. The first number is the latitude unless hemisphere letters say otherwise; with letters both
numbers carry one and neither carries a sign. Each number needs at least two decimals (whole or
one-decimal pairs are more often other pairs of numbers), latitudes lie in -90..90 and longitudes in
-180..180. Degrees-minutes-seconds are not accepted.

:func:`score_expr` is 1.0 when both numbers have four decimals or more (about 11 m: a place, a person)
and 0.8 for two or three.

Single latitude or longitude columns are not this entity on their own; :func:`in_range` and
:func:`range_expr` tell whether a value or a numeric or text column lies in the range of one, for the
classifier to combine with a header.

>>> validate('N31.2304 E121.4737'), is_valid('31.2304,121.4737'), is_valid('121.4737,31.2304')
('31.2304,121.4737', True, False)
>>> is_valid('31,121'), latitude('S33.8688, E151.2093'), in_range('121.47', 'lon')
(False, -33.8688, True)
"""

from __future__ import annotations

import re
from typing import Literal

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "GEO_COORDINATE",
    label="Geo-coordinate",
    kind="quasi",
    category="location",
    hints=Hints(
        en=("lat", "lon", "lng", "latitude", "longitude", "gps", "coord", "location"),
        zh=("经度", "纬度"),
        ko=("위도", "경도"),
    ),
    detection=Detection("strong", bar=0.7, gate=r"\d\.\d", precedence=100),
    draft=Draft("generalize", {"geo_decimals": 2}, "2 decimals: a cell of about 1 km"),
)
ENTITY = SPEC.entity

_NUM = r"[+-]?[0-9]{1,3}\.[0-9]{2,15}"
_SEP = r" ?[,;/] ?| "
PATTERN = (
    rf"[(\[]?(?P<p1>[NSEW])? ?(?P<n1>{_NUM})°? ?(?P<q1>[NSEW])?"
    rf"(?:{_SEP})(?P<p2>[NSEW])? ?(?P<n2>{_NUM})°? ?(?P<q2>[NSEW])?[)\]]?"
)
_match = _text.fullmatcher(PATTERN)
_SPACES = re.compile(" {2,}")
_REGEX = _text.anchored(PATTERN)
MAX_LEN = 80
Axis = Literal["lat", "lon"]
LIMITS: dict[Axis, float] = {"lat": 90.0, "lon": 180.0}
# Words of a header that holds single latitudes (any other single-coordinate column holds longitudes).
LATITUDE_WORDS = ("lat", "latitude", "纬度", "위도")


def compact(value: str) -> str:
    """The value trimmed, NFKC-normalised, upper-case, with runs of white space as one space."""
    return _SPACES.sub(" ", _text.strip(_text.nfkc(value)).upper())


def _pair(value: str) -> tuple[float, float, int]:
    """(latitude, longitude, fewest decimals of the two)."""
    text = compact(value)
    if len(text) > MAX_LEN:
        raise InvalidLength(f"{ENTITY}: too long for a coordinate pair")
    m = _match(text)
    if m is None:
        raise InvalidFormat(f"{ENTITY}: not two decimal numbers with optional hemisphere letters")
    p1, n1, q1, p2, n2, q2 = m.group("p1", "n1", "q1", "p2", "n2", "q2")
    h1, h2 = p1 or q1, p2 or q2
    if (p1 and q1) or (p2 and q2) or bool(h1) != bool(h2):
        raise InvalidFormat(f"{ENTITY}: hemisphere letters on both numbers, once each")
    a, b = float(n1), float(n2)
    if h1:
        if n1[0] in "+-" or n2[0] in "+-" or (h1 in "NS") == (h2 in "NS"):
            raise InvalidFormat(f"{ENTITY}: one latitude (N/S) and one longitude (E/W), without signs")
        a, b = (-a if h1 in "SW" else a), (-b if h2 in "SW" else b)
        if h1 in "EW":
            a, b = b, a
    if abs(a) > 90 or abs(b) > 180:
        raise InvalidComponent(f"{ENTITY}: latitude beyond 90 or longitude beyond 180 degrees")
    decimals = min(len(n1.split(".")[1]), len(n2.split(".")[1]))
    return a, b, decimals


def validate(value: str) -> str:
    """The pair as ``"lat,lon"`` in the decimals written, or raises."""
    lat, lon, _ = _pair(value)
    return f"{lat!r},{lon!r}"


def is_valid(value: object) -> bool:
    """Whether ``value`` is a coordinate pair (never raises)."""
    return is_valid_by(validate, value)


def latitude(value: str) -> float:
    """The latitude of a valid pair."""
    return _pair(value)[0]


def longitude(value: str) -> float:
    """The longitude of a valid pair."""
    return _pair(value)[1]


def in_range(value: object, axis: Axis) -> bool:
    """Whether a number (or its ASCII decimal text) lies in the range of a latitude (``"lat"``) or
    longitude (``"lon"``) and is not a whole number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    try:
        number = float(value)
    except ValueError:
        return False
    return abs(number) <= LIMITS[axis] and not number.is_integer()


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    text = _text.strip_expr(_text.nfkc_expr(_text.as_text(col))).str.to_uppercase()
    return text.str.replace_all(" {2,}", " ")


def _parts(series: pl.Series) -> pl.DataFrame:
    """Staged: ``valid``, ``lat``, ``lon`` and ``decimals`` (the fewer of the two numbers)."""
    frame = _text.value_frame(series).with_columns(text=compact_expr(pl.col(_text.VALUE)))
    text = pl.col("text")
    frame = frame.with_columns(
        short=text.str.len_chars() <= MAX_LEN, groups=text.str.extract_groups(_REGEX)
    ).unnest("groups")
    f = {k: pl.col(k) for k in ("p1", "n1", "q1", "p2", "n2", "q2")}
    frame = frame.with_columns(
        h1=pl.coalesce(f["p1"], f["q1"]),
        h2=pl.coalesce(f["p2"], f["q2"]),
        signed=f["n1"].str.contains("^[+-]") | f["n2"].str.contains("^[+-]"),
        once=~(f["p1"].is_not_null() & f["q1"].is_not_null())
        & ~(f["p2"].is_not_null() & f["q2"].is_not_null()),
        x1=f["n1"].cast(pl.Float64, strict=False),
        x2=f["n2"].cast(pl.Float64, strict=False),
        decimals=pl.min_horizontal(
            f["n1"].str.split(".").list.get(1, null_on_oob=True).str.len_chars(),
            f["n2"].str.split(".").list.get(1, null_on_oob=True).str.len_chars(),
        ),
    )
    h1, h2 = pl.col("h1"), pl.col("h2")
    has1, has2 = h1.is_not_null(), h2.is_not_null()
    lettered_ok = ~pl.col("signed") & (h1.is_in(["N", "S"]) != h2.is_in(["N", "S"]))
    frame = frame.with_columns(
        letters_ok=pl.col("once") & (has1 == has2) & (~has1 | lettered_ok),
        a=pl.col("x1") * pl.when(h1.is_in(["S", "W"])).then(-1.0).otherwise(1.0),
        b=pl.col("x2") * pl.when(h2.is_in(["S", "W"])).then(-1.0).otherwise(1.0),
        swap=h1.is_in(["E", "W"]),
    )
    swap = pl.col("swap")
    frame = frame.with_columns(
        lat=pl.when(swap).then(pl.col("b")).otherwise(pl.col("a")),
        lon=pl.when(swap).then(pl.col("a")).otherwise(pl.col("b")),
    )
    valid = f["n1"].is_not_null() & pl.col("letters_ok") & (pl.col("lat").abs() <= 90)
    valid = valid & (pl.col("lon").abs() <= 180) & pl.col("short")
    return frame.with_columns(valid=valid.fill_null(False))


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.staged(col, _parts, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 with four decimals or more, 0.8 with two or three, 0.0 where invalid."""
    weight = (pl.col("decimals") >= 4).cast(pl.Float64) * 0.2 + 0.8
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("valid").cast(pl.Float64) * weight)
    return _text.staged(col, _parts, out, pl.Float64())


def latitude_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the latitude of every valid pair (Float64), null for the others."""
    return _text.staged(col, _parts, pl.when(pl.col("valid")).then(pl.col("lat")), pl.Float64())


def longitude_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the longitude of every valid pair (Float64), null for the others."""
    return _text.staged(col, _parts, pl.when(pl.col("valid")).then(pl.col("lon")), pl.Float64())


def axis_of(header: str) -> Axis:
    """Which single coordinate a column of that header holds: ``"lat"`` when it names a latitude."""
    return "lat" if any(word in header.lower() for word in LATITUDE_WORDS) else "lon"


def range_expr(col: pl.Expr, axis: Axis) -> pl.Expr:
    """Polars: :func:`in_range` of every value of a numeric or text column (null for null)."""
    number = _text.strip_expr(_text.as_text(col)).cast(pl.Float64, strict=False)
    ok = (number.abs() <= LIMITS[axis]) & (number != number.round(0))
    return _text.with_nulls(col, ok)
