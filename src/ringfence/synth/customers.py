"""The customers table: who the platform's users are, with every identifier consistent with the rest.

A customer's national ID encodes their real birth date and sex; a Chinese ID's region code is one that was
in use when the number was assigned; addresses, home coordinates and phone numbers belong to the customer's
country; e-mail local parts come from the romanised name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from ringfence.synth import contact, ids, names, places
from ringfence.synth.config import AS_OF, MIXED_CN_SHARE, TXN_START, SynthConfig
from ringfence.synth.rand import (
    BoolArray,
    FloatArray,
    IntArray,
    choose_in_groups,
    civil_from_days,
    dates,
    datetimes,
    day_number,
    digit_strings,
    distinct_codes,
    stream,
    to_digits,
    weighted,
)

STREAM = 1
_DAY = 86_400
_FIRST_REGISTRATION = dt.date(2015, 1, 1)
# Age bands of mobile-payment users (years, share).
_AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (18, 25, 0.14), (25, 35, 0.27), (35, 45, 0.23), (45, 55, 0.18), (55, 65, 0.12), (65, 81, 0.06),
)  # fmt: skip
# First-generation resident ID cards were issued from 1985: numbers assigned then (or at birth after it)
# carry the region code in force at that time.
_FIRST_ISSUE_YEAR = 1985
_LATE_CODE_SHARE = 0.03  # of people whose region code is younger than they are (see _cn_id_regions)
_FIRST_GENERATION_SHARE = 0.04  # of people born before 1980 whose record still holds a 15-digit number
_LOWER_X_SHARE = 0.02  # IDs ending in 'x' typed in lower case
_KR_POST_2020_SHARE = 0.03  # RRNs (re)issued after the October 2020 reform: random last six digits
_KR_HYPHEN_SHARE = 0.9
_FOREIGN_SHARE = 0.015  # of Korean customers in a mixed platform: foreign residents with Latin names
_LATIN_SHARE = 0.05  # of customers in a mixed platform who typed their name in Latin script


@dataclass(frozen=True)
class Population:
    """The customers table and the per-customer arrays the transaction generator draws on."""

    frame: pl.DataFrame
    korean: BoolArray
    city: IntArray  # index into :func:`city_table`
    home_lat: FloatArray
    home_lon: FloatArray
    registered: IntArray  # seconds since the epoch
    activity: FloatArray  # relative number of payments


def city_table() -> pl.DataFrame:
    """All cities (Chinese first, then Korean) with country, centre and weight; customers' and merchants'
    ``city`` index into it."""
    cn = places.cn_regions().cities
    kr = places.kr_regions()
    kr_city = (
        kr.frame.with_columns(pl.Series("idx", kr.city))
        .group_by("idx", maintain_order=True)
        .agg(
            pl.col("city").first(),
            (pl.col("lat") * pl.col("weight")).sum() / pl.col("weight").sum(),
            (pl.col("lon") * pl.col("weight")).sum() / pl.col("weight").sum(),
            (pl.col("weight").sum() / 10.0).alias("population"),
        )
        .drop("idx")
    )
    return pl.concat(
        [
            cn.select("city", "lat", "lon", "population").with_columns(pl.lit("CN").alias("country")),
            kr_city.with_columns(pl.lit("KR").alias("country")),
        ]
    )


def _birth_days(rng: np.random.Generator, n: int) -> IntArray:
    band = weighted(rng, [s for _, _, s in _AGE_BANDS], n)
    lo = np.array([a for a, _, _ in _AGE_BANDS])[band]
    hi = np.array([b for _, b, _ in _AGE_BANDS])[band]
    age_days = ((lo + rng.random(n) * (hi - lo)) * 365.2425).astype(np.int64)
    birth: IntArray = day_number(AS_OF) - age_days
    return birth


def _cn_id_regions(rng: np.random.Generator, regions: places.CnRegions, birth_year: IntArray) -> IntArray:
    """A region (index into the table) per person whose code was assigned in the year their number was."""
    n = len(birth_year)
    pop = regions.cities["population"].to_numpy()
    city_weight_total = np.bincount(regions.city, weights=regions.weight)
    weight = pop[regions.city] * regions.weight / city_weight_total[regions.city]
    assigned = np.where(
        birth_year >= _FIRST_ISSUE_YEAR, birth_year, _FIRST_ISSUE_YEAR + rng.integers(0, 15, n)
    )
    # Most people's code also existed in their birth year; a few older people registered (or re-registered)
    # later in a county created after they were born.
    earliest = np.where(rng.random(n) < _LATE_CODE_SHARE, assigned, birth_year)
    region = weighted(rng, weight, n)

    def wrong(rows: IntArray) -> IntArray:
        code = region[rows]
        unfit = (regions.valid_from[code] > earliest[rows]) | (regions.valid_to[code] < assigned[rows])
        return rows[unfit]

    bad = wrong(np.arange(n))
    while len(bad):
        region[bad] = weighted(rng, weight, len(bad))
        bad = wrong(bad)
    return region


def _cn_residence(rng: np.random.Generator, regions: places.CnRegions, id_region: IntArray) -> IntArray:
    """Where people live now: a current district, in their ID's city for 60%, elsewhere by population."""
    n = len(id_region)
    current = np.flatnonzero(places.current_cn(regions, AS_OF.year))
    pop = regions.cities["population"].to_numpy()
    moved = rng.random(n) >= 0.6
    city = np.where(moved, weighted(rng, pop, n), regions.city[id_region])
    order = current[np.argsort(regions.city[current], kind="stable")]
    cum = np.cumsum(regions.weight[order])
    counts = np.bincount(regions.city[order], minlength=len(pop))
    ends = np.cumsum(counts)
    starts = ends - counts
    return order[choose_in_groups(rng.random(n), city, starts, ends, cum)]


