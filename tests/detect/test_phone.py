"""Phone numbers: phonenumbers decides single values; the column regex must agree on CN/KR numbers."""

from __future__ import annotations

import re

import phonenumbers
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneMetadata

from ringfence.detect.entities import phone as m
from ringfence.errors import InvalidComponent, InvalidFormat
from tests.detect.helpers import assert_table, column, disagreements, literal

VALID = [
    "13812345678",
    "138 1234 5678",
    "138-1234-5678",
    "+86 138 1234 5678",
    "+86-138-1234-5678",
    "0086 13812345678",
    "8613812345678",
    "(+86) 138.1234.5678",
    "１３８１２３４５６７８",  # full-width digits: NFKC makes them ASCII
    "１３８－１２３４－５６７８",
    "010-12345678",  # Beijing
    "(010) 1234 5678",
    "+86 10 1234 5678",
    "+86 010 12345678",
    "0755-2345 6789",  # Shenzhen
    "010-1234-5678",  # Korean mobile
    "+82 10-1234-5678",
    "+82 010 1234 5678",
    "0082 10 1234 5678",
    "821012345678",
    "02-123-4567",  # Seoul
    "031-1234-5678",
    "+1 650 253 0000",
    "001 650 253 0000",
    "+44 20 7946 0958",
    "13812345678 ext 12",  # an extension is not part of the number, which stays personal data
    "206.269.0743x9150",
    "+44 (0)20 7946 0958",
    "090-1234-5678",  # Japan: a mobile ...
    "03-1234-5678",  # ... and Tokyo
    "(650) 253-0000",  # the US, written in its 3-3-4 groups
    "(0161) 496 0000",  # the UK, Germany and France written at home
    "030 1234567",
    "01 23 45 67 89",
]
INVALID = [
    "1381234567",  # 10 digits
    "138123456789",
    "+861381234567",
    "12345",
    "138-1234-567x",
    "6502530000",  # another country's national number counts only in groups
    "+1 099 555 0123",  # outside the US plan
    "+44 20 7946 095",  # a digit short of a London number
    "1-800-FLOWERS",
    "++8613812345678",
    "+0 123 456 7890",
    "",
]


def test_valid_and_invalid_numbers() -> None:
    assert_table(m, VALID, INVALID)


def test_errors_say_what_failed() -> None:
    with pytest.raises(InvalidFormat):
        m.validate("138-1234-567x")
    with pytest.raises(InvalidComponent):
        m.validate("1381234567")


def test_regions_and_e164() -> None:
    values = [
        "13812345678",
        "010-12345678",
        "010-1234-5678",
        "+82 10 1234 5678",
        "02-123-4567",
        "+44 20 7946 0958",
    ]
    expected = ["CN", "CN", "KR", "KR", "KR", "GB"]
    assert [m.region(v) for v in values] == expected
    assert column(m, values, "region_expr") == expected
    assert literal(m, [*values, "12345", None], "region_expr") == [*expected, None, None]
    assert m.e164("138-1234-5678") == "+8613812345678"


def test_scores() -> None:
    assert column(m, ["13812345678", "+44 20 7946 0958", "12345", None], "score_expr") == [
        1.0,
        0.8,
        0.0,
        None,
    ]


def test_every_number_type_pattern_only_matches_its_possible_lengths() -> None:
    """The column regex drops phonenumbers' length tables; that is exact only if this holds."""
    for region in m.REGIONS:
        meta = PhoneMetadata.metadata_for_region(region)
        for name in m._TYPES:
            desc = getattr(meta, name)
            if desc is None or not desc.national_number_pattern or tuple(desc.possible_length) == (-1,):
                continue
            lengths = set(desc.possible_length or meta.general_desc.possible_length)
            assert _lengths(re.compile(desc.national_number_pattern)) <= lengths, (region, name)


def _lengths(pattern: re.Pattern[str]) -> set[int]:
    """Every length of string the (finite, anchor-free) pattern can match."""
    from re import _parser as parser  # type: ignore[attr-defined]

    def walk(items) -> set[int]:  # type: ignore[no-untyped-def]
        acc = {0}
        for op, av in items:
            name = str(op)
            if name in ("LITERAL", "NOT_LITERAL", "IN", "ANY"):
                step = {1}
            elif name == "SUBPATTERN":
                step = walk(av[3])
            elif name == "BRANCH":
                step = set().union(*(walk(b) for b in av[1]))
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                low, high, sub = av
                inner, step, cur = walk(sub), set(), {0}
                for k in range(high + 1):
                    if k >= low:
                        step |= cur
                    cur = {a + b for a in cur for b in inner}
            else:
                raise AssertionError(f"unexpected regex node {name}")
            acc = {a + b for a in acc for b in step}
        return acc

    return walk(parser.parse(pattern.pattern))


