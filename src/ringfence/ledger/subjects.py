"""The subject index: which releases held a person, without storing who the person is.

A release's subject ids become keyed 64-bit digests (the keyset's PRF under an ``hmac`` key, in the
domain :data:`DOMAIN` of their own, so they join with no other digest ringfence makes), sorted and made
unique. The sorted array is cut into :data:`BUCKETS` buckets by its top :data:`BUCKET_BITS` bits; each
bucket is stored as one row, delta-coded, byte-shuffled and zlib-compressed. A lookup digests one id,
reads the one bucket that can hold it from every release, and binary-searches each: the work is one
bucket per release, never a whole release.

The entry's hash commits to the whole set: ``SHA-256`` of the sorted digests as little-endian 64-bit
words (:func:`commitment`), recomputed by the ledger's verify from the stored buckets, which must each
hold only digests of their own bucket, in strictly increasing order.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np
import polars as pl

from ringfence.errors import InvalidFormat
from ringfence.keys import KeyResolver

__all__ = ["BUCKETS", "DOMAIN", "commitment", "decode", "digests", "encode", "join_buckets"]

DOMAIN = "ringfence ledger subject v1"
BUCKET_BITS = 12
BUCKETS = 1 << BUCKET_BITS
_SHIFT = np.uint64(64 - BUCKET_BITS)


def digests(keys: KeyResolver, key_id: str, subjects: pl.Series) -> np.ndarray:
    """Sorted unique keyed 64-bit digests of the non-null subject ids (columnar)."""
    values = subjects.cast(pl.String).drop_nulls()
    words = keys.prf(key_id, DOMAIN).uint64(values).to_numpy()
    return np.unique(words.astype(np.uint64, copy=False))


def bucket_of(word: int) -> int:
    return int(word) >> (64 - BUCKET_BITS)


def commitment(sorted_words: np.ndarray) -> str:
    """Hex SHA-256 of the sorted digests as little-endian 64-bit words."""
    return hashlib.sha256(sorted_words.astype("<u8", copy=False).tobytes()).hexdigest()


def encode(sorted_words: np.ndarray) -> list[tuple[int, int, bytes]]:
    """(bucket, count, compressed bytes) per non-empty bucket of a sorted unique digest array."""
    words = sorted_words.astype(np.uint64, copy=False)
    if not len(words):
        return []
    buckets = (words >> _SHIFT).astype(np.int64)
    present = np.unique(buckets)
    bounds = np.searchsorted(buckets, np.append(present, BUCKETS))
    out = []
    for i, b in enumerate(present.tolist()):
        part = words[bounds[i] : bounds[i + 1]]
        delta = np.diff(part, prepend=np.uint64(0)).astype("<u8")
        shuffled = delta.view(np.uint8).reshape(-1, 8).T.tobytes()
        out.append((int(b), len(part), zlib.compress(shuffled, 6)))
    return out


def decode(blob: bytes, count: int) -> np.ndarray:
    """The sorted digests of one stored bucket."""
    try:
        raw = zlib.decompress(blob)
    except zlib.error:
        raise InvalidFormat("a stored subject bucket does not decompress") from None
    if len(raw) != 8 * count:
        raise InvalidFormat("a stored subject bucket holds a different number of digests than recorded")
    delta = np.frombuffer(raw, dtype=np.uint8).reshape(8, count).T.copy().view("<u8").reshape(count)
    return np.cumsum(delta, dtype=np.uint64)


def join_buckets(rows: Iterable[tuple[int, int, bytes]]) -> np.ndarray:
    """The whole sorted digest array of one entry from its bucket rows (in bucket order); checks each
    bucket holds only its own digests, strictly increasing."""
    parts = []
    last = -1
    for bucket, count, blob in rows:
        if not 0 <= bucket < BUCKETS or bucket <= last:
            raise InvalidFormat("the subject buckets are out of order")
        last = bucket
        words = decode(blob, count)
        if count and (np.any((words >> _SHIFT) != np.uint64(bucket)) or np.any(words[1:] <= words[:-1])):
            raise InvalidFormat("a subject bucket holds digests of another bucket or out of order")
        parts.append(words)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def contains(blob: bytes, count: int, word: int) -> bool:
    words = decode(blob, count)
    i = int(np.searchsorted(words, np.uint64(word)))
    return i < len(words) and int(words[i]) == int(word)
