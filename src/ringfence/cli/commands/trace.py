"""``ringfence trace`` and ``ringfence reference``: is leaked data ours, how much, and whose copy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ringfence.cli.options import (
    JsonOption,
    WorkspaceOption,
    check_side_outputs,
    mode_of,
    with_state,
    workspace_of,
)
from ringfence.cli.output import emit_json, out, table

reference_app = typer.Typer(
    help="References: the company's own records, kept as keyed digests so trace can tell genuine rows.",
    no_args_is_help=True,
)


@reference_app.command("add")
def reference_add(
    ctx: typer.Context,
    input_spec: Annotated[str, typer.Argument(metavar="INPUT", help="A file or a table URI.")],
    name: Annotated[
        str | None, typer.Option("--name", help="The reference's name (default: the file's).")
    ] = None,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Register a table of the company's own records: only keyed digests of its identifiers are stored."""
    from ringfence.trace import add_reference

    mode = mode_of(ctx, json_out, workspace)
    ws = workspace_of(mode)
    keyset = ws.keyset()
    added = with_state(mode, lambda store: add_reference(store, keyset, input_spec, name=name))
    if mode.json:
        emit_json(added.to_json())
        return
    out.print(
        f"Reference {added.name}: {added.rows:,} rows of {added.input}; distinct keyed digests: "
        f"{added.digests_text()} (key {added.key_id}).",
        markup=False,
    )


@reference_app.command("list")
def reference_list(
    ctx: typer.Context, workspace: WorkspaceOption = None, json_out: JsonOption = False
) -> None:
    """The stored references (names and counts; no values)."""
    from ringfence.trace import list_references

    mode = mode_of(ctx, json_out, workspace)
    found = with_state(mode, list_references)
    if mode.json:
        emit_json({"references": [r.to_json() for r in found]})
        return
    rows: list[list[Any]] = [[r.name, r.input, f"{r.rows:,}", r.digests_text(), r.key_id] for r in found]
    out.print(table("References", ["name", "input", "rows", "digests", "key"], rows))


def trace(
    ctx: typer.Context,
    leaks: Annotated[
        list[str], typer.Argument(metavar="LEAK...", help="Leaked files, folders or table URIs.")
    ],
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="The company's own table the releases were made from: its values are tokenized again to "
            "recognise leaked tokens (repeatable).",
        ),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML trace report here.")
    ] = None,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Is this leaked data ours, how much of it, and whose copy did it come from? Recorded in the ledger."""
    from ringfence.trace import trace as run_trace
    from ringfence.trace.verdict import bound_text

    mode = mode_of(ctx, json_out, workspace)
    check_side_outputs(mode, [report], [*leaks, *(source or [])])  # before the work, not after it
    ws = workspace_of(mode)
    keyset = ws.keyset()
    result = with_state(
        mode,
        lambda store: run_trace(
            leaks, keys=keyset, store=store, ledger=ws.ledger(store, keyset), sources=source or []
        ),
    )
    if report is not None:
        from ringfence.report.trace_page import write_trace_report

        write_trace_report(result, report)
    if mode.json:
        emit_json(result.to_json())
        return
    low, high = result.interval
    out.print(
        f"{result.matched_rows:,} of {result.rows:,} rows are ours ({result.match_rate:.1%}; 99% interval "
        f"{low:.1%} to {high:.1%}).",
        markup=False,
    )
    rows: list[list[Any]] = [
        [
            s.recipient,
            s.release_id,
            ", ".join(s.evidence),
            bound_text(s.false_accusation_bound),
            "yes" if s.named else "no",
        ]
        for s in result.scored
    ]
    if rows:
        out.print(table("Recipients scored", ["recipient", "release", "evidence", "bound", "named"], rows))
    out.print(f"Verdict: {result.verdict}; recorded as ledger entry {result.ledger_entry}.", markup=False)
    if report is not None:
        out.print(f"Report: {report}", markup=False)
