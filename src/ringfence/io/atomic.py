"""Outputs that appear whole or not at all.

A writer works on a hidden temporary file beside the destination; only after the data is flushed and
fsynced is it renamed onto the destination (an atomic rename on POSIX), and the folder is fsynced so the
rename survives a crash. If the writer raises, the temporary file is removed. If the process is killed,
only a hidden ``.<name>.rf-tmp-*`` file is left, never a half-written file at the destination, and the
next run sweeps it away.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from ringfence.errors import OutputError

TMP_MARK = ".rf-tmp-"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sweep_stale(dest: Path) -> None:
    """Removes temporary files a killed writer left beside ``dest`` (only those it could have made)."""
    prefix = f".{dest.name}{TMP_MARK}"
    if dest.parent.is_dir():
        for stale in dest.parent.glob(prefix + "*"):
            with contextlib.suppress(OSError):
                stale.unlink()


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yields a temporary path to write to; on success it becomes ``dest``, on failure it is removed.

    The caller writes and closes the temporary file inside the ``with`` block. ``overwrite=False`` refuses
    to replace an existing destination.
    """
    target = Path(dest)
    if not target.parent.exists():
        raise OutputError(f"cannot write {target}: folder {target.parent} does not exist")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    if target.exists() and not overwrite:
        raise OutputError(f"{target} exists; pass --force to replace it")
    sweep_stale(target)
    tmp = target.parent / f".{target.name}{TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"cannot write {target}: the writer produced nothing")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_bytes_atomic(dest: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Writes ``data`` to ``dest`` atomically, optionally with file permissions ``mode`` set before rename."""
    with atomic_path(dest) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if mode is None else mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
