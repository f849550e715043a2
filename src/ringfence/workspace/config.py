"""``ringfence.toml``: the workspace's settings, validated strictly (unknown keys are errors)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ringfence.errors import WorkspaceError

Jurisdiction = Literal["KR", "CN", "EU"]
JURISDICTIONS: tuple[str, ...] = ("KR", "CN", "EU")
CONFIG_VERSION = 1


class WorkspaceConfig(BaseModel):
    """The settings of one workspace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = CONFIG_VERSION
    workspace_id: str
    jurisdiction: Jurisdiction
    created_at: str
    keyset: str = "keys/keyset.json"
    state: str = Field(default="sqlite:///state.db")

    def to_toml(self) -> str:
        """The file text; values are plain strings and numbers, so quoting is all the escaping needed."""
        lines = ["# ringfence workspace: see `ringfence --help`", "[workspace]"]
        for name, value in self.model_dump().items():
            if isinstance(value, int):
                lines.append(f"{name} = {value}")
            else:
                escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'{name} = "{escaped}"')
        return "\n".join(lines) + "\n"


def load_config(path: Path) -> WorkspaceConfig:
    """Reads and validates ``ringfence.toml``; errors name the file and the key, never a secret."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        raise WorkspaceError(f"{path} cannot be read") from None
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{path} is not valid TOML ({exc})") from None
    section = doc.get("workspace")
    if not isinstance(section, dict):
        raise WorkspaceError(f"{path} has no [workspace] section")
    try:
        config = WorkspaceConfig.model_validate(section)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "workspace"
        raise WorkspaceError(f"{path}: workspace.{where}: {first['msg']}") from None
    if config.version > CONFIG_VERSION:
        raise WorkspaceError(f"{path} is of version {config.version}, newer than this ringfence; upgrade it")
    return config
