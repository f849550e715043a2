"""Token evidence: a leaked ``rt1_`` token names the copy it came from.

Tokens are keyed per recipient (:mod:`ringfence.transform.tokenize`): the token of one value in
``recipient:acme``'s domain is unrelated to its token in ``recipient:bolt``'s. A token cannot be reversed,
so trace recomputes: the **candidate values** are the company's own tables given to trace (``--source``,
the tables the releases were made from: ringfence keeps no copy of them, and a reference keeps only
digests), each column tokenized in every domain a release could have used for it (the column's own,
``column:<name>``, and its entity's, ``entity:<ENTITY>`` as the scanner finds it), under each recipient's
scope and the global one, under the key ids the leaked tokens name, with as many digest bytes as the
leaked tokens carry. A leaked token equal to one of them is ours; under a recipient's scope it names that
recipient's copy.

The false-accusation bound of a recipient with ``k`` distinct matching tokens: without the key, a token
that did not come from its copy equals one of its ``N`` recomputed tokens (``b`` bits each) with
probability at most ``N / 2**b``; among ``M`` distinct leaked tokens, ``k`` or more such chance matches
happen with probability at most ``C(M, k) (N / 2**b)**k <= (M N / 2**b)**k / k!``; a union over the ``R``
recipients scored makes it the chance that *any* innocent one is named: ``R (M N / 2**b)**k / k!``.
Computed in logarithms; with 128-bit tokens one match is far below 1e-9.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ringfence.detect.headers import hinted_entities
from ringfence.keys import KeyResolver
from ringfence.trace.align import TOKEN_RE
from ringfence.transform.tokenize import token_domain

__all__ = ["Candidates", "ReleaseInfo", "TokenEvidence", "token_bound", "token_evidence"]

GLOBAL = "global"
FLOOR = 1e-300  # bounds below this are reported as this (a float cannot hold them)


@dataclass(frozen=True)
class ReleaseInfo:
    """What trace reads from a ``release`` ledger entry (names, ids, never values)."""

    release_id: str
    recipient: str
    time: str
    key_ids: tuple[str, ...]
    columns: tuple[str, ...]
    entry: int
    fingerprint: dict[str, object] | None = None


@dataclass(frozen=True)
class Candidates:
    """One column of the company's own table: its name, the entity the scanner found, its values as text."""

    column: str
    entity: str | None
    values: pl.Series


@dataclass
class TokenEvidence:
    """Per recipient: distinct leaked tokens matched under its scope and the bound; rows that any of our
    scopes (a recipient's or the global one) resolves."""

    rows: np.ndarray  # bool per leak row
    matched: dict[str, int] = field(default_factory=dict)  # recipient -> distinct tokens matched
    release_of: dict[str, str] = field(default_factory=dict)  # recipient -> latest release id
    bound: dict[str, float] = field(default_factory=dict)  # recipient -> false-accusation bound
    tokens: int = 0  # distinct leaked tokens
    columns: list[str] = field(default_factory=list)  # leak columns holding tokens


def token_bound(k: int, leaked: int, tried: int, bits: int, recipients: int) -> float:
    """``R (M N / 2**b)**k / k!`` capped at 1 (see the module docstring)."""
    if k <= 0:
        return 1.0
    log = math.log(max(recipients, 1)) + k * (math.log(max(leaked * tried, 1)) - bits * math.log(2))
    log -= math.lgamma(k + 1)
    return 1.0 if log >= 0 else max(math.exp(log), FLOOR)


def _token_shapes(tokens: pl.Series) -> dict[tuple[str, int], pl.Series]:
    """Distinct tokens grouped by (key id, digest bytes)."""
    frame = (
        pl.DataFrame({"t": tokens})
        .unique()
        .with_columns(kid=pl.col("t").str.slice(4, 8), n=pl.col("t").str.len_bytes() - 13)
    )
    shapes = {}
    for (kid, chars), part in frame.group_by(["kid", "n"]):
        n_bytes = int(chars) * 5 // 8  # base32 without padding: ceil(8 n / 5) characters
        shapes[(str(kid), n_bytes)] = part.get_column("t")
    return shapes


