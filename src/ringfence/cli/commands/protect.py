"""``ringfence protect``: de-identify one table by a policy (no recipient registry, no ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import ForceOption, JsonOption, WorkspaceOption, mode_of, workspace_of
from ringfence.cli.output import emit_json, err, note, out, rows_progress, table
from ringfence.errors import OutputError
from ringfence.io import BATCH_ROWS

# The recipient a plan is explained for when none is named (the plan is shown, never run).
_ANY_RECIPIENT = "(any recipient)"


def protect(
    ctx: typer.Context,
    input_spec: Annotated[str, typer.Argument(metavar="INPUT", help="A file or a table URI.")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="The policy file (YAML).")],
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write the protected copy.")],
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Recipient id for scope: recipient rules.")
    ] = None,
    batch_rows: Annotated[
        int, typer.Option("--batch-rows", min=1, help="Rows per streamed batch (bounds memory).")
    ] = BATCH_ROWS,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the plan for the input and stop; nothing is written.")
    ] = False,
    force: ForceOption = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """De-identify INPUT by a policy into OUTPUT, batch by batch; the output appears only when complete."""
    from ringfence.io.location import Location
    from ringfence.io.read import open_source
    from ringfence.pipeline.protect import plan_for
    from ringfence.pipeline.protect import protect as run_protect
    from ringfence.policy import load_policy
    from ringfence.workspace import check_output

    mode = mode_of(ctx, json_out, workspace)
    rules = load_policy(policy)
    if not explain and not force and Location.parse(output).exists():
        raise OutputError(f"{output} exists; pass --force to replace it")
    ws = workspace_of(mode)
    if not explain:
        check_output(output, workspace=ws, inputs=[input_spec, policy])
    keyset = ws.keyset()
    source = open_source(input_spec)
    if explain:  # the plan is shown, never run: without a recipient, keyed columns are planned for any one
        plan = plan_for(source, rules, keyset=keyset, recipient=recipient or _ANY_RECIPIENT)
        if mode.json:
            emit_json(plan.to_json())
        else:
            out.print(plan.explain(), markup=False)
            if recipient is None:
                note(
                    mode,
                    "scope: recipient columns are keyed per recipient: name one with "
                    "`ringfence protect --recipient ID`",
                )
        return
    with rows_progress(mode, f"Protecting {source.name}", source) as on_rows:
        summary = run_protect(
            source,
            rules,
            output,
            keyset=keyset,
            recipient=recipient,
            batch_rows=batch_rows,
            overwrite=force,
            on_rows=on_rows,
        )
    doc = summary.to_json()
    # Paths as reveal reports them: relative to the workspace when inside it, else absolute; a URI as given.
    doc["input"], doc["output"] = ws.shown(source.location), ws.shown(str(Location.parse(output)))
    if mode.json:
        keys = ("input", "output", "rows_in", "rows_out", "columns", "policy_hash", "key_ids", "unreadable")
        emit_json({k: doc[k] for k in keys})
        return
    for column, n in summary.unreadable.items():
        if n:
            err.print(
                f"warning: {n:,} value(s) of column {column} could not be read as a national ID "
                f"(CN resident ID or KR RRN): their derived fields are empty",
                markup=False,
            )
    out.print(
        table(
            f"{summary.input} → {summary.output}: {summary.rows_out:,} rows",
            ["column", "action", "outputs", "key"],
            [
                [c.column, c.spec.name, ", ".join(c.outputs) or "—", c.key_id or ""]
                for c in summary.plan.columns
            ],
        )
    )
    out.print(f"policy {summary.plan.policy_name} {summary.plan.policy_hash}", markup=False)
