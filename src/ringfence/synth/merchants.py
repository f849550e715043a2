"""The merchants table: shops, restaurants, taxis, utilities ... in the platform's cities.

Chains are named after their location ("星巴克(人民路店)", "스타벅스 강남점"), independent shops after their
owner ("张记面馆"). Chinese merchant numbers have the 15-digit UnionPay shape (acquirer 898, area, MCC,
serial), Korean ones ten digits. Every (country, category) pair has at least one merchant, so every payment
finds somewhere to happen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ringfence.errors import UsageError
from ringfence.synth import places
from ringfence.synth.commerce import CATEGORIES, KR_INDEPENDENT_PREFIXES
from ringfence.synth.config import MIXED_CN_SHARE, SynthConfig
from ringfence.synth.names import CN_SURNAMES
from ringfence.synth.rand import (
    BoolArray,
    FloatArray,
    IntArray,
    choose_in_groups,
    digit_strings,
    distinct_codes,
    nulls,
    stream,
    take,
    to_digits,
    weighted,
)

STREAM = 3
_INDEPENDENT_SHARE = 0.35
# UnionPay acquirer codes merchant numbers start with (898 first, the others when a group overflows).
_ACQUIRERS = (898, 102, 103, 104, 105, 301, 302, 303, 305, 306, 307, 308, 309, 310, 313)


@dataclass(frozen=True)
class Merchants:
    """The merchants table and the per-merchant arrays the transaction generator draws on."""

    frame: pl.DataFrame
    korean: BoolArray
    city: IntArray  # index into customers.city_table()
    category: IntArray  # index into CATEGORIES
    lat: FloatArray
    lon: FloatArray
    popularity: FloatArray


def _countries(config: SynthConfig) -> tuple[bool, ...]:
    return {"cn": (False,), "kr": (True,), "mixed": (False, True)}[config.locale]


def _unionpay_numbers(rng: np.random.Generator, area: IntArray, mcc: IntArray) -> IntArray:
    """Distinct 15-digit UnionPay-style merchant numbers: acquirer (3 digits), area (4), MCC (4), serial (4).

    Serials are a scrambled rank within each (area, MCC) group; a group with more than 10,000 merchants
    continues under the next acquirer code.
    """
    key = area * 10_000 + mcc
    order = np.argsort(key, kind="stable")
    _, first, counts = np.unique(key[order], return_index=True, return_counts=True)
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - np.repeat(first, counts)
    if int(rank.max(initial=0)) >= 10_000 * len(_ACQUIRERS):
        raise UsageError("synth: too many merchants for one city and category; use fewer merchants")
    multiplier = int(rng.choice([1, 3, 7, 9])) + 10 * int(rng.integers(0, 1000))  # coprime with 10
    serial = (rank % 10_000 * multiplier + int(rng.integers(0, 10_000))) % 10_000
    acquirer = np.array(_ACQUIRERS, dtype=np.int64)[rank // 10_000]
    number: IntArray = (acquirer * 10**12) + key * 10_000 + serial
    return number


def _kind(rng: np.random.Generator, category: IntArray, kinds: list[tuple[str, ...]]) -> pl.Series:
    """A random kind of independent shop of each row's category ("" where the category has none)."""
    flat = [k for group in kinds for k in group] + [""]
    sizes = np.array([len(group) for group in kinds])
    start = np.cumsum(sizes) - sizes
    size = sizes[category]
    offset = (rng.random(len(category)) * np.maximum(size, 1)).astype(np.int64)
    return take(flat, np.where(size > 0, start[category] + offset, len(flat) - 1))


