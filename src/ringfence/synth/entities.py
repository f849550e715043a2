"""Ground truth for detectors: which personal-data entity (DESIGN.md §2 vocabulary) each column holds."""

from __future__ import annotations

from typing import Final

from ringfence.synth.config import Locale

#: Table -> column -> entity, or None for a column without personal data. ``national_id`` holds Chinese
#: resident IDs in ``cn`` platforms and Korean RRNs in ``kr`` ones (see :func:`column_entities`).
#: Decoys on purpose: ``txn_id`` (19-digit date-prefixed order numbers), ``merchant_id`` (15-digit UnionPay
#: merchant numbers, IMEI-shaped). ``account_id``/``customer_id``/``subject_id`` are the platform's own keys
#: of a person: ``INTERNAL_ID`` (they single a person out and link every release).
ENTITIES: Final[dict[str, dict[str, str | None]]] = {
    "customers": {
        "customer_id": "INTERNAL_ID",
        "name": "PERSON_NAME",
        "gender": None,
        "birth_date": "DATE_OF_BIRTH",
        "national_id": "CN_RESIDENT_ID",
        "phone": "PHONE_NUMBER",
        "email": "EMAIL_ADDRESS",
        "address": "POSTAL_ADDRESS",
        "city": None,
        "country": None,
        "registered_at": None,
        "device_imei": "IMEI",
        "last_login_ip": "IP_ADDRESS",
        "home_lat": "GEO_COORDINATE",
        "home_lon": "GEO_COORDINATE",
    },
    "accounts": {
        "account_id": "INTERNAL_ID",
        "customer_id": "INTERNAL_ID",
        "card_number": "PAYMENT_CARD",
        "card_brand": None,
        "bank_name": None,
        "bank_account": "BANK_ACCOUNT",
        "opened_at": None,
        "status": None,
    },
    "merchants": {
        "merchant_id": None,
        "merchant_name": None,
        "mcc": None,
        "city": None,
        "country": None,
        "lat": None,
        "lon": None,
    },
    "transactions": {
        "txn_id": None,
        "customer_id": "INTERNAL_ID",
        "account_id": "INTERNAL_ID",
        "merchant_id": None,
        "amount": None,
        "currency": None,
        "ts": None,
        "channel": None,
        "status": None,
        "memo": "FREE_TEXT_PII",
        "device_ip": "IP_ADDRESS",
        "lat": "GEO_COORDINATE",
        "lon": "GEO_COORDINATE",
    },
    "consents": {
        "subject_id": "INTERNAL_ID",
        "purpose": None,
        "recipient": None,
        "granted_at": None,
        "withdrawn_at": None,
        "separate_sensitive": None,
        "cross_border": None,
    },
    "recipients": {
        "recipient_id": None,
        "country": None,
        "purposes": None,
        "affiliate_of": None,
        "role": None,
    },
}


def column_entities(locale: Locale) -> dict[str, dict[str, str | None]]:
    """:data:`ENTITIES` for a locale: ``national_id`` is ``KR_RRN`` for ``kr``; for ``mixed`` it is the
    majority type, ``CN_RESIDENT_ID`` (60% of customers), with Korean RRNs in the rest of the rows."""
    table = {name: dict(columns) for name, columns in ENTITIES.items()}
    if locale == "kr":
        table["customers"]["national_id"] = "KR_RRN"
    return table
