"""``encrypt``: AES-256-GCM of every value of a column, under the keyset's primary ``aead`` key.

What it guarantees:

- Each value becomes ``re1_<8-hex key id>_<base64url(nonce | ciphertext | tag)>`` (RFC 4648 §5 alphabet,
  no padding): AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit nonce per value, a 128-bit tag,
  and the associated data ``"ringfence encrypt v1|" + column name``, so a ciphertext moved to another
  column does not decrypt. The value's UTF-8 bytes are encrypted (numbers as their decimal text).
- Randomized: equal values give unrelated ciphertexts, so the column is not joinable and reveals only
  each value's length. Reversible by the key holder: :func:`decrypt_column` reads the key id from each
  ciphertext, so values encrypted before ``keys rotate`` still decrypt (while that key is not disabled).
- A ciphertext that was altered, truncated or moved to another column fails authentication; decryption
  then refuses the column, naming how many values failed, never which.
- Random nonces: rotate the ``aead`` key before it has encrypted 2**32 values (SP 800-38D §8.3).
- Null stays null.

Columnar, with no per-row Python: the counter blocks of every row are encrypted in one AES call
(``_ecb.BlockCipher``), and GHASH advances all rows together, one block position at a time, multiplying
by ``H`` through 16 precomputed 256-entry tables (one per byte position), gathered with NumPy. Each value
is byte-identical to what ``cryptography``'s ``AESGCM`` produces with the same nonce (the tests check it
both ways).
"""

from __future__ import annotations

import hmac
import os
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ringfence.errors import InvalidFormat, UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.policy.rules import Encrypt as EncryptRule
from ringfence.transform._ecb import BlockCipher, KeyHolder
from ringfence.transform._strings import Column, build_array, read_column, to_arrow
from ringfence.transform.base import TransformContext, TransformSpec, text

__all__ = [
    "CIPHERTEXT_PREFIX",
    "Encrypt",
    "decrypt_column",
    "encrypt_column",
    "encrypt_one",
    "open_record",
    "seal_record",
]

CIPHERTEXT_PREFIX = "re1"
NONCE_BYTES = 12
_RECORD_NONCE = b"ringfence record nonce v1\x00"
TAG_BYTES = 16
_AAD_LABEL = b"ringfence encrypt v1|"
_R = 0xE1 << 120  # the GCM reduction constant R = 11100001 || 0^120
_HEADER = len(CIPHERTEXT_PREFIX) + 1 + 8 + 1  # "re1_" + key id + "_"

U8 = npt.NDArray[np.uint8]
U64 = npt.NDArray[np.uint64]


def associated_data(column: str) -> bytes:
    """The GCM associated data binding a ciphertext to its column."""
    return _AAD_LABEL + column.encode("utf-8")


class _Gcm(KeyHolder):
    """AES-GCM under one key for whole columns (see the module docstring). Refuses pickling."""

    __slots__ = ("_aes", "_tables")

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise UsageError(f"encrypt needs a 32-byte aead key, not {len(key)} bytes")
        self._aes = BlockCipher(key)
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

    def seal(self, col: Column, aad: bytes, nonces: U8) -> tuple[npt.NDArray[np.int64], U8]:
        """``nonce | ciphertext | tag`` of every row (null rows too; the caller masks them) as offsets and
        bytes."""
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

    def open(
        self, offsets: npt.NDArray[np.int64], data: U8, aad: bytes
    ) -> tuple[npt.NDArray[np.int64], U8, int]:
        """The plaintexts of ``nonce | ciphertext | tag`` rows (each at least 28 bytes) as offsets and bytes,
        and how many rows failed authentication."""
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
        return "Gcm(aes-256)"


def _b64url(offsets: npt.NDArray[np.int64], data: U8, valid: npt.NDArray[np.bool_]) -> pl.Series:
    """Unpadded base64url text of every row of a binary column given as offsets and bytes."""
    binary = build_array(offsets, data, valid, "binary")
    standard = pl.Series("v", binary).bin.encode("base64")
    return standard.str.replace_many(["+", "/", "="], ["-", "_", ""])


