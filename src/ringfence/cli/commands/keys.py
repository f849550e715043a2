"""``ringfence keys``: list, rotate, disable and enable the keyset's keys (ids only, never bytes)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, WorkspaceOption, mode_of, with_state, workspace_of
from ringfence.cli.output import emit_json, err, out, table
from ringfence.errors import CheckFailed, UsageError
from ringfence.keys.keyset import PURPOSES, KeyInfo, KeyPurpose
from ringfence.state.reversals import list_reversals
from ringfence.state.store import StateStore
from ringfence.workspace import Workspace

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
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Disable without asking.")] = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Disable a non-primary key: nothing can use it until `ringfence keys enable` (what was made under it
    cannot be revealed meanwhile). Says which recorded outputs use it and asks first, unless --yes."""
    mode = mode_of(ctx, json_out, workspace)
    ws = workspace_of(mode)
    keyset = ws.keyset()
    info = keyset.info(key_id)
    if info.status == "primary":
        keyset.disable(key_id)  # refused, with the reason (rotate first)
    users = with_state(mode, lambda store: recorded_uses(ws, store, key_id))
    if not mode.json:
        err.print(_uses_text(key_id, users), markup=False)
    if not yes:
        if mode.json or not sys.stdin.isatty():
            raise UsageError(
                f"disabling key {key_id} needs confirmation: `ringfence keys disable {key_id} --yes`"
            )
        if not typer.confirm(f"Disable key {key_id}?", default=False, err=True):
            raise CheckFailed(f"key {key_id} was not disabled")
    keyset.disable(key_id)
    ws.save_keyset(keyset)
    if mode.json:
        emit_json({"disabled": key_id, "used_by": users})
    else:
        out.print(f"Disabled key {key_id}; `ringfence keys enable {key_id}` undoes it", markup=False)


@app.command("enable")
def enable(
    ctx: typer.Context,
    key_id: Annotated[str, typer.Argument(help="The id of a disabled key.")],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Enable a disabled key again: what was made under it can be revealed (it does not become primary)."""
    mode = mode_of(ctx, json_out, workspace)
    ws = workspace_of(mode)
    keyset = ws.keyset()
    before = keyset.info(key_id).status
    keyset.enable(key_id)
    ws.save_keyset(keyset)
    status = keyset.info(key_id).status
    if mode.json:
        emit_json({"enabled": key_id, "status": status})
    elif before == "disabled":
        out.print(f"Enabled key {key_id}", markup=False)
    else:
        out.print(f"Key {key_id} was not disabled (it is {status})", markup=False)


def recorded_uses(ws: Workspace, store: StateStore, key_id: str) -> list[dict[str, str]]:
    """The outputs the workspace recorded under ``key_id``: releases (ledger entries naming it in their
    plan's keys, or as their subjects' key) and reveals. A ``protect`` run records nothing: its plan is
    sealed into the output's own footer."""
    found: list[dict[str, str]] = []
    for entry in ws.ledger(store).entries():
        if key_id in entry.fields.get("key_ids", []) or entry.subjects_key_id == key_id:
            what = f"{entry.fields.get('input', '')} to {entry.fields.get('recipient', '')}"
            found.append({"kind": entry.kind, "id": f"ledger entry {entry.index}", "output": what})
    for record in list_reversals(store):
        if any(key_id in c.key_ids for c in record.columns.values()):
            found.append({"kind": "reveal", "id": f"reversal {record.id}", "output": record.output})
    return found


def _uses_text(key_id: str, users: list[dict[str, str]]) -> str:
    if not users:
        return (
            f"No release or reveal recorded in this workspace uses key {key_id} (protected copies made "
            "with `ringfence protect` are not recorded: their plan is inside each output)."
        )
    shown = [f"  {u['id']} ({u['kind']}) {u['output']}".rstrip() for u in users[:20]]
    more = [f"  and {len(users) - 20} more"] if len(users) > 20 else []
    head = f"{len(users)} recorded output(s) use key {key_id}; while it is disabled they cannot be revealed:"
    return "\n".join([head, *shown, *more])


def purpose_of(name: str) -> KeyPurpose:
    for purpose in PURPOSES:
        if purpose == name:
            return purpose
    raise UsageError(f"unknown key purpose {name!r}; use one of {', '.join(PURPOSES)}")
