"""``ringfence init``: create a workspace."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, mode_of
from ringfence.cli.output import emit_json, out
from ringfence.errors import UsageError
from ringfence.keys.wrap import KEK_ENV, PASSPHRASE_ENV
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
    seal: Annotated[
        bool,
        typer.Option(
            "--seal",
            help="Seal the keyset with a passphrase, prompted for (later runs read it from "
            "RINGFENCE_KEYSET_PASSPHRASE).",
        ),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Create a workspace: ringfence.toml, a keyset (file mode 0600; sealed when RINGFENCE_KEYSET_PASSPHRASE
    or RINGFENCE_KEK is set, or with --seal) and the state store."""
    mode = mode_of(ctx, json_out, None)
    with _passphrase(seal):
        ws = init_workspace(folder, jurisdiction=jurisdiction, state=state)
        keyset = ws.keyset()
    keys = [{"id": k.key_id, "purpose": k.purpose, "status": k.status} for k in keyset.all_keys()]
    doc = {
        "workspace": str(ws.root),
        "workspace_id": ws.config.workspace_id,
        "jurisdiction": ws.config.jurisdiction,
        "keyset": str(ws.keyset_path),
        "keyset_sealed": keyset.sealed_with,
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
    out.print(_sealing(keyset.sealed_with), markup=False)
    if state is not None and ws.config.state != state:
        out.print(
            "  the state password was not stored: set PGPASSWORD or keep it in ~/.pgpass (mode 0600)",
            markup=False,
        )
    out.print(f"Use it with --workspace {ws.root} or RINGFENCE_HOME={ws.root}", markup=False)


def _sealing(method: str) -> str:
    """What protects the keyset file, and how to seal one that is in clear."""
    if method == "passphrase":
        return f"  the keyset is sealed with a passphrase: set {PASSPHRASE_ENV} in every later run"
    if method == "kek":
        return f"  the keyset is sealed with the key-encryption key: set {KEK_ENV} in every later run"
    return (
        f"  the keyset is in clear (file mode 0600): {PASSPHRASE_ENV} or {KEK_ENV} set when running "
        "`ringfence init` seals it, or `ringfence init --seal` asks for a passphrase"
    )


@contextlib.contextmanager
def _passphrase(seal: bool) -> Iterator[None]:
    """With ``--seal``, the passphrase the keyset is sealed with: from the environment if set there,
    else prompted for twice (never echoed) and put in the environment of this run only."""
    if not seal or os.environ.get(PASSPHRASE_ENV):
        yield
        return
    if os.environ.get(KEK_ENV):
        raise UsageError(f"--seal asks for a passphrase, but {KEK_ENV} is set (it seals the keyset already)")
    if not sys.stdin.isatty():
        raise UsageError(f"--seal prompts for a passphrase on a terminal; without one, set {PASSPHRASE_ENV}")
    secret = typer.prompt("Keyset passphrase", hide_input=True, confirmation_prompt=True, err=True)
    if len(secret) < 8:
        raise UsageError("the passphrase is shorter than 8 characters")
    os.environ[PASSPHRASE_ENV] = secret
    try:
        yield
    finally:
        del os.environ[PASSPHRASE_ENV]