def build_merchants(config: SynthConfig, cities: pl.DataFrame) -> Merchants:
    """``config.merchant_count`` merchants across the cities of the platform's countries."""
    rng = stream(config.seed, STREAM)
    n = config.merchant_count
    countries = _countries(config)
    n_cat = len(CATEGORIES)
    combos = [(kr, c) for kr in countries for c in range(n_cat)]
    if n < len(combos):  # pragma: no cover - SynthConfig enforces a minimum above this
        raise ValueError("too few merchants for every category")
    share = np.array([c.share for c in CATEGORIES])
    korean = rng.random(n) >= MIXED_CN_SHARE if config.locale == "mixed" else np.full(n, countries[0])
    category = weighted(rng, share, n)
    korean[: len(combos)] = [kr for kr, _ in combos]
    category[: len(combos)] = [c for _, c in combos]

    city_kr = (cities["country"] == "KR").to_numpy()
    n_cn_city = int((~city_kr).sum())
    cn_regions, kr_regions = places.cn_regions(), places.kr_regions()

    # Chinese merchants: a city by population, scattered around its centre.
    city = weighted(rng, cities["population"].to_numpy()[:n_cn_city], n)
    centre = cities.select("lat", "lon").to_numpy()[city]
    lat, lon = places.jitter(rng, centre[:, 0], centre[:, 1], 6.0)
    # Korean merchants: a district by population, near its centre.
    district = weighted(rng, kr_regions.frame["weight"].to_numpy(), n)
    kr_lat, kr_lon = places.jitter(
        rng, kr_regions.frame["lat"].to_numpy()[district], kr_regions.frame["lon"].to_numpy()[district], 1.5
    )
    city = np.where(korean, n_cn_city + kr_regions.city[district], city)
    lat, lon = np.where(korean, kr_lat, lat), np.where(korean, kr_lon, lon)

    # Names: a brand of the category (with the city for local utilities and hospitals) plus a branch,
    # or an independent shop.
    brands = [(c.cn_brands, c.kr_brands) for c in CATEGORIES]
    flat_brands = [b for cn, kr in brands for b in (*cn, *kr)]
    brand_kr = np.array([k for cn, kr in brands for k in (*(False for _ in cn), *(True for _ in kr))])
    brand_cat = np.array([i for i, (cn, kr) in enumerate(brands) for _ in range(len(cn) + len(kr))])
    group = brand_cat * 2 + brand_kr
    order = np.lexsort((np.arange(len(group)), group))
    counts = np.bincount(group[order], minlength=2 * n_cat)
    ends = np.cumsum(counts)
    brand = order[
        choose_in_groups(
            rng.random(n), category * 2 + korean, ends - counts, ends, np.arange(1.0, len(order) + 1)
        )
    ]
    city_name = cities["city"].gather(city)
    cn_stem = city_name.str.strip_suffix("市")
    kr_stem = city_name.str.replace(r"(특별시|광역시|특별자치시|시)$", "")
    sgg = kr_regions.frame["sigungu"].gather(district).str.split(" ").list.last()
    # A branch is named after its district ("강남점"); one-syllable stems take the city too ("광주북구점").
    sgg_stem = sgg.str.replace(r"[구시군]$", "")
    kr_branch = (
        pl.DataFrame({"sgg": sgg, "stem": sgg_stem, "city": kr_stem})
        .select(
            pl.when(pl.col("sgg") == "")
            .then(pl.col("city"))
            .when(pl.col("stem").str.len_chars() < 2)
            .then(pl.col("city") + pl.col("sgg"))
            .otherwise(pl.col("stem"))
        )
        .to_series()
    )
    has_independents = np.array([bool(c.independents) for c in CATEGORIES])[category]
    independent = has_independents & (rng.random(n) < _INDEPENDENT_SHARE)
    cn_kind = _kind(rng, category, [c.independents for c in CATEGORIES])
    kr_kind = _kind(rng, category, [c.kr_independents for c in CATEGORIES])
    branches = np.array([c.branches for c in CATEGORIES])[category]
    frame = pl.DataFrame(
        {
            "brand": take(flat_brands, brand),
            "kr": korean,
            "indep": independent,
            "branch": branches,
            "cn_stem": cn_stem,
            "kr_stem": kr_stem,
            "kr_branch": kr_branch,
            "road": take(places.CN_ROADS, rng.integers(0, len(places.CN_ROADS), n)),
            "road_sfx": take(("路", "路", "街", "大道"), rng.integers(0, 4, n)),
            "surname": take([s for s, _, _ in CN_SURNAMES], weighted(rng, [w for _, _, w in CN_SURNAMES], n)),
            "cn_kind": cn_kind,
            "kr_pre": take(KR_INDEPENDENT_PREFIXES, rng.integers(0, len(KR_INDEPENDENT_PREFIXES), n)),
            "kr_kind": kr_kind,
        }
    )
    stem = pl.when(pl.col("kr")).then(pl.col("kr_stem")).otherwise(pl.col("cn_stem"))
    brand_name = pl.col("brand").str.replace("{c}", stem, literal=True)
    name = (
        pl.when(pl.col("indep") & pl.col("kr"))
        .then(pl.col("kr_pre") + pl.col("kr_kind"))
        .when(pl.col("indep"))
        .then(pl.col("surname") + "记" + pl.col("cn_kind"))
        .when(~pl.col("branch"))
        .then(brand_name)
        .when(pl.col("kr"))
        .then(brand_name + " " + pl.col("kr_branch") + "점")
        .otherwise(brand_name + "(" + pl.col("road") + pl.col("road_sfx") + "店)")
    )
    names = frame.select(name.alias("merchant_name")).to_series()

    # Merchant numbers: CN acquirer 898 + area (a region code's first four digits) + MCC + serial;
    # KR ten digits.
    mcc = np.array([int(c.mcc) for c in CATEGORIES])[category]
    area_of_city = np.zeros(len(cities), dtype=np.int64)
    area_of_city[cn_regions.city[::-1]] = cn_regions.code[::-1] // 100
    cn_rows, kr_rows = np.flatnonzero(~korean), np.flatnonzero(korean)
    cn_number = _unionpay_numbers(rng, area_of_city[city[cn_rows]], mcc[cn_rows])
    kr_number = distinct_codes(rng, len(kr_rows), 10)
    merchant_id = nulls(n, pl.String)
    merchant_id = merchant_id.scatter(cn_rows, digit_strings(to_digits(cn_number, 15)))
    merchant_id = merchant_id.scatter(kr_rows, digit_strings(to_digits(kr_number, 10)))
    out = pl.DataFrame(
        {
            "merchant_id": merchant_id,
            "merchant_name": names,
            "mcc": take([c.mcc for c in CATEGORIES], category),
            "city": city_name,
            "country": pl.Series(np.where(korean, "KR", "CN")),
            "lat": lat,
            "lon": lon,
        }
    )
    return Merchants(
        frame=out,
        korean=korean,
        city=city,
        category=category,
        lat=lat,
        lon=lon,
        popularity=rng.lognormal(0.0, 1.2, n),
    )
