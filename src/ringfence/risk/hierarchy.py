"""Generalisation hierarchies of quasi-identifiers: each level a Polars expression, coarser as it rises,
the top level withholding the value (null).

Built automatically from a column's type, name and range (:func:`auto_hierarchy`), or from a policy's
``risk.hierarchies`` entry (:func:`from_policy`):

- dates: day → month → year → decade; timestamps: second → hour → day → month → year;
- integers (ages, birth years, amounts in minor units): bands of growing width (5, 10, 20 for ages and
  years; powers of ten sized to the range otherwise); decimals: the same, or 0.01° … 10° for coordinates;
- digit codes: shorter prefixes, the rest shown as ``*`` (postal codes one digit at a time; CN
  administrative codes 6 → 4 → 2 digits, province / prefecture / county; KR codes 10 → 5 → 2 digits);
- any other text (a gender, a city name, a device model): kept or withheld.

Every level keeps the column's type (a band is its lower bound, a truncated date its first day), so a
generalised output has the schema of the plan's output. Levels are expressions, applied to whole columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from ringfence.detect.headers import normalise
from ringfence.policy.model import Hierarchy as HierarchyRule

__all__ = ["Hierarchy", "auto_hierarchy", "from_policy"]

_DATE_GRAINS = ("1mo", "1y", "10y")
_DATETIME_GRAINS = ("1h", "1d", "1mo", "1y")
_GRAIN_NAMES = {
    "1h": "hour",
    "1d": "day",
    "1mo": "month",
    "1q": "quarter",
    "3mo": "quarter",
    "1y": "year",
    "10y": "decade",
}
_REGION_WORDS = ("region", "province", "city", "district", "county", "adcode", "areacode", "行政", "지역")
_AGE_WORDS = ("age", "birthyear", "yearofbirth", "yob", "年龄", "나이")
_GEO_WORDS = ("lat", "lon", "lng")


@dataclass(frozen=True)
class Hierarchy:
    """One column's levels: 0 is the value as it is, ``height`` withholds it; ``steps`` the parameters of
    the levels between (band widths, date grains, prefix lengths)."""

    column: str
    kind: str  # number | date | code | region | category
    steps: tuple[int | float | str, ...]
    dtype: pl.DataType

    @property
    def height(self) -> int:
        return len(self.steps) + 1

    def expr(self, level: int) -> pl.Expr:
        col = pl.col(self.column)
        if level <= 0:
            return col
        if level >= self.height:
            return pl.lit(None, dtype=self.dtype).alias(self.column)
        step = self.steps[level - 1]
        if self.kind == "date":
            return col.dt.truncate(str(step)).alias(self.column)
        if self.kind == "number":
            width = float(step)
            banded = (col.cast(pl.Float64) / width).floor() * width
            return banded.cast(self.dtype).alias(self.column)
        # code, region: a prefix, the rest starred
        keep = int(step)
        return pl.concat_str(col.str.slice(0, keep), col.str.slice(keep).str.replace_all(".", "*")).alias(
            self.column
        )

    def describe(self, level: int) -> str:
        """The level for people (no values): ``as is``, ``year``, ``bands of 10``, ``first 2 digits``."""
        if level <= 0:
            return "as is"
        if level >= self.height:
            return "withheld"
        step = self.steps[level - 1]
        if self.kind == "date":
            return _GRAIN_NAMES.get(str(step), str(step))
        if self.kind == "number":
            return f"bands of {step:g}" if isinstance(step, float) else f"bands of {step}"
        return f"first {step} characters"


def _powers(span: float, top: int = 4) -> tuple[float, ...]:
    """Band widths, powers of ten from about span/1000 up to below the span."""
    if not span or span <= 0 or not math.isfinite(span):
        return ()
    first = 10.0 ** max(math.floor(math.log10(span)) - 2, -2)
    widths: list[float] = []
    width = first
    while width < span and len(widths) < top:
        widths.append(width)
        width *= 10
    return tuple(widths)


def auto_hierarchy(column: str, values: pl.Series) -> Hierarchy:
    """The automatic hierarchy of ``column`` from its type, its name and its values' range and shape
    (see the module docstring)."""
    dtype = values.dtype
    name = normalise(column)
    if dtype == pl.Date:
        return Hierarchy(column, "date", _DATE_GRAINS, dtype)
    if dtype.is_temporal() and dtype != pl.Time and dtype != pl.Duration:
        return Hierarchy(column, "date", _DATETIME_GRAINS, dtype)
    if dtype.is_numeric():
        lo, hi = values.min(), values.max()
        span = float(hi) - float(lo) if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) else 0.0
        if dtype.is_integer() and any(w in name for w in _AGE_WORDS):
            steps: tuple[int | float, ...] = (5, 10, 20)
        elif dtype.is_float() and any(w in name for w in _GEO_WORDS):
            steps = (0.01, 0.1, 1.0, 10.0)
        else:
            steps = tuple(int(w) if dtype.is_integer() and w >= 1 else w for w in _powers(span))
            steps = tuple(w for w in steps if not (dtype.is_integer() and w < 1))
        return Hierarchy(column, "number", steps, dtype)
    if dtype == pl.String:
        text = values.drop_nulls()
        lengths = text.str.len_chars()
        digits = bool(text.len()) and bool(text.str.contains(r"^[0-9A-Za-z]+$").all())
        if digits and lengths.min() == lengths.max():
            width = int(lengths.max() or 0)  # type: ignore[arg-type]
            if any(w in name for w in _REGION_WORDS) and width in (6, 10, 12):
                keep = (4, 2) if width == 6 else (5, 2)
                return Hierarchy(column, "region", keep, dtype)
            if 2 <= width <= 12:
                return Hierarchy(column, "code", tuple(range(width - 1, 0, -1))[:5], dtype)
    return Hierarchy(column, "category", (), dtype)


def from_policy(column: str, rule: HierarchyRule, dtype: pl.DataType) -> Hierarchy:
    """The hierarchy a policy gives ``column``."""
    kind = "date" if rule.kind == "date" else rule.kind
    steps: Sequence[int | float | str] = rule.levels
    if kind == "date":
        steps = [
            {"day": "1d", "month": "1mo", "quarter": "3mo", "year": "1y", "decade": "10y"}.get(str(s), str(s))
            for s in steps
        ]
    return Hierarchy(column, kind, tuple(steps), dtype)
