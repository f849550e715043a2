"""Chinese resident identity numbers: tables, the stdnum oracle, documented divergences, parsers."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as std_ric
from stdnum.exceptions import ValidationError as StdnumError

from ringfence.detect.checksums import mod11_2_check_char
from ringfence.detect.entities import cn_resident_id as m
from ringfence.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from tests.detect.helpers import assert_table, column, disagreements, literal


def make(region: str, born: str, seq: str) -> str:
    """An 18-character number with its correct check character."""
    payload = region + born + seq
    return payload + mod11_2_check_char(payload)


def wrong_check(number: str) -> str:
    right = number[17]
    return number[:17] + ("0" if right != "0" else "1")


SHENZHEN = make("440305", "19900517", "123")  # Nanshan district, male
PUDONG = make("310115", "20000229", "046")  # leap day, female
TONGZHOU_1980 = make("110112", "19800101", "001")  # code created 1997, person born 1980
HONG_KONG = make("810000", "19850704", "011")  # Hong Kong resident's permit, born before 1997
TAIWAN = make("830000", "19920101", "021")  # Taiwan resident's permit (2018)
CHONGWEN = make("110103", "19750302", "157")  # code retired in 2010
UNKNOWN_COUNTY = make("119999", "19800101", "001")  # province 11 known, county not

VALID = [
    "11010519491231002X",
    "11010519491231002x",
    "110105 19491231 002X",
    "110105-19491231-002X",
    "１１０１０５１９４９１２３１００２Ｘ",
    "\u200b11010519491231002X",
    SHENZHEN,
    PUDONG,
    TONGZHOU_1980,
    HONG_KONG,
    TAIWAN,
    CHONGWEN,
    "110105491231002",  # first generation, 1949
    "440305 900517 123",
]
INVALID = [
    wrong_check("11010519491231002X"),
    wrong_check(SHENZHEN),
    UNKNOWN_COUNTY,
    make("990000", "19800101", "001"),  # no province 99
    make("110105", "19490230", "002"),  # 30 February
    make("110105", "18991231", "002"),  # before 1900
    make("110105", "20991231", "002"),  # in the future
    "11010519491231002",  # 17 characters
    "110105194912310021X",
    "1101051949123100X2",
    "11010519491231002Y",
    "110105491331002",  # first generation, month 13
    "990105491231002",
    "11010519491231002X11010519491231002X",
]


def test_valid_and_invalid_numbers() -> None:
    assert_table(m, VALID, INVALID)


def test_errors_say_what_failed() -> None:
    for value, error in [
        ("1101051949", InvalidLength),
        ("1101051949123100Y2", InvalidFormat),
        (UNKNOWN_COUNTY, InvalidComponent),
        (make("110105", "19490230", "002"), InvalidComponent),
        (wrong_check(SHENZHEN), InvalidChecksum),
    ]:
        with pytest.raises(error):
            m.validate(value)


def test_parsers() -> None:
    assert m.compact("110105 19491231 002x") == "11010519491231002X"
    assert m.birth_date(PUDONG) == dt.date(2000, 2, 29)
    assert (m.gender(SHENZHEN), m.gender(PUDONG), m.gender("110105491231002")) == ("M", "F", "F")
    assert (m.region(SHENZHEN), m.province(SHENZHEN), m.province(HONG_KONG)) == (
        "440305",
        "广东省",
        "香港特别行政区",
    )


def test_column_parsers_agree_with_scalar_ones() -> None:
    values = [*VALID, *INVALID]
    births = column(m, values, "birth_date_expr")
    genders = column(m, values, "gender_expr")
    regions = column(m, values, "region_expr")
    for value, born, sex, region in zip(values, births, genders, regions, strict=True):
        if m.is_valid(value):
            assert (born, sex, region) == (m.birth_date(value), m.gender(value), m.region(value))
        else:
            assert (born, sex, region) == (None, None, None)
    assert literal(m, values, "birth_date_expr") == births
    assert column(m, values, "compact_expr") == [m.compact(v) for v in values]


def test_scores() -> None:
    assert column(m, [SHENZHEN, "110105491231002", wrong_check(SHENZHEN), None], "score_expr") == [
        1.0,
        0.9,
        0.0,
        None,
    ]


# ----------------------------------------------------------------- python-stdnum as the test oracle


def stdnum_verdict(number: str) -> bool | str:
    try:
        return std_ric.is_valid(number)
    except KeyError:
        return "KeyError"


def test_documented_divergences_from_stdnum() -> None:
    # Real numbers stdnum rejects because it dates region codes against the birth year.
    for number in (TONGZHOU_1980, HONG_KONG):
        assert m.is_valid(number) and stdnum_verdict(number) is False
    # Codes stdnum does not know, and first-generation numbers.
    assert m.is_valid(TAIWAN) and stdnum_verdict(TAIWAN) is False
    assert m.is_valid("110105491231002") and stdnum_verdict("110105491231002") is False
    # stdnum raises KeyError on an unknown county of a known province; we reject without raising.
    assert stdnum_verdict(UNKNOWN_COUNTY) == "KeyError" and not m.is_valid(UNKNOWN_COUNTY)
    # stdnum accepts birth dates before 1900 and in the future.
    for number in (make("110105", "18991231", "002"), make("110105", "20991231", "002")):
        assert stdnum_verdict(number) is True and not m.is_valid(number)
    # Full-width digits: stdnum rejects them, we read them after NFKC.
    assert stdnum_verdict("１１０１０５１９４９１２３１００２Ｘ") is False and m.is_valid(
        "１１０１０５１９４９１２３１００２Ｘ"
    )


REGIONS = sorted(str(code) for code in m.REGION_CODES)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today())
built = st.builds(
    lambda region, born, seq, corrupt: (lambda n: wrong_check(n) if corrupt else n)(
        make(region, born.strftime("%Y%m%d"), f"{seq:03d}")
    ),
    st.sampled_from(REGIONS),
    births,
    st.integers(0, 999),
    st.booleans(),
)
random_ids = st.text(alphabet="0123456789", min_size=17, max_size=17).flatmap(
    lambda p: st.sampled_from([p + "X", p + "x", p + p[0], p[:15]])
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(built, random_ids), min_size=1, max_size=60))
def test_agrees_with_stdnum_except_where_documented(numbers: list[str]) -> None:
    assert disagreements(m, numbers) == []
    for number in numbers:
        ours, theirs = m.is_valid(number), stdnum_verdict(number)
        if ours == theirs:
            continue
        if ours:  # stdnum dates the region code, or does not know the code or 15-digit numbers
            assert len(number) == 15 or theirs == "KeyError" or _fails_only_on_place(number)
        else:  # stdnum accepts any calendar date, we only birth dates from 1900 to today
            assert theirs == "KeyError" or m._dates.birth_date_ok(*m._birth_ymd(m.compact(number))) is None


def _fails_only_on_place(number: str) -> bool:
    std_ric.get_birth_date(number)  # the date is fine (raises otherwise)
    assert std_ric.calc_check_digit(number) == number[17].upper()
    try:
        std_ric.get_birth_place(number)
    except StdnumError:
        return int(number[:6]) in m.REGION_CODES
    return False


def test_region_table_covers_stdnum_and_the_permit_codes() -> None:
    assert len(m.REGION_CODES) > 6800
    assert {110105, 110103, 110112, 440305, 810000, 820000, 830000} <= m.REGION_CODES
    assert {code // 10_000 for code in m.REGION_CODES} == {int(p) for p in m.PROVINCES}


def test_valid_numbers_in_a_polars_column_keep_their_name() -> None:
    frame = pl.DataFrame({"身份证号": VALID})
    assert frame.select(m.valid_expr(pl.col("身份证号"))).columns == ["身份证号"]
