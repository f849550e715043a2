"""The runner every governed path configures: a source, steps, taps, gates and one commit.

```
source ─ahead─▶ step ▶ step ▶ … ─rechunk─▶ taps ─ahead─▶ commit: stage ▶ gates ▶ before_publish ▶ publish
```

- *Steps* transform each batch, in order (the plan's transforms; later the consent filter and the
  fingerprint embedder). A step is a callable ``batch -> batch`` with a ``name``; it must be elementwise
  over rows or keep its own state across batches, since batches are cut wherever the reader cuts them.
- *Taps* observe every output chunk exactly as it is written (row counts here; later the risk meter), after
  the steps and after :func:`~ringfence.pipeline.stream.rechunk`. They never change data.
- *Gates* (on the :class:`~ringfence.pipeline.commit.Commit`) decide after the last chunk is written and
  before anything is published; a gate that gives reasons stops the run with
  :class:`~ringfence.pipeline.commit.Refused` (exit code 1) and nothing appears.
- The *commit* stages the output, asks the gates, calls the ``before_publish`` hook (a reveal's record,
  later a release's ledger entry) and publishes, or aborts and leaves nothing
  (:mod:`ringfence.pipeline.commit`).

Reading, the steps and writing overlap on background threads with bounded queues
(:func:`~ringfence.pipeline.stream.ahead`); the output's bytes do not depend on the batch size or the
threads. Errors keep their first line only (Polars appends the failing expression, which may show a
value) and a Polars error becomes a :class:`~ringfence.errors.UsageError` naming the run and the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from ringfence.errors import RingfenceError, UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.read import Source
from ringfence.io.write import WriteResult
from ringfence.pipeline.commit import Commit
from ringfence.pipeline.stream import ahead, rechunk

__all__ = ["RowCount", "RunResult", "Runner", "Step", "Tap"]


class Step(Protocol):
    """Transforms one batch (see the module docstring)."""

    name: str

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame: ...


class Tap(Protocol):
    """Observes one output chunk exactly as it is written; never changes it."""

    def observe(self, chunk: pl.DataFrame) -> None: ...


@dataclass
class RowCount:
    """A tap: the rows written."""

    rows: int = 0

    def observe(self, chunk: pl.DataFrame) -> None:
        self.rows += chunk.height


@dataclass(frozen=True)
class RunResult:
    """What a run read and published."""

    rows_in: int
    written: WriteResult


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


@dataclass
class Runner:
    """One configured run (see the module docstring). ``verb`` and ``failure`` name the run in errors
    (``"protect"``, ``"a transform failed"``); ``on_rows`` is told the rows of each input batch once it
    has gone through the steps (from a worker thread), for a progress display."""

    source: Source
    steps: Sequence[Step]
    commit: Commit
    taps: Sequence[Tap] = ()
    batch_rows: int = BATCH_ROWS
    verb: str = "run"
    failure: str = "a transform failed"
    on_rows: Callable[[int], None] | None = None
    _rows_in: int = field(default=0, init=False, repr=False)

    def _stepped(self) -> Iterator[pl.DataFrame]:
        for batch in ahead(self.source.batches(self.batch_rows)):
            self._rows_in += batch.height
            out = batch
            for step in self.steps:
                out = step(out)
            yield out
            if self.on_rows is not None:
                self.on_rows(batch.height)

    def _tapped(self) -> Iterator[pl.DataFrame]:
        for chunk in rechunk(self._stepped()):
            for tap in self.taps:
                tap.observe(chunk)
            yield chunk

    def run(self) -> RunResult:
        """Streams the source through the steps and taps into the commit; see the module docstring."""
        self.commit.check()  # a refused output fails before any data is read
        stream = ahead(self._tapped())
        try:
            written = self.commit.write(stream)
        except RingfenceError as exc:  # raised inside a kernel, Polars appends the expression: keep line 1
            if "\n" not in str(exc):
                raise
            raise type(exc)(_first_line(exc)) from None
        except pl.exceptions.PolarsError as exc:
            raise UsageError(
                f"{self.verb} {self.source.name}: {self.failure} ({type(exc).__name__})"
            ) from None
        finally:  # a failed write stops the reading and transforming threads at once
            stream.close()
        return RunResult(self._rows_in, written)
