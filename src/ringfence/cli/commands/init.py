"""``ringfence init``: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, mode_of
from ringfence.cli.output import emit_json, out
from ringfence.workspace import init_workspace


def init(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder for the workspace (created if missing).")] = Path(
        "."
    ),
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", help="Whose transfer rules apply: KR, CN or EU.")
    ] = "KR",
    state: Annotated[
        str | None,
        typer.Option(
            "--state", help="State store URL (default: SQLite in the workspace; or postgresql://...)."
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Create a workspace: ringfence.toml, a keyset (file mode 0600) and the state store."""
    mode = mode_of(ctx, json_out, None)
    ws = init_workspace(folder, jurisdiction=jurisdiction, state=state)
    keyset = ws.keyset()
    keys = [{"id": k.key_id, "purpose": k.purpose, "status": k.status} for k in keyset.all_keys()]
    doc = {
        "workspace": str(ws.root),
        "workspace_id": ws.config.workspace_id,
        "jurisdiction": ws.config.jurisdiction,
        "keyset": str(ws.keyset_path),
        "keys": keys,
        "state": ws.config.state,
    }
    if mode.json:
        emit_json(doc)
        return
    out.print(f"Created workspace {ws.root} (jurisdiction {ws.config.jurisdiction})", markup=False)
    out.print(
        f"  keyset  {ws.keyset_path}  (" + ", ".join(f"{k['purpose']} {k['id']}" for k in keys) + ")",
        markup=False,
    )
    out.print(f"  state   {ws.config.state}", markup=False)
    if state is not None and ws.config.state != state:
        out.print(
            "  the state password was not stored: set PGPASSWORD or keep it in ~/.pgpass (mode 0600)",
            markup=False,
        )
    out.print(f"Use it with --workspace {ws.root} or RINGFENCE_HOME={ws.root}", markup=False)
