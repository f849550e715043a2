"""One commit per run: the output appears whole, after the run's gates passed and its record was written,
or nothing appears at all.

A file output is written into a staging folder beside it that only its owner can open (0700, named
``.<output>.<label>-<pid>-<random>``), then the run's gates are asked, then the ``before_publish`` hook
runs (where a reveal's record, and later a release's ledger entry, is written), and only then is the
staged file moved onto the output in one rename. What that guarantees:

- a failure while reading, transforming or writing, a gate that refuses, or a hook that fails leaves no
  output (and the hook's record, when it was not written, does not exist);
- a run killed at any point leaves no output, or a record whose output never appeared, never an output
  without its record; the staging folder a killed run left is removed by the next run to the same output
  (only folders of processes that no longer run, and only that output's);
- if moving the staged file into place fails, the hook is asked to withdraw its record
  (:meth:`Publication.withdraw`) and the error says whether it could;
- ``private`` outputs (data in clear again) are readable by their owner only (0600) from their first byte;
- without ``overwrite`` an existing output is never replaced, also when it appears while the run works.

A database table output cannot be staged in a folder: it is written through a temporary table that the
writer swaps in after the last batch (:func:`ringfence.io.write.write_table`); the gates and the hook run
when the last batch has been handed to the writer and before the swap, so a refusal still leaves the
table as it was.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl

from ringfence.errors import CheckFailed, OutputError, RingfenceError
from ringfence.io.formats import WRITABLE, format_of
from ringfence.io.location import Location
from ringfence.io.write import Metadata, WriteResult, output_encoding, sha256_file, write_table

__all__ = [
    "Commit",
    "Gate",
    "Publication",
    "Refused",
    "Staged",
    "alive",
    "remove_stale_stages",
    "sha256_file",
]


class Refused(CheckFailed):
    """A gate refused the run before anything was published (exit code 1); ``reasons`` say why."""

    def __init__(self, gate: str, reasons: Sequence[str]) -> None:
        self.gate = gate
        self.reasons = list(reasons)
        super().__init__(f"{gate} refused the output: {'; '.join(self.reasons)}")


class Gate(Protocol):
    """Decides, after the last batch was written and before anything is published, whether the run may
    publish: an empty list passes, reasons refuse (:class:`Refused`)."""

    name: str

    def check(self) -> list[str]: ...


@dataclass(frozen=True)
class Staged:
    """A complete output that is not published yet: what the ``before_publish`` hook sees."""

    output: str
    rows: int
    columns: list[str]
    path: Path | None = None  # the staged file; None for a database table

    def sha256(self) -> str | None:
        return sha256_file(self.path) if self.path is not None else None


class Publication(Protocol):
    """The hook around publishing: a record written before the output appears, withdrawn if it cannot."""

    def before_publish(self, staged: Staged) -> None: ...

    def withdraw(self) -> str:
        """Undoes what :meth:`before_publish` wrote, after the output could not be placed; returns what
        to tell the user (e.g. "the record was withdrawn" or "record X stays")."""
        ...


def alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (this process counts)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_stale_stages(out_path: Path, label: str) -> int:
    """Removes the staging folders a killed run (a process that no longer runs) left for ``out_path``,
    and only that output's; returns how many."""
    prefix = f".{out_path.name}.{label}-"
    removed = 0
    with contextlib.suppress(OSError):
        for stale in out_path.parent.glob(glob.escape(prefix) + "*"):
            pid = stale.name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not alive(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)
                removed += 1
    return removed


def staging_dir(out_path: Path, label: str) -> Path:
    """A folder beside ``out_path`` readable by its owner only (0700), where the output is written before
    it is published; stale ones a killed run left for the same output are removed first."""
    parent = out_path.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {out_path}: folder {parent} does not exist")
    if out_path.is_dir():
        raise OutputError(f"cannot write {out_path}: it is a folder")
    remove_stale_stages(out_path, label)
    prefix = f".{out_path.name}.{label}-"
    try:
        return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    except PermissionError:
        raise OutputError(f"cannot write {out_path}: no permission to write in {parent}") from None
    except OSError as exc:
        raise OutputError(f"cannot write {out_path} ({exc.strerror or type(exc).__name__})") from None


