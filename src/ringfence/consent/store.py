"""Consents: what each data subject agreed to, loaded from the company's consent records, and the subjects
whose consent is valid for one release.

A consent file (CSV/TSV in any common encoding, Parquet or JSON lines; :func:`ringfence.io.read.open_source`)
has the columns ``subject_id, purpose, recipient, granted_at, withdrawn_at`` and, where the law asks for
separate consent, ``separate_sensitive`` and ``cross_border`` (true/false, 1/0, yes/no, Y/N; absent means no).
``recipient`` ``*`` is any recipient; an empty ``withdrawn_at`` means the consent still holds.

What it guarantees:

- All or nothing: every row of a file is checked (columnar, whole batches) before anything is written; a
  file with a malformed row loads nothing and the error names the line and the column, never a value.
- Idempotent: a consent is identified by (subject, purpose, recipient, granted_at); importing the same file
  again changes nothing, and a later file that adds a ``withdrawn_at`` to a known consent records the
  withdrawal.
- Withdrawal is honoured from its timestamp: a consent is valid at time *t* when ``granted_at <= t`` and it
  was not withdrawn at or before *t*.
- Times are stored in UTC (ISO 8601); a time without a zone is read as UTC.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from ringfence.errors import InputError, UsageError
from ringfence.io.read import Source, open_source
from ringfence.state.store import StateStore

__all__ = ["CONSENT_KINDS", "ConsentImport", "consenting_subjects", "import_consents"]

REQUIRED = ("subject_id", "purpose", "recipient", "granted_at", "withdrawn_at")
FLAGS = ("separate_sensitive", "cross_border")
# What a release may require of each subject's consent (the transfer rules decide which):
# provision: a consent for this purpose and recipient (or any recipient);
# separate_sensitive / cross_border: that consent was given separately for sensitive data / a transfer abroad;
# per_provision: given to this very recipient (not to "any recipient"), as a consent for each provision.
CONSENT_KINDS = ("provision", "separate_sensitive", "cross_border", "per_provision")
_TRUE = ("true", "1", "yes", "y", "t")
_FALSE = ("false", "0", "no", "n", "f", "")
_FIELD_CHARS = 256
_BATCH = 100_000


@dataclass(frozen=True)
class ConsentImport:
    """What an import did: counts only."""

    source: str
    rows: int
    added: int
    withdrawals: int
    unchanged: int

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "rows": self.rows,
            "added": self.added,
            "withdrawals_recorded": self.withdrawals,
            "unchanged": self.unchanged,
        }


def _times(column: str) -> pl.Expr:
    """``column`` parsed as a UTC instant: ISO date-times with or without a zone, or bare dates."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    naive = text.str.to_datetime(time_unit="us", strict=False, time_zone="UTC", ambiguous="earliest")
    zoned = text.str.to_datetime(format="%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", strict=False)
    spaced = text.str.to_datetime(format="%Y-%m-%d %H:%M:%S%.f%z", time_unit="us", strict=False)
    day = (
        text.str.to_date(format="%Y-%m-%d", strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    )
    return pl.coalesce(
        zoned.dt.convert_time_zone("UTC"), spaced.dt.convert_time_zone("UTC"), naive, day
    ).alias(column)


def _flag(column: str, present: bool) -> pl.Expr:
    if not present:
        return pl.lit(False).alias(column)
    text = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("")
    return (
        pl.when(text.is_in(_TRUE))
        .then(True)
        .when(text.is_in(_FALSE))
        .then(False)
        .otherwise(None)
        .alias(column)
    )


def _problem(frame: pl.DataFrame, offset: int, source: Source) -> str | None:
    """The first malformed row of a batch as "line N: what" (no values), or None."""
    checks = {
        "subject_id is empty": pl.col("subject_id").is_null(),
        "purpose is empty": pl.col("purpose").is_null(),
        "recipient is empty": pl.col("recipient").is_null(),
        "a field is longer than 256 characters": pl.any_horizontal(
            pl.col(c).str.len_chars() > _FIELD_CHARS for c in ("subject_id", "purpose", "recipient")
        ),
        "granted_at is not a date or date-time": pl.col("granted_at").is_null(),
        "withdrawn_at is not a date or date-time": pl.col("withdrawn_at").is_null()
        & pl.col("_withdrawn_given"),
        "withdrawn_at is before granted_at": pl.col("withdrawn_at") < pl.col("granted_at"),
        "a separate-consent flag is not true or false": pl.any_horizontal(pl.col(f).is_null() for f in FLAGS),
    }
    found = frame.with_row_index("_row").select(
        [pl.col("_row").filter(check.fill_null(False)).min().alias(what) for what, check in checks.items()]
    )
    first = [(row, what) for what, row in found.row(0, named=True).items() if row is not None]
    if not first:
        return None
    row, what = min(first)
    line = offset + int(row) + (2 if source.kind in ("csv", "tsv") else 1)
    return f"{source.name}, {'line' if source.kind in ('csv', 'tsv') else 'row'} {line}: {what}"


def _read(source: Source) -> pl.DataFrame:
    """The whole file as typed consent rows, every row checked; an :class:`InputError` at the first bad
    one."""
    names = set(source.schema().names())
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(
            f"{source.name}: a consent file needs the columns {', '.join(REQUIRED)}; missing {missing[0]}"
        )
    wanted = [*REQUIRED, *(f for f in FLAGS if f in names)]
    parts: list[pl.DataFrame] = []
    offset = 0
    for batch in source.batches(_BATCH, wanted):
        text = [
            pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c)
            for c in ("subject_id", "purpose", "recipient")
        ]
        given = pl.col("withdrawn_at").cast(pl.String).str.strip_chars().fill_null("") != ""
        typed = batch.select(
            *text,
            _times("granted_at"),
            _times("withdrawn_at"),
            given.alias("_withdrawn_given"),
            *(_flag(f, f in names) for f in FLAGS),
        )
        problem = _problem(typed, offset, source)
        if problem is not None:
            raise InputError(f"{problem}; nothing was imported")
        parts.append(typed.drop("_withdrawn_given"))
        offset += batch.height
    if not parts:
        raise InputError(f"{source.name}: the consent file has no rows")
    return pl.concat(parts).unique(subset=["subject_id", "purpose", "recipient", "granted_at"], keep="last")


