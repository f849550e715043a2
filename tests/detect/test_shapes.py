"""Entities recognised by shape: passports, person names, postal addresses, bank accounts."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.detect.entities import bank_account, passport, person_name, postal_address
from tests.detect.helpers import assert_table, column, disagreements

PASSPORT_VALID = ["E12345678", "e1234 5678", "EA1234567", "G12345678", "DE1234567", "P1234567", "M12345678"]
PASSPORT_VALID += ["M123A4567", "S12345678", "R12345678", "Ｅ１２３４５６７８", "TK1234567", "MZ7654321"]
PASSPORT_INVALID = ["E1234567", "EI1234567", "EO1234567", "M1234A567", "E123456789", "XX1234567", "X1234567"]


def test_passports() -> None:
    assert_table(passport, PASSPORT_VALID, PASSPORT_INVALID)
    values = ["E12345678", "M123A4567", "G12345678", "X1"]
    assert [passport.country(v) for v in values[:3]] == ["CN", "KR", None]
    assert column(passport, values, "country_expr") == ["CN", "KR", None, None]
    assert column(passport, ["E12345678", "G12345678", "X1"], "score_expr") == [0.95, 0.75, 0.0]


NAMES_VALID = [
    "王小明",
    "王 小明",
    "李娜",
    "欧阳娜娜",
    "诸葛亮",
    "阿卜杜拉·买买提",
    "김민준",
    "남궁민",
    "이서연",
    "Kim Min-jun",
    "Zhang Wei",
    "ZHANG WEI",
    "John F. Kennedy",
    "Mary-Jane O'Neil",
    "José Müller",
]
NAMES_INVALID = [
    "王",
    "北京市朝阳区",
    "john smith",
    "Smith",
    "12345",
    "王小明明明",
    "김",
    "PAYMENT RECEIVED OK NOW DONE",
]


def test_person_names() -> None:
    assert_table(person_name, NAMES_VALID, NAMES_INVALID)
    scores = column(person_name, ["王小明", "靖小明", "김민준", "Kim Min-jun", "New York", "x"], "score_expr")
    assert scores == [0.95, 0.8, 0.95, 0.9, 0.6, 0.0]
    assert person_name.validate("王 小明") == "王小明"
    assert [person_name.score(v) for v in ["王小明", "New York", None]] == [0.95, 0.6, 0.0]


ADDRESS_VALID = [
    "北京市朝阳区建国路88号",
    "广东省深圳市南山区科苑路15号3栋1201室",
    "上海市浦东新区",
    "서울특별시 강남구 테헤란로 123",
    "경기도 성남시 분당구 판교역로 235, 101동 1203호",
    "부산광역시 해운대구 우동 1408",
    "221B Baker Street, London",
    "1600 Amphitheatre Parkway, Mountain View, CA",
]
ADDRESS_INVALID = ["市场部", "超市购物", "강남구", "Baker Street", "Main St", "123", "x" * 300]


def test_postal_addresses() -> None:
    assert_table(postal_address, ADDRESS_VALID, ADDRESS_INVALID)
    scores = column(postal_address, ADDRESS_VALID[:4], "score_expr")
    assert scores == [0.95, 0.95, 0.5, 0.95]
    assert [postal_address.score(v) for v in ADDRESS_VALID[:4]] == scores


ACCOUNT_VALID = ["6222021234567890", "110-123-456789", "1002 123 456789", "123456-01-234567", "0123456789"]
# US accounts of 8 and 9 digits, an Argentine CBU (python-stdnum's check digits), a UK BBAN
ACCOUNT_VALID += ["12345678", "123456789", "0070 0344 2000 0002 3100 35", "NWBK60161331926819"]
ACCOUNT_INVALID = ["1234567", "1" * 21, "0000000000", "110-123-45678X", "ABC1234567890"]
ACCOUNT_INVALID += ["0070034420000002310036", "ZZ11010519491231002190123"]  # a wrong CBU check digit


def test_bank_accounts() -> None:
    assert_table(bank_account, ACCOUNT_VALID, ACCOUNT_INVALID)
    assert column(bank_account, ["6222021234567890", "110-123-456789", "x"], "score_expr") == [0.5, 0.8, 0.0]


han = st.sampled_from("王李张刘陈小明伟娜欧阳司马诸葛北京市区路号栋室")
hangul = st.sampled_from("김이박민준서연시도구군로길동호")
latin = st.sampled_from(["Kim", "John", "Smith", "New", "York", "A.", "ZHANG", "wei", "-", "'", "Min-jun"])
digits = st.sampled_from(["1", "23", "456", "101-2"])
pieces = st.one_of(han, hangul, latin, digits, st.just(" "), st.just(","))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(pieces, min_size=1, max_size=12).map("".join), min_size=1, max_size=60))
def test_shape_scores_agree_between_scalar_and_column(values: list[str]) -> None:
    for module in (person_name, postal_address, passport, bank_account):
        assert disagreements(module, values) == []
    assert column(person_name, values, "score_expr") == [person_name.score(v) for v in values]
    assert column(postal_address, values, "score_expr") == [postal_address.score(v) for v in values]


def test_nine_digit_passports_count_only_under_a_passport_header() -> None:
    """US and UK passports are nine digits: valid in shape, weak alone (so a reference column of nine
    digits is no passport column), found under a passport header."""
    from ringfence.detect.classify import classify_frame
    from ringfence.detect.entities import passport

    numbers = [str(100_000_000 + 7_919 * i) for i in range(500)]
    assert passport.is_valid("123456789") and passport.is_valid("X12345678")  # US since 2021
    assert passport.country("123456789") is None and passport.country("X12345678") is None
    found = classify_frame(pl.DataFrame({"ref": numbers, "passport_no": numbers, "旅券番号": numbers}))
    assert [f.entity for f in found] == [None, "PASSPORT_NUMBER", "PASSPORT_NUMBER"]
