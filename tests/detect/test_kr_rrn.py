"""Korean resident registration numbers: tables, the stdnum oracle, the post-2020 rule, parsers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.kr import rrn as std_rrn

from ringfence.detect.checksums import rrn_check_digit
from ringfence.detect.entities import kr_rrn as m
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength
from tests.detect.helpers import assert_table, column, disagreements, literal


def make(front: str, g: str, rest: str) -> str:
    """A pre-2020 number: birth date, G, area code and serial, and its check digit."""
    payload = front + g + rest
    return payload + rrn_check_digit(payload)


def wrong_check(number: str) -> str:
    return number[:12] + str((int(number[12]) + 1) % 10)


MAN_1985 = make("850315", "1", "12345")
WOMAN_2003 = make("030101", "4", "01234")
FOREIGNER_1990 = make("900710", "5", "33456")
LEAP_2000 = make("000229", "3", "20118")
NEW_STYLE_2021 = "210305-4" + "839201"  # issued after the 2020 reform: six random digits
VALID = [
    MAN_1985,
    MAN_1985[:6] + "-" + MAN_1985[6:],
    "９００１０１－１２３４５６８",
    "900101 1234568",
    WOMAN_2003,
    FOREIGNER_1990,
    LEAP_2000,
    NEW_STYLE_2021,
    wrong_check(MAN_1985),  # valid, without a check digit (lower score)
]
INVALID = [
    make("850315", "9", "12345"),  # G = 9: born 1800-1899
    make("850315", "0", "12345"),
    make("851315", "1", "12345"),  # month 13
    make("010229", "3", "12345"),  # 2001 had no 29 February
    make("991231", "3", "12345"),  # 2099: in the future
    "850315-123456",  # 12 digits
    "850315-12345678",
    "85O315-1234567",
    "8503151234567X",
]


def test_valid_and_invalid_numbers() -> None:
    assert_table(m, VALID, INVALID)


def test_errors_say_what_failed() -> None:
    for value, error in [
        ("850315-123456", InvalidLength),
        ("85O315-1234567", InvalidFormat),
        (make("850315", "9", "12345"), InvalidComponent),
        (make("851315", "1", "12345"), InvalidComponent),
    ]:
        with pytest.raises(error):
            m.validate(value)


def test_parsers() -> None:
    assert (m.birth_date(MAN_1985), m.gender(MAN_1985)) == (dt.date(1985, 3, 15), "M")
    assert (m.birth_date(WOMAN_2003), m.gender(WOMAN_2003)) == (dt.date(2003, 1, 1), "F")
    assert m.is_foreigner(FOREIGNER_1990) and not m.is_foreigner(MAN_1985)
    assert m.has_check_digit(MAN_1985) and not m.has_check_digit(wrong_check(MAN_1985))
    assert not m.has_check_digit(make("850315", "1", "97345"))  # area codes stop at 96


def test_scores_grade_the_check_digit_and_the_reform() -> None:
    values = [MAN_1985, NEW_STYLE_2021, wrong_check(MAN_1985), INVALID[0], None]
    assert column(m, values, "score_expr") == [1.0, 0.9, 0.3, 0.0, None]
    assert column(m, values, "checksum_expr") == [True, False, False, False, None]


def test_column_parsers_agree_with_scalar_ones() -> None:
    values = [*VALID, *INVALID]
    births = column(m, values, "birth_date_expr")
    genders = column(m, values, "gender_expr")
    for value, born, sex in zip(values, births, genders, strict=True):
        expected = (m.birth_date(value), m.gender(value)) if m.is_valid(value) else (None, None)
        assert (born, sex) == expected
    assert literal(m, values, "gender_expr") == genders
    assert column(m, values, "compact_expr") == [m.compact(v) for v in values]


def test_documented_divergences_from_stdnum() -> None:
    # A post-2020 number has no check digit: stdnum rejects it, we accept it.
    assert not std_rrn.is_valid(NEW_STYLE_2021) and m.is_valid(NEW_STYLE_2021)
    # Born 1800-1899 (G = 9 or 0) and birth dates in the future: stdnum accepts, we reject.
    for number in (make("850315", "9", "12345"), make("991231", "3", "12345")):
        assert std_rrn.is_valid(number) and not m.is_valid(number)


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today())


def _number(born: dt.date, male: bool, foreign: bool, area: int, serial: int, corrupt: bool) -> str:
    g = (1 if born.year < 2000 else 3) + (0 if male else 1) + (4 if foreign else 0)
    number = make(born.strftime("%y%m%d"), str(g), f"{area:02d}{serial:03d}")
    return wrong_check(number) if corrupt else number


built = st.builds(
    _number, births, st.booleans(), st.booleans(), st.integers(0, 99), st.integers(0, 999), st.booleans()
)
random_numbers = st.text(alphabet="0123456789", min_size=13, max_size=13)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(built, random_numbers), min_size=1, max_size=60))
def test_agrees_with_stdnum_where_a_check_digit_exists(numbers: list[str]) -> None:
    assert disagreements(m, numbers) == []
    checks = column(m, numbers, "checksum_expr")
    for number, has_check in zip(numbers, checks, strict=True):
        theirs = std_rrn.is_valid(number)
        if m.is_valid(number):
            # With a matching check digit and area code, stdnum agrees; without one it must reject.
            assert theirs == has_check or (not has_check and int(number[7:9]) > 96)
        elif theirs:
            # stdnum accepts what we reject only for 1800s births and future dates.
            born = std_rrn.get_birth_date(number)
            assert number[6] in "90" or born > dt.date.today()
