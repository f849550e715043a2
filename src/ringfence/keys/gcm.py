"""AES-256-GCM (NIST SP 800-38D) for whole columns under one key: the AEAD kernel of ``encrypt``.

Columnar, with no per-row Python: the counter blocks of every row are encrypted in one AES call
(:class:`~ringfence.keys._aes.BlockCipher`), and GHASH advances all rows together, one block position at a
time, multiplying by ``H`` through 16 precomputed 256-entry tables (one per byte position), gathered with
NumPy. Each row is byte-identical to what ``cryptography``'s ``AESGCM`` produces with the same nonce
(:meth:`Gcm.seal_one`, the reference; the tests check both ways). Holds the key; refuses pickling.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringfence.errors import UsageError
from ringfence.keys._aes import BlockCipher
from ringfence.keys.columns import Column
from ringfence.keys.holder import KeyHolder

__all__ = ["NONCE_BYTES", "TAG_BYTES", "Aead"]

NONCE_BYTES = 12
TAG_BYTES = 16
_R = 0xE1 << 120  # the GCM reduction constant R = 11100001 || 0^120

U8 = npt.NDArray[np.uint8]
U64 = npt.NDArray[np.uint64]


class Aead(KeyHolder):
    """AES-GCM under one key, bound to one label (the associated data), for whole columns and for one
    value (see the module docstring). Made by :meth:`ringfence.keys.Keyset.aead`; refuses pickling."""

    __slots__ = ("_aes", "_aesgcm", "_key_id", "_label", "_tables")

    def __init__(self, key: bytes, key_id: str, label: bytes) -> None:
        if len(key) != 32:
            raise UsageError(f"encrypt needs a 32-byte aead key, not {len(key)} bytes")
        self._key_id, self._label = key_id, bytes(label)
        self._aes = BlockCipher(key)
        self._aesgcm = AESGCM(bytes(key))
        h = int.from_bytes(self._aes.encrypt_block(bytes(16)), "big")
        # powers[i] = x^i * H in GCM's bit order: the product of H with the block whose only bit is i
        powers = np.zeros((128, 16), dtype=np.uint8)
        v = h
        for i in range(128):
            powers[i] = np.frombuffer(v.to_bytes(16, "big"), dtype=np.uint8)
            v = (v >> 1) ^ _R if v & 1 else v >> 1
        tables = np.zeros((16, 256, 16), dtype=np.uint8)
        byte_values = np.arange(256)
        for k in range(16):
            for t in range(8):  # bit t of byte k, counted from its most significant bit
                tables[k, (byte_values >> (7 - t)) & 1 == 1] ^= powers[8 * k + t]
        self._tables = tables.view(np.uint64).reshape(16, 256, 2)

    def _times_h(self, x: U8) -> U64:
        """``X * H`` in GF(2^128) for every row of an ``(n, 16)`` byte matrix, as ``(n, 2)`` words."""
        out = np.take(self._tables[0], x[:, 0], axis=0)
        for k in range(1, 16):
            out ^= np.take(self._tables[k], x[:, k], axis=0)
        return out

    @property
    def key_id(self) -> str:
        return self._key_id

    def _ghash(
        self,
        aad: bytes,
        blocks: U8,
        first: npt.NDArray[np.int64],
        counts: npt.NDArray[np.int64],
        lengths: npt.NDArray[np.int64],
    ) -> U64:
        """GHASH(aad, C) for every row: row ``r``'s ciphertext blocks (zero-padded) are
        ``blocks[first[r] : first[r] + counts[r]]``, its ciphertext ``lengths[r]`` bytes long."""
        rows = len(counts)
        y = 0
        padded_aad = aad + bytes(-len(aad) % 16)
        for j in range(0, len(padded_aad), 16):  # the same for every row: one scalar pass
            block = np.frombuffer(padded_aad[j : j + 16], dtype=np.uint8)[None, :]
            start = np.frombuffer(y.to_bytes(16, "big"), dtype=np.uint8)[None, :] ^ block
            y = int.from_bytes(self._times_h(start).view(np.uint8).tobytes(), "big")
        state = np.tile(np.frombuffer(y.to_bytes(16, "big"), dtype=np.uint8), (rows, 1)).view(np.uint64)
        running = np.arange(rows)
        for j in range(int(counts.max(initial=0))):
            running = running[counts[running] > j]
            x = (state[running] ^ blocks[first[running] + j].view(np.uint64)).view(np.uint8)
            state[running] = self._times_h(x)
        lens = np.zeros((rows, 16), dtype=np.uint8)
        lens[:, :8] = np.frombuffer((len(aad) * 8).to_bytes(8, "big"), dtype=np.uint8)
        lens[:, 8:] = (lengths * 8).astype(">u8").view(np.uint8).reshape(rows, 8)
        return self._times_h((state ^ lens.view(np.uint64)).view(np.uint8))

    def _keystream(self, nonces: U8, counts: npt.NDArray[np.int64]) -> tuple[U8, U8]:
        """``E(K, J0)`` per row and the counter-mode blocks of every row (``inc32`` from 2), in row order."""
        rows = len(counts)
        total = int(counts.sum())
        ctr = np.empty((rows + total, 16), dtype=np.uint8)
        ctr[:rows, :12] = nonces
        ctr[:rows, 12:] = np.frombuffer((1).to_bytes(4, "big"), dtype=np.uint8)
        owner = np.repeat(np.arange(rows), counts)
        first = np.zeros(rows, dtype=np.int64)
        np.cumsum(counts[:-1], out=first[1:])
        index = np.arange(total) - np.repeat(first, counts)
        ctr[rows:, :12] = nonces[owner]
        ctr[rows:, 12:] = (index + 2).astype(">u4").view(np.uint8).reshape(total, 4)
        enc = self._aes.encrypt_blocks(ctr)
        return enc[:rows], enc[rows:]

    def seal(self, col: Column, nonces: U8) -> tuple[npt.NDArray[np.int64], U8]:
        """``nonce | ciphertext | tag`` of every row (null rows too; the caller masks them) as offsets and
        bytes."""
        aad = self._label
        lengths = np.diff(col.offsets).astype(np.int64)
        counts = (lengths + 15) >> 4
        j0, stream = self._keystream(nonces, counts)
        first = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=first[1:])
        begin = int(col.offsets[0])
        starts = col.offsets[:-1].astype(np.int64) - begin
        total = int(lengths.sum())
        within = np.arange(total) - np.repeat(starts, lengths)
        row_first = np.repeat(first * 16, lengths)
        plain = col.data[begin : begin + total]  # the rows' bytes are contiguous in the column
        flat_stream = stream.reshape(-1)
        cipher = plain ^ flat_stream[row_first + within]
        blocks = np.zeros((len(stream), 16), dtype=np.uint8)
        blocks.reshape(-1)[row_first + within] = cipher
        tags = (self._ghash(aad, blocks, first, counts, lengths) ^ j0.view(np.uint64)).view(np.uint8)
        out_len = lengths + NONCE_BYTES + TAG_BYTES
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(out_len, out=offsets[1:])
        data = np.empty(int(offsets[-1]), dtype=np.uint8)
        base = offsets[:-1]
        data[(base[:, None] + np.arange(NONCE_BYTES)).reshape(-1)] = nonces.reshape(-1)
        data[np.repeat(base + NONCE_BYTES, lengths) + within] = cipher
        data[(base + NONCE_BYTES + lengths)[:, None] + np.arange(TAG_BYTES)] = tags
        return offsets, data

    def open(self, offsets: npt.NDArray[np.int64], data: U8) -> tuple[npt.NDArray[np.int64], U8, int]:
        """The plaintexts of ``nonce | ciphertext | tag`` rows (each at least 28 bytes) as offsets and bytes,
        and how many rows failed authentication."""
        aad = self._label
        sizes = np.diff(offsets)
        lengths = sizes - NONCE_BYTES - TAG_BYTES
        base = offsets[:-1]
        nonces = data[(base[:, None] + np.arange(NONCE_BYTES))]
        tags = data[(base + NONCE_BYTES + lengths)[:, None] + np.arange(TAG_BYTES)]
        counts = (lengths + 15) >> 4
        j0, stream = self._keystream(nonces, counts)
        first = np.zeros(len(counts), dtype=np.int64)
        np.cumsum(counts[:-1], out=first[1:])
        total = int(lengths.sum())
        within = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        row_first = np.repeat(first * 16, lengths)
        cipher = data[np.repeat(base + NONCE_BYTES, lengths) + within]
        blocks = np.zeros((len(stream), 16), dtype=np.uint8)
        blocks.reshape(-1)[row_first + within] = cipher
        expect = (self._ghash(aad, blocks, first, counts, lengths) ^ j0.view(np.uint64)).view(np.uint8)
        failed = int(np.count_nonzero((expect != tags).any(axis=1)))
        plain = cipher ^ stream.reshape(-1)[row_first + within]
        out_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=out_offsets[1:])
        return out_offsets, plain, failed

    def __repr__(self) -> str:
        return f"Aead(aes-256-gcm, key={self._key_id})"

    def seal_one(self, nonce: bytes, plaintext: bytes) -> bytes:
        """``ciphertext | tag`` of one value, by ``cryptography``'s AESGCM (the reference)."""
        return self._aesgcm.encrypt(nonce, plaintext, self._label)
