"""Which columns are quasi-identifiers, when the user names none: from the entity specs and the columns'
names and types, each choice with its reason.

A column is proposed when a scan types it as an entity whose :class:`~ringfence.detect.spec.EntitySpec`
says ``kind="quasi"`` (a date of birth, a geographic coordinate), or when its name and type say it is one
of the things a linking attacker knows: a birth year, a gender, a place at any grain (country, province,
city, district, postal code), a timestamp, an amount, or a device or merchant field. Direct identifiers
(names, ID numbers, cards, phones; the platform's own ``*_id`` keys) are never proposed: they are to be
removed or tokenised, not generalised. The reasons name columns and rules, never values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from ringfence.detect.entities import SPECS
from ringfence.detect.headers import normalise

__all__ = ["Proposal", "propose_quasi_identifiers"]

# (what the name says, words whose presence in the normalised name says it), first match wins.
_NAMED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a birth year or age", ("birthyear", "yearofbirth", "yob", "age", "出生", "생년", "나이", "年龄")),
    ("a gender", ("gender", "sex", "性别", "성별")),
    (
        "a place",
        (
            "country",
            "province",
            "region",
            "state",
            "city",
            "district",
            "county",
            "postal",
            "postcode",
            "zip",
            "geohash",
            "gridcell",
            "省",
            "市",
            "区",
            "邮编",
            "시도",
            "도시",
            "우편",
        ),
    ),
    ("a device field", ("device", "model", "osversion", "platform", "设备", "기기")),
    ("a merchant field", ("merchant", "mcc", "商户", "가맹점")),
    ("an amount", ("amount", "amt", "price", "金额", "금액")),
)

_IDENTIFIER_SUFFIXES = ("id", "no", "number", "key", "imei", "ip")


@dataclass(frozen=True)
class Proposal:
    """One proposed quasi-identifier and why."""

    column: str
    reason: str


def _named(column: str, dtype: pl.DataType) -> str | None:
    name = normalise(column)
    if dtype.is_temporal() and dtype != pl.Time:
        return f"{column}: a {'timestamp' if dtype == pl.Datetime else 'date'} by its type"
    for what, words in _NAMED:
        if any(word in name for word in words):
            if what == "a device field" and name.endswith(_IDENTIFIER_SUFFIXES):
                return None  # a device's own identifier is direct
            if what == "an amount" and not dtype.is_numeric() and dtype != pl.String:
                return None
            return f"{column}: its name says {what}"
    return None


def propose_quasi_identifiers(
    schema: Mapping[str, pl.DataType], entities: Mapping[str, str | None]
) -> list[Proposal]:
    """The quasi-identifiers of a table with ``schema`` whose columns a scan typed as ``entities``
    (column → entity or None), in column order (see the module docstring)."""
    chosen: list[Proposal] = []
    for column, dtype in schema.items():
        entity = entities.get(column)
        if entity is not None:
            spec = SPECS[entity]
            if spec.kind == "quasi":
                chosen.append(Proposal(column, f"{column}: found as {entity}, a quasi-identifier"))
            continue  # a direct identifier is tokenised or removed, never a quasi-identifier
        name = normalise(column)
        if name.endswith(("id", "uuid")) and not dtype.is_temporal():
            continue  # the platform's own keys (customer_id, merchant_id): direct
        reason = _named(column, dtype)
        if reason is not None:
            chosen.append(Proposal(column, reason))
    return chosen
