"""Entity types: one module per type of the DESIGN.md vocabulary, each with the same face.

Every module has python-stdnum's face (``compact``, ``validate``, ``is_valid``) plus a column version
(``compact_expr``, ``valid_expr``, ``score_expr``) that works on a whole Polars string column with
vectorised string expressions; see :mod:`ringfence.detect.entities._face` for the contract. Some have
extra parsers (birth date, gender and region of ID numbers, card scheme, phone country...).

>>> get("CN_RESIDENT_ID").is_valid("11010519491231002X"), display_name("KR_RRN")
(True, 'Korean resident registration number (주민등록번호, RRN).')
"""

from __future__ import annotations

from ringfence.detect.entities import (
    bank_account,
    cn_resident_id,
    date_of_birth,
    email,
    geo,
    iban,
    imei,
    ip,
    kr_rrn,
    passport,
    payment_card,
    person_name,
    phone,
    postal_address,
)
from ringfence.detect.entities._face import EntityModule
from ringfence.errors import UsageError

ENTITIES: dict[str, EntityModule] = {
    "PERSON_NAME": person_name,
    "PHONE_NUMBER": phone,
    "EMAIL_ADDRESS": email,
    "CN_RESIDENT_ID": cn_resident_id,
    "KR_RRN": kr_rrn,
    "PASSPORT_NUMBER": passport,
    "PAYMENT_CARD": payment_card,
    "BANK_ACCOUNT": bank_account,
    "IBAN": iban,
    "POSTAL_ADDRESS": postal_address,
    "IP_ADDRESS": ip,
    "IMEI": imei,
    "DATE_OF_BIRTH": date_of_birth,
    "GEO_COORDINATE": geo,
}


def get(entity: str) -> EntityModule:
    """The module of an entity type; a :class:`UsageError` naming the known types for any other name."""
    try:
        return ENTITIES[entity]
    except KeyError:
        known = ", ".join(ENTITIES)
        raise UsageError(f"unknown entity type {entity!r}; known types: {known}") from None


def display_name(entity: str) -> str:
    """The display name of an entity type: the first line of its module's docstring."""
    doc = getattr(get(entity), "__doc__", None) or entity
    return doc.strip().splitlines()[0]


__all__ = ["ENTITIES", "EntityModule", "display_name", "get"]
