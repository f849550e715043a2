"""Canary records: a few realistic, recipient-unique rows per release, and finding them in a leak.

A release's canaries are recorded as keyed digests of their released values per column
(:class:`~ringfence.fingerprint.record.CanaryRecord`), each with the bits of key-drawn randomness the
value holds. A leak row *hits* a canary when at least two of its columns equal the canary's and the
matched values hold at least :data:`MIN_BITS` bits; the chance that unrelated rows do so is at most
``rows × canaries × 2^-bits`` (the canary's values are drawn from the key, independently of any other
data), which is the bound a hit carries. Values are compared in a canonical text form (strings stripped
and lower-cased, numbers in shortest form, timestamps to the second) so that reformatting keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from ringfence.fingerprint.code import words
from ringfence.fingerprint.record import CanaryRecord, MarkRecord
from ringfence.keys import KeyResolver

__all__ = ["MIN_BITS", "canary_matches", "canary_records", "canonical"]

MIN_BITS = 40.0


def canonical(series: pl.Series) -> pl.Series:
    """The text a value is compared in (see the module docstring); null stays null."""
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        out = series.dt.epoch("s").cast(pl.String)
    elif dtype.is_float():
        out = series.round(6).cast(pl.String).str.replace(r"\.0$", "")
    elif dtype.is_numeric() or dtype.is_temporal() or dtype == pl.Boolean:
        out = series.cast(pl.String)
    else:
        out = series.cast(pl.String).str.strip_chars().str.to_lowercase()
    return out.alias(series.name)


def _digests(keys: KeyResolver, key_id: str, domain: str, series: pl.Series) -> pl.Series:
    text = canonical(series)
    keyed = pl.select(pl.concat_str(pl.lit(series.name + "\x1f"), text)).to_series()
    valid = text.is_not_null().to_numpy()
    w = words(keys, key_id, "canary", domain, keyed.fill_null(""))
    hexed = pl.Series(series.name, [f"{v:016x}" for v in w.tolist()], dtype=pl.String)
    return hexed.set(pl.Series(~valid), None) if not valid.all() else hexed


def canary_records(
    keys: KeyResolver, key_id: str, domain: str, canaries: pl.DataFrame, bits: dict[str, float]
) -> list[CanaryRecord]:
    """The records of released canary rows: each column's keyed digest, with ``bits`` of the columns
    whose canary values were drawn from the key (a column left out of ``bits`` holds none)."""
    if canaries.height == 0:
        return []
    digests = {c: _digests(keys, key_id, domain, canaries.get_column(c)) for c in canaries.columns}
    out = []
    for i in range(canaries.height):  # a few canaries per release, never the data's rows
        values = {c: d[i] for c, d in digests.items() if d[i] is not None}
        out.append(CanaryRecord(digests=values, bits={c: bits[c] for c in values if bits.get(c, 0) > 0}))
    return out


def canary_matches(
    leak: pl.DataFrame, records: Sequence[MarkRecord], keys: KeyResolver
) -> dict[str, tuple[int, float]]:
    """Per recipient: (canaries of its releases hit by leak rows, the bound of the strongest hit)."""
    table = [
        (k, j, column, digest, record.canaries[j].bits.get(column, 0.0))
        for k, record in enumerate(records)
        for j, canary in enumerate(record.canaries)
        for column, digest in canary.digests.items()
        if column in leak.columns
    ]
    if not table or leak.height == 0:
        return {}
    wanted = pl.DataFrame(table, schema=["record", "canary", "column", "digest", "bits"], orient="row")
    found = []
    groups: dict[tuple[str, str], list[int]] = {}
    for k, record in enumerate(records):
        groups.setdefault((record.key_id, record.domain), []).append(k)
    for (key_id, domain), members in groups.items():
        part = wanted.filter(pl.col("record").is_in(members))
        for column in part.get_column("column").unique().to_list():
            digests = _digests(keys, key_id, domain, leak.get_column(column))
            rows = pl.DataFrame({"row": np.arange(leak.height), "digest": digests, "column": column})
            found.append(part.filter(pl.col("column") == column).join(rows, on=["column", "digest"]))
    if not found:
        return {}
    matched = (
        pl.concat(found)
        .group_by("record", "canary", "row")
        .agg(columns=pl.len(), bits=pl.col("bits").sum())
        .filter((pl.col("columns") >= 2) & (pl.col("bits") >= MIN_BITS))
        .group_by("record", "canary")
        .agg(bits=pl.col("bits").max())
    )
    total = sum(len(r.canaries) for r in records)
    out: dict[str, tuple[int, float]] = {}
    for k, _, best in matched.iter_rows():  # one row per canary hit: a handful
        recipient = records[k].recipient
        bound = min(1.0, leak.height * total * 2.0 ** (-best))
        hits, kept = out.get(recipient, (0, 1.0))
        out[recipient] = (hits + 1, min(kept, bound))
    return out
