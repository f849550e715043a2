"""Outputs that appear whole or not at all.

A writer works on a hidden temporary file beside the destination; only after the data is flushed and
fsynced is it renamed onto the destination (an atomic rename on POSIX), and the folder is fsynced so the
rename survives a crash. If the writer raises, the temporary file is removed. If the process is killed,
only a hidden ``.<name>.rf-tmp-<pid>-<random>`` file is left, never a half-written file at the destination,
and the next run sweeps it away: only files of exactly that name pattern (matched as text, never as a glob,
so ``out[1].csv`` does not sweep ``out1.csv``'s) that no running writer holds: each writer creates its
temporary file itself and keeps an ``flock`` on it, so two runs writing one output at once never remove
each other's. A folder the writer may not write in is an :class:`OutputError`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from ringfence.errors import OutputError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

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


def _held(fd: int) -> bool:
    """Whether another open file description holds the lock of ``fd``'s file (its writer is running)."""
    if fcntl is None:  # pragma: no cover - platforms without flock: keep every file
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    return False


def sweep_stale(dest: Path) -> None:
    """Removes temporary files a killed writer left beside ``dest``: only those it could have made, and
    only those no running writer holds (each writer keeps a lock on its temporary file)."""
    prefix = f".{dest.name}{TMP_MARK}"
    if not dest.parent.is_dir():
        return
    with contextlib.suppress(OSError), os.scandir(dest.parent) as entries:
        for entry in entries:
            if not entry.name.startswith(prefix) or not entry.is_file(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                try:
                    if not _held(fd):
                        os.unlink(entry.path)
                finally:
                    os.close(fd)


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike[str], *, overwrite: bool = True, mode: int = 0o666) -> Iterator[Path]:
    """Yields a temporary path to write to; on success it becomes ``dest``, on failure it is removed.

    The temporary file exists (empty, created with ``mode`` less the umask, locked by this run) when the
    ``with`` block starts; the caller writes it (truncating it) and closes it inside the block.
    ``overwrite=False`` refuses to replace an existing destination.
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
    lock: int | None = None
    try:
        lock = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield tmp
        if not tmp.exists():
            raise OutputError(f"cannot write {target}: the writer produced nothing")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        denied = isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        if denied and (getattr(exc, "filename", None) == str(tmp) or str(tmp) in str(exc)):
            raise OutputError(f"cannot write {target}: no permission to write in {target.parent}") from None
        raise
    finally:
        if lock is not None:
            os.close(lock)


def write_bytes_atomic(dest: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Writes ``data`` to ``dest`` atomically, optionally with file permissions ``mode`` set before rename."""
    with atomic_path(dest, mode=0o600 if mode is None else mode) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC)
        os.fchmod(fd, 0o600 if mode is None else mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
