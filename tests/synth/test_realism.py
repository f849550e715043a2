"""The data has the shape of a real payment platform's."""

from __future__ import annotations

import re

import numpy as np
import polars as pl
from stdnum.cn import ric
from stdnum.kr import rrn

from ringfence.synth import Platform
from ringfence.synth.consents import PURPOSES
from ringfence.synth.customers import city_table
from ringfence.synth.merchants import _unionpay_numbers
from ringfence.synth.rand import stream

_PHONE = re.compile(r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}|(?:\+82 10|010)[ -]?\d{4}[ -]?\d{4}")
_CN_ID = re.compile(r"\d{17}[\dXx]|\d{15}")
_KR_ID = re.compile(r"\d{6}-?[1-8]\d{6}")


def test_amounts_are_right_skewed_and_in_currency_scale(transactions: pl.DataFrame) -> None:
    for currency, low, high in (("CNY", 10, 200), ("KRW", 3_000, 60_000)):
        amount = transactions.filter(pl.col("currency") == currency)["amount"]
        median, mean = amount.median(), amount.mean()
        assert isinstance(median, float) and isinstance(mean, float)
        assert low < median < high and mean > 1.5 * median
        assert (amount > 0).all()
    cny = transactions.filter(pl.col("currency") == "CNY")["amount"]
    assert ((cny * 100).round(6) % 1 == 0).all()  # two decimals
    krw = transactions.filter(pl.col("currency") == "KRW")["amount"]
    assert (krw % 10 == 0).all()


def test_hours_peak_at_lunch_and_evening_and_weekends_are_busier(transactions: pl.DataFrame) -> None:
    hours = transactions.group_by(pl.col("ts").dt.hour().alias("h")).len().sort("h")["len"].to_list()
    night = sum(hours[1:6]) / 5
    assert hours[12] > hours[9] and hours[12] > hours[10] and hours[12] > hours[15]
    assert hours[19] > hours[15] and hours[18] > hours[16]
    assert max(hours[12], hours[19]) > 10 * night
    days = transactions.group_by(pl.col("ts").dt.weekday().alias("d")).len().sort("d")["len"].to_list()
    assert min(days[4:6]) > max(days[0:3])  # Friday and Saturday above Monday to Wednesday


def test_log_is_in_time_order_with_date_prefixed_order_numbers(transactions: pl.DataFrame) -> None:
    assert transactions["ts"].is_sorted()
    assert transactions["txn_id"].is_unique().all()
    prefix = transactions.select(
        pl.col("txn_id").str.slice(0, 14) == pl.col("ts").dt.strftime("%Y%m%d%H%M%S")
    )
    assert prefix.to_series().all()
    assert transactions["txn_id"].str.contains(r"^\d{19}$").all()
    # A decoy for ID detectors: 19 digits, and not a resident ID.
    assert not any(ric.is_valid(x[:18]) for x in transactions["txn_id"].head(2_000))


def test_about_three_percent_of_memos_carry_a_phone_or_id_number(
    platform: Platform, transactions: pl.DataFrame
) -> None:
    memos = transactions["memo"].drop_nulls().to_list()
    assert 0.35 < len(memos) / transactions.height < 0.65
    with_pii = [m for m in memos if _PHONE.search(m) or _CN_ID.search(m) or _KR_ID.search(m)]
    assert 0.02 < len(with_pii) / len(memos) < 0.04
    # The embedded numbers are genuine: they belong to customers of the platform.
    known = set(platform.customers["phone"]) | set(platform.customers["national_id"])
    assert all(any(token in m for token in known) for m in with_pii[:200])
    ids = [rrn.compact(x.group()) for m in with_pii if "주민번호" in m and (x := _KR_ID.search(m))]
    assert ids and sum(rrn.is_valid(x) for x in ids) / len(ids) > 0.8
    assert {"午饭", "房租"} & set(memos) and {"택시비", "점심"} & set(memos)
    assert any(m.startswith("转账给") for m in memos)


def test_payments_reference_existing_rows_and_happen_near_the_merchant(
    platform: Platform, transactions: pl.DataFrame
) -> None:
    assert transactions["customer_id"].is_in(platform.customers["customer_id"].implode()).all()
    owned = transactions.join(platform.accounts, on="account_id", how="left", suffix="_acct")
    assert (owned["customer_id"] == owned["customer_id_acct"]).all()
    transfers = transactions.filter(pl.col("channel") == "transfer")
    assert transfers["merchant_id"].is_null().all() and transfers.height > 0
    shop = transactions.filter(pl.col("channel").is_in(["QR", "NFC"])).join(
        platform.merchants, on="merchant_id", suffix="_m"
    )
    distance = ((shop["lat"] - shop["lat_m"]) ** 2 + (shop["lon"] - shop["lon_m"]) ** 2).sqrt()
    assert (distance < 0.02).all()
    joined = transactions.join(platform.customers, on="customer_id", suffix="_c")
    assert (joined["ts"] >= joined["registered_at"]).all()


def test_merchants_have_real_mccs_and_sit_in_known_cities(platform: Platform) -> None:
    m = platform.merchants
    assert {"5411", "5812", "5814", "4121", "5541", "5999", "4900", "5912", "7011", "5732"} <= set(m["mcc"])
    assert m["merchant_id"].is_unique().all()
    cities = city_table()
    assert m["city"].is_in(cities["city"].implode()).all()
    assert m["lat"].is_between(18, 46).all() and m["lon"].is_between(85, 132).all()
    assert m.filter(pl.col("country") == "CN")["merchant_id"].str.contains(r"^898\d{12}$").all()


def test_consents_cover_every_customer_and_about_ten_percent_are_withdrawn(platform: Platform) -> None:
    c = platform.consents
    assert set(c["purpose"]) == set(PURPOSES)
    payment = c.filter(pl.col("purpose") == "payment_processing")
    assert payment["subject_id"].n_unique() == platform.customers.height
    assert c["recipient"].is_in([*platform.recipients["recipient_id"], "*"]).all()
    withdrawn = c["withdrawn_at"].is_not_null().mean()
    assert withdrawn is not None and 0.06 < withdrawn < 0.14
    later = c.filter(pl.col("withdrawn_at").is_not_null())
    assert (later["withdrawn_at"] >= later["granted_at"]).all()
    registered = c.join(platform.customers, left_on="subject_id", right_on="customer_id")
    assert (registered["granted_at"] >= registered["registered_at"]).all()
    r = platform.recipients
    assert r["recipient_id"].is_unique().all()
    assert r.filter(pl.col("recipient_id") == "alipay-sg")["affiliate_of"].to_list() == ["ant-group"]
    assert r["affiliate_of"].is_null().any()


def test_merchant_numbers_stay_distinct_when_a_city_has_thousands_of_one_kind() -> None:
    rng = stream(1, 2)
    n = 25_000
    numbers = _unionpay_numbers(rng, np.full(n, 3101), np.full(n, 5411))
    assert len(np.unique(numbers)) == n
    text = [str(x) for x in numbers]
    assert all(len(t) == 15 and t[3:11] == "31015411" for t in text)
    assert {t[:3] for t in text} == {"898", "102", "103"}  # 10,000 serials per acquirer code