def encrypt_column(
    keyset: Keyset, values: pl.Series, column: str | None = None, *, key_id: str | None = None
) -> pl.Series:
    """``re1_`` ciphertexts of a string column under ``key_id`` (default: the primary ``aead`` key), bound
    to ``column`` (default: the series' name). Null stays null."""
    kid = key_id or keyset.primary_id("aead")
    name = values.name if column is None else column
    gcm = _Gcm(keyset.secret(kid, SECRET_ACCESS))
    col = read_column(to_arrow(values.cast(pl.String)), f"encrypt of column {name!r}")
    nonces = np.frombuffer(os.urandom(NONCE_BYTES * len(col)), dtype=np.uint8).reshape(-1, NONCE_BYTES)
    offsets, data = gcm.seal(col, associated_data(name), nonces)
    body = _b64url(offsets, data, col.valid)
    prefix = f"{CIPHERTEXT_PREFIX}_{kid}_"
    return pl.select((pl.lit(prefix) + pl.lit(body)).alias(values.name)).to_series()


def encrypt_one(keyset: Keyset, value: str, column: str, nonce: bytes, *, key_id: str | None = None) -> str:
    """The ciphertext of one value with a given nonce, by ``cryptography``'s AESGCM (the reference)."""
    import base64

    kid = key_id or keyset.primary_id("aead")
    sealed = AESGCM(keyset.secret(kid, SECRET_ACCESS)).encrypt(nonce, value.encode(), associated_data(column))
    return f"{CIPHERTEXT_PREFIX}_{kid}_" + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def seal_record(keyset: Keyset, text: str, label: str) -> str:
    """``text`` sealed for the key holder alone: AES-GCM under the primary ``aead`` key, bound to
    ``label``, with a synthetic nonce (HMAC-SHA256 of the text under the same key, as in SIV): the same
    text gives the same bytes (a protected file stays byte-identical run to run), and the nonce reveals
    nothing of the text to whoever holds the file without the key."""
    kid = keyset.primary_id("aead")
    nonce = hmac.new(keyset.secret(kid, SECRET_ACCESS), _RECORD_NONCE + text.encode(), "sha256").digest()
    return encrypt_one(keyset, text, label, nonce[:NONCE_BYTES], key_id=kid)


def open_record(keyset: Keyset, sealed: str, label: str) -> str:
    """The text of :func:`seal_record`; :class:`InvalidFormat` if it was altered or sealed for another
    label, :class:`~ringfence.errors.KeyAccessError` if its key is not in (or disabled in) this keyset."""
    opened = decrypt_column(keyset, pl.Series([sealed], dtype=pl.String), label)[0]
    if opened is None:
        raise InvalidFormat("the sealed record is empty")
    return str(opened)


