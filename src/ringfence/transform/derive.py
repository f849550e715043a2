"""What a national ID says about its holder, read column-wise, and the ``derive`` transform.

- **CN resident ID** (GB 11643): 18 characters ``RRRRRR YYYYMMDD SSS C`` (region, birth date, sequence
  whose last digit is odd for men, ISO 7064 MOD 11-2 check character), or the old 15-digit form
  ``RRRRRR YYMMDD SSS`` (born 19YY; the last digit carries the gender). An 18-character ID whose check
  character is wrong is not read.
- **KR RRN**: ``YYMMDD-GNNNNNN``; ``G`` gives century and gender (1/2: 1900s, 3/4: 2000s, 9/0: 1800s;
  5-8 the same for foreign residents; odd = male). The check digit is not required: numbers issued since
  October 2020 have random digits after ``G``.

Spaces and dashes are ignored. Each value is read by its own form, whatever entity the rule declares: a
column may mix CN and KR holders (a platform serving both), and the forms cannot be confused (18 or 15
characters against 13 digits), so the reader is picked per row by a mask. An ID that cannot be read (wrong
length, impossible date, bad check character) yields null for every field: nothing is guessed, and
:meth:`Derive.lost` lets a run count such values for its summary.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import polars as pl

from ringfence.detect.checksums import mod11_2_valid_expr
from ringfence.errors import UsageError
from ringfence.policy.entities import NATIONAL_IDS
from ringfence.policy.rules import DeriveField
from ringfence.transform.base import TransformContext, TransformSpec, text
from ringfence.transform.dates import age_bands, need_as_of
from ringfence.transform.derive_fast import plain_forms


@dataclass(frozen=True)
class IdParts:
    """Expressions over one ID column: birth ``Date``, gender ``M``/``F`` and the region code digits."""

    birth: pl.Expr
    gender: pl.Expr
    region: pl.Expr


def compact(value: pl.Expr) -> pl.Expr:
    """The ID without spaces or dashes, upper-cased (``x`` check characters become ``X``); literal
    replacements, much faster than a regular expression."""
    return (
        value.str.replace_all(" ", "", literal=True).str.replace_all("-", "", literal=True).str.to_uppercase()
    )


def _gender(digit: pl.Expr) -> pl.Expr:
    return pl.when(digit.is_null()).then(None).when(digit % 2 == 1).then(pl.lit("M")).otherwise(pl.lit("F"))


def _cn_stages(number: pl.Expr, region_digits: int) -> list[dict[str, pl.Expr]]:
    """CN resident IDs, stage by stage (each stage's columns are computed once, from the stage before):
    form checks, then the birth date digits and the gender digit, then the parts."""
    n = pl.col("number")
    return [
        {"number": number},
        {
            "long": n.str.contains(r"^[0-9]{17}[0-9X]$") & mod11_2_valid_expr(n),
            "short": n.str.contains(r"^[0-9]{15}$"),
        },
        {
            "digits": pl.when("long")
            .then(n.str.slice(6, 8))
            .when("short")
            .then(pl.concat_str([pl.lit("19"), n.str.slice(6, 6)])),
            "g": pl.when("long")
            .then(n.str.slice(16, 1))
            .otherwise(n.str.slice(14, 1))
            .cast(pl.Int32, strict=False),
            "region": n.str.slice(0, region_digits),
        },
        {"birth": pl.col("digits").str.to_date("%Y%m%d", strict=False)},
    ]


def _kr_stages(number: pl.Expr) -> list[dict[str, pl.Expr]]:
    """KR RRNs, stage by stage: form check and the ``G`` digit, then the birth date."""
    n, g = pl.col("number"), pl.col("g")
    century = (
        pl.when(g.is_in([1, 2, 5, 6]))
        .then(pl.lit("19"))
        .when(g.is_in([3, 4, 7, 8]))
        .then(pl.lit("20"))
        .otherwise(pl.lit("18"))
    )
    return [
        {"number": number},
        {"ok": n.str.contains(r"^[0-9]{13}$"), "g": n.str.slice(6, 1).cast(pl.Int32, strict=False)},
        {
            "digits": pl.when("ok").then(pl.concat_str([century, n.str.slice(0, 6)])),
            "region": pl.lit(None, pl.String),
        },
        {"birth": pl.col("digits").str.to_date("%Y%m%d", strict=False)},
    ]


# Slices of IDs whose parts an _IdBatch keeps for the other output columns of the same rows.
RECENT = 8

_PARTS = pl.Struct({"birth": pl.Date, "gender": pl.String, "region": pl.String})


def _run(stages: list[dict[str, pl.Expr]], ids: pl.DataFrame) -> pl.DataFrame:
    frame = ids
    for stage in stages:
        frame = frame.with_columns(**stage)
    return frame


class _IdBatch:
    """Batch function: every part of a column of national IDs, each value read by its own form (a column
    may mix CN resident IDs and KR RRNs: their lengths differ, 18 or 15 characters against 13 digits, so
    the form picks the reader per row with a mask, never a guess); an ID whose birth date cannot be read
    yields null parts."""

    def __init__(self, region_digits: int) -> None:
        self.region_digits = region_digits
        self._lock = threading.Lock()
        self._recent: list[tuple[pl.Series, pl.Series]] = []

    def __getstate__(self) -> dict[str, Any]:
        return {"region_digits": self.region_digits}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["region_digits"])  # type: ignore[misc]

    def __call__(self, values: pl.Series) -> pl.Series:
        """The parts of ``values``. Polars runs this once per output column on each slice of a batch
        (it does not share a Python function's result between expressions), so the parts of the last
        :data:`RECENT` slices are kept and handed out again when the same values come back (checked by
        value: the parts are a function of the values alone)."""
        with self._lock:
            for seen, parts in self._recent:
                if len(seen) == len(values) and seen.equals(values, check_dtypes=True, check_names=True):
                    return parts
        parts = self._parts(values)
        with self._lock:
            self._recent = [(values, parts), *self._recent[: RECENT - 1]]
        return parts

    def _parts(self, values: pl.Series) -> pl.Series:
        ids = values.cast(pl.String)
        fast = plain_forms(ids, NATIONAL_IDS, self.region_digits)
        if fast.rest.size == 0:  # every value was plain digits (or null): the usual column
            return fast.parts.to_struct(values.name)
        rest = self.read(ids.gather(fast.rest))
        parts = fast.parts
        return pl.DataFrame(
            [parts.get_column(name).scatter(fast.rest, rest.get_column(name)) for name in parts.columns]
        ).to_struct(values.name)

    def read(self, ids: pl.Series) -> pl.DataFrame:
        """The parts of any IDs (separators, the 15-digit form, anything malformed), by string stages."""
        number = compact(pl.col("id"))
        frame = ids.to_frame("id").with_row_index("row")
        is_kr = frame.select(number.str.contains(r"^[0-9]{13}$").fill_null(False)).to_series()
        kept = ["row", "birth", "g", "region"]
        # Each reader runs on its own rows only (split by the mask, put back in order by row number).
        parts = pl.concat(
            [
                _run(_cn_stages(number, self.region_digits), frame.filter(~is_kr)).select(kept),
                _run(_kr_stages(number), frame.filter(is_kr)).select(kept),
            ]
        ).sort("row")
        readable = pl.col("birth").is_not_null()
        return parts.select(
            pl.col("birth"),
            _gender(pl.when(readable).then(pl.col("g"))).alias("gender"),
            pl.when(readable).then(pl.col("region")).alias("region"),
        )


def id_parts(value: pl.Expr, entity: str, region_digits: int = 2) -> IdParts:
    """Birth date, gender and region of a column of national IDs (CN resident IDs, KR RRNs or both, each
    value read by its own form), computed in one pass; ``entity`` is the column's declared one."""
    if entity not in NATIONAL_IDS:
        raise UsageError(f"birth data can be read from {' or '.join(NATIONAL_IDS)}, not {entity}")
    parsed = value.map_batches(_IdBatch(region_digits), return_dtype=_PARTS, is_elementwise=True)
    return IdParts(
        birth=parsed.struct.field("birth"),
        gender=parsed.struct.field("gender"),
        region=parsed.struct.field("region"),
    )


class Derive(TransformSpec):
    """Replaces a national ID column with ``<column>_<field>`` columns: ``birth_year`` (Int32),
    ``birth_date`` (Date), ``gender`` (``M``/``F``), ``age_band`` (``30-39``, ``90+``) and ``region``
    (CN only: the first 2, 4 or 6 digits). The ID itself is not emitted.

    Reversible: no. Joinable: yes (equal IDs give equal fields), though many people share each value.
    """

    name = "derive"
    counts_unreadable = True

    def __init__(
        self,
        entity: str | None,
        fields: list[DeriveField],
        age_band: int = 10,
        region_digits: int = 2,
        as_of: dt.date | None = None,
    ) -> None:
        if entity is None:
            raise UsageError("derive needs the entity of the ID column (CN_RESIDENT_ID or KR_RRN)")
        self.check(
            entity=entity, fields=list(fields), age_band=age_band, region_digits=region_digits, as_of=as_of
        )
        self.entity = entity
        self.fields = list(fields)
        self.age_band = age_band
        self.region_digits = region_digits
        self.as_of = as_of

    def params(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "fields": self.fields,
            "age_band": self.age_band,
            "region_digits": self.region_digits,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    def output_columns(self, column: str) -> list[str]:
        return [f"{column}_{field}" for field in self.fields]

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        parts = id_parts(text(column, ctx.dtype(column)), self.entity, self.region_digits)
        out: list[pl.Expr] = []
        for field, name in zip(self.fields, self.output_columns(column), strict=True):
            if field == "birth_year":
                out.append(parts.birth.dt.year().cast(pl.Int32).alias(name))
            elif field == "birth_date":
                out.append(parts.birth.alias(name))
            elif field == "gender":
                out.append(parts.gender.alias(name))
            elif field == "age_band":
                as_of = need_as_of(self.as_of, ctx, "derive age_band")
                out.append(age_bands(parts.birth, as_of, self.age_band).alias(name))
            elif self.entity == "KR_RRN":
                raise UsageError("KR_RRN has no region: its digits are random for numbers issued since 2020")
            else:
                out.append(parts.region.alias(name))
        return out
