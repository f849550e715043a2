"""Streams of batches: read-ahead on a background thread, and fixed-size output chunks.

What it guarantees:

- :func:`ahead` keeps order, bounds memory by its queue (:data:`AHEAD_DEPTH` items), raises a producer's
  error in the consumer, and stops the producer (closing the generator it reads) when the consumer stops
  early. Polars, Arrow and the NumPy/AES kernels release the interpreter lock, so reading, transforming
  and writing overlap on the machine's cores.
- :func:`rechunk` gives the same rows in frames of exactly :data:`OUTPUT_CHUNK_ROWS` rows (the last one
  less; an input of no rows gives one empty frame), so what is written (Parquet row groups, and so the
  output's bytes) does not depend on how the input was batched or on the threads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator

import polars as pl

from ringfence.io import BATCH_ROWS

__all__ = ["AHEAD_DEPTH", "OUTPUT_CHUNK_ROWS", "ahead", "rechunk"]

# Output is written in chunks of exactly this many rows (the last one less), whatever the input batches.
OUTPUT_CHUNK_ROWS = BATCH_ROWS
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


def rechunk(frames: Iterator[pl.DataFrame], rows: int | None = None) -> Iterator[pl.DataFrame]:
    """The same rows in frames of exactly ``rows`` (default :data:`OUTPUT_CHUNK_ROWS`) rows (see the
    module docstring)."""
    rows = rows or OUTPUT_CHUNK_ROWS
    pending: list[pl.DataFrame] = []
    held = 0
    empty: pl.DataFrame | None = None
    yielded = False
    for frame in frames:
        if empty is None:
            empty = frame.clear()
        if frame.height == 0:
            continue
        pending.append(frame)
        held += frame.height
        while held >= rows:
            block = pl.concat(pending, rechunk=False)
            yield block.slice(0, rows).rechunk()
            yielded = True
            rest = block.slice(rows)
            pending, held = ([rest] if rest.height else []), rest.height
    if held:
        yield pl.concat(pending, rechunk=True)
    elif not yielded and empty is not None:
        yield empty
