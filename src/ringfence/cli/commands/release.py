"""``ringfence release``: the governed path (transfer rules and consent → protect → ledger → publish)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ringfence.cli.options import (
    CopiesOption,
    EncodingOption,
    ForceOption,
    InputsArgument,
    JsonOption,
    PoliciesOption,
    WorkspaceOption,
    encoding_of,
    mode_of,
    workspace_of,
)
from ringfence.cli.output import emit_json, err, out, table

if TYPE_CHECKING:
    from ringfence.pipeline.release import ReleaseResult


def release(
    ctx: typer.Context,
    inputs: InputsArgument,
    policy: PoliciesOption,
    recipient: Annotated[str, typer.Option("--recipient", help="A registered recipient's id.")],
    purpose: Annotated[
        str, typer.Option("--purpose", help="Why it receives the data, e.g. fraud_prevention.")
    ],
    output: CopiesOption,
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="The column holding each row's data subject (e.g. customer_id)."),
    ] = None,
    encoding: EncodingOption = None,
    force: ForceOption = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Release each input table to a recipient for a purpose: decided by the transfer rules, filtered by
    consent, protected by its policy, recorded in the ledger before it appears. A denied release writes
    nothing, records the attempt and exits 1 (the tables after it are not released)."""
    from ringfence.cli.jobs import make_room, plan_jobs
    from ringfence.pipeline.release import release as run_release

    mode = mode_of(ctx, json_out, workspace)
    encoding = encoding_of(encoding)
    ws = workspace_of(mode)
    jobs = plan_jobs(inputs, policy, output, workspace=ws, force=force)
    make_room(jobs)
    docs, allowed = [], True
    for job in jobs:
        result = run_release(
            ws,
            job.source,
            job.policy,
            job.output,
            recipient=recipient,
            purpose=purpose,
            subject=subject,
            overwrite=force,
            encoding=encoding,
        )
        docs.append(result.to_json())
        if not mode.json:
            _tell(result)
        if not result.allowed:
            allowed = False
            break
    if mode.json:
        emit_json(docs[0] if len(jobs) == 1 else {"tables": docs})
    if not allowed:
        raise typer.Exit(1)


def _tell(result: ReleaseResult) -> None:
    """What people read of one release: what went where and on what basis, or why it was denied."""
    if result.allowed:
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
