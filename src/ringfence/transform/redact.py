"""The transforms that keep or remove a column whole: ``keep``, ``drop``, ``suppress`` and ``redact``."""

from __future__ import annotations

from typing import Any

import polars as pl

from ringfence.transform.base import TransformContext, TransformSpec


class Keep(TransformSpec):
    """The column as it is. Reversible: yes (it is the input). Joinable: yes."""

    name = "keep"

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        return [pl.col(column)]


class Drop(TransformSpec):
    """No output column at all. Reversible: no. Joinable: no (nothing is released)."""

    name = "drop"

    def output_columns(self, column: str) -> list[str]:
        return []

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        return []


class Suppress(TransformSpec):
    """The column stays, with its type, but every cell is null. Reversible: no. Joinable: no."""

    name = "suppress"

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        return [pl.repeat(None, pl.len(), dtype=ctx.dtype(column)).alias(column)]


class Redact(TransformSpec):
    """Every non-null cell becomes the same text (``[REDACTED]`` by default); null stays null; the column
    becomes a string column. Reversible: no. Joinable: no (one constant carries nothing to join on)."""

    name = "redact"

    def __init__(self, value: str = "[REDACTED]") -> None:
        self.value = value

    def params(self) -> dict[str, Any]:
        return {"value": self.value}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        col = pl.col(column)
        return [
            pl.when(col.is_null()).then(pl.lit(None, pl.String)).otherwise(pl.lit(self.value)).alias(column)
        ]
