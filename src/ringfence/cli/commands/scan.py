"""``ringfence scan``: find the personal data in tables, per column, with confidence and evidence."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from ringfence.cli.options import (
    EngineOption,
    JsonOption,
    SparkMasterOption,
    WorkspaceOption,
    check_side_outputs,
    engine_of,
    mode_of,
    workspace_of,
)
from ringfence.cli.output import emit_json, err, out, table
from ringfence.errors import OutputError


def scan(
    ctx: typer.Context,
    inputs: Annotated[
        list[str], typer.Argument(help="Files, folders or table URIs (postgresql://…?table=t).")
    ],
    full: Annotated[bool, typer.Option("--full", help="Validate every value, not only a sample.")] = False,
    sample_rows: Annotated[
        int, typer.Option("--sample-rows", min=100, help="Rows sampled per table, spread over the table.")
    ] = 10_000,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML inventory page here.")
    ] = None,
    draft: Annotated[
        Path | None,
        typer.Option(
            "--draft-policy", help="Write a first policy protecting what the scan found (review it)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing --draft-policy file (a reviewed policy?).")
    ] = False,
    engine: EngineOption = "local",
    spark_master: SparkMasterOption = "local[*]",
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Find personal data: per table and column, the entity type, confidence, hit rate and evidence.

    With --engine spark, each INPUT is a path Spark reads and the sample is drawn on the cluster."""
    from ringfence.detect.scan import TableFinding
    from ringfence.detect.scan import scan as run_scan

    mode = mode_of(ctx, json_out, workspace)
    engine = engine_of(engine)
    check_side_outputs(mode, [report, draft], list(inputs))
    for output in (report, draft):  # checked before the scan, not after it
        if output is not None and not output.parent.is_dir():
            raise OutputError(f"cannot write {output}: folder {output.parent} does not exist")
    if draft is not None and draft.exists() and not force:
        raise OutputError(f"{draft} exists (a policy someone may have reviewed); pass --force to replace it")
    status = err.status("Scanning…") if not mode.json else contextlib.nullcontext()

    def show(found: TableFinding) -> None:
        if not mode.json:
            err.print(f"scanned {found.source}: {found.rows:,} rows", markup=False)

    with status:
        if engine == "spark":
            from ringfence.spark.scan import scan as spark_scan

            result = spark_scan(list(inputs), sample_rows=sample_rows, full=full, master=spark_master)
        else:
            result = run_scan(inputs, sample_rows=sample_rows, full=full, on_table=show)
    _record(mode, result)
    if report is not None:
        from ringfence.report import write_scan_report

        write_scan_report(result, report)
    if draft is not None:
        from ringfence.io.atomic import write_bytes_atomic
        from ringfence.policy import draft_policy

        findings = [(c.name, c.entity) for found in result.tables for c in found.columns]
        text = draft_policy(findings, quasi_identifiers=_quasi_identifiers(inputs, result))
        write_bytes_atomic(draft, text.encode("utf-8"))
    if mode.json:
        emit_json(result.to_json())
        return
    for found in result.tables:
        out.print(
            table(
                f"{found.source} — {found.rows:,} rows, {found.sampled_rows:,} sampled",
                ["column", "entity", "confidence", "hit rate", "country", "evidence"],
                [_row(c.to_json()) for c in found.columns],
            )
        )
        out.print(_how_sure(found), markup=False)
    if report is not None:
        out.print(f"Report: {report}", markup=False)
    if draft is not None:
        out.print(f"Draft policy: {draft} (review every rule before use)", markup=False)


def _record(mode: Any, result: Any) -> None:
    """Records the findings in the inventory of the workspace in reach (``watch`` reads it); a scan
    outside any workspace records nothing (a --workspace that is not one is an error)."""
    from ringfence.errors import WorkspaceError
    from ringfence.watch.inventory import record_scan

    try:
        ws = workspace_of(mode)
    except WorkspaceError:
        if mode.workspace:
            raise
        return
    store = ws.state()
    try:
        record_scan(store, result)
    finally:
        store.close()


def _how_sure(found: Any) -> str:
    """One line on what the sample can miss: the chance it showed a column with 1 personal value in 100."""
    if found.sampled_rows >= found.rows:
        seen = f"all {found.rows:,} rows read"
    else:
        seen = f"{found.sampled_rows:,} of {found.rows:,} rows sampled"
    return (
        f"{seen}; a column with personal data in 1% of its values is found with "
        f"{found.chance_to_see(0.01):.0%} certainty, rarer ones may be missed (raise --sample-rows)"
    )


def _quasi_identifiers(inputs: list[str], result: Any) -> list[tuple[str, str]]:
    """The quasi-identifiers the risk stage proposes for a draft's ``risk:`` section: only when one table
    was scanned (a policy's risk section is about one table)."""
    if len(result.tables) != 1 or len(inputs) != 1:
        return []
    from ringfence.io.read import open_sources
    from ringfence.risk.propose import propose_quasi_identifiers

    sources = open_sources(inputs[0])
    if len(sources) != 1:
        return []
    found = {c.name: c.entity for c in result.tables[0].columns}
    return [(p.column, p.reason) for p in propose_quasi_identifiers(sources[0].schema(), found)]


def _row(column: dict[str, Any]) -> list[Any]:
    if column["entity"] is None:
        return [column["name"], "—", "", "", "", ""]
    entity = column["entity"]
    if column.get("contains"):
        entity += " (" + ", ".join(column["contains"]) + ")"
    for other in column.get("also", []):
        entity += f" + {other['entity']} {other['hit_rate']:.0%}"
    return [
        column["name"],
        entity,
        f"{column['confidence']:.2f}",
        f"{column['hit_rate']:.1%}",
        column.get("country") or "",
        ", ".join(column["evidence"]),
    ]
