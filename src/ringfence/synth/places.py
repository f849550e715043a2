"""Real places: Chinese county-level regions (GB/T 2260 codes, with the years they were assigned), Korean
districts, city centres, and the street addresses built from them.

The tables are small CSV files shipped in ``ringfence/synth/data``; they are loaded once per process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import polars as pl

from ringfence.synth.rand import BoolArray, FloatArray, IntArray, pick, take

_DATA = "ringfence.synth.data"

# Common Chinese road names and the suffixes they take (东路, 大道 ...): together they name most city streets.
CN_ROADS = (
    "人民",
    "中山",
    "解放",
    "建设",
    "和平",
    "胜利",
    "新华",
    "文化",
    "光明",
    "朝阳",
    "东风",
    "青年",
    "长江",
    "黄河",
    "学府",
    "科技",
    "滨江",
    "环城",
    "北京",
    "上海",
    "南京",
    "建国",
    "复兴",
    "延安",
    "迎宾",
    "工业",
    "友谊",
    "花园",
    "幸福",
    "东湖",
    "西湖",
    "金山",
    "银河",
    "江南",
    "府前",
    "体育",
    "公园",
    "城南",
    "航空",
    "沿江",
)
CN_ROAD_SUFFIXES = ("路", "东路", "西路", "南路", "北路", "中路", "大道", "街")
CN_COMPOUNDS = (
    "阳光花园",
    "幸福里",
    "锦绣家园",
    "翠湖苑",
    "金色家园",
    "世纪城",
    "华府",
    "碧桂园",
    "万科城",
    "御景湾",
    "绿地新都会",
    "保利花园",
    "中海国际社区",
    "龙湖春江郦城",
    "恒大名都",
    "紫荆公寓",
    "东方明珠小区",
    "康城",
)


@dataclass(frozen=True)
class CnRegions:
    """Chinese county-level regions, one entry per GB/T 2260 code, and the cities they belong to."""

    code: IntArray  # 6-digit region code
    city: IntArray  # index into ``cities``
    valid_from: IntArray  # first year the code was assigned (0: always)
    valid_to: IntArray  # last year the code was assigned (9999: still assigned)
    weight: FloatArray  # relative population weight within the city
    province_name: pl.Series
    county_name: pl.Series
    cities: pl.DataFrame  # city, lat, lon, population


@dataclass(frozen=True)
class KrRegions:
    """Korean districts with their centres, RRN area codes, roads, and the city each belongs to."""

    frame: pl.DataFrame  # sido, sigungu, lat, lon, weight, rrn_area_lo, rrn_area_hi, roads, city
    city: IntArray  # index into ``cities`` per district
    cities: pl.Series  # distinct city names (a 특별시/광역시 or the first word of a 시)


def _read(name: str) -> pl.DataFrame:
    with resources.files(_DATA).joinpath(name).open("rb") as fh:
        return pl.read_csv(fh, comment_prefix="#", infer_schema_length=0)


@functools.cache
def cn_regions() -> CnRegions:
    """The Chinese region table (cached)."""
    cities = _read("cn_cities.csv").with_columns(pl.col("lat", "lon", "population").cast(pl.Float64))
    regions = _read("cn_regions.csv")
    city_index = {name: i for i, name in enumerate(cities["city"].to_list())}
    joined = regions.join(
        pl.DataFrame({"city": list(city_index), "city_idx": list(city_index.values())}),
        on="city",
        how="left",
        maintain_order="left",
    )
    county = joined["county"]
    # Urban districts are where most people live; counties and county-level cities weigh less.
    weight = np.where(county.str.ends_with("区").to_numpy(), 3.0, 1.0)
    return CnRegions(
        code=joined["code"].cast(pl.Int64).to_numpy(),
        city=joined["city_idx"].cast(pl.Int64).to_numpy(),
        valid_from=joined["valid_from"].cast(pl.Int64).fill_null(0).to_numpy(),
        valid_to=joined["valid_to"].cast(pl.Int64).fill_null(9999).to_numpy(),
        weight=weight,
        province_name=joined["province"],
        county_name=county,
        cities=cities,
    )


@functools.cache
def kr_regions() -> KrRegions:
    """The Korean district table (cached)."""
    frame = (
        _read("kr_regions.csv")
        .with_columns(
            pl.col("sigungu").fill_null(""),
            pl.col("lat", "lon", "weight").cast(pl.Float64),
            pl.col("rrn_area_lo", "rrn_area_hi").cast(pl.Int64),
        )
        .with_columns(
            pl.when(pl.col("sido").str.ends_with("시"))
            .then(pl.col("sido"))
            .otherwise(pl.col("sigungu").str.split(" ").list.first())
            .alias("city")
        )
    )
    cities = frame["city"].unique(maintain_order=True)
    index = {name: i for i, name in enumerate(cities.to_list())}
    city = frame["city"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
    return KrRegions(frame=frame, city=city, cities=cities)


def current_cn(regions: CnRegions, as_of_year: int) -> BoolArray:
    """Which Chinese region codes are still in use (assigned through ``as_of_year - 1`` or later)."""
    return regions.valid_to >= as_of_year - 1


def jitter(
    rng: np.random.Generator, lat: FloatArray, lon: FloatArray, km: float | FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Points scattered around ``lat``/``lon`` with a normal spread of about ``km`` kilometres, 6 decimals."""
    n = len(lat)
    step = np.asarray(km, dtype=np.float64) / 111.0
    noise = rng.standard_normal((2, n))
    dlat = noise[0] * step
    dlon = noise[1] * step / np.cos(np.radians(lat))
    return np.round(lat + dlat, 6), np.round(lon + dlon, 6)


