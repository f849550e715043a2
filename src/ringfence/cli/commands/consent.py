"""``ringfence consent``: load the company's consent records into the workspace."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, WorkspaceOption, mode_of, with_state
from ringfence.cli.output import emit_json, out
from ringfence.consent import import_consents

app = typer.Typer(help="Consents: what each data subject agreed to.", no_args_is_help=True)


@app.command("import")
def import_command(
    ctx: typer.Context,
    input_spec: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="Columns subject_id, purpose, recipient (* = any), granted_at, withdrawn_at "
            "[, separate_sensitive, cross_border]; a file or a table URI.",
        ),
    ],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Load consents; a file with a malformed row loads nothing, and loading it again changes nothing."""
    mode = mode_of(ctx, json_out, workspace)
    result = with_state(mode, lambda store: import_consents(store, input_spec))
    if mode.json:
        emit_json(result.to_json())
        return
    out.print(
        f"{result.source}: {result.rows:,} consents read; {result.added:,} new, "
        f"{result.withdrawals:,} withdrawals recorded, {result.unchanged:,} already known.",
        markup=False,
    )
