"""The subject index: which releases held a person, without storing who the person is.

A release's subject ids become keyed 64-bit digests (the keyset's PRF under an ``hmac`` key, in the
domain :data:`DOMAIN` of their own, so they join with no other digest ringfence makes), sorted and made
unique. The sorted array is cut by its top ``level`` bits into ``2**level`` buckets, the level chosen
from its size so a bucket holds about :data:`TARGET` digests (level 0, one row, for a small release;
at most :data:`MAX_LEVEL` bits, 4,096 buckets, for a large one). Each bucket is one row, numbered as a
node of a binary tree (``2**level + prefix``), delta-coded, byte-shuffled and zlib-compressed. A lookup
digests one id and reads, in one query, the :data:`MAX_LEVEL` + 1 nodes that can hold it: exactly one
row per release that has subjects, never a whole release.

The entry's hash commits to the whole set: ``SHA-256`` of the sorted digests as little-endian 64-bit
words (:func:`commitment`), recomputed by the ledger's verify from the stored rows, which must all be of
the level the set's size gives, each holding only digests of its own bucket, in strictly increasing order.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np
import polars as pl

from ringfence.errors import InvalidFormat
from ringfence.keys import Prf

__all__ = [
    "DOMAIN",
    "candidates",
    "commitment",
    "contains",
    "decode",
    "digests",
    "encode",
    "join_buckets",
    "pack",
]

DOMAIN = "ringfence ledger subject v1"
TARGET = 64
MAX_LEVEL = 12


def digests(prf: Prf, subjects: pl.Series) -> np.ndarray:
    """Sorted unique keyed 64-bit digests of the non-null subject ids (columnar)."""
    words = prf.uint64(subjects.cast(pl.String).drop_nulls()).to_numpy()
    return np.unique(words.astype(np.uint64, copy=False))


def level_for(count: int) -> int:
    return min(MAX_LEVEL, (count // TARGET).bit_length())


def _prefixes(words: np.ndarray, level: int) -> np.ndarray:
    if level == 0:
        return np.zeros(len(words), dtype=np.int64)
    return (words >> np.uint64(64 - level)).astype(np.int64)


def candidates(word: int) -> list[int]:
    """The node of every level whose bucket would hold ``word``."""
    return [(1 << level) | (int(word) >> (64 - level)) if level else 1 for level in range(MAX_LEVEL + 1)]


def commitment(sorted_words: np.ndarray) -> str:
    """Hex SHA-256 of the sorted digests as little-endian 64-bit words."""
    return hashlib.sha256(sorted_words.astype("<u8", copy=False).tobytes()).hexdigest()


def encode(sorted_words: np.ndarray) -> list[tuple[int, int, bytes]]:
    """(node, count, compressed bytes) per non-empty bucket of a sorted unique digest array."""
    words = sorted_words.astype(np.uint64, copy=False)
    if not len(words):
        return []
    level = level_for(len(words))
    prefixes = _prefixes(words, level)
    present = np.unique(prefixes)
    bounds = np.searchsorted(prefixes, np.append(present, 1 << level))
    out = []
    for i, prefix in enumerate(present.tolist()):
        part = words[bounds[i] : bounds[i + 1]]
        out.append(((1 << level) | int(prefix), len(part), pack(part)))
    return out


def pack(sorted_words: np.ndarray) -> bytes:
    """One bucket's sorted digests: delta-coded, byte-shuffled, zlib-compressed (:func:`decode` reverses)."""
    delta = np.diff(sorted_words.astype(np.uint64, copy=False), prepend=np.uint64(0)).astype("<u8")
    return zlib.compress(delta.view(np.uint8).reshape(-1, 8).T.tobytes(), 6)


def decode(blob: bytes, count: int) -> np.ndarray:
    """The sorted digests of one stored bucket."""
    try:
        raw = zlib.decompress(blob)
    except zlib.error:
        raise InvalidFormat("a stored subject bucket does not decompress") from None
    if count < 0 or len(raw) != 8 * count:
        raise InvalidFormat("a stored subject bucket holds a different number of digests than recorded")
    delta = np.frombuffer(raw, dtype=np.uint8).reshape(8, count).T.copy().view("<u8").reshape(count)
    return np.cumsum(delta, dtype=np.uint64)


def join_buckets(rows: Iterable[tuple[int, int, bytes]]) -> np.ndarray:
    """The whole sorted digest array of one entry from its rows (in node order); checks every row is of
    the level the total gives and holds only its bucket's digests, strictly increasing."""
    rows = list(rows)
    total = sum(count for _, count, _ in rows)
    level = level_for(total)
    parts = []
    last = -1
    for node, count, blob in rows:
        if node.bit_length() - 1 != level or node <= last:
            raise InvalidFormat("the subject buckets are out of order or of the wrong level")
        last = node
        words = decode(blob, count)
        prefix = node - (1 << level)
        if count and (np.any(_prefixes(words, level) != prefix) or np.any(words[1:] <= words[:-1])):
            raise InvalidFormat("a subject bucket holds digests of another bucket or out of order")
        parts.append(words)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def contains(blob: bytes, count: int, word: int) -> bool:
    words = decode(blob, count)
    i = int(np.searchsorted(words, np.uint64(word)))
    return i < len(words) and int(words[i]) == int(word)
