"""The entity types a policy may name: the vocabulary of :mod:`ringfence.detect.vocabulary`."""

from __future__ import annotations

from ringfence.detect.vocabulary import ENTITY_TYPES, NATIONAL_IDS, EntityType

__all__ = ["ENTITY_TYPES", "NATIONAL_IDS", "EntityType"]
