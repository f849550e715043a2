"""Entities recognised by shape: passports, person names, postal addresses, bank accounts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.detect.entities import bank_account, passport, person_name, postal_address
from tests.detect.helpers import assert_table, column, disagreements

PASSPORT_VALID = ["E12345678", "e1234 5678", "EA1234567", "G12345678", "DE1234567", "P1234567", "M12345678"]
PASSPORT_VALID += ["M123A4567", "S12345678", "R12345678", "Ｅ１２３４５６７８"]
PASSPORT_INVALID = ["E1234567", "EI1234567", "EO1234567", "X12345678", "M1234A567", "123456789", "E123456789"]


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
ACCOUNT_INVALID = ["123456789", "1" * 21, "0000000000", "110-123-45678X", "ABC1234567890"]


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
