"""Numbers: rounding to a multiple, keyed bounded noise, and binning (the numeric ``generalize`` modes).

Inputs may be integer, float or decimal columns, or text holding numbers (``"1234.50"``). Text that is
not a number, NaN and null all give null. Types are kept where the result fits: integers rounded to an
integer multiple stay integers, decimals stay decimals of the same scale, text stays text.
"""

from __future__ import annotations

import itertools
from typing import Any

import polars as pl

from ringfence.errors import UsageError
from ringfence.transform.base import Scope, TransformContext, TransformSpec, keyed_uniform, text

_TEXT_TYPES = (pl.String, pl.Categorical)


def _is_text(dtype: pl.DataType) -> bool:
    return dtype in _TEXT_TYPES or isinstance(dtype, pl.Enum)


def numbers(column: str, dtype: pl.DataType) -> pl.Expr:
    """The column as ``Float64`` (text parsed; unparseable text and NaN become null)."""
    if _is_text(dtype):
        value = text(column, dtype).str.strip_chars().cast(pl.Float64, strict=False)
    elif dtype.is_numeric():
        value = pl.col(column).cast(pl.Float64)
    else:
        raise UsageError(f"column {column!r} holds {dtype}, not numbers")
    return pl.when(value.is_nan()).then(None).otherwise(value)


def decimals_of(step: float) -> int:
    """Decimal places needed to write ``step`` (``0.05`` -> 2, ``10`` -> 0), at most 10."""
    shown = f"{step:.10f}".rstrip("0")
    return min(10, len(shown.split(".")[1]))


def format_number(value: pl.Expr, places: int) -> pl.Expr:
    """Numbers as text: integers without ``.0`` when ``places`` is 0, otherwise rounded to ``places``."""
    if places == 0:
        return value.round(0).cast(pl.Int64).cast(pl.String)
    return value.round(places).cast(pl.String)


def _label(edge: float) -> str:
    return str(int(edge)) if float(edge).is_integer() else repr(float(edge))


def bin_labels(value: pl.Expr, edges: list[float]) -> pl.Expr:
    """``<e0``, ``[e0,e1)``, ..., ``>=en`` for each number (left-closed bins); null stays null."""
    labels = [f"[{_label(a)},{_label(b)})" for a, b in itertools.pairwise(edges)]
    chain = (
        pl.when(value.is_null())
        .then(pl.lit(None, pl.String))
        .when(value < edges[0])
        .then(pl.lit(f"<{_label(edges[0])}"))
    )
    for upper, label in zip(edges[1:], labels, strict=True):
        chain = chain.when(value < upper).then(pl.lit(label))
    return chain.otherwise(pl.lit(f">={_label(edges[-1])}"))


def width_labels(value: pl.Expr, width: float) -> pl.Expr:
    """``[lo,hi)`` with ``lo`` the multiple of ``width`` at or below each number."""
    low = (value / width).floor() * width
    places = decimals_of(width)
    return pl.format("[{},{})", format_number(low, places), format_number(low + width, places))


def _restore(result: pl.Expr, dtype: pl.DataType, places: int) -> pl.Expr:
    """A ``Float64`` result back in the column's type (text keeps ``places`` decimals)."""
    if _is_text(dtype):
        return format_number(result, places)
    if isinstance(dtype, pl.Decimal):
        return result.round(dtype.scale).cast(dtype, strict=False)
    if dtype.is_integer():
        return result.round(0, mode="half_away_from_zero").cast(dtype, strict=False)
    return result.cast(dtype)


class Round(TransformSpec):
    """Round to the nearest multiple of ``to``, halves away from zero (``125 -> 130`` for ``to: 10``).

    Reversible: no. Joinable: yes (equal inputs give equal outputs; nearby inputs merge)."""

    name = "round"

    def __init__(self, to: float) -> None:
        self.check(to=to)
        self.to = float(to)

    def params(self) -> dict[str, Any]:
        return {"to": self.to}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        dtype = ctx.dtype(column)
        step = self.to
        if dtype.is_integer() and step.is_integer():
            x, n = pl.col(column), int(step)
            magnitude = (x.abs().cast(pl.Int64) + n // 2) // n * n
            rounded = pl.when(x < 0).then(-magnitude).otherwise(magnitude)
            return [rounded.cast(dtype, strict=False).alias(column)]
        places = decimals_of(step)
        result = ((numbers(column, dtype) / step).round(0, mode="half_away_from_zero") * step).round(places)
        if dtype.is_integer():
            return [result.alias(column)]  # a fractional multiple does not fit an integer column
        return [_restore(result, dtype, places).alias(column)]


class Noise(TransformSpec):
    """Multiply each number by ``1 + relative * u`` with ``u`` in ``[-1, 1)`` from a keyed digest of the
    value (and of the ``subject`` column's value when given), so the same value (of the same subject)
    always gets the same noise: repeating a release or a query cannot average it away.

    Reversible: no for the recipient. Joinable: yes without a subject (equal values give equal
    outputs), no with one."""

    name = "noise"

    def __init__(
        self, relative: float = 0.05, subject: str | None = None, scope: Scope = "recipient"
    ) -> None:
        self.check(relative=relative, subject=subject, scope=scope)
        self.relative = float(relative)
        self.subject = subject
        self.scope: Scope = scope

    def params(self) -> dict[str, Any]:
        return {"relative": self.relative, "subject": self.subject, "scope": self.scope}

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        dtype = ctx.dtype(column)
        value = numbers(column, dtype)
        key_text = value.cast(pl.String)
        if self.subject is not None:
            subject = text(self.subject, ctx.dtype(self.subject))
            # length-prefixed, so (subject, value) pairs cannot run into each other
            key_text = pl.concat_str(
                [subject.str.len_bytes().cast(pl.String), pl.lit(":"), subject, key_text]
            )
        keyed = keyed_uniform(ctx, "noise", self.scope).expr(key_text)
        unit = (keyed // 2048).cast(pl.Float64) / float(1 << 53)  # [0, 1) from the top 53 bits
        result = value * (1.0 + self.relative * (2.0 * unit - 1.0))
        places = 2 if _is_text(dtype) else 0
        return [_restore(result, dtype, places).alias(column)]