def _domains(
    leak_target: str | None, candidates: Sequence[Candidates]
) -> list[tuple[Candidates, str | None]]:
    """(candidate column, entity or None for the column's own domain) pairs a release could have
    tokenized the leak column with: all of them when the column aligned to no released name."""
    hinted = hinted_entities(leak_target) if leak_target else set()
    pairs: list[tuple[Candidates, str | None]] = []
    for cand in candidates:
        if leak_target is None or cand.column == leak_target:
            pairs.append((cand, None))
        if cand.entity and (leak_target is None or cand.entity in hinted or cand.column == leak_target):
            pairs.append((cand, cand.entity))
    return pairs


def token_evidence(
    leak: pl.DataFrame,
    token_columns: dict[str, str | None],
    releases: Sequence[ReleaseInfo],
    candidates: Sequence[Candidates],
    keys: KeyResolver,
) -> TokenEvidence:
    """Matches every token column of ``leak`` (leak column → the released column it aligned to, or None)
    against ``candidates`` under every scope (see the module docstring)."""
    result = TokenEvidence(rows=np.zeros(leak.height, dtype=np.bool_), columns=list(token_columns))
    scopes = _scopes(releases)
    found: dict[str, list[pl.Series]] = defaultdict(list)
    tried: dict[str, int] = defaultdict(int)
    bits = 128
    for column, target in token_columns.items():
        values = leak.get_column(column).cast(pl.String).str.strip_chars()
        tokens = values.filter(values.str.contains(TOKEN_RE)).unique()
        result.tokens += tokens.len()
        hits: list[pl.Series] = []
        for (kid, n_bytes), wanted in _token_shapes(tokens).items():
            bits = min(bits, 8 * n_bytes)
            for scope, (kids, written) in scopes.items():
                # a key no release used made none of our tokens; a recipient whose releases never used
                # this key or wrote this column cannot hold it
                if kid not in kids or (scope != GLOBAL and target is not None and target not in written):
                    continue
                for cand, entity in _domains(target, candidates):
                    domain = token_domain(scope, cand.column, entity)
                    made = keys.prf(kid, domain).tokens(cand.values, n_bytes)
                    tried[scope] += cand.values.len()
                    hit = wanted.filter(wanted.is_in(made.implode()))
                    if hit.len():
                        found[scope].append(hit)
                        hits.append(hit)
        if hits:
            result.rows |= values.is_in(pl.concat(hits).implode()).fill_null(False).to_numpy()
    recipients = [s for s in scopes if s != GLOBAL]
    for scope in recipients:
        recipient = scope.removeprefix("recipient:")
        if found.get(scope):
            k = pl.concat(found[scope]).n_unique()
            result.matched[recipient] = k
            result.bound[recipient] = token_bound(k, result.tokens, tried[scope], bits, len(recipients))
            result.release_of[recipient] = _latest(releases, recipient)
    return result


def _scopes(releases: Iterable[ReleaseInfo]) -> dict[str, tuple[set[str], set[str]]]:
    """Every scope a release used (``recipient:<id>``), and the global one, with the key ids and the
    column names its releases wrote."""
    scopes: dict[str, tuple[set[str], set[str]]] = {GLOBAL: (set(), set())}
    for r in releases:
        for scope in (f"recipient:{r.recipient}", GLOBAL):
            kids, written = scopes.setdefault(scope, (set(), set()))
            kids.update(r.key_ids)
            written.update(r.columns)
    return scopes


def _latest(releases: Sequence[ReleaseInfo], recipient: str) -> str:
    mine = [r for r in releases if r.recipient == recipient]
    return max(mine, key=lambda r: r.entry).release_id
