"""Keyed digests and ``rt1_`` tokens of whole columns: AES-256-CMAC under a per-domain key.

What it guarantees:

- ``digest = AES-CMAC(K_domain, value)`` (NIST SP 800-38B, RFC 4493) over the value's bytes (UTF-8 for
  strings), 16 bytes, where ``K_domain = HMAC-SHA256(key, "ringfence keyed-digest v1" || 0x00 || domain)``.
  CMAC is a pseudorandom function; the digest reveals nothing about the value to anyone without the key,
  and the derived key makes digests of different domains (``"global|phone"``,
  ``"recipient:acme|card_number"``) unrelated, so they cannot be joined across domains.
- Deterministic: equal values in one domain under one key give equal digests and tokens (joinable, not
  semantically secure: a party holding the key can confirm a guessed value). Nulls stay null.
- Columns are processed without per-row Python: all rows' CMAC chains advance together, one AES call per
  16-byte block position (only values over 512 bytes, free text, are handed to OpenSSL one by one, where
  the bytes outweigh the call). The result is byte-identical to a one-value CMAC (``digest_one``, by
  OpenSSL through ``cryptography``) for every value, whatever the slice size or thread count.
- Tokens are ``rt1_<8-hex key id>_<base32 of the first n digest bytes>`` (lowercase RFC 4648 alphabet, no
  padding: 26 characters for 16 bytes), so a token names the key that made it and survives rotation, and
  stays distinct under case-insensitive database collations.

Why CMAC and not HMAC-SHA256 per value: measured by ``bench/bench_hash.py`` on the 2-core machine, a
per-value HMAC loop reaches well under 1M values/s and even compiled HMAC-SHA256 is bound by SHA-256's
speed without SHA extensions, while batched AES-CMAC runs several million values/s with no compiler.
"""

from __future__ import annotations

import hmac
from typing import overload

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms
from numpy.lib.stride_tricks import as_strided

from ringfence.errors import UsageError
from ringfence.keys._aes import BlockCipher
from ringfence.keys.columns import (
    Column,
    build_array,
    map_slices,
    read_column,
    to_arrow,
)
from ringfence.keys.holder import KeyHolder

__all__ = ["DIGEST_SIZE", "TOKEN_PREFIX", "KeyedDigest", "keyed_digest", "token_strings"]

DIGEST_SIZE = 16
TOKEN_PREFIX = "rt1"  # noqa: S105 - the token format tag, not a secret
MIN_KEY_BYTES = 16
_LONG_BYTES = 512
MIN_TOKEN_BYTES = 10  # 80 bits: collisions stay below 1e-6 for a billion distinct values
_KDF_LABEL = b"ringfence keyed-digest v1\x00"

Digests = npt.NDArray[np.uint8]


def _double(block: bytes) -> bytes:
    """Multiplication by x in GF(2**128), the CMAC subkey step (SP 800-38B §6.1)."""
    value = int.from_bytes(block, "big") << 1
    if value >> 128:
        value = (value ^ 0x87) & ((1 << 128) - 1)
    return value.to_bytes(16, "big")


