"""One entity vocabulary: what scan can report is exactly what a policy can name.

``tests/detect/test_contract.py`` holds the detector registry to DESIGN.md's list.
"""

from __future__ import annotations

from ringfence.detect import entities
from ringfence.detect.vocabulary import FREE_TEXT
from ringfence.policy import ENTITY_TYPES


def test_a_policy_can_name_every_detected_type_and_nothing_else() -> None:
    assert len(ENTITY_TYPES) == len(set(ENTITY_TYPES))
    assert set(ENTITY_TYPES) == set(entities.ENTITIES) | {FREE_TEXT}
    assert all(name == module.ENTITY for name, module in entities.ENTITIES.items())
