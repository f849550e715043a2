"""``ringfence protect``: de-identify tables by a policy each (no recipient registry, no ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ringfence.cli.options import (
    CopiesOption,
    EncodingOption,
    EngineOption,
    ForceOption,
    InputsArgument,
    JsonOption,
    PoliciesOption,
    SparkMasterOption,
    WorkspaceOption,
    encoding_of,
    engine_of,
    mode_of,
    workspace_of,
)
from ringfence.cli.output import Mode, emit_json, err, note, out, rows_progress, table
from ringfence.errors import OutputError, UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.location import OBJECT_STORE_SCHEMES

if TYPE_CHECKING:
    from ringfence.cli.jobs import Job
    from ringfence.keys import Keyset
    from ringfence.policy import Policy
    from ringfence.workspace import Workspace

# The recipient a plan is explained for when none is named (the plan is shown, never run).
_ANY_RECIPIENT = "(any recipient)"


def protect(
    ctx: typer.Context,
    inputs: InputsArgument,
    policy: PoliciesOption,
    output: CopiesOption,
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="Recipient id for scope: recipient rules.")
    ] = None,
    batch_rows: Annotated[
        int, typer.Option("--batch-rows", min=1, help="Rows per streamed batch (bounds memory).")
    ] = BATCH_ROWS,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the plan for each table and stop; nothing is written.")
    ] = False,
    encoding: EncodingOption = None,
    force: ForceOption = False,
    engine: EngineOption = "local",
    spark_master: SparkMasterOption = "local[*]",
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """De-identify each input table by its policy into OUTPUT, batch by batch; each output appears only
    when complete. Every table's policy and output are checked before the first is read.

    With --engine spark, INPUT is one Parquet, CSV or JSON-lines path Spark reads (local or object
    storage) and OUTPUT a Parquet folder; keys reach the executors sealed under RINGFENCE_KEK."""
    from ringfence.cli.jobs import make_room, plan_jobs
    from ringfence.pipeline.protect import column_entities, plan_for

    mode = mode_of(ctx, json_out, workspace)
    encoding = encoding_of(encoding)
    engine = engine_of(engine)
    if engine == "spark" and (output.startswith(OBJECT_STORE_SCHEMES) or not explain):
        _spark(mode, inputs, policy, output, recipient, spark_master, force)
        return
    ws = workspace_of(mode)
    jobs = plan_jobs(inputs, policy, output, workspace=ws, force=force, writes=not explain)
    keyset = ws.keyset()
    if explain:  # the plan is shown, never run: without a recipient, keyed columns are planned for any one
        plans = [
            plan_for(j.source, j.policy, keyset=keyset, recipient=recipient or _ANY_RECIPIENT) for j in jobs
        ]
        if mode.json:
            docs = [plan.to_json() for plan in plans]
            emit_json(docs[0] if len(jobs) == 1 else {"tables": docs})
        else:
            for job, plan in zip(jobs, plans, strict=True):
                if len(jobs) > 1:
                    out.print(f"{job.source.name}:", markup=False)
                out.print(plan.explain(), markup=False)
            if recipient is None:
                note(
                    mode,
                    "scope: recipient columns are keyed per recipient: name one with "
                    "`ringfence protect --recipient ID`",
                )
        return
    # Every table's plan is checked (its policy against its columns) before the first table is written.
    found = [column_entities(job.policy, job.source) for job in jobs]
    for job, entities in zip(jobs, found, strict=True):
        plan_for(job.source, job.policy, keyset=keyset, recipient=recipient, entities=entities)
    make_room(jobs)
    docs = [
        _run(mode, ws, job, keyset, recipient, batch_rows, force, entities, encoding)
        for job, entities in zip(jobs, found, strict=True)
    ]
    if mode.json:
        emit_json(docs[0] if len(jobs) == 1 else {"tables": docs})


def _run(
    mode: Mode,
    ws: Workspace,
    job: Job,
    keyset: Keyset,
    recipient: str | None,
    batch_rows: int,
    force: bool,
    entities: dict[str, str | None],
    encoding: str | None,
) -> dict[str, Any]:
    """One table protected; its JSON document (people get its table of columns and any warning)."""
    from ringfence.io.location import Location
    from ringfence.pipeline.protect import protect as run_protect

    with rows_progress(mode, f"Protecting {job.source.name}", job.source) as on_rows:
        summary = run_protect(
            job.source,
            job.policy,
            job.output,
            keyset=keyset,
            recipient=recipient,
            batch_rows=batch_rows,
            overwrite=force,
            entities=entities,
            on_rows=on_rows,
            encoding=encoding,
        )
    doc = summary.to_json()
    # Paths as reveal reports them: relative to the workspace when inside it, else absolute; a URI as given.
    doc["input"], doc["output"] = ws.shown(job.source.location), ws.shown(str(Location.parse(job.output)))
    keys = ("input", "output", "rows_in", "rows_out", "columns", "policy_hash", "key_ids", "unreadable")
    if mode.json:
        return {k: doc[k] for k in keys}
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
    return {k: doc[k] for k in keys}


def _spark(
    mode: Mode,
    inputs: list[str],
    policy: Path,
    output: str,
    recipient: str | None,
    master: str,
    force: bool,
) -> None:
    """One input on Spark; a local output is checked first as on the local engine (Spark's committer
    checks object storage)."""
    from ringfence.io.location import Location
    from ringfence.policy import load_policy
    from ringfence.workspace import check_output

    if len(inputs) != 1:
        raise UsageError("--engine spark protects one input at a time")
    rules = load_policy(policy)
    if not output.startswith(OBJECT_STORE_SCHEMES):
        if not force and Location.parse(output).exists():
            raise OutputError(f"{output} exists; pass --force to replace it")
        check_output(output, workspace=workspace_of(mode), inputs=[inputs[0], policy])
    _protect_on_spark(mode, inputs[0], rules, output, recipient, master, force)


def _protect_on_spark(
    mode: Mode,
    input_spec: str,
    rules: Policy,
    output: str,
    recipient: str | None,
    master: str,
    force: bool,
) -> None:
    from ringfence.spark import protect as spark_protect

    doc = spark_protect(
        input_spec,
        rules,
        output,
        keyset=workspace_of(mode).keyset(),
        recipient=recipient,
        master=master,
        overwrite=force,
    ).to_json()
    if mode.json:
        emit_json(doc)
        return
    out.print(
        f"{input_spec} → {doc['output']}: {doc['rows_out']:,} rows on Spark ({doc['master']})", markup=False
    )
