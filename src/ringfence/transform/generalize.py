"""``generalize``: coarsen values so that many people share each one.

Modes (exactly one per rule, see :class:`ringfence.policy.rules.Generalize`):

- ``bins`` / ``width``: numbers to interval labels (``[10,20)``, ``<10``, ``>=100``);
- ``date``: dates and times truncated to year, month, week, day or hour (:func:`dates.truncate`);
- ``birth_year`` / ``age_band``: from a date column or from a CN/KR national ID (``entity`` says which);
- ``geo_decimals``: latitude/longitude truncated (toward zero) to N decimals, for numbers, numeric text
  and ``"lat,lon"`` pairs (2 decimals is a cell of about 1 km);
- ``ip``: IPv4 to its /8, /16 or /24 network and IPv6 to its /16-/64 network, in CIDR notation
  (``192.168.1.0/24``, ``2001:db8:85a3::/48``);
- ``address``: CN and KR addresses cut to province or city level (``广东省深圳市``,
  ``서울특별시 강남구``).

Whatever a mode cannot read (a malformed IP, an address in another layout) becomes null, never passed
through. Reversible: no. Joinable: yes (equal inputs give equal outputs), by design many inputs share one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl

from ringfence.errors import UsageError
from ringfence.policy.entities import NATIONAL_IDS
from ringfence.policy.rules import DateUnit, IpPrefix
from ringfence.transform.base import TransformContext, TransformSpec, staged, text
from ringfence.transform.dates import age_bands, birth_dates, need_as_of, truncate
from ringfence.transform.derive import id_parts
from ringfence.transform.numeric import bin_labels, numbers, width_labels


def _given(setting: object) -> bool:
    """A mode is given when set: ``0`` decimals is a setting, ``birth_year: false`` is not."""
    return setting is not None and setting is not False


_MODES = ("bins", "width", "date", "geo_decimals", "age_band", "birth_year", "ip", "address")
_NUM = r"(-?\d{1,3}(?:\.\d+)?)"
_PAIR = rf"^\s*\(?\s*{_NUM}\s*[,;\s]\s*{_NUM}\s*\)?\s*$"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"
_CN_CITY = r"^((?:[^省市]{2,7}?(?:省|自治区))?[^省市区县]{1,10}?(?:市|自治州|地区|盟)|[^省市]{2,3}特别行政区)"
_CN_PROVINCE = r"^(北京市|天津市|上海市|重庆市|[^省市]{2,7}?(?:省|自治区|特别行政区))"
_KR_REGIONS = "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
_KR_PROVINCE = rf"^\s*(\S+?(?:특별시|광역시|특별자치시|특별자치도|도)|{_KR_REGIONS})(?:\s|$)"
_KR_CITY = rf"^\s*(\S+?(?:특별시|광역시|특별자치시|특별자치도|도)|{_KR_REGIONS})\s+(\S+?(?:시|군|구))(?:\s|$)"


# ----------------------------------------------------------------------------------------- geography


def _format_cut(x: pl.Expr, places: int) -> pl.Expr:
    """``x`` cut toward zero to ``places`` decimals, as text with exactly ``places`` decimals; a value that
    cuts to zero has no sign. (``+1e-7`` undoes binary rounding: ``31.23 * 100`` is ``3122.99...``.)"""
    scale = 10**places
    k = (x.abs() * scale + 1e-7).floor().cast(pl.Int64)
    sign = pl.when((x < 0) & (k > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (k // scale).cast(pl.String)
    if places == 0:
        return pl.concat_str([sign, whole])
    return pl.concat_str([sign, whole, pl.lit("."), (k % scale).cast(pl.String).str.zfill(places)])


def geo_truncate(column: str, dtype: pl.DataType, places: int) -> pl.Expr:
    """Coordinates cut toward zero to ``places`` decimals: numbers stay numbers, text stays text
    (``"31.2304,121.4737"`` -> ``"31.23,121.47"``); text outside ±90/±180 or not a coordinate becomes
    null."""
    if dtype.is_numeric():
        x = pl.col(column).cast(pl.Float64)
        scale = 10.0**places
        cut = ((x.abs() * scale + 1e-7).floor() / scale).round(places)
        signed = pl.when(cut == 0).then(pl.lit(0.0)).otherwise(cut * x.sign())  # no -0.0
        return pl.when(x.abs() <= 180).then(signed)
    value = pl.col("value")
    stages = [
        {
            "pair": value.str.extract_groups(_PAIR),
            "single": value.str.strip_chars().cast(pl.Float64, strict=False),
        },
        {
            "lat": pl.col("pair").struct.field("1").cast(pl.Float64, strict=False),
            "lon": pl.col("pair").struct.field("2").cast(pl.Float64, strict=False),
        },
    ]
    lat, lon, single = pl.col("lat"), pl.col("lon"), pl.col("single")
    out = (
        pl.when((lat.abs() <= 90) & (lon.abs() <= 180))
        .then(pl.concat_str([_format_cut(lat, places), pl.lit(","), _format_cut(lon, places)]))
        .when(single.abs() <= 180)
        .then(_format_cut(single, places))
    )
    return staged({"value": text(column, dtype)}, stages, out, pl.String())


# ------------------------------------------------------------------------------------------------ IP


def ipv4_network(value: pl.Expr, prefix: int) -> pl.Expr:
    """``a.b.c.0/24`` (or /16, /8) of dotted-quad IPv4 text; null unless it is exactly four octets 0-255
    without leading zeros (``010`` is octal to some parsers, so it is not guessed at)."""
    host_octets = 4 - prefix // 8
    host = r"\.[0-9]{1,3}" * host_octets + "$"
    network = value.str.replace(host, ".0" * host_octets + f"/{prefix}")
    return pl.when(value.str.contains(_IPV4)).then(network)


def ipv6_network(value: pl.Expr, prefix: int) -> pl.Expr:
    """The first ``prefix`` bits of IPv6 text as ``2001:db8:85a3::/48`` (hextets lower-case, leading
    zeros dropped); null for anything that is not 8 hextets after expanding one ``::``. Zones and
    embedded IPv4 forms are not read."""
    v = value.str.strip_chars().str.to_lowercase()
    shape_ok = v.str.contains(r"^[0-9a-f:]{2,39}$") & (v.str.count_matches("::") <= 1)
    halves = v.str.split("::")
    compressed = halves.list.len() == 2
    head_text = halves.list.get(0)
    tail_text = halves.list.get(1, null_on_oob=True).fill_null("")

    def groups(part: pl.Expr) -> pl.Expr:
        return part.str.split(":").list.head(pl.when(part == "").then(0).otherwise(64))

    head, tail = groups(head_text), groups(tail_text)
    zeros = pl.when(compressed).then(8 - head.list.len() - tail.list.len()).otherwise(0)
    full = pl.concat_list([head, pl.lit("0").repeat_by(zeros.clip(0, 8)), tail])
    ok = (
        shape_ok
        & (full.list.len() == 8)
        & (~compressed | (zeros >= 1))
        & full.list.eval(pl.element().str.len_chars().is_between(1, 4)).list.all()
    )
    kept = full.list.head(prefix // 16).list.eval(pl.element().str.replace(r"^0+(.)", "$1")).list.join(":")
    return pl.when(ok.fill_null(False)).then(pl.concat_str([kept, pl.lit(f"::/{prefix}")]))


class _IpNetworks:
    """Batch function: IPv4 rows by two regex passes over the column; the IPv6 reader (list-based, slower)
    runs only on the rows that contain a colon."""

    def __init__(self, prefix: IpPrefix) -> None:
        self.v4, self.v6 = prefix.v4, prefix.v6

    def __call__(self, values: pl.Series) -> pl.Series:
        frame = values.cast(pl.String).str.strip_chars().to_frame("ip")
        out = frame.select(ipv4_network(pl.col("ip"), self.v4))["ip"]
        v6_rows = np.flatnonzero(frame["ip"].str.contains(":", literal=True).fill_null(False).to_numpy())
        if len(v6_rows):
            v6 = frame[v6_rows].select(ipv6_network(pl.col("ip"), self.v6))["ip"]
            out = out.scatter(v6_rows, v6)
        return out.alias(values.name)


def ip_networks(value: pl.Expr, prefix: IpPrefix) -> pl.Expr:
    """IPv4 and IPv6 text to networks in CIDR notation (see :func:`ipv4_network`, :func:`ipv6_network`)."""
    return value.map_batches(_IpNetworks(prefix), return_dtype=pl.String, is_elementwise=True)


# ------------------------------------------------------------------------------------------ address


def address_level(value: pl.Expr, level: str) -> pl.Expr:
    """CN (``广东省深圳市``) or KR (``경기도 성남시``) address cut to ``province`` or ``city``; null for
    addresses in other layouts."""
    v = pl.col("value")
    compact = v.str.replace_all(" ", "", literal=True).str.replace_all("\u3000", "", literal=True)
    if level == "province":
        stages = [{"cn": compact.str.extract(_CN_PROVINCE, 1), "kr": v.str.extract(_KR_PROVINCE, 1)}]
    else:
        kr = v.str.extract_groups(_KR_CITY)
        stages = [
            {
                "cn": compact.str.extract(_CN_CITY, 1),
                "kr_parts": kr,
                "sejong": v.str.extract(r"^\s*(세종(?:특별자치시)?)(?:\s|$)", 1),
            },
            {
                "kr": pl.coalesce(
                    pl.concat_str(
                        [
                            pl.col("kr_parts").struct.field("1"),
                            pl.lit(" "),
                            pl.col("kr_parts").struct.field("2"),
                        ]
                    ),
                    pl.col("sejong"),
                )
            },
        ]
    return staged({"value": value}, stages, pl.coalesce(pl.col("cn"), pl.col("kr")), pl.String())


# ---------------------------------------------------------------------------------------- transform


class Generalize(TransformSpec):
    """One generalization mode applied to a column (see the module docstring)."""

    name = "generalize"

    def __init__(
        self,
        *,
        bins: list[float] | None = None,
        width: float | None = None,
        date: DateUnit | None = None,
        geo_decimals: int | None = None,
        age_band: int | None = None,
        birth_year: bool = False,
        ip: IpPrefix | None = None,
        address: str | None = None,
        as_of: dt.date | None = None,
        entity: str | None = None,
    ) -> None:
        self.bins = list(bins) if bins is not None else None
        self.width = width
        self.date: DateUnit | None = date
        self.geo_decimals = geo_decimals
        self.age_band = age_band
        self.birth_year = birth_year
        self.ip = ip
        self.address = address
        given = [m for m in _MODES if _given(getattr(self, m))]
        if len(given) != 1:
            raise UsageError(f"generalize needs exactly one mode, given: {', '.join(given) or 'none'}")
        self.mode = given[0]
        if self.bins is not None and sorted(set(self.bins)) != self.bins:
            raise UsageError("generalize bins must be strictly increasing")
        self.as_of = as_of
        self.entity = entity

    def params(self) -> dict[str, Any]:
        setting = getattr(self, self.mode)
        shown: dict[str, Any] = {
            "mode": self.mode,
            self.mode: setting.model_dump() if isinstance(setting, IpPrefix) else setting,
            "entity": self.entity,
        }
        if self.as_of is not None:
            shown["as_of"] = self.as_of.isoformat()
        return shown

    def _birth(self, column: str, dtype: pl.DataType) -> pl.Expr:
        if self.entity in NATIONAL_IDS:
            return id_parts(text(column, dtype), str(self.entity)).birth
        return birth_dates(column, dtype)

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        dtype = ctx.dtype(column)
        if self.bins is not None:
            out = bin_labels(numbers(column, dtype), [float(b) for b in self.bins])
        elif self.width is not None:
            out = width_labels(numbers(column, dtype), float(self.width))
        elif self.date is not None:
            out = truncate(column, dtype, self.date)
        elif self.birth_year:
            out = self._birth(column, dtype).dt.year().cast(pl.Int32)
        elif self.age_band is not None:
            as_of = need_as_of(self.as_of, ctx, "generalize age_band")
            out = age_bands(self._birth(column, dtype), as_of, self.age_band)
        elif self.geo_decimals is not None:
            out = geo_truncate(column, dtype, self.geo_decimals)
        elif self.ip is not None:
            out = ip_networks(text(column, dtype), self.ip)
        else:
            out = address_level(text(column, dtype), str(self.address))
        return [out.alias(column)]
