"""The local engine: protect a table by a policy, streaming batch by batch, written atomically.

:func:`protect` opens the input, decides each column's entity (from the policy's column rules, or by
scanning a sample when entity rules or ``unlisted: keep`` need it), builds and checks the :class:`Plan`
before reading any data, then streams ``source.batches()`` through ``batch.select(plan.exprs())`` into
:func:`ringfence.io.write.write_table`. Every kernel is elementwise, so the output does not depend on the
batch size (apart from ``encrypt``, which is randomized by design). A failure at any point leaves no
output file.

Reading, transforming and writing run at the same time (:func:`ahead`: a thread reads batches ahead of the
transforms, another transforms output chunks ahead of the writer, each through a queue of
:data:`AHEAD_DEPTH`), since Polars, Arrow and the kernels release the interpreter lock; order is kept and
memory stays bounded by the queues. Output chunks are cut to :data:`OUTPUT_CHUNK_ROWS` whatever the batches,
so the bytes written do not depend on the batch size or on the threads.

A Parquet output carries its plan in the footer (:data:`PLAN_METADATA_KEY`: policy name and hash,
recipient, each column's action, parameters and key id; never key bytes or data), sealed with AES-GCM under
the workspace's ``aead`` key (:func:`ringfence.transform.encrypt.seal_record`): the recipient learns
nothing from it, and the key holder's ``ringfence reveal`` can trust it to say which key and scope made
each column, FPE included, whose values cannot carry a key id themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.errors import RingfenceError, UsageError
from ringfence.io.read import Source, open_source
from ringfence.io.write import write_table
from ringfence.keys import Keyset
from ringfence.policy import Policy, load_policy
from ringfence.transform.base import TransformContext
from ringfence.transform.encrypt import seal_record
from ringfence.transform.plan import Plan, build_plan

__all__ = ["DEFAULT_BATCH_ROWS", "ProtectSummary", "column_entities", "plan_for", "protect"]

DEFAULT_BATCH_ROWS = 250_000
# Output is written in chunks of exactly this many rows (the last one less), whatever the input batches:
# row groups, and so the output's bytes, do not depend on ``batch_rows``.
OUTPUT_CHUNK_ROWS = 262_144
# Batches read ahead of the transforms, and output chunks transformed ahead of the writer.
AHEAD_DEPTH = 2
# The footer key of a protected Parquet file that holds its plan (Plan.to_json(), key ids only).
PLAN_METADATA_KEY = "ringfence.protect"


@dataclass(frozen=True)
class ProtectSummary:
    """What a protect run did (ids, counts and names only: no data, no key bytes)."""

    input: str
    output: str
    rows_in: int
    rows_out: int
    plan: Plan

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "columns": self.plan.actions(),
            "columns_changed": self.plan.changed(),
            "policy_hash": self.plan.policy_hash,
            "key_ids": self.plan.key_ids(),
        }


def _needs_scan(policy: Policy, columns: list[str]) -> bool:
    """Whether resolving the policy needs the entities of columns no column rule names."""
    unnamed = [c for c in columns if c not in policy.columns]
    return bool(unnamed) and (bool(policy.entities) or policy.unlisted == "keep")


def column_entities(policy: Policy, source: Source, *, sample_rows: int = 10_000) -> dict[str, str | None]:
    """The entity of each column: the one its column rule names, else (when the policy needs it) the
    one a scan of a sample of the source finds."""
    columns = list(source.schema().names())
    found: dict[str, str | None] = {}
    if _needs_scan(policy, columns):
        from ringfence.detect.scan import scan_source  # imported here: detection is only needed here

        found = {f.name: f.entity for f in scan_source(source, sample_rows=sample_rows).columns}
    for name, rule in policy.columns.items():
        if rule.entity is not None:
            found[name] = rule.entity
    return found


def _policy(policy: str | os.PathLike[str] | Policy) -> Policy:
    return policy if isinstance(policy, Policy) else load_policy(policy)


def plan_for(
    source: Source,
    policy: Policy,
    *,
    keyset: Keyset | None,
    recipient: str | None = None,
    as_of: dt.date | None = None,
    entities: dict[str, str | None] | None = None,
) -> Plan:
    """The checked plan of ``policy`` for ``source`` (scanning it for entities when needed)."""
    found = column_entities(policy, source) if entities is None else entities
    ctx = TransformContext(keyset=keyset, recipient=recipient, as_of=as_of)
    return build_plan(policy, dict(source.schema()), found, ctx)


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0]


_DONE = object()


def ahead(items: Iterator[pl.DataFrame], depth: int = AHEAD_DEPTH) -> Generator[pl.DataFrame, None, None]:
    """The items of ``items``, produced by a background thread up to ``depth`` items ahead of the reader.

    Polars, Arrow and the NumPy/AES kernels release the interpreter lock, so reading, transforming and
    writing overlap on the machine's cores; the queue is bounded, so memory is too. Order is kept. An
    error in the producer is raised in the consumer; a consumer that stops early stops the producer.
    """
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


def _protected(
    source: Source,
    plan: Plan,
    batch_rows: int,
    counter: list[int],
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[pl.DataFrame]:
    exprs = plan.exprs()
    for batch in ahead(source.batches(batch_rows)):
        counter[0] += batch.height
        yield batch.select(exprs)
        if on_rows is not None:
            on_rows(batch.height)


def rechunk(frames: Iterator[pl.DataFrame], rows: int | None = None) -> Iterator[pl.DataFrame]:
    """The same rows in frames of exactly ``rows`` (default :data:`OUTPUT_CHUNK_ROWS`) rows, the last
    may be shorter, an input of no rows gives one empty frame: what is written does not depend on how
    the input was batched."""
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


def protect(
    source: str | os.PathLike[str] | Source,
    policy: str | os.PathLike[str] | Policy,
    output: str | os.PathLike[str],
    *,
    keyset: Keyset | None,
    recipient: str | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    as_of: dt.date | None = None,
    overwrite: bool = True,
    entities: dict[str, str | None] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> ProtectSummary:
    """De-identify ``source`` by ``policy`` into ``output`` (see the module docstring).

    ``on_rows`` is called with the number of rows of each batch once it is transformed (from a worker
    thread), for a progress display.

    Raises a :class:`~ringfence.errors.RingfenceError` with a one-line message (no data values, no key
    bytes) on a bad policy, input or output; nothing is left at ``output`` then.
    """
    src = source if isinstance(source, Source) else open_source(source)
    if not isinstance(output, str) or "://" not in output:
        out_path = Path(output).resolve()
        if src.location and Path(src.location).resolve() == out_path:
            raise UsageError(f"the output {output} is the input; write the protected copy elsewhere")
    plan = plan_for(src, _policy(policy), keyset=keyset, recipient=recipient, as_of=as_of, entities=entities)
    counter = [0]
    stream = ahead(rechunk(_protected(src, plan, batch_rows, counter, on_rows)))
    footer = None
    if keyset is not None:  # the plan, sealed for the key holder: the recipient sees an opaque blob
        recorded = json.dumps(plan.to_json(), sort_keys=True, ensure_ascii=False, default=str)
        footer = {PLAN_METADATA_KEY: seal_record(keyset, recorded, PLAN_METADATA_KEY)}
    try:
        written = write_table(stream, output, overwrite=overwrite, metadata=footer)
    except RingfenceError as exc:  # raised inside a kernel, Polars appends the expression: keep line 1
        raise type(exc)(_first_line(exc)) from None
    except pl.exceptions.PolarsError as exc:
        raise UsageError(f"protect {src.name}: a transform failed ({type(exc).__name__})") from None
    finally:  # a failed write stops the reading and transforming threads at once
        stream.close()
    return ProtectSummary(src.name, str(written.path), counter[0], written.rows, plan)
