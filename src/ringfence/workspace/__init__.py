"""Workspace: ringfence.toml, a keyset and the state store; every command finds it the same way."""

from ringfence.workspace.config import JURISDICTIONS, WorkspaceConfig
from ringfence.workspace.guard import check_output
from ringfence.workspace.workspace import CONFIG_NAME, HOME_ENV, Workspace, find_workspace, init_workspace

__all__ = [
    "CONFIG_NAME",
    "HOME_ENV",
    "JURISDICTIONS",
    "Workspace",
    "WorkspaceConfig",
    "check_output",
    "find_workspace",
    "init_workspace",
]
