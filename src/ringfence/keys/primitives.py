"""Keyed primitives bound to a key id, as the keyset hands them out; and the one wrapper that turns a
primitive into a Polars batch function.

- :class:`Prf`: the keyed digest of one domain (AES-CMAC under a per-domain subkey,
  :mod:`ringfence.keys.keyed_hash`): ``rt1_`` tokens, raw digests and keyed 64-bit uniforms per row.
- :class:`~ringfence.keys.gcm.Aead`: AES-GCM bound to a label (:mod:`ringfence.keys.gcm`).
- :class:`~ringfence.keys.ff1.FF1` under a key derived for one domain (:meth:`Keyset.ff1`).
- :class:`RecordSealer`: deterministic sealing of one record (a synthetic nonce, as in SIV) under two
  subkeys derived with HKDF-SHA256 for their distinct uses: ``nonce = HMAC-SHA256(K_nonce, text)[:12]``,
  then AES-256-GCM under ``K_seal`` bound to the label. The same text gives the same bytes; the nonce
  reveals nothing of the text without the key.

Every primitive holds key material (never a way back to the keyset's other keys) and refuses pickling
(:class:`~ringfence.keys.holder.KeyHolder`); ``repr`` shows the key id, never bytes. :class:`Kernel` holds
one primitive and a function of (primitive, batch), so a transform's Polars expression carries no key
bytes that could be serialized.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np
import polars as pl
import pyarrow as pa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ringfence.errors import InvalidFormat
from ringfence.keys.holder import KeyHolder
from ringfence.keys.keyed_hash import DIGEST_SIZE, KeyedDigest

__all__ = ["Kernel", "Prf", "RecordSealer", "derive_subkey"]

P = TypeVar("P")
RECORD_NONCE_BYTES = 12


def derive_subkey(key: bytes, use: bytes, length: int = 32) -> bytes:
    """A subkey of ``key`` for one distinct use: HKDF-SHA256 (RFC 5869), no salt, ``info = use``."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=use).derive(bytes(key))


class Prf(KeyHolder):
    """The keyed PRF of one domain under one key (see :mod:`ringfence.keys.keyed_hash`)."""

    __slots__ = ("_digest", "_domain", "_key_id")

    def __init__(self, key: bytes, key_id: str, domain: str) -> None:
        self._digest = KeyedDigest(key, domain)
        self._key_id, self._domain = key_id, domain

    @property
    def key_id(self) -> str:
        return self._key_id

    def digest(self, values: pl.Series, *, threads: int | None = None) -> pl.Series:
        """16-byte digests of a string or binary column (``Binary``); null stays null."""
        return self._digest.digest(values, threads=threads)

    def tokens(
        self, values: pl.Series, n_bytes: int = DIGEST_SIZE, *, threads: int | None = None
    ) -> pl.Series:
        """``rt1_<key id>_<base32 of the first n_bytes digest bytes>`` of a string column."""
        return self._digest.tokens(values.cast(pl.String), self._key_id, n_bytes, threads=threads)

    def uint64(self, values: pl.Series, *, threads: int | None = None) -> pl.Series:
        """Keyed 64-bit pseudorandom values per row (the first 8 digest bytes, little-endian): equal
        strings give equal values; without the key they are unpredictable. Null stays null."""
        arr = self._digest.digest(values.cast(pl.String).to_arrow(), threads=threads)
        n = len(arr)
        raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8, count=(arr.offset + n) * 16)
        words = raw[arr.offset * 16 :].reshape(n, 16)[:, :8].copy().view("<u8").reshape(n)
        if arr.null_count:
            valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
            return pl.Series(values.name, pa.array(words, type=pa.uint64(), mask=~valid))
        return pl.Series(values.name, pa.array(words, type=pa.uint64()))

    def __repr__(self) -> str:
        return f"Prf(key={self._key_id}, domain={self._domain!r})"


class RecordSealer(KeyHolder):
    """Deterministic AEAD of whole records under subkeys of one ``aead`` key (see the module docstring)."""

    __slots__ = ("_key_id", "_nonce_key", "_seal")

    def __init__(self, key: bytes, key_id: str, version: bytes) -> None:
        self._key_id = key_id
        self._nonce_key = derive_subkey(key, b"ringfence record nonce " + version)
        self._seal = AESGCM(derive_subkey(key, b"ringfence record seal " + version))

    @property
    def key_id(self) -> str:
        return self._key_id

    def seal(self, text: bytes, label: bytes) -> bytes:
        """``nonce | ciphertext | tag`` of ``text`` bound to ``label``."""
        nonce = hmac.digest(self._nonce_key, text, "sha256")[:RECORD_NONCE_BYTES]
        return nonce + self._seal.encrypt(nonce, text, label)

    def open(self, sealed: bytes, label: bytes) -> bytes:
        """The text of :meth:`seal`; :class:`InvalidFormat` if it was altered or sealed for another label."""
        try:
            return self._seal.decrypt(sealed[:RECORD_NONCE_BYTES], sealed[RECORD_NONCE_BYTES:], label)
        except (InvalidTag, ValueError):
            raise InvalidFormat(
                "the sealed record fails authentication (altered or for another label)"
            ) from None

    def __repr__(self) -> str:
        return f"RecordSealer(key={self._key_id})"


class Kernel(KeyHolder, Generic[P]):
    """A Polars batch function holding one keyed primitive: ``fn(primitive, batch)`` per batch, renamed to
    the batch's name. Refuses pickling (it holds the primitive)."""

    __slots__ = ("_dtype", "_fn", "_primitive")

    def __init__(self, primitive: P, fn: Callable[[P, pl.Series], pl.Series], dtype: pl.DataType) -> None:
        self._primitive, self._fn, self._dtype = primitive, fn, dtype

    def __call__(self, values: pl.Series) -> pl.Series:
        return self._fn(self._primitive, values).alias(values.name)

    def expr(self, values: pl.Expr) -> pl.Expr:
        """This kernel over an expression: elementwise, so it streams."""
        return values.map_batches(self, return_dtype=self._dtype, is_elementwise=True)

    def __repr__(self) -> str:
        return f"Kernel({self._primitive!r})"
