"""The entity vocabulary of DESIGN.md §2 (``scan --json``, policies): these names never change.

One list for the whole package: :mod:`ringfence.detect.entities` registers one module per name here
(``FREE_TEXT_PII`` excepted: it is found by the classifier inside prose, not by a validator) and one
spec per name (:data:`ringfence.detect.entities.SPECS`, FREE_TEXT_PII's included), and a policy may name
any of them (:mod:`ringfence.policy.entities`). ``tests/policy/test_vocabulary.py`` and
``tests/detect/test_specs.py`` hold them to this list.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

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
    "INTERNAL_ID",
]

ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)

# Found inside free text by the classifier; every other type has a module in ringfence.detect.entities.
FREE_TEXT: Final = "FREE_TEXT_PII"

# National IDs that carry a birth date and a gender digit (``derive`` and ``generalize`` read them).
NATIONAL_IDS: tuple[str, ...] = ("CN_RESIDENT_ID", "KR_RRN")
