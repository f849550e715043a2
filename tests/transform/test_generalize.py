"""generalize: every mode on realistic columns, and properties: coarser outputs, nothing unreadable passed."""

from __future__ import annotations

import datetime as dt
import ipaddress
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.errors import UsageError
from ringfence.policy import parse_policy
from ringfence.policy.rules import Generalize as GeneralizeRule
from ringfence.policy.rules import IpPrefix
from ringfence.transform import dates as dates_module
from ringfence.transform.base import TransformContext
from ringfence.transform.generalize import Generalize

AS_OF = dt.date(2026, 6, 30)


def run(values: list[object], spec: Generalize, dtype: pl.DataType | None = None) -> list[object]:
    df = pl.DataFrame({"v": values}, schema={"v": dtype} if dtype is not None else None, strict=False)
    out = df.select(spec.expr("v", TransformContext(schema=df.schema, as_of=AS_OF)))
    assert out.columns == ["v"]
    return out["v"].to_list()


def test_numeric_bins_and_widths() -> None:
    amounts = [5, 10, 19.99, 250, None, -3]
    assert run(amounts, Generalize(bins=[10, 20, 100])) == ["<10", "[10,20)", "[10,20)", ">=100", None, "<10"]
    assert run(["12.5", "abc", "99"], Generalize(bins=[0, 50.5])) == ["[0,50.5)", None, ">=50.5"]
    assert run([125, -125, 0, None], Generalize(width=100), pl.Int64) == [
        "[100,200)",
        "[-200,-100)",
        "[0,100)",
        None,
    ]
    assert run([Decimal("12.34"), Decimal("0.01")], Generalize(width=0.5), pl.Decimal(10, 2)) == [
        "[12.0,12.5)",
        "[0.0,0.5)",
    ]


def test_date_truncation_keeps_temporal_types_and_reads_text() -> None:
    ts = [dt.datetime(2026, 3, 5, 13, 45, 12), None]
    assert run(ts, Generalize(date="hour")) == [dt.datetime(2026, 3, 5, 13), None]
    assert run(ts, Generalize(date="month")) == [dt.datetime(2026, 3, 1), None]
    assert run([dt.date(2026, 3, 5)], Generalize(date="week")) == [dt.date(2026, 3, 2)]  # Monday
    texts = [
        "2026-03-05 13:45:12",
        "2026/3/5",
        "2026年3月5日",
        "2026년 3월 5일",
        "20260305",
        "2026-02-30",
        "soon",
    ]
    assert run(texts, Generalize(date="month")) == ["2026-03"] * 5 + [None, None]
    assert run(texts[:1], Generalize(date="hour")) == ["2026-03-05 13:00"]
    assert run(texts[:1], Generalize(date="year")) == ["2026"]
    with pytest.raises(UsageError, match="dates without a time"):
        run([dt.date(2026, 3, 5)], Generalize(date="hour"))
    with pytest.raises(UsageError, match="not dates"):
        run([1, 2], Generalize(date="day"))


def test_birth_year_and_age_band_from_dates_and_ids() -> None:
    dobs = [dt.date(1990, 7, 1), dt.date(1990, 6, 30), dt.date(1930, 1, 1), None]
    assert run(dobs, Generalize(birth_year=True)) == [1990, 1990, 1930, None]
    assert run(dobs, Generalize(age_band=10)) == ["30-39", "30-39", "90+", None]
    assert run(["1990-07-01", "bad"], Generalize(age_band=5)) == ["35-39", None]
    assert run(dobs[:1], Generalize(age_band=10, as_of=dt.date(2000, 7, 1))) == ["10-19"]
    ids = ["11010519491231002X", "900101-1234568"]
    assert run(ids[:1], Generalize(birth_year=True, entity="CN_RESIDENT_ID")) == [1949]
    assert run(ids[1:], Generalize(age_band=10, entity="KR_RRN")) == ["30-39"]


def test_geographic_truncation() -> None:
    pairs = ["31.2304,121.4737", "-33.8688, 151.2093", "(37.5665; 126.9780)", "-0.004,0.001", "91,0", "x"]
    assert run(pairs, Generalize(geo_decimals=2)) == [
        "31.23,121.47",
        "-33.86,151.20",
        "37.56,126.97",
        "0.00,0.00",
        None,
        None,
    ]
    assert run([31.2304, -33.8688, -0.004, 200.0, None], Generalize(geo_decimals=1)) == [
        31.2,
        -33.8,
        0.0,
        None,
        None,
    ]
    assert run(["121.4737"], Generalize(geo_decimals=0)) == ["121"]


def test_ip_truncation_v4_and_v6() -> None:
    ips = [
        "192.168.1.77",
        " 10.20.30.40 ",
        "256.1.1.1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "2001:DB8::1",
        "::1",
        "fe80::1%eth0",
        "1:::2",
        "1:2:3:4:5:6:7:8:9",
        None,
    ]
    assert run(ips, Generalize(ip=IpPrefix())) == [
        "192.168.1.0/24",
        "10.20.30.0/24",
        None,
        "2001:db8:85a3::/48",
        "2001:db8:0::/48",
        "0:0:0::/48",
        None,
        None,
        None,
        None,
    ]
    assert run(ips[:2], Generalize(ip=IpPrefix(v4=16))) == ["192.168.0.0/16", "10.20.0.0/16"]


