"""FF1 over a whole string column: characters to numerals, rows batched by length, and back, no row loops.

The column is cut into slices of about half a megabyte of text; each slice is mapped to numerals through the
alphabet's lookup table, its rows are grouped by numeral count and encrypted as matrices
(:func:`ringfence.keys._ff1_core.crypt_matrix`), and the numerals are written back in place, so
characters outside the alphabet (with ``preserving``) and nulls stay where they were. Slices run on a few
threads: NumPy and AES release the interpreter lock for the heavy work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ringfence.errors import InvalidFormat, InvalidLength
from ringfence.keys._aes import BlockCipher
from ringfence.keys._ff1_core import MAX_LENGTH, MIN_DOMAIN, crypt_matrix
from ringfence.keys.columns import Column, build_array, decode_utf8, encode_utf8, map_slices

if TYPE_CHECKING:
    from ringfence.keys.ff1 import Alphabet

_BATCH_CELLS = 1 << 20  # numerals per FF1 matrix

Unsigned = npt.NDArray[np.unsignedinteger]
Int64s = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ColumnJob:
    """What to do to every value: FF1 under ``cipher`` over ``alphabet`` with one ``tweak``."""

    cipher: BlockCipher
    alphabet: Alphabet
    tweak: bytes
    preserving: bool
    decrypt: bool

    def __repr__(self) -> str:
        return f"ColumnJob(radix={self.alphabet.radix}, decrypt={self.decrypt})"


@dataclass(frozen=True, slots=True)
class _Done:
    offsets: Int64s
    data: npt.NDArray[np.uint8]
    strays: int  # valid values with characters outside the alphabet (not preserving)
    short: int  # valid values with too few characters of the alphabet


def crypt_strings(job: ColumnJob, col: Column, name: str, *, threads: int | None) -> pa.Array:
    """FF1 of every valid value of ``col``; raises, naming counts only, if any value is outside the domain."""
    done = map_slices(lambda part: _crypt_slice(job, part), col, threads=threads)
    radix, min_len = job.alphabet.radix, job.alphabet.min_length
    strays = sum(d.strays for d in done)
    if strays:
        raise InvalidFormat(
            f"FF1 {name}: {strays} value(s) have characters outside the alphabet (radix {radix}); "
            "use preserving=True to keep such characters in place"
        )
    short = sum(d.short for d in done)
    if short:
        raise InvalidLength(
            f"FF1 {name}: {short} value(s) have fewer than {min_len} characters of the alphabet; "
            f"radix {radix} needs radix**length >= {MIN_DOMAIN:,}"
        )
    if not done:
        return build_array(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8), col.valid, "string")
    bases = np.cumsum([0] + [len(d.data) for d in done[:-1]])
    offsets = np.concatenate(
        [done[0].offsets[:1]] + [d.offsets[1:] + b for d, b in zip(done, bases, strict=True)]
    )
    return build_array(offsets, np.concatenate([d.data for d in done]), col.valid, "string")


def _crypt_slice(job: ColumnJob, col: Column) -> _Done:
    alphabet = job.alphabet
    ascii_data = col.data.size == 0 or int(col.data.max()) < 0x80
    char_off, cps = (col.offsets, col.data) if ascii_data else decode_utf8(col.offsets, col.data)
    numerals = alphabet.lookup(cps)
    member = numerals < alphabet.radix
    everywhere = bool(member.all())
    if everywhere:  # the usual case: no separators, nothing to skip
        starts, counts, seq = char_off[:-1], np.diff(char_off), numerals
    else:
        cum = np.zeros(len(member) + 1, dtype=np.int64)
        np.cumsum(member, out=cum[1:])
        starts = cum[char_off[:-1]]
        counts = cum[char_off[1:]] - starts
        seq = numerals[member]
    valid = col.valid
    strays = (
        0 if everywhere or job.preserving else int(np.count_nonzero(valid & (counts != np.diff(char_off))))
    )
    short = int(np.count_nonzero(valid & ((counts < alphabet.min_length) | (counts > MAX_LENGTH))))
    if strays or short:
        return _Done(col.offsets, col.data, strays, short)
    out_seq = _crypt_rows(job, seq, starts, counts, valid)
    if ascii_data and alphabet.is_ascii:
        if everywhere:
            return _Done(col.offsets, alphabet.ascii_bytes(out_seq), 0, 0)
        data = col.data.copy()
        data[member] = alphabet.ascii_bytes(out_seq)
        return _Done(col.offsets, data, 0, 0)
    out_cps = cps.astype(np.int32, copy=True)
    out_cps[member] = np.take(alphabet.code_points, out_seq)
    offsets, data = encode_utf8(char_off, out_cps)
    return _Done(offsets, data, 0, 0)


def _crypt_rows(
    job: ColumnJob, seq: Unsigned, starts: Int64s, counts: Int64s, valid: npt.NDArray[np.bool_]
) -> Unsigned:
    """FF1 of every valid row's numerals ``seq[starts[i] : starts[i] + counts[i]]``, batched by length."""
    out = seq.copy()
    rows = np.flatnonzero(valid)
    if rows.size == 0:
        return out
    lengths = counts[rows]
    if lengths.min() != lengths.max():
        order = np.argsort(lengths, kind="stable")
        rows, lengths = rows[order], lengths[order]
    radix = job.alphabet.radix
    for group in np.split(rows, np.flatnonzero(np.diff(lengths)) + 1):
        n = int(counts[group[0]])
        batch = max(1, _BATCH_CELLS // n)
        first = int(starts[group[0]])
        if np.array_equal(starts[group], first + n * np.arange(len(group))):  # rows lie back to back
            src = seq[first : first + n * len(group)].reshape(-1, n)
            dst = out[first : first + n * len(group)].reshape(-1, n)
            for k in range(0, len(group), batch):
                dst[k : k + batch] = crypt_matrix(
                    job.cipher, radix, src[k : k + batch], job.tweak, decrypt=job.decrypt
                )
            continue
        for k in range(0, len(group), batch):
            idx = starts[group[k : k + batch], None] + np.arange(n)
            out[idx] = crypt_matrix(job.cipher, radix, np.take(seq, idx), job.tweak, decrypt=job.decrypt)
    return out