class Cmac(KeyHolder):
    """AES-CMAC (SP 800-38B) under one AES key, for one value or for every row of a column at once."""

    __slots__ = ("_aes", "_cipher", "_last_and", "_last_xor")

    def __init__(self, key: bytes) -> None:
        self._cipher = BlockCipher(key)
        self._aes = algorithms.AES(bytes(key))
        k1 = _double(self._cipher.encrypt_block(bytes(16)))
        k2 = _double(k1)
        # The last block of a message with r bytes in it (0 <= r <= 16) is (block AND mask[r]) XOR add[r]:
        # a complete block takes K1; a partial one is padded with 0x80 0x00... and takes K2. Row 17 keeps
        # a block that is not the last as it is.
        mask = np.zeros((18, 16), dtype=np.uint8)
        add = np.zeros((18, 16), dtype=np.uint8)
        mask[17] = 0xFF
        for r in range(17):
            mask[r, :r] = 0xFF
            if r < 16:
                add[r, r] = 0x80
            add[r] ^= np.frombuffer(k1 if r == 16 else k2, dtype=np.uint8)
        self._last_and = mask.view(np.uint64)
        self._last_xor = add.view(np.uint64)

    def one(self, message: bytes) -> bytes:
        """The CMAC of one message, by OpenSSL through ``cryptography`` (the reference for :meth:`rows`)."""
        mac = cmac.CMAC(self._aes)
        mac.update(message)
        return mac.finalize()

    def rows(self, col: Column) -> Digests:
        """The CMAC of every row of a column slice, as an ``(rows, 16)`` matrix (null rows: of their bytes).

        The chains of all rows advance together: block position ``j`` of every row that has one is
        gathered into a matrix, masked and XORed as CMAC prescribes, and encrypted in one AES call.
        """
        rows = len(col)
        lengths = np.diff(col.offsets)
        starts = col.offsets[:-1]
        # Values longer than _LONG_BYTES (free text) go to OpenSSL one by one: their bytes, not the call,
        # dominate the cost, and one long value would otherwise keep a loop over block positions running.
        long_rows = np.flatnonzero(lengths > _LONG_BYTES)
        if long_rows.size:
            lengths = lengths.copy()
            lengths[long_rows] = 0
        blocks = np.maximum(1, (lengths + 15) >> 4)
        padded = np.zeros(len(col.data) + 16, dtype=np.uint8)
        padded[: len(col.data)] = col.data
        windows = as_strided(padded, shape=(len(col.data) + 1, 16), strides=(1, 1), writeable=False)
        out = np.empty(rows * 16 + 15, dtype=np.uint8)
        state = np.zeros((rows, 2), dtype=np.uint64)
        running: npt.NDArray[np.intp] | None = None  # rows that have a block j; None: all rows (j = 0)
        for j in range(int(blocks.max(initial=0))):
            if j:
                running = np.flatnonzero(blocks > j) if running is None else running[blocks[running] > j]
            pick = slice(None) if running is None else running
            count = rows if running is None else len(running)
            chunk = windows[starts[pick] + 16 * j].view(np.uint64)
            # row i's mode: the bytes in its last block (0..16) when block j is its last, else 17 (as is)
            mode = np.where(blocks[pick] == j + 1, lengths[pick] - 16 * j, 17)
            chunk &= np.take(self._last_and, mode, axis=0)  # take: many times faster than [mode] here
            chunk ^= np.take(self._last_xor, mode, axis=0)
            if running is not None:
                chunk ^= np.take(state, running, axis=0)
            self._cipher.encrypt_into(chunk, out)
            state[pick] = out[: count * 16].view(np.uint64).reshape(count, 2)
        digests = state.view(np.uint8).reshape(rows, 16)
        for row in long_rows.tolist():
            value = col.data[col.offsets[row] : col.offsets[row + 1]].tobytes()
            digests[row] = np.frombuffer(self.one(value), dtype=np.uint8)
        return digests

    def __repr__(self) -> str:
        return f"Cmac(aes-{self._cipher.key_bits})"


