"""``ringfence reveal``: the key holder's explicit, recorded reversal of a protected table.

Decrypts ``encrypt``/``fpe`` columns (``--decrypt``) and resolves tokens against the company's own
reference table (``--detokenize-with REF``); every reveal is recorded in the state store with its reason
(:func:`ringfence.pipeline.reveal.reveal`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import (
    EncodingOption,
    ForceOption,
    JsonOption,
    WorkspaceOption,
    encoding_of,
    mode_of,
    workspace_of,
)
from ringfence.cli.output import emit_json, err, out, table
from ringfence.errors import OutputError, UsageError


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    """``COL=VALUE`` items as a mapping; a bare ``VALUE`` applies to every column (key ``*``)."""
    found: dict[str, str] = {}
    for item in values or []:
        column, sep, value = item.rpartition("=")
        key = column.strip() if sep else "*"
        if not value.strip() or (sep and not key):
            raise UsageError(f"{option} takes COLUMN=VALUE or VALUE, not {item!r}")
        found[key] = value.strip()
    return found


def reveal(
    ctx: typer.Context,
    input_spec: Annotated[str, typer.Argument(metavar="INPUT", help="The protected file or table URI.")],
    policy: Annotated[Path, typer.Option("--policy", "-p", help="The policy INPUT was protected with.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Where to write the revealed copy.")],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the data must be seen in clear (recorded).")
    ] = None,
    recipient: Annotated[
        str | None,
        typer.Option("--recipient", help="The recipient INPUT was protected for (scope: recipient)."),
    ] = None,
    decrypt: Annotated[bool, typer.Option("--decrypt", help="Decrypt encrypt and fpe columns.")] = False,
    detokenize_with: Annotated[
        str | None,
        typer.Option(
            "--detokenize-with",
            metavar="REF",
            help="Your own table holding the original values of the tokenized columns.",
        ),
    ] = None,
    ref_column: Annotated[
        list[str] | None,
        typer.Option("--ref-column", metavar="[COL=]REF_COL", help="The reference column of a token column."),
    ] = None,
    columns: Annotated[
        str | None, typer.Option("--columns", help="Reverse only these columns (comma-separated).")
    ] = None,
    fpe_key_id: Annotated[
        list[str] | None,
        typer.Option(
            "--fpe-key-id",
            metavar="[COL=]KEY",
            help="The aead key id an fpe column was protected under (protect prints its key_ids); "
            "needed once the keyset has several aead keys, unless the column's entity validates.",
        ),
    ] = None,
    without_record: Annotated[
        bool,
        typer.Option(
            "--without-record",
            help="The Parquet input carries no plan record (not written by protect or release): recognise "
            "its columns and keys from a sample, without the record's checks.",
        ),
    ] = False,
    encoding: EncodingOption = None,
    force: ForceOption = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Reverse a protected table (decrypt, resolve tokens) into OUTPUT, and record who did it and why."""
    from ringfence.io.location import Location
    from ringfence.pipeline.reveal import reveal as run_reveal
    from ringfence.state.reversals import check_reason
    from ringfence.transform.reverse import check_flags
    from ringfence.workspace import check_output

    mode = mode_of(ctx, json_out, workspace)
    encoding_of(encoding)
    check_flags(decrypt, detokenize_with is not None)
    check_reason(reason)
    if detokenize_with is None and ref_column:
        raise UsageError("--ref-column goes with --detokenize-with REF")
    wanted = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    if columns is not None and not wanted:
        raise UsageError("--columns names no column")
    if not force and Location.parse(output).exists():
        raise OutputError(f"{output} exists; pass --force to replace it")
    ws = workspace_of(mode)
    check_output(output, workspace=ws, inputs=[input_spec, policy, detokenize_with])
    status = err.status("Revealing…") if not mode.json else contextlib.nullcontext()
    with status:
        result = run_reveal(
            ws,
            input_spec,
            policy,
            output,
            reason=reason or "",
            recipient=recipient,
            decrypt=decrypt,
            reference=detokenize_with,
            ref_columns=_pairs(ref_column, "--ref-column"),
            columns=wanted,
            fpe_key_ids=_pairs(fpe_key_id, "--fpe-key-id"),
            overwrite=force,
            without_record=without_record,
            encoding=encoding_of(encoding),
        )
    doc = result.to_json()
    if mode.json:
        emit_json(doc)
        return
    rows = []
    for name, entry in doc["columns"].items():
        if entry["status"] == "reversed":
            detail = f"{entry['rows_resolved']:,} resolved, {entry['rows_unresolved']:,} unresolved"
            rows.append([name, entry["action"], "reversed", detail, ", ".join(entry["key_ids"])])
        elif entry["status"] not in ("unprotected", "kept"):
            rows.append([name, entry["action"] or "", entry["status"], entry.get("note", ""), ""])
    out.print(
        table(
            f"{input_spec} → {doc['output']}: {doc['rows']:,} rows",
            ["column", "action", "status", "rows / why", "keys"],
            rows,
        )
    )
    for name, entry in doc["columns"].items():
        if entry["status"] == "reversed" and entry.get("note"):
            err.print(f"note: {name}: {entry['note']}", markup=False)
    out.print(f"recorded as reversal {doc['reversal_id']}", markup=False)
