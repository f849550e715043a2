"""Payment cards: scheme prefixes and lengths, Luhn, and python-stdnum's Luhn as the oracle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn as std_luhn

from ringfence.detect.checksums import luhn_check_digit
from ringfence.detect.entities import payment_card as m
from ringfence.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from tests.detect.helpers import assert_table, column, disagreements


def card(prefix: str, length: int) -> str:
    """A Luhn-valid number of ``length`` digits under ``prefix`` (filler digits 1-7 repeating)."""
    body = prefix + "".join(str(1 + i % 7) for i in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)


def spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


SAMPLES = {
    "UnionPay": [card("622202", 16), card("622848", 19), card("6212", 17)],
    "Visa": [card("4", 13), "4111111111111111", card("4000", 19)],
    "Mastercard": ["5555555555554444", card("2221", 16), card("2720", 16)],
    "Amex": ["378282246310005", card("34", 15)],
    "JCB": ["3530111333300000", card("3589", 19)],
    "Diners": ["30569309025904", card("36", 14), card("38", 16)],
    "Discover": ["6011111111111117", card("65", 16), card("644", 19)],
    "Maestro": [card("6759", 12), card("5018", 19)],
    "Mir": [card("2200", 16)],
}
VALID = [n for numbers in SAMPLES.values() for n in numbers]
VALID += [spaced(card("622202", 19)), "4111-1111-1111-1111", "４１１１ １１１１ １１１１ １１１１"]
INVALID = [
    "4111111111111112",  # Luhn
    card("4", 14),  # Visa has no 14-digit numbers
    card("5099", 16),  # 50xx is no scheme's (bar a few Maestro prefixes)
    card("2721", 16),  # just past the Mastercard 2-series
    card("34", 16),  # Amex is 15 digits
    card("9", 16),
    card("62", 20),
    "4111 1111 1111 111X",
    "41111111111",
]


def test_valid_and_invalid_numbers() -> None:
    assert_table(m, VALID, INVALID)


def test_brands() -> None:
    for scheme, numbers in SAMPLES.items():
        assert [m.brand(n) for n in numbers] == [scheme] * len(numbers)
        assert column(m, numbers, "brand_expr") == [scheme] * len(numbers)
    assert column(m, ["4111111111111112", None], "brand_expr") == [None, None]


def test_errors_say_what_failed() -> None:
    for value, error in [
        ("4111 1111 1111 111X", InvalidFormat),
        ("41111111111", InvalidLength),
        (card("9", 16), InvalidComponent),
        ("4111111111111112", InvalidChecksum),
    ]:
        with pytest.raises(error):
            m.validate(value)


numbers = st.text(alphabet="0123456789", min_size=11, max_size=18).map(lambda p: p + luhn_check_digit(p))
prefixed = st.builds(
    lambda prefix, length: card(prefix, length),
    st.sampled_from(
        ["4", "51", "55", "2221", "2720", "34", "37", "3528", "3589", "36", "38", "300", "62", "6011", "65"]
    ),
    st.integers(12, 19),
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(numbers, prefixed, st.text(alphabet="0123456789", min_size=12, max_size=19)), max_size=60
    )
)
def test_a_card_is_a_luhn_number_whose_prefix_and_length_fit_a_scheme(values: list[str]) -> None:
    assert disagreements(m, values) == []
    for value in values:
        assert m.is_valid(value) == (std_luhn.is_valid(value) and m._any_scheme(value) is not None)
