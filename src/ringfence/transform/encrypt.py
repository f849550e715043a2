"""``encrypt``: AES-256-GCM of every value of a column, under the ``aead`` key the plan chose.

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

Columnar, with no per-row Python: the AEAD kernel is :class:`ringfence.keys.Aead` (the keyset's AES-GCM
bound to the column's associated data), byte-identical to ``cryptography``'s ``AESGCM`` for the same nonce.

Sealed records (the plan a protected Parquet file carries in its footer, :func:`seal_record`) are
deterministic: ``rs2_<key id>_<base64url(nonce | ciphertext | tag)>`` under two subkeys HKDF-derived from
the ``aead`` key (:class:`ringfence.keys.RecordSealer`), bound to ``"ringfence record v2|" + label``.
Records sealed by earlier releases (v1: a plain ``re1_`` ciphertext of the label's column, its nonce an
HMAC of the text under the ``aead`` key itself) still open (:func:`open_record`).
"""

from __future__ import annotations

import base64
import os
import re

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from ringfence.errors import InvalidFormat
from ringfence.keys import Aead, Kernel, KeyResolver
from ringfence.keys.columns import build_array, read_column, to_arrow
from ringfence.keys.gcm import NONCE_BYTES, TAG_BYTES
from ringfence.transform.base import TransformContext, TransformSpec, text

__all__ = [
    "CIPHERTEXT_PREFIX",
    "RECORD_PREFIX",
    "Encrypt",
    "decrypt_column",
    "encrypt_column",
    "encrypt_one",
    "open_record",
    "seal_record",
]

CIPHERTEXT_PREFIX = "re1"
RECORD_PREFIX = "rs2"
_AAD_LABEL = b"ringfence encrypt v1|"
_RECORD_LABEL = b"ringfence record v2|"
_HEADER = len(CIPHERTEXT_PREFIX) + 1 + 8 + 1  # "re1_" + key id + "_"
_KEY_ID = r"^[0-9a-f]{8}$"

U8 = npt.NDArray[np.uint8]


def associated_data(column: str) -> bytes:
    """The GCM associated data binding a ciphertext to its column."""
    return _AAD_LABEL + column.encode("utf-8")


def _b64url(offsets: npt.NDArray[np.int64], data: U8, valid: npt.NDArray[np.bool_]) -> pl.Series:
    """Unpadded base64url text of every row of a binary column given as offsets and bytes."""
    binary = build_array(offsets, data, valid, "binary")
    standard = pl.Series("v", binary).bin.encode("base64")
    return standard.str.replace_many(["+", "/", "="], ["-", "_", ""])


def _seal_batch(aead: Aead, values: pl.Series, column: str) -> pl.Series:
    """``re1_`` ciphertexts of a string column under ``aead`` (bound to ``column``), fresh nonces."""
    col = read_column(to_arrow(values.cast(pl.String)), f"encrypt of column {column!r}")
    nonces = np.frombuffer(os.urandom(NONCE_BYTES * len(col)), dtype=np.uint8).reshape(-1, NONCE_BYTES)
    offsets, data = aead.seal(col, nonces)
    body = _b64url(offsets, data, col.valid)
    prefix = f"{CIPHERTEXT_PREFIX}_{aead.key_id}_"
    return pl.select((pl.lit(prefix) + pl.lit(body)).alias(values.name)).to_series()


def encrypt_column(
    keys: KeyResolver, values: pl.Series, column: str | None = None, *, key_id: str | None = None
) -> pl.Series:
    """``re1_`` ciphertexts of a string column under ``key_id`` (default: the primary ``aead`` key), bound
    to ``column`` (default: the series' name). Null stays null."""
    name = values.name if column is None else column
    aead = keys.aead(key_id or keys.primary_id("aead"), associated_data(name))
    return _seal_batch(aead, values, name)


def encrypt_one(
    keys: KeyResolver, value: str, column: str, nonce: bytes, *, key_id: str | None = None
) -> str:
    """The ciphertext of one value with a given nonce, by ``cryptography``'s AESGCM (the reference)."""
    kid = key_id or keys.primary_id("aead")
    sealed = keys.aead(kid, associated_data(column)).seal_one(nonce, value.encode())
    return f"{CIPHERTEXT_PREFIX}_{kid}_" + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def seal_record(keys: KeyResolver, text: str, label: str) -> str:
    """``text`` sealed for the key holder alone (see the module docstring): under the primary ``aead``
    key's record subkeys, bound to ``label``, with a synthetic nonce, so the same text gives the same bytes
    (a protected file stays byte-identical run to run) and the nonce reveals nothing of the text."""
    sealer = keys.record_sealer(keys.primary_id("aead"))
    raw = sealer.seal(text.encode(), _RECORD_LABEL + label.encode())
    return f"{RECORD_PREFIX}_{sealer.key_id}_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def open_record(keys: KeyResolver, sealed: str, label: str) -> str:
    """The text of :func:`seal_record` (or of a v1 record); :class:`InvalidFormat` if it was altered or
    sealed for another label, :class:`~ringfence.errors.KeyAccessError` if its key is not in (or disabled
    in) the keyset."""
    if not sealed.startswith(f"{RECORD_PREFIX}_"):  # v1: a re1_ ciphertext bound to the label
        opened = decrypt_column(keys, pl.Series([sealed], dtype=pl.String), label)[0]
        if opened is None:
            raise InvalidFormat("the sealed record is empty")
        return str(opened)
    shape = re.fullmatch(f"{RECORD_PREFIX}_([0-9a-f]{{8}})_([A-Za-z0-9_-]+)", sealed)
    if shape is None or len(shape[2]) % 4 == 1:
        raise InvalidFormat("the sealed record is not an rs2_ record")
    raw = base64.urlsafe_b64decode(shape[2] + "=" * (-len(shape[2]) % 4))
    try:
        return keys.record_sealer(shape[1]).open(raw, _RECORD_LABEL + label.encode()).decode()
    except UnicodeDecodeError:
        raise InvalidFormat("the sealed record is not UTF-8 text") from None


def decrypt_column(keys: KeyResolver, values: pl.Series, column: str | None = None) -> pl.Series:
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
        | ~pl.col("kid").str.contains(_KEY_ID)
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
        aead = keys.aead(kid, aad)
        offsets = col.offsets.astype(np.int64) - int(col.offsets[0])
        plain_offsets, plain, failed = aead.open(offsets, col.data[int(col.offsets[0]) :])
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


class Encrypt(TransformSpec):
    """AES-256-GCM per value (see the module docstring). Reversible: yes, by the key holder
    (:func:`decrypt_column`). Joinable: no (randomized)."""

    name = "encrypt"

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        keys, key_id = ctx.key("encrypt")
        kernel = Kernel(
            keys.aead(key_id, associated_data(column)),
            lambda aead, values: _seal_batch(aead, values, column),
            pl.String(),
        )
        return [kernel.expr(text(column, ctx.dtype(column))).alias(column)]