def decrypt_column(keyset: Keyset, values: pl.Series, column: str | None = None) -> pl.Series:
    """The plaintexts of a column of ``re1_`` ciphertexts made for ``column`` (default: the series' name),
    each under the key its id names (so ciphertexts from before a rotation decrypt too).

    Raises :class:`InvalidFormat` if a value is not a ``re1_`` ciphertext or fails authentication (naming
    how many, never which), and :class:`KeyAccessError` for an unknown or disabled key.
    """
    name = values.name if column is None else column
    strings = values.cast(pl.String)
    frame = pl.DataFrame({"v": strings}).with_row_index("row")
    shaped = frame.select(
        "row",
        pl.col("v").str.slice(0, len(CIPHERTEXT_PREFIX) + 1).alias("tag"),
        pl.col("v").str.slice(len(CIPHERTEXT_PREFIX) + 1, 8).alias("kid"),
        pl.col("v").str.slice(_HEADER - 1, 1).alias("sep"),
        pl.col("v").str.slice(_HEADER).alias("body"),
    ).filter(pl.col("tag").is_not_null())
    bad = shaped.filter(
        (pl.col("tag") != f"{CIPHERTEXT_PREFIX}_")
        | (pl.col("sep") != "_")
        | ~pl.col("kid").str.contains(r"^[0-9a-f]{8}$")
        | ~pl.col("body").str.contains(r"^[A-Za-z0-9_-]*$")
    ).height
    if bad:
        raise InvalidFormat(f"decrypt column {name!r}: {bad} values are not re1_ ciphertexts")
    aad = associated_data(name)
    out = pl.Series("out", [None] * len(values), dtype=pl.String)
    pieces: list[pl.DataFrame] = []
    for kid in sorted(shaped["kid"].unique().to_list()):
        part = shaped.filter(pl.col("kid") == kid)
        body = pl.col("body")
        standard = body.str.replace_many(["-", "_"], ["+", "/"])
        pad = pl.lit("==").str.slice(0, (-body.str.len_bytes().cast(pl.Int64)) % 4)
        padded = part.select((standard + pad).alias("b"))["b"]
        raw = padded.str.decode("base64", strict=False)
        if raw.null_count():
            raise InvalidFormat(
                f"decrypt column {name!r}: {raw.null_count()} values are not re1_ ciphertexts"
            )
        col = read_column(to_arrow(raw), f"decrypt of column {name!r}")
        sizes = np.diff(col.offsets)
        if (sizes < NONCE_BYTES + TAG_BYTES).any():
            short = int(np.count_nonzero(sizes < NONCE_BYTES + TAG_BYTES))
            raise InvalidFormat(f"decrypt column {name!r}: {short} ciphertexts are truncated")
        gcm = _Gcm(keyset.secret(kid, SECRET_ACCESS))
        offsets = col.offsets.astype(np.int64) - int(col.offsets[0])
        plain_offsets, plain, failed = gcm.open(offsets, col.data[int(col.offsets[0]) :], aad)
        if failed:
            raise InvalidFormat(
                f"decrypt column {name!r}: {failed} values fail authentication (altered, truncated, "
                "or made for another column)"
            )
        try:
            texts = build_array(plain_offsets, plain, np.ones(len(part), dtype=np.bool_), "string")
            decoded = pl.Series("p", texts)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            raise InvalidFormat(f"decrypt column {name!r}: decrypted values are not UTF-8 text") from None
        pieces.append(pl.DataFrame({"row": part["row"], "p": decoded}))
    if not pieces:
        return out.alias(values.name)
    found = pl.concat(pieces)
    return (
        frame.select("row").join(found, on="row", how="left", maintain_order="left")["p"].alias(values.name)
    )


class _EncryptKernel:
    """The batch function: holds the keyset (which refuses pickling) and the key id, never key bytes."""

    __slots__ = ("_column", "_key_id", "_keyset")

    def __init__(self, keyset: Keyset, key_id: str, column: str) -> None:
        self._keyset, self._key_id, self._column = keyset, key_id, column

    def __call__(self, values: pl.Series) -> pl.Series:
        return encrypt_column(self._keyset, values, self._column, key_id=self._key_id)

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("an encrypt kernel holds a keyset and cannot be pickled")


class Encrypt(TransformSpec):
    """AES-256-GCM per value (see the module docstring). Reversible: yes, by the key holder
    (:func:`decrypt_column`). Joinable: no (randomized)."""

    name = "encrypt"
    reversible = True
    joinable = False

    @classmethod
    def from_rule(cls, rule: EncryptRule) -> Encrypt:
        return cls()

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        if ctx.keyset is None:
            raise UsageError("encrypt is keyed and needs the workspace keyset")
        kernel = _EncryptKernel(ctx.keyset, ctx.keyset.primary_id("aead"), column)
        value = text(column, ctx.dtype(column))
        return [value.map_batches(kernel, return_dtype=pl.String, is_elementwise=True).alias(column)]
