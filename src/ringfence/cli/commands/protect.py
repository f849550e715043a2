"""``ringfence protect``: de-identify one table by a policy (no recipient registry, no ledger)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ringfence.cli.options import (
    EncodingOption,
    EngineOption,
    ForceOption,
    JsonOption,
    SparkMasterOption,
    WorkspaceOption,
    encoding_of,
    engine_of,
    mode_of,
    workspace_of,
)
from ringfence.cli.output import Mode, emit_json, out, rows_progress, table
from ringfence.errors import OutputError
from ringfence.io import BATCH_ROWS

if TYPE_CHECKING:
    from ringfence.policy import Policy

# Object storage and HDFS: only Spark reads and writes them (its committer publishes the output).
REMOTE_SCHEMES = ("s3a://", "s3://", "gs://", "abfss://", "wasbs://", "hdfs://")


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
    encoding: EncodingOption = None,
    force: ForceOption = False,
    engine: EngineOption = "local",
    spark_master: SparkMasterOption = "local[*]",
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """De-identify INPUT by a policy into OUTPUT, batch by batch; the output appears only when complete.

    With --engine spark, INPUT is a Parquet, CSV or JSON-lines path Spark reads (local or object storage)
    and OUTPUT a Parquet folder; keys reach the executors sealed under RINGFENCE_KEK."""
    from ringfence.io.location import Location
    from ringfence.io.read import open_source
    from ringfence.pipeline.protect import plan_for
    from ringfence.pipeline.protect import protect as run_protect
    from ringfence.policy import load_policy
    from ringfence.workspace import check_output

    mode = mode_of(ctx, json_out, workspace)
    encoding_of(encoding)
    engine = engine_of(engine)
    rules = load_policy(policy)
    if engine == "spark" and output.startswith(REMOTE_SCHEMES):  # Spark's committer checks object storage
        _protect_on_spark(mode, input_spec, rules, output, recipient, spark_master, force)
        return
    if not explain and not force and Location.parse(output).exists():
        raise OutputError(f"{output} exists; pass --force to replace it")
    ws = workspace_of(mode)
    if not explain:
        check_output(output, workspace=ws, inputs=[input_spec, policy])
    keyset = ws.keyset()
    if engine == "spark" and not explain:
        _protect_on_spark(mode, input_spec, rules, output, recipient, spark_master, force)
        return
    source = open_source(input_spec)
    if explain:
        plan = plan_for(source, rules, keyset=keyset, recipient=recipient)
        if mode.json:
            emit_json(plan.to_json())
        else:
            out.print(plan.explain(), markup=False)
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
            encoding=encoding_of(encoding),
        )
    doc = summary.to_json()
    if mode.json:
        emit_json(
            {
                k: doc[k]
                for k in ("input", "output", "rows_in", "rows_out", "columns", "policy_hash", "key_ids")
            }
        )
        return
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
