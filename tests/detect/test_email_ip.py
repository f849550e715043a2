"""E-mail and IP addresses; IP addresses against Python's ipaddress on generated and mutated forms."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.detect.entities import email, ip
from tests.detect.helpers import assert_table, column, disagreements

EMAILS_VALID = [
    "wang.wei@qq.com",
    " Wang.Wei@QQ.com ",
    "kim_minjun+bank@naver.com",
    "a@b.co",
    "user@mail.example.co.kr",
    "o'brien@example.org",
    "x@example.xn--fiqs8s",
    "zhang３@163.com",
    "user＠163.com",
]
EMAILS_INVALID = [
    "wang..wei@qq.com",
    ".wang@qq.com",
    "wang.@qq.com",
    "wang wei@qq.com",
    "wang@qq",
    "wang@-qq.com",
    "wang@qq.c",
    "张伟@qq.com",
    "wang@@qq.com",
    "a" * 65 + "@qq.com",
    "a@" + "b" * 250 + ".com",
    "@qq.com",
    "wang@",
]


def test_email_addresses() -> None:
    assert_table(email, EMAILS_VALID, EMAILS_INVALID)
    assert email.validate(" Wang.Wei@QQ.com ") == "wang.wei@qq.com"
    assert email.domain("a@Mail.Example.com") == "mail.example.com"
    assert column(email, [" Wang.Wei@QQ.com "], "compact_expr") == ["wang.wei@qq.com"]


IP_VALID = [
    "192.168.0.1",
    " 10.0.0.255 ",
    "0.0.0.0",
    "255.255.255.255",
    "::",
    "::1",
    "2001:db8::8a2e:370:7334",
    "2001:0DB8:0000:0000:0000:FF00:0042:8329",
    "fe80::",
    "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8",
    "::ffff:10.0.0.1",
    "64:ff9b::192.0.2.33",
    "1:2:3:4:5:6:1.2.3.4",
    "１９２．１６８．０．１",
]
IP_INVALID = [
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3",
    "1.2.3.4.5",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "12345::",
    "1:2:3:4:5:6:7:8::",
    ":1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3",
    "fe80::1%eth0",
    "g::1",
]


def test_ip_addresses() -> None:
    assert_table(ip, IP_VALID, IP_INVALID)
    assert (ip.version("10.0.0.1"), ip.version("::1")) == (4, 6)
    assert column(ip, ["10.0.0.1", "::1", "x", None], "version_expr") == [4, 6, None, None]


@st.composite
def addresses(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        text = str(ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1))))
    else:
        address = ipaddress.IPv6Address(draw(st.integers(0, 2**128 - 1)))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            text = address.compressed
        elif kind == 1:
            text = address.exploded
        elif kind == 2:  # many zero groups, so :: appears in different places
            groups = [draw(st.sampled_from(["0", "1", "ffff", "db8"])) for _ in range(8)]
            text = ipaddress.IPv6Address(":".join(groups)).compressed
        else:
            text = "::ffff:" + str(ipaddress.IPv4Address(draw(st.integers(0, 2**32 - 1))))
    for _ in range(draw(st.integers(0, 2))):  # mutate: insert, delete or double a colon
        i = draw(st.integers(0, len(text)))
        text = draw(
            st.sampled_from([text[:i] + ":" + text[i:], text[:i] + text[i + 1 :], text[:i] + "0" + text[i:]])
        )
    return text


@settings(max_examples=50, deadline=None)
@given(st.lists(addresses(), min_size=1, max_size=60))
def test_the_column_regex_accepts_exactly_what_ipaddress_accepts(values: list[str]) -> None:
    assert disagreements(ip, values) == []
    for value in values:
        try:
            ipaddress.ip_address(value)
            expected = True
        except ValueError:
            expected = False
        assert ip.is_valid(value) == expected