def test_address_to_province_or_city() -> None:
    addresses = [
        "广东省深圳市南山区科技园路1号",
        "北京市朝阳区建国路88号",
        "新疆维吾尔自治区 乌鲁木齐市 天山区",
        "서울특별시 강남구 테헤란로 152",
        "경기도 성남시 분당구 판교역로 235",
        "서울 마포구 양화로 45",
        "세종특별자치시 한누리대로 2130",
        "123 Main St, Springfield",
        "广东深圳南山",
        None,
    ]
    assert run(addresses, Generalize(address="city")) == [
        "广东省深圳市",
        "北京市",
        "新疆维吾尔自治区乌鲁木齐市",
        "서울특별시 강남구",
        "경기도 성남시",
        "서울 마포구",
        "세종특별자치시",
        None,
        None,
        None,
    ]
    assert run(addresses[:5], Generalize(address="province")) == [
        "广东省",
        "北京市",
        "新疆维吾尔自治区",
        "서울특별시",
        "경기도",
    ]


def test_every_mode_loads_from_a_policy_rule() -> None:
    policy = parse_policy(
        "ringfence_policy: 1\nname: p\ncolumns:\n  ip: {action: generalize, ip: {v4: 24, v6: 48}}\n"
        "  dob: {action: generalize, age_band: 10, as_of: 2026-01-01}\n"
    )
    ip_rule, dob_rule = policy.columns["ip"], policy.columns["dob"]
    assert isinstance(ip_rule, GeneralizeRule) and isinstance(dob_rule, GeneralizeRule)
    assert run(["1.2.3.4"], Generalize.from_rule(ip_rule)) == ["1.2.3.0/24"]
    spec = Generalize.from_rule(dob_rule)
    assert spec.describe() == {
        "transform": "generalize",
        "reversible": False,
        "joinable": True,
        "mode": "age_band",
        "age_band": 10,
        "entity": None,
        "as_of": "2026-01-01",
    }
    with pytest.raises(UsageError, match="exactly one mode"):
        Generalize(width=1, bins=[1])
    with pytest.raises(UsageError, match="needs a reference date"):
        Generalize(age_band=10).expr("v", TransformContext(schema={"v": pl.Date}))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.ip_addresses(v=4) | st.ip_addresses(v=6), min_size=1, max_size=20))
def test_ip_networks_contain_the_address_and_drop_the_host_part(addresses: list[object]) -> None:
    out = run([str(a) for a in addresses], Generalize(ip=IpPrefix(v4=24, v6=48)))
    for address, network in zip(addresses, out, strict=True):
        assert isinstance(network, str)
        net = ipaddress.ip_network(network)
        assert address in net
        assert net.prefixlen == (24 if net.version == 4 else 48)
        assert network == str(net) or net.version == 6  # IPv4 in canonical form


@settings(max_examples=100, deadline=None)
@given(st.lists(st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)), min_size=1, max_size=20))
def test_truncated_dates_never_keep_finer_parts(moments: list[dt.datetime]) -> None:
    for unit, check in [
        ("day", lambda t: (t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0)),
        ("month", lambda t: t.day == 1 and t.hour == 0),
        ("year", lambda t: (t.month, t.day) == (1, 1)),
        ("week", lambda t: t.weekday() == 0 and t.hour == 0),
    ]:
        out = run(list(moments), Generalize(date=unit))  # type: ignore[arg-type]
        for before, after in zip(moments, out, strict=True):
            assert isinstance(after, dt.datetime) and after <= before and check(after)
            assert before - after < dt.timedelta(days=367)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)),
        min_size=1,
        max_size=20,
    ),
    st.integers(0, 4),
)
def test_truncated_coordinates_keep_at_most_n_decimals(
    points: list[tuple[float, float]], places: int
) -> None:
    texts = [f"{lat:.6f},{lon:.6f}" for lat, lon in points]
    for text, out in zip(texts, run(texts, Generalize(geo_decimals=places)), strict=True):
        assert isinstance(out, str)
        for original, cut in zip(text.split(","), out.split(","), strict=True):
            decimals = cut.split(".")[1] if "." in cut else ""
            assert len(decimals) == places
            assert abs(float(original)) - abs(float(cut)) < 10.0**-places + 1e-9
            assert abs(float(cut)) <= abs(float(original))


def test_age_bands_from_text_parse_each_batch_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = dates_module._parse_batch

    def counting(values: pl.Series) -> pl.Series:
        calls.append(len(values))
        return original(values)

    monkeypatch.setattr(dates_module, "_parse_batch", counting)
    assert run(["1990-07-01", "1950/1/1"], Generalize(age_band=10)) == ["30-39", "70-79"]
    assert calls == [2]
