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

__all__ = ["CANARY_FLAG", "MIN_BITS", "CanaryStep", "canary_matches", "canary_records", "canonical"]

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
    owners = pl.Series("recipient", [r.recipient for r in records])
    per = (
        matched.with_columns(
            owners.gather(matched.get_column("record")).alias("recipient"),
            (leak.height * total * pl.lit(2.0).pow(-pl.col("bits"))).clip(upper_bound=1.0).alias("bound"),
        )
        .group_by("recipient")
        .agg(hits=pl.len(), bound=pl.col("bound").min())
    )
    return dict(
        zip(
            per.get_column("recipient").to_list(),
            zip(per.get_column("hits").to_list(), per.get_column("bound").to_list(), strict=True),
            strict=True,
        )
    )


CANARY_FLAG = "__ringfence_canary__"
_CANDIDATES = 256
_KEEP = 0.6  # the share of an identifier's digits kept from its donor (prefixes, regions, dates)


class CanaryStep:
    """A step before the plan that adds ``count`` canary rows to the first batch, each next to a donor
    row the key picks and shaped like it (the same categories and round amounts, so its schema and
    distribution are the data's): identifier digits past the first 60% drawn from the key (and, for a
    column typed as an entity, redrawn until the entity's validator accepts it: checksums, phone plans),
    other high-cardinality text likewise, the time moved by up to a minute, fractional digits of
    non-round numbers drawn. Rows carry the hidden :data:`CANARY_FLAG` column (false for real rows)."""

    name = "canaries"

    def __init__(
        self,
        keys: KeyResolver,
        key_id: str,
        domain: str,
        seed: str,
        count: int,
        entities: dict[str, str],
        subject: str | None = None,
    ) -> None:
        self._keys, self._key_id, self._domain = keys, key_id, domain
        self._seed, self._count, self._entities = seed, count, entities
        self.bits: dict[str, float] = {}
        self._done = count == 0
        self._unique: set[str] = set()
        self._subject = subject  # a canary's subject is always drawn: never a real person's id

    def _draw(self, label: str, n: int) -> np.ndarray:
        keyed = pl.Series([f"{self._seed}\x1f{label}\x1f{i}" for i in range(n)])
        return words(self._keys, self._key_id, "canary-draw", self._domain, keyed)

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        if self._done or batch.height == 0:
            return batch.with_columns(pl.lit(False).alias(CANARY_FLAG))
        self._done = True
        n = self._count
        donors = (self._draw("donor", n) % np.uint64(batch.height)).astype(np.int64)
        rows = batch[donors]
        text = [c for c, t in batch.schema.items() if t == pl.String]
        if text:  # text columns whose values are (nearly) unique per row: their canary values are drawn
            head = batch.head(10_000)
            distinct = head.select(pl.col(text).n_unique()).row(0)
            self._unique = {c for c, d in zip(text, distinct, strict=True) if d > 0.5 * head.height}
        self._unique |= {self._subject} if self._subject else set()
        made = rows.with_columns([self._column(rows.get_column(c)) for c in rows.columns])
        made = made.with_columns(pl.lit(True).alias(CANARY_FLAG))
        real = batch.with_columns(pl.lit(False).alias(CANARY_FLAG))
        order = np.argsort(donors, kind="stable")
        parts, start = [], 0
        for k in order:  # each canary right after its donor (slices: no copy of the batch)
            at = int(donors[k]) + 1
            parts += [real.slice(start, at - start), made.slice(int(k), 1)]
            start = at
        parts.append(real.slice(start))
        return pl.concat(parts, how="vertical_relaxed")

    def _column(self, donor: pl.Series) -> pl.Series:
        name, dtype = donor.name, donor.dtype
        if isinstance(dtype, pl.Datetime):
            seconds = (self._draw("time|" + name, donor.len()) % np.uint64(60)).astype(np.int64)
            self.bits[name] = float(np.log2(60))
            return donor + pl.Series(seconds * 1_000_000).cast(pl.Duration("us"))
        if dtype.is_float():
            return self._fraction(donor)
        if dtype == pl.String and (name in self._entities or name in self._unique):
            return self._identifier(donor)
        return donor

    def _fraction(self, donor: pl.Series) -> pl.Series:
        values = donor.to_numpy().astype(np.float64)
        scaled = np.round(values * 1e6)
        decimals = np.zeros(values.size, dtype=np.int64)
        for d in range(6, 0, -1):  # the number of decimals each value shows (up to 6)
            decimals = np.where((decimals == 0) & (np.mod(scaled, 10 ** (6 - d + 1)) != 0), d, decimals)
        digits = np.minimum(decimals, 2)
        unit = 10.0 ** (-decimals.astype(np.float64))
        span = 10**digits
        draw = (self._draw("fraction|" + str(donor.name), values.size) % np.uint64(10**6)).astype(np.int64)
        base = np.floor(np.round(values / unit) / span) * span
        kept = np.where(span > 1, (base + np.mod(draw, span)) * unit, values)
        kept = np.where(np.isfinite(values) & (digits > 0), np.round(kept, 6), values)
        self.bits[str(donor.name)] = float(np.log2(10) * digits.min()) if digits.size else 0.0
        return pl.Series(donor.name, kept).cast(donor.dtype)

    def _identifier(self, donor: pl.Series) -> pl.Series:
        """Each value's digits past the kept share drawn from the key, ``_CANDIDATES`` times; the first
        candidate the entity's validator accepts (any, for a column with no entity)."""
        name = str(donor.name)
        n = donor.len()
        text = donor.fill_null("").to_list()
        draws = self._draw("id|" + name, n * _CANDIDATES).reshape(n, _CANDIDATES)
        candidates, spans = [], []
        for i, value in enumerate(text):  # a few canaries, each with its candidates: not the data's rows
            places = [k for k, ch in enumerate(value) if ch.isdigit()]
            free = places[int(np.ceil(len(places) * _KEEP)) :]
            spans.append(len(free))
            for j in range(_CANDIDATES):
                chars, word = list(value), int(draws[i, j])
                for k in free:
                    chars[k] = str(word % 10)
                    word //= 10
                    if word == 0:
                        word = int(draws[i, (j + k + 1) % _CANDIDATES]) | 1
                candidates.append("".join(chars))
        pool = pl.Series(name, candidates)
        entity = self._entities.get(name)
        if entity is not None:
            from ringfence.detect import entities

            valid = pool.to_frame().select(entities.get(entity).valid_expr(pl.col(name)).fill_null(False))
            ok = valid.to_series().to_numpy().reshape(n, _CANDIDATES)
        else:
            ok = np.ones((n, _CANDIDATES), dtype=bool)
        first = np.where(ok.any(axis=1), ok.argmax(axis=1), 0)
        rate = np.maximum(ok.mean(axis=1), 1 / _CANDIDATES)
        self.bits[name] = float(min(np.array(spans) * np.log2(10) + np.log2(rate))) if n else 0.0
        chosen = [candidates[i * _CANDIDATES + int(first[i])] for i in range(n)]
        return pl.Series(name, chosen, dtype=pl.String)
