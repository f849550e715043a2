"""IBANs: the SWIFT registry's per-country structure and MOD 97-10, with python-stdnum as the oracle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as std_iban

from ringfence.detect.checksums import mod97_10_check_digits
from ringfence.detect.entities import iban as m
from ringfence.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from tests.detect.helpers import assert_table, disagreements

VALID = [
    "GB82 WEST 1234 5698 7654 32",
    "gb82west12345698765432",
    "DE89 3704 0044 0532 0130 00",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91ABNA0417164300",
    "CH93 0076 2011 6238 5295 7",
    "BE68-5390-0754-7034",
    "MT84MALT011000012345MTLCAST001S",
    "ＧＢ８２ＷＥＳＴ１２３４５６９８７６５４３２",
]
INVALID = [
    "GB82WEST12345698765433",  # check digits
    "GB82WEST1234569876543",  # length for GB
    "GB82W3ST12345698765432",  # GB's bank code is four letters
    "XX82WEST12345698765432",  # no such country
    "US64SVBKUS6S3300958879",  # the US has no IBAN
    "GB00WEST12345698765432",
    "",
]


def test_valid_and_invalid_ibans() -> None:
    assert_table(m, VALID, INVALID)


def test_errors_say_what_failed() -> None:
    for value, error in [
        ("XX82WEST12345698765432", InvalidComponent),
        ("GB82WEST1234569876543", InvalidLength),
        ("GB82W3ST12345698765432", InvalidFormat),
        ("GB82WEST12345698765433", InvalidChecksum),
    ]:
        with pytest.raises(error):
            m.validate(value)
    assert m.country("de89370400440532013000") == "DE"


def test_the_table_is_the_registry() -> None:
    assert len(m.LENGTHS) == 89
    assert (m.LENGTHS["DE"], m.LENGTHS["GB"], m.LENGTHS["MT"], m.LENGTHS["NO"]) == (22, 22, 31, 15)


def _bban(structure: str, draw_chars: list[str]) -> str:
    return "".join(draw_chars)


@st.composite
def ibans(draw: st.DrawFn) -> str:
    cc = draw(st.sampled_from(sorted(m.BBAN)))
    regex, length = m.BBAN[cc]
    if draw(st.booleans()):  # a BBAN of the right structure
        bban = draw(st.from_regex(f"^{regex}$", fullmatch=True).filter(str.isascii))
    else:
        bban = draw(
            st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=length - 2, max_size=length + 1)
        )
    check = mod97_10_check_digits(cc, bban) if draw(st.booleans()) else f"{draw(st.integers(0, 99)):02d}"
    return cc + check + bban


@settings(max_examples=25, deadline=None)
@given(st.lists(ibans(), min_size=1, max_size=40))
def test_agrees_with_stdnum_without_national_checks(values: list[str]) -> None:
    assert disagreements(m, values) == []
    for value in values:
        theirs = std_iban.is_valid(value, check_country=False)
        if m.is_valid(value) != theirs:  # the only divergence: check digits 00, 01, 99
            assert theirs and value[2:4] in ("00", "01", "99")


def test_documented_divergences_from_stdnum() -> None:
    # ISO 13616 never assigns check digits 00/01/99, though they pass MOD 97-10 like 97/98/02.
    number = "GB82WEST12345698765432"
    for digits in ("00", "01", "99"):
        candidates = [number[:2] + digits + number[4:]]
        # find a BBAN variant that passes MOD 97-10 with these check digits
        for tail in range(100):
            bban = f"WEST123456987654{tail:02d}"
            value = f"GB{digits}{bban}"
            if std_iban.is_valid(value, check_country=False):
                candidates.append(value)
                break
        assert any(std_iban.is_valid(v, check_country=False) and not m.is_valid(v) for v in candidates)
    # stdnum also runs national check digits by default (here Belgium's); we do not.
    belgian = "BE" + mod97_10_check_digits("BE", "539007547035") + "539007547035"
    assert m.is_valid(belgian) and not std_iban.is_valid(belgian)
