"""Entity types: one module per type of the DESIGN.md vocabulary, each with the same face.

Every module has python-stdnum's face (``compact``, ``validate``, ``is_valid``) plus a column version
(``compact_expr``, ``valid_expr``, ``score_expr``) that works on a whole Polars string column with
vectorised string expressions; see :mod:`ringfence.detect.entities._face` for the contract. Each also
declares its ``SPEC`` (:class:`ringfence.detect.spec.EntitySpec`: label, country, kind, category, header
hints, how the classifier finds it, its draft and mask defaults); :data:`SPECS` holds one per vocabulary
name, ``FREE_TEXT_PII``'s from :mod:`ringfence.detect.entities.free_text`. Some have
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
    free_text,
    geo,
    iban,
    imei,
    internal_id,
    ip,
    kr_rrn,
    passport,
    payment_card,
    person_name,
    phone,
    postal_address,
)
from ringfence.detect.entities._face import EntityModule
from ringfence.detect.spec import EntitySpec
from ringfence.detect.vocabulary import ENTITY_TYPES
from ringfence.errors import UsageError

# In the order of the vocabulary; FREE_TEXT_PII has a spec (free_text.SPEC) but no validators.
_MODULES: tuple[EntityModule, ...] = (
    person_name,
    phone,
    email,
    cn_resident_id,
    kr_rrn,
    passport,
    payment_card,
    bank_account,
    iban,
    postal_address,
    ip,
    imei,
    date_of_birth,
    geo,
    internal_id,
)
ENTITIES: dict[str, EntityModule] = {module.ENTITY: module for module in _MODULES}
# Every entity type's spec, in the order of the vocabulary: the one place the tables of the classifier,
# the header hints, the report and the policy draft come from.
SPECS: dict[str, EntitySpec] = {
    s.entity: s
    for s in sorted((*(m.SPEC for m in _MODULES), free_text.SPEC), key=lambda s: ENTITY_TYPES.index(s.entity))
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


__all__ = ["ENTITIES", "SPECS", "EntityModule", "EntitySpec", "display_name", "get"]