def _iso(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").alias(column)


def import_consents(store: StateStore, source: str | os.PathLike[str] | Source) -> ConsentImport:
    """Loads a consent file into the store (see the module docstring)."""
    src = source if isinstance(source, Source) else open_source(source)
    rows = _read(src).select(
        "subject_id",
        "purpose",
        "recipient",
        _iso("granted_at"),
        _iso("withdrawn_at"),
        pl.col("separate_sensitive").cast(pl.Int8),
        pl.col("cross_border").cast(pl.Int8),
    )
    imported = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.transaction():
        known = _known(store, rows)
        merged = rows.join(known, on=["subject_id", "purpose", "recipient", "granted_at"], how="left")
        new = merged.filter(pl.col("_known").is_null())
        withdrawn = merged.filter(
            pl.col("_known").is_not_null() & pl.col("withdrawn_at").is_not_null() & pl.col("_was").is_null()
        )
        _insert(store, new.drop("_known", "_was"), imported)
        store.executemany(
            "UPDATE consents SET withdrawn_at = ? "
            "WHERE subject_id = ? AND purpose = ? AND recipient = ? AND granted_at = ?",
            withdrawn.select("withdrawn_at", "subject_id", "purpose", "recipient", "granted_at").rows(),
        )
    return ConsentImport(
        src.name, rows.height, new.height, withdrawn.height, rows.height - new.height - withdrawn.height
    )


def _known(store: StateStore, rows: pl.DataFrame) -> pl.DataFrame:
    """The stored consents of the file's purposes: their keys, and whether each is already withdrawn."""
    purposes = rows["purpose"].unique().to_list()
    found: list[tuple[object, ...]] = []
    for purpose in purposes:
        found += store.query(
            "SELECT subject_id, purpose, recipient, granted_at, withdrawn_at FROM consents WHERE purpose = ?",
            (purpose,),
        )
    schema = {
        "subject_id": pl.String,
        "purpose": pl.String,
        "recipient": pl.String,
        "granted_at": pl.String,
        "_was": pl.String,
    }
    known = pl.DataFrame(found, schema=schema, orient="row")
    return known.with_columns(pl.lit(True).alias("_known"))


def _insert(store: StateStore, rows: pl.DataFrame, imported: str) -> None:
    sql = (
        "INSERT INTO consents (subject_id, purpose, recipient, granted_at, withdrawn_at, separate_sensitive, "
        "cross_border, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for start in range(0, rows.height, _BATCH):
        chunk = rows.slice(start, _BATCH).with_columns(pl.lit(imported).alias("imported_at"))
        store.executemany(sql, chunk.rows())


def consenting_subjects(
    store: StateStore,
    *,
    purpose: str,
    recipient: str,
    kinds: Iterable[str],
    at: dt.datetime | None = None,
) -> pl.Series:
    """The distinct subject ids whose consent for ``purpose`` to ``recipient`` is valid at ``at`` (default
    now) and of every kind in ``kinds`` (:data:`CONSENT_KINDS`)."""
    wanted = set(kinds)
    unknown = wanted - set(CONSENT_KINDS)
    if unknown:
        raise UsageError(f"unknown consent kind {sorted(unknown)[0]!r}")
    moment = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    rows = store.query(
        "SELECT subject_id, recipient, granted_at, withdrawn_at, separate_sensitive, cross_border "
        "FROM consents WHERE purpose = ? AND (recipient = ? OR recipient = '*')",
        (purpose, recipient),
    )
    schema = {
        "subject_id": pl.String,
        "recipient": pl.String,
        "granted_at": pl.String,
        "withdrawn_at": pl.String,
        "separate_sensitive": pl.Int64,
        "cross_border": pl.Int64,
    }
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    valid = (pl.col("granted_at") <= moment) & (
        pl.col("withdrawn_at").is_null() | (pl.col("withdrawn_at") > moment)
    )
    if "separate_sensitive" in wanted:
        valid &= pl.col("separate_sensitive") == 1
    if "cross_border" in wanted:
        valid &= pl.col("cross_border") == 1
    if "per_provision" in wanted:
        valid &= pl.col("recipient") == recipient
    return frame.filter(valid)["subject_id"].unique().sort()