class KeyedDigest(KeyHolder):
    """The keyed digest of one domain under one key (at least 16 bytes); see the module's guarantees."""

    __slots__ = ("_cmac",)

    def __init__(self, key: bytes, domain: bytes | str) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise UsageError(f"a token key needs at least {MIN_KEY_BYTES} bytes, not {len(key)}")
        label = domain.encode() if isinstance(domain, str) else bytes(domain)
        self._cmac = Cmac(hmac.digest(bytes(key), _KDF_LABEL + label, "sha256"))

    def digest_one(self, value: bytes | str) -> bytes:
        """The 16-byte digest of one value (UTF-8 for a string), by OpenSSL's CMAC."""
        return self._cmac.one(value.encode() if isinstance(value, str) else bytes(value))

    def token_one(self, value: bytes | str, key_id: int | str, n_bytes: int = DIGEST_SIZE) -> str:
        """The token of one value: ``rt1_<key id>_<base32 of the first n_bytes of its digest>``."""
        prefix = _token_prefix(key_id, n_bytes)
        body = _base32(np.frombuffer(self.digest_one(value)[:n_bytes], dtype=np.uint8)[None, :])
        return prefix + body.tobytes().decode()

    @overload
    def digest(self, values: pl.Series, *, threads: int | None = ...) -> pl.Series: ...
    @overload
    def digest(self, values: pa.Array | pa.ChunkedArray, *, threads: int | None = ...) -> pa.Array: ...
    def digest(
        self, values: pl.Series | pa.Array | pa.ChunkedArray, *, threads: int | None = None
    ) -> pl.Series | pa.Array:
        """Digests of a string or binary column: ``fixed_size_binary(16)`` (Arrow) or ``Binary`` (Polars)."""
        col = read_column(to_arrow(values), _what(values))
        raw = self._digest_column(col, threads)
        validity = None if bool(col.valid.all()) else pa.py_buffer(np.packbits(col.valid, bitorder="little"))
        nulls = len(col) - int(np.count_nonzero(col.valid))
        out = pa.Array.from_buffers(
            pa.binary(DIGEST_SIZE), len(col), [validity, pa.py_buffer(raw)], null_count=nulls
        )
        return pl.Series(values.name, out.cast(pa.large_binary())) if isinstance(values, pl.Series) else out

    @overload
    def tokens(
        self, values: pl.Series, key_id: int | str, n_bytes: int = ..., *, threads: int | None = ...
    ) -> pl.Series: ...
    @overload
    def tokens(
        self,
        values: pa.Array | pa.ChunkedArray,
        key_id: int | str,
        n_bytes: int = ...,
        *,
        threads: int | None = ...,
    ) -> pa.Array: ...
    def tokens(
        self,
        values: pl.Series | pa.Array | pa.ChunkedArray,
        key_id: int | str,
        n_bytes: int = DIGEST_SIZE,
        *,
        threads: int | None = None,
    ) -> pl.Series | pa.Array:
        """Tokens of a string or binary column (``large_string``; Polars ``String``); null stays null."""
        prefix = np.frombuffer(_token_prefix(key_id, n_bytes).encode(), dtype=np.uint8)
        col = read_column(to_arrow(values), _what(values))

        def text_rows(part: Column) -> Digests:
            digests = self._cmac.rows(part)
            body = _base32(digests[:, :n_bytes] if part.valid.all() else digests[part.valid, :n_bytes])
            text = np.empty((body.shape[0], len(prefix) + body.shape[1]), dtype=np.uint8)
            text[:, : len(prefix)] = prefix
            text[:, len(prefix) :] = body
            return text.reshape(-1)

        width = len(prefix) + -(-n_bytes * 8 // 5)
        parts = map_slices(text_rows, col, threads=threads)
        offsets = np.zeros(len(col) + 1, dtype=np.int64)
        np.cumsum(col.valid * width, out=offsets[1:])
        text = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
        out = build_array(offsets, text, col.valid, "string")
        return pl.Series(values.name, out) if isinstance(values, pl.Series) else out

    def _digest_column(self, col: Column, threads: int | None) -> Digests:
        parts = map_slices(self._cmac.rows, col, threads=threads)
        return np.concatenate(parts) if parts else np.zeros((0, DIGEST_SIZE), dtype=np.uint8)

    def __repr__(self) -> str:
        return "KeyedDigest(aes-256-cmac)"


def _what(values: object) -> str:
    return f"keyed digest of column {values.name!r}" if isinstance(values, pl.Series) else "keyed digest"


def _token_prefix(key_id: int | str, n_bytes: int) -> str:
    if not MIN_TOKEN_BYTES <= n_bytes <= DIGEST_SIZE:
        raise UsageError(f"a token keeps {MIN_TOKEN_BYTES} to {DIGEST_SIZE} digest bytes, not {n_bytes}")
    if isinstance(key_id, int) and not isinstance(key_id, bool) and 0 <= key_id < 1 << 32:
        return f"{TOKEN_PREFIX}_{key_id:08x}_"
    if isinstance(key_id, str) and len(key_id) == 8 and all(c in "0123456789abcdef" for c in key_id):
        return f"{TOKEN_PREFIX}_{key_id}_"
    raise UsageError("a token key id is a 32-bit number or 8 lowercase hex digits")


def _base32(digests: Digests) -> Digests:
    """RFC 4648 base32 (lowercase, unpadded) of every row of a byte matrix, as a character matrix.

    Rows are zero-padded to whole 5-byte groups; each group gives 8 characters of 5 bits, computed with
    byte shifts over contiguous arrays (one per byte position); the characters beyond
    ``ceil(8 * width / 5)`` are dropped.
    """
    rows, width = digests.shape
    groups = -(-width // 5)
    padded = np.zeros((rows, groups * 5), dtype=np.uint8)
    padded[:, :width] = digests
    b0, b1, b2, b3, b4 = np.ascontiguousarray(padded.reshape(-1, 5).T)
    values = np.stack(
        [
            b0 >> 3,
            ((b0 & 7) << 2) | (b1 >> 6),
            (b1 >> 1) & 31,
            ((b1 & 1) << 4) | (b2 >> 4),
            ((b2 & 15) << 1) | (b3 >> 7),
            (b3 >> 2) & 31,
            ((b3 & 3) << 3) | (b4 >> 5),
            b4 & 31,
        ],
        axis=1,
    ).reshape(rows, groups * 8)
    # "a".."z" for 0..25, "2".."7" for 26..31: arithmetic, several times faster than a table lookup
    chars = values + np.uint8(97) - np.uint8(73) * (values >= 26).view(np.uint8)
    return chars[:, : -(-width * 8 // 5)]


@overload
def keyed_digest(
    key: bytes, domain: bytes | str, values: pl.Series, *, threads: int | None = ...
) -> pl.Series: ...
@overload
def keyed_digest(
    key: bytes, domain: bytes | str, values: pa.Array | pa.ChunkedArray, *, threads: int | None = ...
) -> pa.Array: ...
def keyed_digest(
    key: bytes,
    domain: bytes | str,
    values: pl.Series | pa.Array | pa.ChunkedArray,
    *,
    threads: int | None = None,
) -> pl.Series | pa.Array:
    """16-byte keyed digests of a string or binary column in ``domain`` (see :class:`KeyedDigest`)."""
    return KeyedDigest(key, domain).digest(values, threads=threads)


@overload
def token_strings(
    key: bytes,
    key_id: int | str,
    domain: bytes | str,
    values: pl.Series,
    *,
    n_bytes: int = ...,
    threads: int | None = ...,
) -> pl.Series: ...
@overload
def token_strings(
    key: bytes,
    key_id: int | str,
    domain: bytes | str,
    values: pa.Array | pa.ChunkedArray,
    *,
    n_bytes: int = ...,
    threads: int | None = ...,
) -> pa.Array: ...
def token_strings(
    key: bytes,
    key_id: int | str,
    domain: bytes | str,
    values: pl.Series | pa.Array | pa.ChunkedArray,
    *,
    n_bytes: int = DIGEST_SIZE,
    threads: int | None = None,
) -> pl.Series | pa.Array:
    """``rt1_<key id>_<base32>`` tokens of a string or binary column in ``domain``; null stays null."""
    return KeyedDigest(key, domain).tokens(values, key_id, n_bytes, threads=threads)
