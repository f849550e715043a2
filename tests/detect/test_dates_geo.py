"""Dates of birth (formats, range, timestamps) and coordinate pairs (formats, ranges, hemispheres)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.detect.entities import date_of_birth, geo
from tests.detect.helpers import assert_table, column, disagreements

DOB_VALID = [
    "1990-01-31",
    "1990/1/31",
    "1990.01.31",
    "1990. 1. 31.",
    "1990年1月31日",
    "1990년 1월 31일",
    "19900131",
    "31/01/1990",
    "01/31/1990",
    "2000-02-29",
    "1900-01-01",
    "1990-01-31 00:00:00",
    "1990-01-31T00:00:00.000+08:00",
    "１９９０－０１－３１",
]
DOB_INVALID = [
    "1990-02-30",
    "1899-12-31",
    "2999-01-01",
    "1990-13-01",
    "13/13/1990",
    "1990-01-31 14:05:00",
    "199001310",
    "90-01-31",
    "January 31, 1990",
    "1990-01",
]


def test_dates_of_birth() -> None:
    assert_table(date_of_birth, DOB_VALID, DOB_INVALID)
    assert date_of_birth.birth_date("01/31/1990") == dt.date(1990, 1, 31)
    assert date_of_birth.birth_date("02/03/1990") == dt.date(1990, 3, 2)  # day first when both read
    births = column(date_of_birth, [*DOB_VALID, *DOB_INVALID], "birth_date_expr")
    expected = [
        date_of_birth.birth_date(v) if date_of_birth.is_valid(v) else None for v in [*DOB_VALID, *DOB_INVALID]
    ]
    assert births == expected
    scores = column(date_of_birth, ["1990-01-31", "19900131", "31/01/1990", "1990-02-30"], "score_expr")
    assert scores == [1.0, 0.7, 0.9, 0.0]


def test_timestamps_are_told_apart() -> None:
    values = ["1990-01-31 14:05", "2024-03-01T09:30:00Z", "1990-01-31 00:00:00", "1990-01-31", "note at 9:30"]
    expected = [True, True, False, False, True]
    assert [date_of_birth.looks_like_timestamp(v) for v in values] == expected
    assert column(date_of_birth, values, "timestamp_expr") == expected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda d, form: [
                d.isoformat(),
                d.strftime("%Y%m%d"),
                d.strftime("%d/%m/%Y"),
                d.strftime("%m/%d/%Y"),
                f"{d.year}年{d.month}月{d.day}日",
                d.isoformat() + " 00:00:00",
                f"{d.year}-{d.month}-{d.day + 1 if d.day < 28 else 31}",
            ][form],
            st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2100, 12, 31)),
            st.integers(0, 6),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_date_scalar_and_column_agree(values: list[str]) -> None:
    assert disagreements(date_of_birth, values) == []


GEO_VALID = [
    "31.2304,121.4737",
    "31.2304, 121.4737",
    "(31.2304 121.4737)",
    "N31.2304 E121.4737",
    "31.2304°N 121.4737°E",
    "E121.4737 N31.2304",
    "S33.8688, E151.2093",
    "-33.8688,151.2093",
    "37.5665;126.9780",
    "90.00,-180.00",
]
GEO_INVALID = [
    "121.4737,31.2304",  # latitude beyond 90
    "31,121",
    "31.2,121.4",  # fewer than two decimals
    "N-31.23 E121.47",
    "31.23N, 121.47",
    "N31.23 N121.47",
    "90.01,1.00",
    "31.2304",
    "31.2304,121.4737,5.0",
]


def test_coordinate_pairs() -> None:
    assert_table(geo, GEO_VALID, GEO_INVALID)
    assert (geo.latitude("E121.4737 N31.2304"), geo.longitude("S33.8688, W70.10")) == (31.2304, -70.1)
    lats = column(geo, GEO_VALID, "latitude_expr")
    assert lats == [geo.latitude(v) for v in GEO_VALID]
    assert column(geo, ["31.2304,121.4737", "31.23,121.47", "x"], "score_expr") == [1.0, 0.8, 0.0]


def test_single_latitude_and_longitude_columns() -> None:
    frame = pl.DataFrame({"lat": [31.2304, 95.5, 45.0, None], "text": ["121.47", "181.2", "x", None]})
    out = frame.select(geo.range_expr(pl.col("lat"), "lat"), geo.range_expr(pl.col("text"), "lon"))
    assert out.rows() == [(True, True), (False, False), (False, False), (None, None)]
    assert [geo.in_range(v, "lat") for v in (31.2304, 95.5, 45.0, "31.5", True, None)] == [
        True,
        False,
        False,
        True,
        False,
        False,
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda lat, lon, form: [
                f"{lat},{lon}",
                f"{lat}, {lon}",
                f"{'N' if lat >= 0 else 'S'}{abs(lat)} {'E' if lon >= 0 else 'W'}{abs(lon)}",
                f"{abs(lon)}°{'E' if lon >= 0 else 'W'} {abs(lat)}°{'N' if lat >= 0 else 'S'}",
                f"{lon},{lat}",
            ][form],
            st.floats(-95, 95).map(lambda x: round(x, 4)),
            st.floats(-185, 185).map(lambda x: round(x, 3)),
            st.integers(0, 4),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_coordinate_scalar_and_column_agree(values: list[str]) -> None:
    assert disagreements(geo, values) == []