def place(staged: Path, out_path: Path, *, overwrite: bool) -> None:
    """Moves the staged file to ``out_path`` in one step; without ``overwrite`` an existing file is never
    replaced (a hard link fails if the name exists)."""
    if overwrite:
        os.replace(staged, out_path)
    else:
        try:
            os.link(staged, out_path)
        except FileExistsError:
            raise OutputError(f"{out_path} exists; pass --force to replace it") from None
        except OSError:  # a file system without hard links: check, then rename
            if out_path.exists():
                raise OutputError(f"{out_path} exists; pass --force to replace it") from None
            os.replace(staged, out_path)
    with contextlib.suppress(OSError):
        fd = os.open(out_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


@dataclass
class Commit:
    """Where a run's output goes and how it is published (see the module docstring)."""

    output: str | os.PathLike[str]
    overwrite: bool = True
    label: str = "stage"
    private: bool = False
    metadata: Metadata | None = None
    encoding: str | None = None  # a CSV/TSV output's text encoding (ringfence.io.write)
    gates: Sequence[Gate] = ()
    publication: Publication | None = None
    _ended: bool = field(default=False, init=False, repr=False)

    @property
    def location(self) -> Location:
        return Location.parse(self.output)

    @property
    def is_table(self) -> bool:
        return self.location.is_table

    def _path(self) -> Path:
        path = self.location.path
        assert path is not None
        return path

    def check(self) -> None:
        """What can be checked before any work: the folder exists, the output is not a folder, and an
        existing output is only replaced with ``overwrite``."""
        if self.is_table:
            return
        path = self._path()
        if not path.parent.is_dir():
            raise OutputError(f"cannot write {path}: folder {path.parent} does not exist")
        if path.is_dir():
            raise OutputError(f"cannot write {path}: it is a folder")
        if format_of(path) not in WRITABLE:
            raise OutputError(f"cannot write {path}: use one of {', '.join(WRITABLE)}")
        output_encoding(self.encoding)
        if path.exists() and not self.overwrite:
            raise OutputError(f"{path} exists; pass --force to replace it")

    def _decide(self, staged: Staged) -> None:
        for gate in self.gates:
            reasons = gate.check()
            if reasons:
                raise Refused(gate.name, reasons)
        if self.publication is not None:
            self.publication.before_publish(staged)

    def write(self, frames: Iterable[pl.DataFrame]) -> WriteResult:
        """Writes ``frames``, asks the gates, runs the hook, publishes; or leaves nothing."""
        self.check()
        if self.is_table:
            return self._write_table(frames)
        out_path = self._path()
        staging = staging_dir(out_path, self.label)
        try:
            staged = staging / out_path.name
            # A private output is readable by its owner only from its first byte (files this process
            # creates meanwhile are too: the read-ahead threads create none).
            mask = os.umask(0o077) if self.private else None
            try:
                written = write_table(
                    frames, staged, overwrite=True, metadata=self.metadata, encoding=self.encoding
                )
            except RingfenceError as exc:
                raise type(exc)(_first_line(exc).replace(str(staging), str(out_path.parent))) from None
            finally:
                if mask is not None:
                    os.umask(mask)
            if self.private:
                staged.chmod(0o600)
            self._decide(Staged(str(self.output), written.rows, written.columns, staged))
            try:
                place(staged, out_path, overwrite=self.overwrite)
            except BaseException as exc:
                said = self.publication.withdraw() if self.publication is not None else ""
                if not isinstance(exc, (OSError, RingfenceError)):
                    raise
                detail = _first_line(exc) if isinstance(exc, RingfenceError) else type(exc).__name__
                raise OutputError(
                    f"cannot write {out_path} ({detail})" + (f"; {said}" if said else "")
                ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return WriteResult(out_path, written.format, written.rows, written.columns)

    def _write_table(self, frames: Iterable[pl.DataFrame]) -> WriteResult:
        counted = [0]
        columns: list[str] = []

        def until_decided() -> Iterator[pl.DataFrame]:
            for frame in frames:
                counted[0] += frame.height
                if not columns:
                    columns.extend(frame.columns)
                yield frame
            self._decide(Staged(str(self.output), counted[0], columns))
            self._ended = True

        try:
            return write_table(until_decided(), self.output, overwrite=self.overwrite)
        except BaseException:
            if self._ended and self.publication is not None:
                self.publication.withdraw()
            raise
