"""Creating and finding workspaces.

A command finds its workspace by ``--workspace DIR``, else ``RINGFENCE_HOME``, else the current folder and
its parents (the first holding ``ringfence.toml``), like git finds its repository.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ringfence.errors import UsageError, WorkspaceError
from ringfence.io.atomic import write_bytes_atomic
from ringfence.io.location import Location
from ringfence.keys import Keyset
from ringfence.ledger import Ledger
from ringfence.state import SqlStore, open_store, without_password
from ringfence.state.store import StateStore
from ringfence.workspace.config import JURISDICTIONS, WorkspaceConfig, load_config

CONFIG_NAME = "ringfence.toml"
HOME_ENV = "RINGFENCE_HOME"


@dataclass(frozen=True)
class Workspace:
    """An opened workspace: its folder and settings. Keys and state are opened on demand."""

    root: Path
    config: WorkspaceConfig

    @property
    def keyset_path(self) -> Path:
        return self.root / self.config.keyset

    def keyset(self) -> Keyset:
        """Loads the keyset (unsealing it with the environment's passphrase or key if it is sealed)."""
        return Keyset.load(self.keyset_path)

    def state(self) -> SqlStore:
        """Opens the state store, bringing its schema up to date."""
        return open_store(self.config.state, self.root)

    def ledger(self, store: StateStore, keyset: Keyset | None = None) -> Ledger:
        """The workspace's ledger over an opened state store; its checkpoints name the log
        ``ringfence.local/<workspace id>``."""
        keys = keyset if keyset is not None else self.keyset()
        return Ledger(store, keys, origin=f"ringfence.local/{self.config.workspace_id}")

    def save_keyset(self, keyset: Keyset) -> None:
        keyset.save(self.keyset_path)

    def shown(self, location: str) -> str:
        """How outputs name a file or table: a file relative to the workspace when inside it, else
        absolute; a table URI as it is (every command's JSON names paths this way)."""
        where = Location.parse(location)
        if where.is_table:
            return str(where)  # without its password
        path = Path(location).resolve()
        try:
            return str(path.relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def init_workspace(
    folder: str | os.PathLike[str], *, jurisdiction: str = "KR", state: str | None = None
) -> Workspace:
    """Creates a workspace in ``folder`` (made if missing; refused if it already holds one).

    A password in the ``state`` URL is used to set the store up and never stored: ``ringfence.toml`` keeps
    the URL without it, and later runs take it from ``PGPASSWORD`` or a ``.pgpass`` file (mode 0600).
    """
    root = Path(folder).resolve()
    code = jurisdiction.upper()
    if code not in JURISDICTIONS:
        raise UsageError(f"unknown jurisdiction {jurisdiction!r}; use one of {', '.join(JURISDICTIONS)}")
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root} already holds a ringfence workspace")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    config = WorkspaceConfig(
        workspace_id=secrets.token_hex(8),
        jurisdiction=code,  # type: ignore[arg-type]
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        state=without_password(state or WorkspaceConfig.model_fields["state"].default),
    )
    keys_dir = root / Path(config.keyset).parent
    if (root / config.keyset).exists():
        raise WorkspaceError(
            f"{root / config.keyset} already exists; a keyset is never replaced (move it away yourself if "
            "it is no longer needed)"
        )
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    Keyset.generate().save(root / config.keyset)
    store = open_store(state or config.state, root)
    try:
        with store.transaction():
            for key, value in (
                ("workspace_id", config.workspace_id),
                ("jurisdiction", config.jurisdiction),
                ("created_at", config.created_at),
            ):
                store.execute("DELETE FROM meta WHERE key = ?", (key,))
                store.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
    finally:
        store.close()
    # The config is written last: a workspace whose init failed midway is not found by discovery.
    write_bytes_atomic(root / CONFIG_NAME, config.to_toml().encode("utf-8"), mode=0o644)
    return Workspace(root, config)


def open_workspace(folder: str | os.PathLike[str]) -> Workspace:
    """Opens the workspace in exactly ``folder``."""
    root = Path(folder).resolve()
    config_path = root / CONFIG_NAME
    if not config_path.is_file():
        raise WorkspaceError(f"no ringfence workspace in {root}; create one with: ringfence init {folder}")
    return Workspace(root, load_config(config_path))


def find_workspace(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace named by ``explicit``, ``RINGFENCE_HOME``, or found in ``cwd`` and its parents."""
    if explicit:
        return open_workspace(explicit)
    home = os.environ.get(HOME_ENV)
    if home:
        return open_workspace(home)
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return open_workspace(folder)
    raise WorkspaceError(
        "no ringfence workspace here; create one with `ringfence init DIR` and pass --workspace DIR, "
        f"set {HOME_ENV}, or run inside it"
    )
