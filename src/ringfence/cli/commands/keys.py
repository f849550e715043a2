"""``ringfence keys``: list, rotate and disable keys of the workspace keyset (ids only, never bytes)."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, WorkspaceOption, mode_of, workspace_of
from ringfence.cli.output import emit_json, out, table
from ringfence.errors import UsageError
from ringfence.keys.keyset import PURPOSES, KeyInfo, KeyPurpose

app = typer.Typer(help="Keys of the workspace keyset, by id.", no_args_is_help=True)


def _listing(keyset_keys: list[KeyInfo]) -> list[dict[str, str]]:
    return [
        {"id": k.key_id, "purpose": k.purpose, "status": k.status, "created_at": k.created_at}
        for k in keyset_keys
    ]


@app.command("list")
def list_keys(ctx: typer.Context, workspace: WorkspaceOption = None, json_out: JsonOption = False) -> None:
    """List the keys: id, purpose, status, creation time."""
    mode = mode_of(ctx, json_out, workspace)
    rows = _listing(workspace_of(mode).keyset().all_keys())
    if mode.json:
        emit_json({"keys": rows})
    else:
        out.print(table("Keys", ["id", "purpose", "status", "created"], [list(r.values()) for r in rows]))


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    purpose: Annotated[str, typer.Argument(help="hmac, aead or signing")],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a new primary key for PURPOSE; older keys stay usable for what was made under them."""
    mode = mode_of(ctx, json_out, workspace)
    key_purpose = purpose_of(purpose)
    ws = workspace_of(mode)
    keyset = ws.keyset()
    new_id = keyset.rotate(key_purpose)
    ws.save_keyset(keyset)
    if mode.json:
        emit_json({"rotated": purpose, "primary": new_id})
    else:
        out.print(f"New primary {purpose} key {new_id}", markup=False)


@app.command("disable")
def disable(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The id of the key to disable.")],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Disable a non-primary key: nothing can use it any more."""
    mode = mode_of(ctx, json_out, workspace)
    ws = workspace_of(mode)
    keyset = ws.keyset()
    keyset.disable(key_id)
    ws.save_keyset(keyset)
    if mode.json:
        emit_json({"disabled": key_id})
    else:
        out.print(f"Disabled key {key_id}", markup=False)


def purpose_of(name: str) -> KeyPurpose:
    for purpose in PURPOSES:
        if purpose == name:
            return purpose
    raise UsageError(f"unknown key purpose {name!r}; use one of {', '.join(PURPOSES)}")
