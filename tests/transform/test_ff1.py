"""What a user of FF1 relies on: round trips, kept formats and separators, the domain rule, nulls, columns
equal to single values, and key material that never shows up or travels."""

from __future__ import annotations

import copy
import pickle
import random

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.errors import InvalidFormat, InvalidLength, UsageError, ValidationError
from ringfence.keys import columns as _strings
from ringfence.keys.ff1 import (
    ALPHANUMERIC,
    BASE36,
    DIGITS,
    FF1,
    Alphabet,
    decrypt_column,
    encrypt_column,
)

KEY = bytes.fromhex("8f2d1c0b4a6e99f3b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728")
TWEAK = b"customers.card_number"
CARD = FF1(KEY, DIGITS)


def _cards(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["6222" + "".join(rng.choice("0123456789") for _ in range(12)) for _ in range(count)]


@settings(max_examples=150, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=6, max_size=40), tweak=st.binary(max_size=24))
def test_digits_round_trip_and_keep_length(digits: str, tweak: bytes) -> None:
    ciphertext = CARD.encrypt(digits, tweak)
    assert len(ciphertext) == len(digits)
    assert ciphertext.isdigit()
    assert CARD.decrypt(ciphertext, tweak) == digits


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=BASE36.chars, min_size=4, max_size=30))
def test_base36_round_trip(text: str) -> None:
    ff1 = FF1(KEY[:16], BASE36)
    ciphertext = ff1.encrypt(text)
    assert set(ciphertext) <= set(BASE36.chars)
    assert ff1.decrypt(ciphertext) == text


def test_custom_alphabet_round_trip_column_and_scalar() -> None:
    hangul = Alphabet("가나다라마바사아자차카타파하")  # radix 14: at least 6 characters (14**6 >= 1e6)
    ff1 = FF1(KEY[:24], hangul)
    rng = random.Random(3)
    values = ["".join(rng.choice(hangul.chars) for _ in range(rng.randint(6, 14))) for _ in range(150)]
    out = encrypt_column(ff1, pl.Series("nick", values))
    assert out.name == "nick"
    assert out.to_list() == [ff1.encrypt(v) for v in values]
    assert all(set(v) <= set(hangul.chars) for v in out.to_list())
    assert decrypt_column(ff1, out).to_list() == values


def test_tweak_changes_ciphertext_and_is_needed_to_decrypt() -> None:
    value = "6222021234567890"
    a = CARD.encrypt(value, b"recipient:acme")
    b = CARD.encrypt(value, b"recipient:globex")
    assert a != b
    assert CARD.decrypt(a, b"recipient:globex") != value


def test_separators_stay_in_place() -> None:
    value = "6222 0212 3456 7890"
    out = CARD.encrypt_preserving(value, TWEAK)
    assert [k for k, ch in enumerate(out) if ch == " "] == [4, 9, 14]
    assert out.replace(" ", "") == CARD.encrypt("6222021234567890", TWEAK)
    assert CARD.decrypt_preserving(out, TWEAK) == value


def test_preserving_column_keeps_other_characters_including_non_ascii() -> None:
    values = ["6222 0212 3456 7890", "6222-0212-3456-7890", "+86 139-1234-5678", "电话：139 1234 5678", None]
    out = encrypt_column(CARD, pa.array(values), TWEAK, preserving=True)
    assert out.to_pylist() == [None if v is None else CARD.encrypt_preserving(v, TWEAK) for v in values]
    assert out.to_pylist()[3].startswith("电话：")
    assert decrypt_column(CARD, out, TWEAK, preserving=True).to_pylist() == values


def test_ascii_alphabet_over_non_ascii_column_and_back() -> None:
    ff1 = FF1(KEY, ALPHANUMERIC)
    values = ["Müller-Lüdenscheid 42", "İstanbul ŞUBE 7", "ordinary ascii id 9"]
    out = encrypt_column(ff1, pa.array(values), preserving=True)
    assert out.to_pylist() == [ff1.encrypt_preserving(v) for v in values]
    assert decrypt_column(ff1, out, preserving=True).to_pylist() == values


def test_column_equals_scalar_on_every_value_with_mixed_lengths_nulls_and_slices() -> None:
    rng = random.Random(11)
    values: list[str | None] = []
    for _ in range(3000):
        if rng.random() < 0.05:
            values.append(None)
        else:
            values.append(
                "".join(rng.choice("0123456789") for _ in range(rng.choice([6, 11, 16, 18, 19, 25, 40])))
            )
    arr = pa.array(values)
    expected = [None if v is None else CARD.encrypt(v, TWEAK) for v in values]
    assert encrypt_column(CARD, arr, TWEAK).to_pylist() == expected
    sliced = arr.slice(101, 1500)
    assert encrypt_column(CARD, sliced, TWEAK).to_pylist() == expected[101:1601]
    chunked = pa.chunked_array([arr.slice(0, 1000), arr.slice(1000)])
    assert encrypt_column(CARD, chunked, TWEAK).to_pylist() == expected


def test_column_output_does_not_depend_on_slicing_or_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    values = pa.array(_cards(5000))
    whole = encrypt_column(CARD, values, TWEAK, threads=1)
    monkeypatch.setattr(_strings, "SLICE_BYTES", 257)
    assert encrypt_column(CARD, values, TWEAK, threads=1).equals(whole)
    assert encrypt_column(CARD, values, TWEAK, threads=3).equals(whole)