# ------------------------------------------------------- the column version against phonenumbers

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def _groups(number: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(number[i : i + size])
        i += size
    out.append(number[i:])
    return sep.join(p for p in out if p)


cn_mobile = st.builds(
    lambda a, b: "1" + a + b, st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9)
)
cn_landline = st.builds(
    lambda area, rest: area + rest,
    st.sampled_from(
        [
            "10",
            "20",
            "21",
            "22",
            "23",
            "24",
            "25",
            "27",
            "28",
            "29",
            "311",
            "371",
            "431",
            "571",
            "755",
            "769",
            "898",
        ]
    ),
    st.text("0123456789", min_size=7, max_size=8),
)
kr_mobile = st.builds(
    lambda p, rest: "1" + p + rest, st.sampled_from("016789"), st.text("0123456789", min_size=7, max_size=8)
)
kr_landline = st.builds(
    lambda area, rest: area + rest,
    st.sampled_from(
        ["2", "31", "32", "33", "41", "42", "43", "44", "51", "52", "53", "54", "55", "61", "62", "63", "64"]
    ),
    st.text("0123456789", min_size=7, max_size=8),
)


def _written(national: str, cc: str, style: int) -> str:
    """One of the ways people write a national number: trunk 0, country code forms, groupings."""
    grouped = _groups(national, (3, 4) if len(national) == 11 else (2, 4), [" ", "-", ""][style % 3])
    return [
        "0" + grouped if not national.startswith("1") or cc == "82" else grouped,
        "+" + cc + " " + grouped,
        "00" + cc + national,
        cc + national,
        "+" + cc + " 0" + national,
        "(0" + national[:2] + ") " + national[2:],
    ][style % 6]


