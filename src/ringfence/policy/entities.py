"""The entity vocabulary a policy may name (DESIGN.md §2, ``scan --json``): these names never change."""

from __future__ import annotations

from typing import Literal, get_args

EntityType = Literal[
    "PERSON_NAME",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CN_RESIDENT_ID",
    "KR_RRN",
    "PASSPORT_NUMBER",
    "PAYMENT_CARD",
    "BANK_ACCOUNT",
    "IBAN",
    "POSTAL_ADDRESS",
    "IP_ADDRESS",
    "IMEI",
    "DATE_OF_BIRTH",
    "GEO_COORDINATE",
    "FREE_TEXT_PII",
]

ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)

# National IDs that carry a birth date and a gender digit (``derive`` and ``generalize`` read them).
NATIONAL_IDS: tuple[str, ...] = ("CN_RESIDENT_ID", "KR_RRN")
