"""The face every entity module shows, and the one ``is_valid`` they all share.

An entity module (python-stdnum's shape plus a column version) exposes:

- ``SPEC``: its :class:`ringfence.detect.spec.EntitySpec`, declared once at the top of the module;
- ``ENTITY``: the vocabulary name (``"CN_RESIDENT_ID"``, ``SPEC.entity``); the docstring's first line is the
  display name;
- ``compact(value)``: the value without separators, NFKC-normalised (full-width digits become ASCII);
- ``validate(value)``: the compact form, or raises ``InvalidFormat``/``InvalidLength``/``InvalidChecksum``/
  ``InvalidComponent`` (messages name the entity and the check, never the value);
- ``is_valid(value)``: True or False for any object, never raises;
- ``compact_expr(col)``, ``valid_expr(col)``, ``score_expr(col)``: the column versions. ``valid_expr`` is
  Boolean (null for null) and agrees with ``is_valid`` on every string; ``score_expr`` is a Float64
  confidence in 0..1 that is 0.0 exactly where ``valid_expr`` is False.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import polars as pl

from ringfence.detect.spec import EntitySpec
from ringfence.errors import ValidationError

# Longer values are rejected before any pattern runs (the longest entity, a postal address, stays far below).
MAX_CHARS = 1000


class EntityModule(Protocol):
    """The interface of an entity module (modules satisfy it structurally)."""

    @property
    def SPEC(self) -> EntitySpec: ...

    @property
    def ENTITY(self) -> str: ...

    def compact(self, value: str) -> str: ...

    def validate(self, value: str) -> str: ...

    def is_valid(self, value: object) -> bool: ...

    def compact_expr(self, col: pl.Expr) -> pl.Expr: ...

    def valid_expr(self, col: pl.Expr) -> pl.Expr: ...

    def score_expr(self, col: pl.Expr) -> pl.Expr: ...


def is_valid_by(validate: Callable[[str], str], value: object) -> bool:
    """``validate(value)`` succeeded; False for non-strings and values over :data:`MAX_CHARS`."""
    if not isinstance(value, str) or len(value) > MAX_CHARS:
        return False
    try:
        validate(value)
    except ValidationError:
        return False
    return True