def chinese_addresses(rng: np.random.Generator, regions: CnRegions, region: IntArray) -> pl.Series:
    """Street addresses in the given regions: 省/市/区 + road + 号, half with a compound, building and flat
    (``广东省广州市天河区中山东路218号锦绣家园3栋2单元1502室``). Municipalities are written once
    (``北京市朝阳区…``)."""
    n = len(region)
    city_name = regions.cities["city"].gather(regions.city[region])
    province = regions.province_name.gather(region)
    road = take(CN_ROADS, rng.integers(0, len(CN_ROADS), n))
    suffix = take(CN_ROAD_SUFFIXES, pick(rng.random(n), [5, 2, 2, 2, 2, 1, 1, 1]))
    number = pl.Series(np.minimum(rng.zipf(1.6, n), 999) + rng.integers(0, 300, n))
    compound = take(CN_COMPOUNDS, rng.integers(0, len(CN_COMPOUNDS), n))
    frame = pl.DataFrame(
        {
            "p": province,
            "c": city_name,
            "d": regions.county_name.gather(region),
            "road": road,
            "suffix": suffix,
            "no": number,
            "cmp": compound,
            "bld": rng.integers(1, 30, n),
            "unit": rng.integers(1, 6, n),
            "floor": rng.integers(1, 33, n),
            "flat": rng.integers(1, 5, n),
            "has_flat": rng.random(n) < 0.5,
        }
    )
    head = pl.when(pl.col("p") == pl.col("c")).then(pl.col("c")).otherwise(pl.col("p") + pl.col("c"))
    flat = pl.concat_str(
        pl.col("cmp"),
        pl.col("bld").cast(pl.String),
        pl.lit("栋"),
        pl.col("unit").cast(pl.String),
        pl.lit("单元"),
        pl.col("floor").cast(pl.String),
        pl.col("flat").cast(pl.String).str.zfill(2),
        pl.lit("室"),
    )
    street = pl.concat_str(
        head, pl.col("d"), pl.col("road"), pl.col("suffix"), pl.col("no").cast(pl.String), pl.lit("号")
    )
    return frame.select(
        pl.when(pl.col("has_flat")).then(street + flat).otherwise(street).alias("address")
    ).to_series()


def korean_addresses(rng: np.random.Generator, regions: KrRegions, district: IntArray) -> pl.Series:
    """Road-name addresses (도로명주소) in the given districts: ``서울특별시 강남구 테헤란로 123``, about half
    with an apartment block and flat (``, 101동 1203호``)."""
    n = len(district)
    frame = regions.frame
    roads = frame["roads"].str.split("|").gather(district)
    pick_road = rng.random(n)
    number = np.minimum(rng.zipf(1.5, n), 400) + rng.integers(0, 120, n)
    sub = pl.DataFrame(
        {
            "sido": frame["sido"].gather(district),
            "sgg": frame["sigungu"].gather(district),
            "roads": roads,
            "u": pick_road,
            "no": number,
            "dong": 100 + rng.integers(1, 20, n),
            "ho": rng.integers(1, 30, n) * 100 + rng.integers(1, 7, n),
            "has_flat": rng.random(n) < 0.55,
        }
    )
    road = pl.col("roads").list.get(
        (pl.col("u") * pl.col("roads").list.len()).cast(pl.Int64), null_on_oob=True
    )
    head = pl.when(pl.col("sgg") == "").then(pl.col("sido")).otherwise(pl.col("sido") + " " + pl.col("sgg"))
    street = pl.concat_str(head, pl.lit(" "), road, pl.lit(" "), pl.col("no").cast(pl.String))
    flat = pl.concat_str(
        pl.lit(", "),
        pl.col("dong").cast(pl.String),
        pl.lit("동 "),
        pl.col("ho").cast(pl.String),
        pl.lit("호"),
    )
    return sub.select(
        pl.when(pl.col("has_flat")).then(street + flat).otherwise(street).alias("address")
    ).to_series()
