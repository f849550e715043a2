"""How reports present entity types: a readable label and a risk tier for each.

The tier drives colour only; it never hides anything. ``high`` marks the identifiers whose leak harms most
and lasts longest (national IDs, passports, cards and accounts), ``personal`` every other kind of personal
data, ``none`` a column without personal data. An entity type this module does not know (a type added
after it) is ``personal``, never ``none``: an unknown kind of personal data is still personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Tier = Literal["high", "personal", "none"]

LABELS: dict[str, str] = {
    "PERSON_NAME": "Person name",
    "PHONE_NUMBER": "Phone number",
    "EMAIL_ADDRESS": "Email address",
    "CN_RESIDENT_ID": "CN resident ID",
    "KR_RRN": "KR resident registration no.",
    "PASSPORT_NUMBER": "Passport number",
    "PAYMENT_CARD": "Payment card number",
    "BANK_ACCOUNT": "Bank account number",
    "IBAN": "IBAN",
    "POSTAL_ADDRESS": "Postal address",
    "IP_ADDRESS": "IP address",
    "IMEI": "Device IMEI",
    "DATE_OF_BIRTH": "Date of birth",
    "GEO_COORDINATE": "Geo-coordinate",
    "FREE_TEXT_PII": "Free text with personal data",
}

HIGH_RISK: frozenset[str] = frozenset(
    {"CN_RESIDENT_ID", "KR_RRN", "PASSPORT_NUMBER", "PAYMENT_CARD", "BANK_ACCOUNT", "IBAN"}
)


def label(entity: str | None) -> str:
    """The readable name of an entity type; the type's own code when it has none; "" for no entity."""
    if entity is None:
        return ""
    return LABELS.get(entity, entity)


def tier(entity: str | None, contains: Iterable[str] = ()) -> Tier:
    """The risk tier of a column: ``high`` for national IDs, passports, cards and accounts, and for free
    text that contains one of them; ``none`` only when there is no entity."""
    if entity is None:
        return "none"
    if entity in HIGH_RISK or any(c in HIGH_RISK for c in contains):
        return "high"
    return "personal"
