"""IP address (IPv4 dotted quad or IPv6, including compressed ``::`` forms and embedded IPv4).

A value is an IP address when Python's :func:`ipaddress.ip_address` accepts it, without a zone index
(``fe80::1%eth0`` is rejected: a zone names an interface of one host, and a column of them is not a
column of addresses). IPv4 octets are 0-255 without leading zeros (``01.2.3.4`` is rejected, as Python
does since 3.9.5).

The column version is one regular expression: IPv4 as dec-octets, IPv6 as the nine alternatives of RFC
3986's ``IPv6address`` rule, which admit exactly the forms ``ipaddress`` admits (``::`` stands for at
least one group, at most eight groups in all, an IPv4 tail counts as two); ``tests/detect/test_ip.py``
checks the two agree on generated addresses.

>>> validate(' 192.168.0.1 '), version('2001:db8::8a2e:370:7334'), is_valid('::ffff:10.0.0.1')
('192.168.0.1', 6, True)
>>> is_valid('256.1.1.1'), is_valid('1:2:3:4:5:6:7:8:9'), is_valid('fe80::1%eth0')
(False, False, False)
"""

from __future__ import annotations

import ipaddress

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "IP_ADDRESS",
    label="IP address",
    kind="direct",
    category="device",
    hints=Hints(en=("ip", "ipaddr", "ipaddress", "clientip"), zh=("ip地址",), ko=("아이피",)),
    detection=Detection(
        "strong", bar=0.6, gate=r"^\s*[0-9A-Fa-f:.\[\]/%\s]{2,60}$", precedence=70, span="ipv4"
    ),
    draft=Draft("generalize", {"ip": {"v4": 24, "v6": 48}}, "network only: IPv4 /24, IPv6 /48"),
)
ENTITY = SPEC.entity

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_H16 = r"[0-9A-Fa-f]{1,4}"
_LS32 = rf"(?:{_H16}:{_H16}|{IPV4})"


def _groups(n: int) -> str:
    """``n`` groups, each followed by a colon."""
    return f"(?:{_H16}:){{{n}}}" if n else ""


def _upto(n: int) -> str:
    """Up to ``n + 1`` groups separated by colons (RFC 3986's ``[ *n( h16 ":" ) h16 ]``), or nothing."""
    return f"(?:(?:{_H16}:){{0,{n}}}{_H16})?" if n >= 0 else ""


IPV6 = "|".join(
    [
        f"{_groups(6)}{_LS32}",
        f"::{_groups(5)}{_LS32}",
        f"(?:{_H16})?::{_groups(4)}{_LS32}",
        f"{_upto(1)}::{_groups(3)}{_LS32}",
        f"{_upto(2)}::{_groups(2)}{_LS32}",
        f"{_upto(3)}::{_H16}:{_LS32}",
        f"{_upto(4)}::{_LS32}",
        f"{_upto(5)}::{_H16}",
        f"{_upto(6)}::",
    ]
)
PATTERN = f"{IPV4}|{IPV6}"
_PATTERN_RE = _text.anchored(PATTERN)
MAX_LEN = 45  # the longest IPv6 text form (with an IPv4 tail)


def compact(value: str) -> str:
    """The address trimmed and NFKC-normalised."""
    return _text.strip(_text.nfkc(value))


def validate(value: str) -> str:
    """The compact address, or raises: not an IPv4 or IPv6 address (or one with a zone index)."""
    address = compact(value)
    if len(address) > MAX_LEN:
        raise InvalidLength(f"{ENTITY}: longer than any IP address")
    if "%" in address:
        raise InvalidFormat(f"{ENTITY}: an address with a zone index is not accepted")
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise InvalidFormat(f"{ENTITY}: not an IPv4 or IPv6 address") from None
    return address


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid IP address (never raises)."""
    return is_valid_by(validate, value)


def version(value: str) -> int:
    """4 or 6."""
    return ipaddress.ip_address(validate(value)).version


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.strip_expr(_text.nfkc_expr(_text.as_text(col)))


def _valid(col: pl.Expr) -> pl.Expr:
    address = compact_expr(col)
    return (address.str.contains(_PATTERN_RE) & (address.str.len_chars() <= MAX_LEN)).fill_null(False)


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    return _text.with_nulls(col, _valid(col))


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 for a valid address, 0.0 otherwise."""
    return _text.score_with_nulls(col, _valid(col).cast(pl.Float64))


def version_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 4 or 6 for every valid address (Int8), null for the others."""
    address = compact_expr(col)
    v4 = address.str.contains(_text.anchored(IPV4))
    return _text.named_as(col, pl.when(_valid(col)).then(pl.when(v4).then(4).otherwise(6).cast(pl.Int8)))
