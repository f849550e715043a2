"""Writing a platform's six tables to a folder, atomically, with transactions streamed batch by batch."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TypeVar

import polars as pl

from ringfence.errors import OutputError
from ringfence.io.write import WriteResult, write_table
from ringfence.synth.platform import Platform

T = TypeVar("T")

TABLES = ("customers", "accounts", "merchants", "transactions", "consents", "recipients")
_DONE = object()


class Prefetch(Iterator[T]):
    """Iterates over ``items`` while a background thread produces the next ones (at most ``depth`` ahead).

    The thread starts at once, so production overlaps whatever the caller does before iterating.
    Generation (NumPy, Polars) and writing (Arrow, Parquet) release the GIL for most of their work, so on two
    cores the next batch is made while the previous one is compressed and written. An error in the producer
    is raised to the consumer; :meth:`close` (or leaving a ``with`` block) stops the producer.
    """

    def __init__(self, items: Iterator[T], depth: int = 2) -> None:
        self._slots: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._failure: list[BaseException] = []
        self._finished = False
        self._worker = threading.Thread(
            target=self._produce, args=(items,), name="ringfence-synth-prefetch", daemon=True
        )
        self._worker.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer in __next__
            self._failure.append(exc)
        self._put(_DONE)

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        item = self._slots.get()
        if item is _DONE:
            self._finished = True
            self._worker.join()
            if self._failure:
                raise self._failure[0]
            raise StopIteration
        return item  # type: ignore[return-value]

    def close(self) -> None:
        """Stops the producer and waits for its thread to end."""
        self._finished = True
        self._stop.set()
        self._worker.join()

    def __enter__(self) -> Prefetch[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_platform(
    platform: Platform, out_dir: Path, *, format: Literal["parquet", "csv"] = "parquet"
) -> dict[str, WriteResult]:
    """Writes customers, accounts, merchants, transactions, consents and recipients as
    ``out_dir/<table>.<format>``; each file appears whole or not at all. Returns what was written per table.
    """
    if format not in ("parquet", "csv"):
        raise OutputError(f"synth: cannot write format {format!r}; use parquet or csv")
    folder = Path(out_dir)
    if not folder.is_dir():
        raise OutputError(f"synth: output folder {folder} does not exist")
    frames: dict[str, pl.DataFrame] = {
        "customers": platform.customers,
        "accounts": platform.accounts,
        "merchants": platform.merchants,
        "consents": platform.consents,
        "recipients": platform.recipients,
    }
    results: dict[str, WriteResult] = {}
    # Transactions start generating now, while the smaller tables are written.
    with Prefetch(platform.transactions()) as transactions:
        for table in TABLES:
            dest = folder / f"{table}.{format}"
            data = transactions if table == "transactions" else frames[table]
            results[table] = write_table(data, dest, format=format)
    return results
