"""Streams of batches: read-ahead on a background thread, and fixed-size output chunks.

What it guarantees:

- :func:`ahead` keeps order, bounds memory by its queue (:data:`AHEAD_DEPTH` items), raises a producer's
  error in the consumer, and stops the producer (closing the generator it reads) when the consumer stops
  early. Polars, Arrow and the NumPy/AES kernels release the interpreter lock, so reading, transforming
  and writing overlap on the machine's cores.
- :func:`rechunk` gives the same rows in frames of exactly :data:`OUTPUT_CHUNK_ROWS` rows (the last one
  less; an input of no rows gives one empty frame), so what is written (Parquet row groups, and so the
  output's bytes) does not depend on how the input was batched or on the threads. A chunk whose rows would
  hold more than :data:`OUTPUT_CHUNK_BYTES` (their text and binary bytes, 8 per other value) is cut
  before the row that passes it (at least one row): cut points still depend on the rows alone, and a table
  of very wide rows is held a few MiB-sized chunks at a time, not 262,144 rows at a time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator

import numpy as np
import numpy.typing as npt
import polars as pl

from ringfence.io import BATCH_ROWS

__all__ = ["AHEAD_DEPTH", "OUTPUT_CHUNK_BYTES", "OUTPUT_CHUNK_ROWS", "ahead", "rechunk"]

# Output is written in chunks of exactly this many rows (the last one less), whatever the input batches.
OUTPUT_CHUNK_ROWS = BATCH_ROWS
# ... and at most about this many bytes (see row_bytes).
OUTPUT_CHUNK_BYTES = 128 << 20
# Batches read ahead of the transforms, and output chunks transformed ahead of the writer.
AHEAD_DEPTH = 2

_DONE = object()


def ahead(items: Iterator[pl.DataFrame], depth: int = AHEAD_DEPTH) -> Generator[pl.DataFrame, None, None]:
    """The items of ``items``, produced by a background thread up to ``depth`` items ahead of the reader
    (see the module docstring)."""
    q: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)
        finally:  # a generator upstream (another read-ahead, an open file) is closed in this thread
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="ringfence-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def row_bytes(frame: pl.DataFrame) -> npt.NDArray[np.int64]:
    """Each row's size as :func:`rechunk` counts it: the bytes of its text and binary values, 8 for any
    other value."""
    exprs = [
        pl.nth(i).str.len_bytes() if dtype == pl.String else pl.nth(i).bin.size()
        for i, dtype in enumerate(frame.dtypes)
        if dtype in (pl.String, pl.Binary)
    ]
    fixed = 8 * (frame.width - len(exprs))
    if not exprs:
        return np.full(frame.height, fixed, dtype=np.int64)
    sizes = frame.select(pl.sum_horizontal(e.fill_null(0).cast(pl.Int64) for e in exprs)).to_series()
    return sizes.to_numpy().astype(np.int64) + fixed


def rechunk(
    frames: Iterator[pl.DataFrame], rows: int | None = None, max_bytes: int | None = None
) -> Iterator[pl.DataFrame]:
    """The same rows in frames of exactly ``rows`` (default :data:`OUTPUT_CHUNK_ROWS`) rows, or fewer
    where they would hold over ``max_bytes`` (default :data:`OUTPUT_CHUNK_BYTES`); see the module
    docstring."""
    rows = rows or OUTPUT_CHUNK_ROWS
    limit = max_bytes or OUTPUT_CHUNK_BYTES
    pending: list[pl.DataFrame] = []
    sizes: list[npt.NDArray[np.int64]] = []
    held = held_bytes = 0
    empty: pl.DataFrame | None = None
    yielded = False
    for frame in frames:
        if empty is None:
            empty = frame.clear()
        if frame.height == 0:
            continue
        pending.append(frame)
        sizes.append(row_bytes(frame))
        held += frame.height
        held_bytes += int(sizes[-1].sum())
        while held >= rows or held_bytes > limit:
            every = np.concatenate(sizes)
            fits = int(np.searchsorted(np.cumsum(every), limit, side="right"))
            cut = min(rows, max(1, fits))
            block = pl.concat(pending, rechunk=False)
            yield block.slice(0, cut).rechunk()
            yielded = True
            rest, rest_sizes = block.slice(cut), every[cut:]
            pending, sizes = ([rest], [rest_sizes]) if rest.height else ([], [])
            held, held_bytes = rest.height, int(rest_sizes.sum())
    if held:
        yield pl.concat(pending, rechunk=True)
    elif not yielded and empty is not None:
        yield empty