def _chinese(
    rng: np.random.Generator, birth: IntArray, male: BoolArray, latin_share: float
) -> tuple[pl.DataFrame, IntArray, FloatArray, FloatArray]:
    n = len(birth)
    regions = places.cn_regions()
    year = civil_from_days(birth)[0]
    id_region = _cn_id_regions(rng, regions, year)
    code = regions.code[id_region]
    first_gen = (year < 1980) & (rng.random(n) < _FIRST_GENERATION_SHARE)
    modern = ids.cn_resident_ids(rng, code, birth, male)
    modern = (
        pl.DataFrame({"id": modern, "lower": rng.random(n) < _LOWER_X_SHARE})
        .select(pl.when(pl.col("lower")).then(pl.col("id").str.to_lowercase()).otherwise(pl.col("id")))
        .to_series()
    )
    national_id = ids.cn_first_generation_ids(rng, code, birth, male).zip_with(pl.Series(first_gen), modern)
    home = _cn_residence(rng, regions, id_region)
    city = regions.city[home]
    centre = regions.cities.select("lat", "lon").to_numpy()[city]
    lat, lon = places.jitter(rng, centre[:, 0], centre[:, 1], 4.0)
    person = names.chinese_names(rng, male, latin_share)
    frame = person.with_columns(
        national_id.alias("national_id"),
        contact.cn_mobiles(rng, n).alias("phone"),
        places.chinese_addresses(rng, regions, home).alias("address"),
        regions.cities["city"].gather(city).alias("city"),
        pl.lit("CN").alias("country"),
    )
    return frame, city, lat, lon


def _korean(
    rng: np.random.Generator, birth: IntArray, male: BoolArray, foreign: BoolArray, latin_share: float
) -> tuple[pl.DataFrame, IntArray, FloatArray, FloatArray]:
    n = len(birth)
    regions = places.kr_regions()
    frame = regions.frame
    district = weighted(rng, frame["weight"].to_numpy(), n)
    lo = frame["rrn_area_lo"].to_numpy()[district]
    hi = frame["rrn_area_hi"].to_numpy()[district]
    # The area code is where the number was issued: the home province for 60%, anywhere for the rest.
    area = np.where(
        rng.random(n) < 0.6, lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64), rng.integers(0, 96, n)
    )
    rrn = ids.kr_rrns(
        rng,
        birth,
        male,
        foreign,
        area,
        rng.random(n) < _KR_POST_2020_SHARE,
        rng.random(n) < _KR_HYPHEN_SHARE,
    )
    lat, lon = places.jitter(rng, frame["lat"].to_numpy()[district], frame["lon"].to_numpy()[district], 2.0)
    person = names.korean_names(rng, male, foreign, latin_share)
    out = person.with_columns(
        rrn.alias("national_id"),
        contact.kr_mobiles(rng, n).alias("phone"),
        places.korean_addresses(rng, regions, district).alias("address"),
        frame["city"].gather(district).alias("city"),
        pl.lit("KR").alias("country"),
    )
    cn_cities = places.cn_regions().cities.height
    return out, cn_cities + regions.city[district], lat, lon


