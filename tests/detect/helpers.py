"""Shared checks for entity-module tests: the scalar and column versions must agree value by value."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ringfence.detect.entities import EntityModule


def column(module: EntityModule, values: Sequence[str | None], expr: str = "valid_expr") -> list[object]:
    """``module.<expr>`` over a DataFrame column holding ``values``."""
    frame = pl.DataFrame({"v": list(values)}, schema={"v": pl.String})
    return frame.select(getattr(module, expr)(pl.col("v")).alias("out")).get_column("out").to_list()


def literal(module: EntityModule, values: Sequence[str | None], expr: str = "valid_expr") -> list[object]:
    """``module.<expr>`` over a literal Series (no frame), the other way people call expressions."""
    series = pl.Series("v", list(values), dtype=pl.String)
    return pl.select(getattr(module, expr)(series).alias("out")).get_column("out").to_list()


def disagreements(module: EntityModule, values: Sequence[str]) -> list[tuple[str, bool, object]]:
    """Values on which ``is_valid`` and ``valid_expr`` (in a frame and on a literal) do not agree, and
    on which ``score_expr`` is not positive exactly where the value is valid."""
    in_frame = column(module, values)
    on_literal = literal(module, values)
    scores = column(module, values, "score_expr")
    wrong = []
    for value, a, b, s in zip(values, in_frame, on_literal, scores, strict=True):
        expected = module.is_valid(value)
        if a != expected or b != expected or (isinstance(s, float) and (s > 0) != expected):
            wrong.append((value, expected, (a, b, s)))
    return wrong


def assert_table(module: EntityModule, valid: Sequence[str], invalid: Sequence[str]) -> None:
    """Every ``valid`` value is valid and every ``invalid`` one is not, in the scalar and column forms."""
    assert [v for v in valid if not module.is_valid(v)] == []
    assert [v for v in invalid if module.is_valid(v)] == []
    assert disagreements(module, [*valid, *invalid]) == []
