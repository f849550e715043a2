"""Every identifier the generator makes is valid by an independent oracle (python-stdnum, phonenumbers)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import phonenumbers
import polars as pl
import pytest
from stdnum import imei, luhn
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent
from stdnum.kr import rrn

from ringfence.synth import Platform, SynthConfig, generate_platform
from ringfence.synth.ids import kr_rrns
from ringfence.synth.places import cn_regions
from ringfence.synth.rand import day_number, stream


def _cn(platform: Platform) -> pl.DataFrame:
    return platform.customers.filter(pl.col("country") == "CN")


def test_cn_resident_ids_are_consistent_with_the_person(platform: Platform) -> None:
    cn = _cn(platform).filter(pl.col("national_id").str.len_chars() == 18)
    assert cn.height > 1_000
    known_regions = set(cn_regions().code.tolist())
    for number, birth, gender in cn.select("national_id", "birth_date", "gender").iter_rows():
        assert number[:17].isdigit() and number[17] in "0123456789Xx"
        assert ric.calc_check_digit(number.upper()) == number[17].upper()
        assert int(number[:6]) in known_regions
        assert dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])) == birth
        assert (int(number[16]) % 2 == 1) == (gender == "M")
    share_x = cn["national_id"].str.to_uppercase().str.ends_with("X").mean()
    assert share_x is not None and 0.06 < share_x < 0.13  # one in eleven check values is 10, written X


def test_cn_resident_ids_pass_stdnum_except_region_codes_younger_than_the_holder(platform: Platform) -> None:
    # stdnum dates a region code against the holder's *birth* year, but a number gets the code in force
    # when it is *assigned* (first cards from 1985, later moves): someone born in 1961 who registered in
    # Guangzhou's Tianhe district (code 440106, created 1985) really has 440106196105...; stdnum rejects it.
    # The generator makes a few such people; every other number must pass stdnum outright.
    regions = cn_regions()
    valid_from = dict(zip(regions.code.tolist(), regions.valid_from.tolist(), strict=True))
    ids = _cn(platform).filter(pl.col("national_id").str.len_chars() == 18)["national_id"].to_list()
    rejected = [n for n in ids if not ric.is_valid(n)]
    assert len(rejected) < 0.03 * len(ids)
    for number in rejected:
        with pytest.raises(InvalidComponent):
            ric.get_birth_place(number)
        assert int(number[6:10]) < valid_from[int(number[:6])] <= 1999


def test_first_generation_ids_are_fifteen_digits_for_people_born_before_1980(platform: Platform) -> None:
    old = _cn(platform).filter(pl.col("national_id").str.len_chars() == 15)
    assert old.height > 0
    for number, birth, gender in old.select("national_id", "birth_date", "gender").iter_rows():
        assert number.isdigit() and birth.year < 1980
        assert dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])) == birth
        assert (int(number[14]) % 2 == 1) == (gender == "M")


def test_kr_rrns_before_the_2020_reform_pass_stdnum() -> None:
    rng = stream(3, 99)
    n = 2_000
    birth = day_number(dt.date(1950, 1, 1)) + rng.integers(0, 20_000, n)
    male, foreign = rng.random(n) < 0.5, rng.random(n) < 0.1
    numbers = kr_rrns(
        rng, birth, male, foreign, rng.integers(0, 96, n), np.zeros(n, bool), rng.random(n) < 0.5
    )
    assert all(rrn.is_valid(x) for x in numbers)
    for number, day, is_male, is_foreign in zip(numbers, birth, male, foreign, strict=True):
        assert rrn.get_birth_date(number) == dt.date(1970, 1, 1) + dt.timedelta(days=int(day))
        assert (int(rrn.compact(number)[6]) % 2 == 1) == is_male
        assert (int(rrn.compact(number)[6]) >= 5) == is_foreign


def test_kr_rrns_issued_after_2020_have_random_tails_that_stdnum_mostly_rejects() -> None:
    # Since October 2020 the six digits after the gender digit are random: no area code, no check digit.
    # stdnum still applies the old check digit (and area <= 96), so it accepts only about one in ten.
    rng = stream(4, 99)
    n = 2_000
    birth = day_number(dt.date(1960, 1, 1)) + rng.integers(0, 15_000, n)
    numbers = kr_rrns(rng, birth, rng.random(n) < 0.5, np.zeros(n, bool), np.zeros(n, np.int64),
                      np.ones(n, bool), np.ones(n, bool))  # fmt: skip
    assert all(re.fullmatch(r"\d{6}-[1-4]\d{6}", x) for x in numbers)
    assert all(rrn.get_birth_date(x) == dt.date(1970, 1, 1) + dt.timedelta(days=int(d))
               for x, d in zip(numbers, birth, strict=True))  # fmt: skip
    accepted = sum(rrn.is_valid(x) for x in numbers) / n
    assert 0.05 < accepted < 0.15


def test_korean_customers_rrns_match_birth_date_and_gender(platform: Platform) -> None:
    kr = platform.customers.filter(pl.col("country") == "KR")
    assert kr.height > 1_000
    valid = 0
    for number, birth, gender in kr.select("national_id", "birth_date", "gender").iter_rows():
        assert re.fullmatch(r"\d{6}-?\d{7}", number)
        assert rrn.get_birth_date(number) == birth
        assert (int(rrn.compact(number)[6]) % 2 == 1) == (gender == "M")
        valid += rrn.is_valid(number)
    assert valid / kr.height > 0.95  # all but the post-2020 numbers


@pytest.mark.parametrize("country", ["CN", "KR"])
def test_phone_numbers_are_valid_mobiles(platform: Platform, country: str) -> None:
    phones = platform.customers.filter(pl.col("country") == country)["phone"].to_list()
    for text in phones:
        number = phonenumbers.parse(text, country)
        assert phonenumbers.is_valid_number(number), text
        assert phonenumbers.region_code_for_number(number) == country
        assert phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
    assert len({re.sub(r"\d", "9", t) for t in phones}) >= 4  # several written formats


def test_cards_pass_luhn_and_carry_their_brand_prefix(platform: Platform) -> None:
    accounts = platform.accounts
    spaced = 0
    for card, brand in accounts.select("card_number", "card_brand").iter_rows():
        digits = card.replace(" ", "")
        spaced += " " in card
        assert luhn.is_valid(digits) and 16 <= len(digits) <= 19
        if brand == "UnionPay":
            assert digits.startswith("62")
        elif brand == "Visa":
            assert digits.startswith("4") and len(digits) == 16
        else:
            assert 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720
        if " " in card:
            assert all(len(g) == 4 for g in card.split(" ")[:-1])
    assert 0.15 < spaced / accounts.height < 0.35
    assert set(accounts["card_brand"]) == {"UnionPay", "Visa", "Mastercard"}
    assert accounts["bank_account"].str.contains(r"^\d{12,21}$").all()


def test_imeis_are_valid(platform: Platform) -> None:
    imeis = platform.customers["device_imei"].to_list()
    assert all(imei.is_valid(x) and len(x) == 15 for x in imeis)
    assert len({x[:8] for x in imeis}) > 10  # many device models


def test_emails_and_ips_look_real(platform: Platform) -> None:
    c = platform.customers
    assert c["email"].str.contains(r"^[a-z0-9._]+@[a-z0-9]+(\.[a-z]+)+$").all()
    domains = set(c["email"].str.split("@").list.last())
    assert {"qq.com", "163.com", "naver.com", "gmail.com"} <= domains
    ips = c["last_login_ip"]
    v4 = ips.str.contains(r"^(\d{1,3}\.){3}\d{1,3}$")
    v6 = ips.str.contains(r"^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}$")
    assert (v4 | v6).all()
    assert 0.05 < v6.mean() < 0.3  # type: ignore[operator]


def test_names_and_addresses_use_the_right_scripts(platform: Platform) -> None:
    c = platform.customers
    cn, kr = c.filter(pl.col("country") == "CN"), c.filter(pl.col("country") == "KR")
    han = cn["name"].str.contains(r"^[\p{Han}]{2,4}$")
    hangul = kr["name"].str.contains(r"^[\p{Hangul}]{2,4}$")
    assert 0.9 < han.mean() < 1.0 and 0.9 < hangul.mean() < 1.0  # type: ignore[operator]
    assert c["name"].str.contains(r"^[A-Za-z][A-Za-z -]+$").any()  # some Latin-script names in "mixed"
    assert cn["address"].str.contains(r"^\p{Han}+(市|省|区)").all()
    assert cn["address"].str.contains(r"\d+号").all()
    assert kr["address"].str.contains(r"^\p{Hangul}+(특별시|광역시|도|특별자치시|특별자치도) ").all()
    common = cn["name"].str.slice(0, 1).value_counts(sort=True)["name"].head(3).to_list()
    assert set(common) <= {"王", "李", "张", "刘", "陈"}


def test_kr_only_platform_has_only_korean_customers() -> None:
    kr = generate_platform(SynthConfig(customers=300, transactions=1_000, locale="kr"))
    assert set(kr.customers["country"]) == {"KR"} and set(kr.merchants["country"]) == {"KR"}
    assert kr.customers["name"].str.contains(r"^\p{Hangul}+$").all()
