"""``ringfence release``: the governed path (transfer rules and consent → protect → ledger → publish)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import ForceOption, JsonOption, WorkspaceOption, mode_of, workspace_of
from ringfence.cli.output import emit_json, err, out, table
from ringfence.errors import OutputError


def release(
    ctx: typer.Context,
    input_spec: Annotated[str, typer.Argument(metavar="INPUT", help="A file or a table URI.")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="The policy file (YAML).")],
    recipient: Annotated[str, typer.Option("--recipient", help="A registered recipient's id.")],
    purpose: Annotated[
        str, typer.Option("--purpose", help="Why it receives the data, e.g. fraud_prevention.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write the released copy.")],
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="The column holding each row's data subject (e.g. customer_id)."),
    ] = None,
    force: ForceOption = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Release INPUT to a recipient for a purpose: decided by the transfer rules, filtered by consent,
    protected by the policy, recorded in the ledger before it appears. A denied release writes nothing,
    records the attempt and exits 1."""
    from ringfence.io.location import Location
    from ringfence.pipeline.release import release as run_release
    from ringfence.workspace import check_output

    mode = mode_of(ctx, json_out, workspace)
    if not force and Location.parse(output).exists():
        raise OutputError(f"{output} exists; pass --force to replace it")
    ws = workspace_of(mode)
    check_output(output, workspace=ws, inputs=[input_spec, policy])
    result = run_release(
        ws, input_spec, policy, output, recipient=recipient, purpose=purpose, subject=subject, overwrite=force
    )
    if mode.json:
        emit_json(result.to_json())
    elif result.allowed:
        withheld = (
            f"; {result.rows_withheld_no_consent:,} rows of {result.subjects_withheld:,} subjects withheld "
            "for want of consent"
            if result.rows_withheld_no_consent
            else ""
        )
        out.print(
            f"Released {result.rows_out:,} of {result.rows_in:,} rows to {result.recipient} "
            f"({result.country}) for {result.purpose}{withheld}.",
            markup=False,
        )
        out.print(f"Legal basis: {result.decision.legal_basis}", markup=False)
        if result.risk is not None:
            out.print(
                f"Re-identification risk: k = {result.risk['k_anonymity']}, "
                f"{result.risk['rows_suppressed']:,} records suppressed to reach it.",
                markup=False,
            )
        out.print(f"Ledger entry {result.ledger_entry}; output {result.output}", markup=False)
    else:
        err.print(f"Denied: release to {result.recipient} for {result.purpose}.", markup=False)
        err.print(
            table(
                "Why",
                ["reason", "law", "article"],
                [[r["reason"], r["law"], r["article"]] for r in result.reasons()],
            )
        )
        err.print(f"The attempt is ledger entry {result.ledger_entry}.", markup=False)
    if not result.allowed:
        raise typer.Exit(1)
