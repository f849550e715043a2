"""Arrow string and binary columns as NumPy buffers, and UTF-8 to code points and back, without row loops.

Kernels read a column as ``offsets`` (int64, one more than rows), ``data`` (uint8) and ``valid`` (bool per
row), work on whole buffers, and rebuild an Arrow array from the same three parts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from ringfence.errors import UsageError

Int64s = npt.NDArray[np.int64]
Bytes = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]
CodePoints = npt.NDArray[np.int32]

T = TypeVar("T")
SLICE_BYTES = 1 << 19  # text per slice: enough to amortize calls, little enough to stay in cache

_STRING_TYPES = (pa.string(), pa.large_string(), pa.string_view())
_BINARY_TYPES = (pa.binary(), pa.large_binary(), pa.binary_view())


@dataclass(frozen=True, slots=True)
class Column:
    """One column's bytes: row ``i`` is ``data[offsets[i]:offsets[i+1]]``; ``valid[i]`` is False for null."""

    offsets: Int64s
    data: Bytes
    valid: Bools
    kind: Literal["string", "binary"]

    def __len__(self) -> int:
        return len(self.valid)

    def rows(self, start: int, stop: int) -> Column:
        """Rows ``start`` to ``stop`` (exclusive) as a column of their own, offsets rebased to zero."""
        offsets = self.offsets[start : stop + 1]
        base = int(offsets[0])
        data = self.data[base : int(offsets[-1])]
        return Column(offsets - base, data, self.valid[start:stop], self.kind)


def to_arrow(values: pa.Array | pa.ChunkedArray | pl.Series) -> pa.Array:
    """A single contiguous Arrow array of ``values`` (a Polars Series, an Arrow array or chunked array)."""
    if isinstance(values, pl.Series):
        return values.to_arrow()
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    raise UsageError(f"expected a Polars Series or an Arrow array, not {type(values).__name__}")


def read_column(arr: pa.Array, what: str) -> Column:
    """The buffers of a string or binary array (any offset width or view layout); others are refused."""
    if arr.type in _STRING_TYPES:
        kind: Literal["string", "binary"] = "string"
        arr = arr.cast(pa.large_string())
    elif arr.type in _BINARY_TYPES or pa.types.is_fixed_size_binary(arr.type):
        kind = "binary"
        arr = arr.cast(pa.large_binary())
    else:
        raise UsageError(f"{what}: expected a string or binary column, not {arr.type}")
    n = len(arr)
    _, off_buf, data_buf = arr.buffers()
    if n == 0 or off_buf is None:
        offsets = np.zeros(n + 1, dtype=np.int64)
    else:
        offsets = np.frombuffer(off_buf, dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, dtype=np.uint8)
    base, end = int(offsets[0]), int(offsets[-1])
    if base:
        offsets = offsets - base
    data = data[base:end]
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    return Column(offsets=offsets, data=data, valid=np.asarray(valid, dtype=np.bool_), kind=kind)


def build_array(offsets: Int64s, data: Bytes, valid: Bools, kind: Literal["string", "binary"]) -> pa.Array:
    """A ``large_string``/``large_binary`` Arrow array from offsets, data and validity (null where False)."""
    n = len(valid)
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    base = int(offsets[0])
    if base:
        offsets = offsets - base
        data = data[base:]
    validity = None if bool(valid.all()) else pa.py_buffer(np.packbits(valid, bitorder="little"))
    typ = pa.large_string() if kind == "string" else pa.large_binary()
    return pa.Array.from_buffers(
        typ,
        n,
        [validity, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))],
        null_count=int(n - np.count_nonzero(valid)),
    )


def decode_utf8(offsets: Int64s, data: Bytes) -> tuple[Int64s, CodePoints]:
    """Code points of valid UTF-8 ``data`` and per-row offsets into them (Arrow strings are valid UTF-8)."""
    lead = (data & 0xC0) != 0x80
    starts = np.flatnonzero(lead)
    first = data[starts].astype(np.int32)
    width = np.where(first < 0x80, 1, np.where(first < 0xE0, 2, np.where(first < 0xF0, 3, 4)))
    cps = np.where(
        width == 1,
        first,
        np.where(width == 2, first & 0x1F, np.where(width == 3, first & 0x0F, first & 0x07)),
    )
    padded = np.concatenate([data, np.zeros(3, dtype=np.uint8)]).astype(np.int32)
    for k in (1, 2, 3):
        more = width > k
        cps = np.where(more, (cps << 6) | (padded[starts + k] & 0x3F), cps)
    char_index = np.concatenate([[0], np.cumsum(lead, dtype=np.int64)])
    return char_index[offsets], cps.astype(np.int32)


def encode_utf8(char_offsets: Int64s, cps: CodePoints) -> tuple[Int64s, Bytes]:
    """UTF-8 bytes of code points and the per-row byte offsets; the inverse of :func:`decode_utf8`."""
    width = np.where(cps < 0x80, 1, np.where(cps < 0x800, 2, np.where(cps < 0x10000, 3, 4))).astype(np.int64)
    ends = np.cumsum(width)
    starts = ends - width
    out = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.uint8)
    lead_mark = np.array([0, 0x00, 0xC0, 0xE0, 0xF0], dtype=np.int32)[width]
    shift = 6 * (width - 1)
    out[starts] = (lead_mark | (cps >> shift)).astype(np.uint8)
    for k in (1, 2, 3):
        more = width > k
        pos = starts[more] + k
        out[pos] = (0x80 | ((cps[more] >> (6 * (width[more] - 1 - k))) & 0x3F)).astype(np.uint8)
    byte_index = np.concatenate([[0], ends])
    return byte_index[char_offsets], out


def slice_bounds(offsets: Int64s, target_bytes: int) -> list[tuple[int, int]]:
    """Row ranges ``[start, stop)`` of about ``target_bytes`` of data each (at least one row per range)."""
    rows = len(offsets) - 1
    if rows <= 0:
        return []
    targets = np.arange(target_bytes, int(offsets[-1]), target_bytes)
    ends = np.searchsorted(offsets, targets, side="right") - 1
    stops = sorted({*(int(e) for e in ends if 0 < e < rows), rows})
    return list(zip([0, *stops[:-1]], stops, strict=True))


def map_slices(fn: Callable[[Column], T], col: Column, *, threads: int | None = None) -> list[T]:
    """``fn`` over consecutive row slices of ``col``, on up to ``threads`` threads, results in row order.

    ``threads=None`` uses :func:`default_threads`; pass 1 when the caller already runs columns in parallel.

    The kernels are NumPy and AES calls that release the interpreter lock, so threads share the work.
    Small slices keep each thread's arrays in cache; that matters more here than the number of calls.
    """
    parts = [col.rows(a, b) for a, b in slice_bounds(col.offsets, SLICE_BYTES)]
    threads = default_threads() if threads is None else threads
    if threads > 1 and len(parts) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(fn, parts))
    return [fn(part) for part in parts]


def default_threads() -> int:
    """Threads a column kernel uses by default: the machine's cores, at most four."""
    return max(1, min(4, os.cpu_count() or 1))
