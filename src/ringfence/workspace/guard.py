"""Outputs that would destroy keys or inputs are refused before anything is read or written.

:func:`check_output` refuses an output path inside the workspace's key folder, onto its ``ringfence.toml``
or its SQLite state file, and onto any input of the run (the same file under another name counts: paths are
resolved and existing files compared by device and inode). A database table output is refused when it is
one of the inputs. Callers (the CLI's commands, the pipeline) call it where the output is chosen, before a
keyset is opened; ``--force`` never overrides it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ringfence.errors import OutputError
from ringfence.io.location import Location
from ringfence.workspace.workspace import CONFIG_NAME, Workspace


def _resolved(path: Path) -> Path:
    return path.parent.resolve() / path.name


def _same_file(a: Path, b: Path) -> bool:
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _protected(ws: Workspace) -> list[Path]:
    files = [ws.root / CONFIG_NAME]
    if ws.config.state.startswith("sqlite:///"):
        state = Path(ws.config.state[len("sqlite:///") :])
        files.append(state if state.is_absolute() else ws.root / state)
    return files


def check_output(
    output: str | os.PathLike[str] | Location,
    *,
    workspace: Workspace | None,
    inputs: Iterable[str | os.PathLike[str] | Location | None] = (),
) -> None:
    """Raises :class:`OutputError` when writing ``output`` would overwrite a key, the workspace's settings
    or state, or one of ``inputs`` (None entries are skipped)."""
    where = Location.parse(output)
    sources = [Location.parse(i) for i in inputs if i is not None]
    if where.table is not None:
        if any(s.table is not None and s.uri == where.uri for s in sources):
            raise OutputError(f"the output {where} is also an input; write it somewhere else")
        return
    assert where.path is not None
    target = _resolved(where.path)
    if workspace is not None:
        keys_dir = _resolved(workspace.keyset_path).parent
        if target == keys_dir or keys_dir in target.parents:
            raise OutputError(f"cannot write {where.path}: it is inside the workspace's key folder")
        if any(_same_file(target, p) for p in _protected(workspace)):
            raise OutputError(f"cannot write {where.path}: it is the workspace's own file")
    for source in sources:
        if source.path is not None and _same_file(target, source.path):
            raise OutputError(f"cannot write {where.path}: it is an input of this run; write it elsewhere")
