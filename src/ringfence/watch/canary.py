"""Canary customers: identifiers planted in a table that no genuine work ever asks for by value.

``ringfence canary plant ID...`` stores only keyed digests of the identifiers (the keyset's PRF under the
primary ``hmac`` key, in the domain :data:`DOMAIN`), so the state store never holds the identifiers
themselves. Watch digests every literal a statement names (quoted strings and numbers, extracted from the
whole statement column at once) under each key that planted a canary and raises a ``canary`` alert on a
match.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from ringfence.keys import Keyset
from ringfence.state.store import StateStore

DOMAIN = "ringfence watch canary v1"
_LITERAL = r"'((?:[^']|'')*)'|\b([0-9][0-9-]{3,})\b"


def _hex(keys: Keyset, key_id: str, values: pl.Series) -> pl.Series:
    return keys.prf(key_id, DOMAIN).digest(values.cast(pl.String)).bin.encode("hex")


def plant(store: StateStore, keys: Keyset, identifiers: list[str], label: str) -> int:
    """Records the identifiers' keyed digests (not the identifiers); returns how many were new."""
    key_id = keys.primary_id("hmac")
    digests = _hex(keys, key_id, pl.Series(identifiers, dtype=pl.String).str.strip_chars()).unique()
    known = {d for (d,) in store.query("SELECT digest FROM canaries WHERE key_id = ?", (key_id,))}
    new = [d for d in digests.to_list() if d not in known]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    store.executemany(
        "INSERT INTO canaries (key_id, digest, label, planted_at) VALUES (?, ?, ?, ?)",
        [(key_id, d, label, now) for d in new],
    )
    return len(new)


def planted(store: StateStore) -> pl.DataFrame:
    """key_id, digest, label of every planted canary."""
    rows = store.query("SELECT key_id, digest, label FROM canaries ORDER BY key_id, digest")
    return pl.DataFrame(
        rows, schema={"key_id": pl.String, "digest": pl.String, "label": pl.String}, orient="row"
    )


def canary_hits(statements: pl.DataFrame, keys: Keyset, canaries: pl.DataFrame) -> pl.Series:
    """For each statement, the label of the canary it names (null when none): every literal of every
    statement is digested in one column pass per key."""
    if canaries.height == 0 or statements.height == 0:
        return pl.Series("canary", [None] * statements.height, dtype=pl.String)
    literals = (
        statements.select(
            pl.int_range(pl.len()).alias("row"),
            pl.col("statement").str.extract_all(_LITERAL).alias("literal"),
        )
        .explode("literal")
        .drop_nulls("literal")
        .with_columns(pl.col("literal").str.strip_chars("'").str.replace_all("''", "'", literal=True))
    )
    found = []
    for key_id in canaries.get_column("key_id").unique().to_list():
        digests = literals.with_columns(digest=_hex(keys, key_id, literals.get_column("literal")))
        found.append(
            digests.join(canaries.filter(pl.col("key_id") == key_id), on="digest").select("row", "label")
        )
    hits = pl.concat(found).group_by("row").agg(pl.col("label").first())
    labels = pl.DataFrame({"row": pl.int_range(statements.height, eager=True)}).join(
        hits, on="row", how="left"
    )
    return labels.sort("row").get_column("label").rename("canary")
