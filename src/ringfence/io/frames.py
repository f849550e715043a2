"""Frames cut to size and drawn at random: the batching and sampling every reader shares.

Guarantees: :func:`non_empty_batches` never yields an empty frame unless there are no rows at all (then
exactly one, so the columns are known); :func:`draw_sample` is one pass with memory for ``n`` rows plus one
batch and gives the same rows for the same seed and input however the input is cut into batches;
:func:`sample_windows` is deterministic per seed and covers every stratum of the input.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import numpy as np
import polars as pl

PARQUET_SAMPLE_WINDOWS = 32
_SAMPLE_KEY = "__rf_sample_key"
_SAMPLE_POS = "__rf_sample_pos"


def non_empty_batches(
    frames: Iterator[pl.DataFrame], batch_rows: int, empty: Callable[[], pl.DataFrame]
) -> Iterator[pl.DataFrame]:
    """Frames re-cut to at most ``batch_rows`` rows, empty ones dropped, one empty frame if no rows."""
    produced = False
    for frame in frames:
        for offset in range(0, frame.height, batch_rows):
            produced = True
            yield frame.slice(offset, batch_rows)
    if not produced:
        yield empty()


def draw_sample(frames: Iterator[pl.DataFrame], n: int, seed: int) -> pl.DataFrame | None:
    """A uniform random sample of ``n`` rows (all rows when there are fewer), in input order.

    Every row gets a random key from a NumPy generator seeded with ``seed`` and the ``n`` smallest keys
    win (bottom-k sampling): one pass, memory for ``n`` rows plus one batch, and the same rows for the same
    seed and input however the input is cut into batches. None when there are no frames at all.
    """
    rng = np.random.default_rng(seed)
    kept: pl.DataFrame | None = None
    position = 0
    for frame in frames:
        tagged = frame.with_columns(
            pl.Series(_SAMPLE_KEY, rng.random(frame.height)),
            pl.int_range(position, position + frame.height, dtype=pl.Int64, eager=True).alias(_SAMPLE_POS),
        )
        position += frame.height
        kept = tagged if kept is None else pl.concat([kept, tagged])
        if kept.height > n:
            kept = compact(kept.bottom_k(n, by=_SAMPLE_KEY))
    if kept is None:
        return None
    return kept.sort(_SAMPLE_POS).drop(_SAMPLE_KEY, _SAMPLE_POS)


def compact(frame: pl.DataFrame) -> pl.DataFrame:
    """A copy of ``frame`` that owns its memory.

    Rows gathered out of a large frame keep the large frame's string buffers alive (Polars strings are
    views into shared buffers); a sampler that keeps 10,000 rows out of each of 400 batches would
    otherwise hold every batch. An in-memory Arrow IPC round trip copies just the rows, every type intact.
    """
    buffer = io.BytesIO()
    frame.write_ipc(buffer, compression="uncompressed")
    buffer.seek(0)
    return pl.read_ipc(buffer)


def sample_windows(
    total: int, n: int, seed: int, windows: int = PARQUET_SAMPLE_WINDOWS
) -> list[tuple[int, int]]:
    """``(offset, length)`` of ``windows`` runs of rows spread over ``total`` rows, ``2n`` rows in all.

    The rows are cut into ``windows`` equal strata and each window starts at a random place inside its
    stratum (seeded): every part of the input is represented, and reading a window costs about one page
    per column, whatever the size of the input.
    """
    length = min(-(-2 * n // windows), total // windows)
    stratum = total // windows
    rng = np.random.default_rng([seed, total])
    starts = np.arange(windows, dtype=np.int64) * stratum + rng.integers(0, stratum - length + 1, windows)
    return [(int(start), length) for start in starts]
