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


def prefetch(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """Yields ``items`` while a background thread already produces the next ones (at most ``depth`` ahead).

    Generation (NumPy, Polars) and writing (Arrow, Parquet) release the GIL for most of their work, so on two
    cores the next batch is made while the previous one is compressed and written. An error in the producer
    is raised in the consumer; if the consumer stops early, the producer stops too.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer below
            failure.append(exc)
        finally:
            while not stop.is_set():
                try:
                    slots.put(_DONE, timeout=0.1)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=produce, name="ringfence-synth-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                if failure:
                    raise failure[0]
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


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
    for table in TABLES:
        dest = folder / f"{table}.{format}"
        if table == "transactions":
            results[table] = write_table(prefetch(platform.transactions()), dest, format=format)
        else:
            results[table] = write_table(frames[table], dest, format=format)
    return results
