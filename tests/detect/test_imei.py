"""IMEIs: python-stdnum's rules (14/15/16 digits, Luhn on 15) plus NFKC, and graded scores."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import imei as std_imei

from ringfence.detect.checksums import luhn_check_digit
from ringfence.detect.entities import imei as m
from tests.detect.helpers import assert_table, column, disagreements

TAC = "35209900"  # a GSMA type allocation code under reporting body 35
IMEI = TAC + "176148" + luhn_check_digit(TAC + "176148")
VALID = [
    IMEI,
    "35-209900-176148-1",
    "35 209900 176148 1",
    "35209900/176148/1",
    TAC + "176148",
    IMEI[:14] + "23",
]
INVALID = [IMEI[:14] + str((int(IMEI[14]) + 1) % 10), "3520990017614", "35209900176148123", "3520990017614X"]


def test_valid_and_invalid_imeis() -> None:
    assert_table(m, VALID, INVALID)
    assert (m.imei_type(IMEI), m.imei_type(IMEI[:14] + "23"), m.tac(IMEI)) == ("IMEI", "IMEISV", TAC)


def test_scores_grade_the_evidence() -> None:
    unallocated = "77" + IMEI[2:14]
    unallocated += luhn_check_digit(unallocated)
    values = [IMEI, unallocated, TAC + "176148", "77" + "0" * 12, INVALID[0], None]
    assert column(m, values, "score_expr") == [1.0, 0.8, 0.6, 0.3, 0.0, None]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=13, max_size=17), min_size=1, max_size=60))
def test_agrees_with_stdnum(values: list[str]) -> None:
    assert disagreements(m, values) == []
    assert [m.is_valid(v) for v in values] == [std_imei.is_valid(v) for v in values]