def build_customers(config: SynthConfig) -> Population:
    """The customers of a platform: one row per customer, in a random mix of countries."""
    rng = stream(config.seed, STREAM)
    n = config.customers
    if config.locale == "cn":
        korean = np.zeros(n, dtype=bool)
    elif config.locale == "kr":
        korean = np.ones(n, dtype=bool)
    else:
        korean = rng.random(n) >= MIXED_CN_SHARE
    mixed = config.locale == "mixed"
    latin_share = _LATIN_SHARE if mixed else 0.0
    male = rng.random(n) < 0.505
    birth = _birth_days(rng, n)
    foreign = korean & (rng.random(n) < (_FOREIGN_SHARE if mixed else 0.0))
    cn_rows, kr_rows = np.flatnonzero(~korean), np.flatnonzero(korean)
    parts: list[pl.DataFrame] = []
    city = np.empty(n, dtype=np.int64)
    lat, lon = np.empty(n), np.empty(n)
    if len(cn_rows):
        frame, c, a, o = _chinese(stream(config.seed, STREAM, 1), birth[cn_rows], male[cn_rows], latin_share)
        parts.append(frame)
        city[cn_rows], lat[cn_rows], lon[cn_rows] = c, a, o
    if len(kr_rows):
        frame, c, a, o = _korean(
            stream(config.seed, STREAM, 2), birth[kr_rows], male[kr_rows], foreign[kr_rows], latin_share
        )
        parts.append(frame)
        city[kr_rows], lat[kr_rows], lon[kr_rows] = c, a, o
    by_country = pl.concat(parts).gather(np.argsort(np.concatenate([cn_rows, kr_rows]), kind="stable"))

    # Registration: 80% before the transaction year, the rest during it; never before the age of 16.
    first, start, end = day_number(_FIRST_REGISTRATION), day_number(TXN_START), day_number(AS_OF)
    early = rng.random(n) < 0.8
    reg_day = np.where(
        early,
        first + (rng.random(n) * (start - first)).astype(np.int64),
        start + (rng.random(n) * (end - start)).astype(np.int64),
    )
    adult = birth + 5844  # sixteenth birthday
    too_young = reg_day < adult
    reg_day = np.where(too_young, adult + (rng.random(n) * (end - adult)).astype(np.int64), reg_day)
    registered = reg_day * _DAY + rng.integers(7 * 3600, 24 * 3600, n)
    birth_year = civil_from_days(birth)[0]
    tac = contact.tacs(rng, korean)
    frame = pl.DataFrame(
        {
            "customer_id": "C" + digit_strings(to_digits(distinct_codes(rng, n, 10), 10)),
            "name": by_country["name"],
            "gender": pl.Series(np.where(male, "M", "F")),
            "birth_date": dates(birth),
            "national_id": by_country["national_id"],
            "phone": by_country["phone"],
            "email": contact.emails(
                rng, by_country["surname_ascii"], by_country["given_ascii"], birth_year, korean
            ),
            "address": by_country["address"],
            "city": by_country["city"],
            "country": by_country["country"],
            "registered_at": datetimes(registered),
            "device_imei": ids.imeis(rng, tac),
            "last_login_ip": contact.ip_addresses(rng, korean, 0.15),
            "home_lat": lat,
            "home_lon": lon,
        }
    )
    return Population(
        frame=frame,
        korean=korean,
        city=city,
        home_lat=lat,
        home_lon=lon,
        registered=registered,
        activity=rng.lognormal(0.0, 1.0, n),
    )