shaped = st.one_of(
    st.builds(_written, st.one_of(cn_mobile, cn_landline), st.just("86"), st.integers(0, 17)),
    st.builds(_written, st.one_of(kr_mobile, kr_landline), st.just("82"), st.integers(0, 17)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(shaped, min_size=1, max_size=60))
def test_column_regex_agrees_with_phonenumbers_on_cn_and_kr_numbers(values: list[str]) -> None:
    assert disagreements(m, values) == []


international = st.builds(
    lambda cc, rest, plus: ("+" if plus else "00") + cc + " " + rest,
    st.sampled_from(["1", "44", "49", "33", "81", "852", "853", "886", "65", "61", "7", "91", "84", "66"]),
    st.text("0123456789", min_size=6, max_size=11),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(international, min_size=1, max_size=40))
def test_other_countries_follow_their_numbering_plan(values: list[str]) -> None:
    """Every number phonenumbers accepts passes the column check, and the column check passes only
    numbers of a length the country's plan allows (its patterns stand in for its length tables)."""
    in_column = column(m, values)
    for value, ours in zip(values, in_column, strict=True):
        if m.is_valid(value):
            assert ours
        if ours:
            assert phonenumbers.is_possible_number(
                phonenumbers.parse("+" + value.lstrip("+").removeprefix("00"))
            )


def test_documented_divergences() -> None:
    # A Chinese carrier-selection prefix: phonenumbers strips it, neither of our versions does.
    assert phonenumbers.is_valid_number(phonenumbers.parse("17951 13812345678", "CN"))
    assert not m.is_valid("17951 13812345678") and column(m, ["17951 13812345678"]) == [False]
    # An E.164-shaped number outside the US plan (no area code 099) is refused by both.
    assert not m.is_valid("+1 099 555 0123") and column(m, ["+1 099 555 0123"]) == [False]
    # Other countries' international numbers score lower than home (CN, KR, JP) numbers, and their
    # national numbers lower still (weak alone: a header must agree, or most of the column).
    assert column(m, ["+1 650 253 0000", "090-1234-5678", "(650) 253-0000"], "score_expr") == [0.8, 1.0, 0.6]


def test_european_numbers_are_not_korean() -> None:
    values = ["(0161) 496 0000", "01 23 45 67 89", "0044 20 7946 0958", "+49 30 1234567", "02-123-4567"]
    expected = ["GB", "FR", "GB", "DE", "KR"]
    assert [m.region(v) for v in values] == expected
    assert column(m, values, "region_expr") == expected


def test_phonenumbers_reads_cn_before_kr() -> None:
    assert phonenumbers.is_valid_number(phonenumbers.parse("01012345678", "CN"))
    assert m.region("01012345678") == "CN" and m.region("010-1234-5678") == "KR"


def test_digits_that_only_phonenumbers_would_dial_are_not_phone_numbers() -> None:
    """phonenumbers accepts these (it reads any dialable digits); written so, they are something else."""
    look_alikes = [
        "2025072112",  # a date and a serial: Guangzhou 020-25072112 only with its trunk 0
        "1012345678",  # not Beijing 010-12345678 without the 0 ...
        "862025072112",  # ... nor 86 and a landline without + or 00
        "121.473712",  # a longitude: one dot is a decimal point
        "31.2304",
    ]
    assert phonenumbers.is_valid_number(phonenumbers.parse("2025072112", "CN"))
    assert [m.is_valid(v) for v in look_alikes] == [False, True, False, False, False]
    assert column(m, look_alikes) == [False, True, False, False, False]
    assert m.region("1012345678") == "KR"  # a Korean mobile whose 0 was lost in a numeric column


def test_service_numbers_and_dotted_groupings_are_phone_numbers() -> None:
    values = ["400-810-8888", "800 810 8888", "1588-1234", "138.1234.5678", "02.123.4567"]
    assert [m.is_valid(v) for v in values] == [True] * 5
    assert column(m, values) == [True] * 5


def test_unix_times_in_seconds_are_not_phone_numbers() -> None:
    epoch_seconds = ["1600000000", "1700000000", "1732156800", "1767225600", "1893456000"]
    assert column(m, epoch_seconds) == [False] * 5
    assert not any(m.is_valid(v) for v in epoch_seconds)


def test_zero_padded_numbers_are_not_calls_abroad_and_trunkless_mobiles_are_weak() -> None:
    padded = ["0012345678", "00123456789", "0098765432"]
    assert [m.is_valid(v) for v in padded] == [False] * 3 and column(m, padded) == [False] * 3
    grouped = ["001 650 253 0000", "+16502530000", "0086 138 1234 5678"]
    assert [m.is_valid(v) for v in grouped] == [True] * 3 and column(m, grouped) == [True] * 3
    # Ten digits starting 10 are valid (a Korean mobile that lost its 0) but weak evidence alone.
    assert column(m, ["1012345678", "13812345678"], "score_expr") == [0.3, 1.0]


def test_an_order_number_column_starting_10_is_not_typed_phone() -> None:
    from ringfence.detect.classify import classify_frame

    orders = pl.DataFrame({"order_no": [str(1_000_000_000 + 7919 * i) for i in range(2_000)]})
    numbers = pl.DataFrame({"ref": orders["order_no"]})
    phones = pl.DataFrame({"휴대폰": orders["order_no"]})  # a header saying mobile: the 0 was lost
    assert [f.entity for f in classify_frame(orders)] == [None]
    assert [f.entity for f in classify_frame(numbers)] == [None]
    assert [f.entity for f in classify_frame(phones)] == ["PHONE_NUMBER"]


def test_e164_expr_agrees_with_phonenumbers_in_the_numbers_country() -> None:
    """The column version's E.164 is phonenumbers' format of the number read in region_expr's country,
    for synthetic customers' numbers and for every written form the module accepts."""
    from ringfence.synth import SynthConfig, generate_platform

    written = [
        "+86 138-1234-5678",
        "0086 13812345678",
        "8613812345678",
        "010-1234-5678",
        "+82 10 1234 5678",
        "+82 010-1234-5678",
        "02-123-4567",
        "010-12345678",
        "4001234567",
        "1012345678",
        "+44 20 7946 0958",
        "090-1234-5678",
        "+81 90-1234-5678",
        "03-1234-5678",
    ]
    values = [*generate_platform(SynthConfig(customers=2000, transactions=10, seed=5)).customers["phone"]]
    values += written
    regions = column(m, values, "region_expr")
    for value, got, region in zip(values, column(m, values, "e164_expr"), regions, strict=True):
        number = m.compact(value)
        parsed = phonenumbers.parse(number, "CN" if number.startswith(("+", "00")) else region)
        assert got == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), value
    assert literal(m, ["12345", "ext 12", None], "e164_expr") == [None, None, None]
