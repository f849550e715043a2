"""Consent and recipients, a side rail of the governed release: who may receive data
(:mod:`.recipients`), what each subject agreed to (:mod:`.store`), and the runner step that keeps only the
rows of consenting subjects (:mod:`.filter`)."""

from ringfence.consent.filter import ConsentFilter, SubjectCollector
from ringfence.consent.recipients import (
    ROLES,
    RecipientRecord,
    add_recipient,
    find_recipient,
    get_recipient,
    list_recipients,
    remove_recipient,
)
from ringfence.consent.store import CONSENT_KINDS, ConsentImport, consenting_subjects, import_consents

__all__ = [
    "CONSENT_KINDS",
    "ROLES",
    "ConsentFilter",
    "ConsentImport",
    "RecipientRecord",
    "SubjectCollector",
    "add_recipient",
    "consenting_subjects",
    "find_recipient",
    "get_recipient",
    "import_consents",
    "list_recipients",
    "remove_recipient",
]