def test_column_input_kinds() -> None:
    values = _cards(50)
    expected = [CARD.encrypt(v) for v in values]
    series = pl.Series("card", values)
    out = encrypt_column(CARD, series)
    assert isinstance(out, pl.Series)
    assert out.dtype == pl.String
    assert out.to_list() == expected
    for typ in (pa.string(), pa.large_string(), pa.string_view()):
        got = encrypt_column(CARD, pa.array(values, typ))
        assert isinstance(got, pa.Array)
        assert got.to_pylist() == expected
    assert encrypt_column(CARD, pa.array([], pa.string())).to_pylist() == []
    assert encrypt_column(CARD, pa.array([None, None], pa.string())).to_pylist() == [None, None]
    with pytest.raises(UsageError):
        encrypt_column(CARD, pa.array([1, 2, 3]))


@pytest.mark.parametrize(
    ("alphabet", "too_short", "long_enough"),
    [(DIGITS, 5, 6), (Alphabet("01"), 19, 20), (BASE36, 3, 4), (ALPHANUMERIC, 3, 4)],
)
def test_domain_below_one_million_is_refused(alphabet: Alphabet, too_short: int, long_enough: int) -> None:
    ff1 = FF1(KEY, alphabet)
    assert ff1.min_length == long_enough
    assert alphabet.radix**too_short < 1_000_000 <= alphabet.radix**long_enough
    short_value = alphabet.chars[1] * too_short
    with pytest.raises(InvalidLength) as caught:
        ff1.encrypt(short_value)
    assert short_value not in str(caught.value)
    assert len(ff1.encrypt(alphabet.chars[1] * long_enough)) == long_enough
    with pytest.raises(InvalidLength):
        ff1.decrypt(short_value)
    with pytest.raises(InvalidLength):
        ff1.encrypt_numerals([1])
    with pytest.raises(InvalidLength):
        ff1.check_length(2**32)


def test_column_with_a_short_value_is_refused_without_naming_it() -> None:
    values = [*_cards(20), "38291", None]
    with pytest.raises(InvalidLength) as caught:
        encrypt_column(CARD, pl.Series("card_number", values))
    message = str(caught.value)
    assert "card_number" in message
    assert "1 value" in message
    assert "38291" not in message
    with pytest.raises(InvalidLength):
        encrypt_column(CARD, pa.array(["6222 0", "12345678"]), preserving=True)


def test_foreign_characters_are_refused_unless_preserving() -> None:
    secret = "6222-0212-3456-7890"
    with pytest.raises(InvalidFormat) as caught:
        CARD.encrypt(secret)
    assert secret not in str(caught.value)
    with pytest.raises(InvalidFormat) as caught:
        encrypt_column(CARD, pa.array([secret, "6222021234567890"]))
    assert secret not in str(caught.value)
    assert "1 value" in str(caught.value)
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, ValueError)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(UsageError):
        FF1(b"0123456789", DIGITS)
    with pytest.raises(UsageError):
        Alphabet("0012")
    with pytest.raises(UsageError):
        Alphabet("0")
    with pytest.raises(UsageError):
        Alphabet.for_radix(63)
    limited = FF1(KEY, DIGITS, tweak_max=8)
    assert limited.encrypt("123456", b"12345678")
    with pytest.raises(UsageError):
        limited.encrypt("123456", b"123456789")
    with pytest.raises(UsageError):
        encrypt_column(limited, pa.array(["123456"]), b"123456789")
    with pytest.raises(InvalidFormat):
        CARD.encrypt_numerals([1, 2, 3, 4, 5, 10])


def test_key_material_never_shows_and_never_travels() -> None:
    text = repr(CARD)
    assert "radix=10" in text
    assert KEY.hex() not in text.lower()
    assert str(KEY) not in text
    for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
        with pytest.raises(UsageError):
            attempt(CARD)
    with pytest.raises(UsageError) as caught:
        FF1(KEY[:20], DIGITS)
    assert KEY[:20].hex() not in str(caught.value)


def test_alphabet_by_radix() -> None:
    assert Alphabet.for_radix(10) == DIGITS
    assert Alphabet.for_radix(36).chars == "0123456789abcdefghijklmnopqrstuvwxyz"
    assert Alphabet.for_radix(62).chars.endswith("XYZ")
    assert Alphabet.for_radix(16).radix == 16


@pytest.mark.parametrize(
    "chars", ["0123456789", "abcdefghijklmnopqrstuvwxyz", "0123456789abcdef", "ÀÁÂÃÄÅÆÇÈÉ"]
)
def test_column_lookup_takes_exactly_the_alphabet(chars: str) -> None:
    ff1 = FF1(KEY, Alphabet(chars))
    ascii_only = "".join(chr(c) for c in range(1, 128))
    latin = "".join(chr(c) for c in range(1, 256))
    for values in ([ascii_only + chars, chars * 3 + ascii_only], [latin + chars, chars * 3 + latin]):
        out = encrypt_column(ff1, pa.array(values), preserving=True).to_pylist()
        assert out == [ff1.encrypt_preserving(v) for v in values]
        for before, after in zip(values, out, strict=True):
            assert [c for c in before if c not in chars] == [c for c in after if c not in chars]
