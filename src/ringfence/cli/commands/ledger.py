"""``ringfence ledger``: verify the tamper-evident record of every release and reveal, show it, export the
transparency report and record of processing, sign checkpoints for an auditor or a witness, and answer
"who got my data"."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import ForceOption, JsonOption, WorkspaceOption, mode_of, workspace_of
from ringfence.cli.output import Mode, emit_json, err, out, table
from ringfence.errors import OutputError, UsageError
from ringfence.io.atomic import write_bytes_atomic
from ringfence.ledger import Ledger

app = typer.Typer(help="The tamper-evident ledger of releases and reveals.", no_args_is_help=True)

OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


@contextlib.contextmanager
def _ledger(mode: Mode) -> Iterator[Ledger]:
    ws = workspace_of(mode)
    store = ws.state()
    try:
        yield ws.ledger(store)
    finally:
        store.close()


def _write(path: Path, text: str, force: bool, mode: Mode) -> None:
    from ringfence.workspace import check_output

    if path.exists() and not force:
        raise OutputError(f"{path} exists; pass --force to replace it")
    check_output(path, workspace=workspace_of(mode))
    write_bytes_atomic(path, text.encode("utf-8"))


@app.command("verify")
def verify(
    ctx: typer.Context,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against", help="A checkpoint kept outside (ledger checkpoint -o): prove the log extends it."
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Recompute every entry, the hash chain, the tree and the signed heads; exit 1 naming the first bad
    entry on any edit, deletion, reordering or truncation, or when the log does not extend --against."""
    mode = mode_of(ctx, json_out, workspace)
    with _ledger(mode) as ledger:
        if against is not None:
            try:
                note = against.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                raise UsageError(f"cannot read the checkpoint {against}") from None
            report = ledger.verify_against(note)
        else:
            report = ledger.verify()
    if mode.json:
        emit_json(report.to_json())
    elif report.ok:
        origin = f", origin {report.origin}" if report.origin else " (no checkpoint signed yet)"
        out.print(f"The ledger verifies: {report.size:,} entries{origin}.", markup=False)
        for line in report.notes:
            out.print(f"  note: {line}", markup=False)
    else:
        where = f"entry {report.first_bad}: " if report.first_bad is not None else ""
        err.print(f"The ledger does NOT verify: {where}{report.reason}", markup=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command("show")
def show(
    ctx: typer.Context,
    last: Annotated[int, typer.Option("--last", min=1, help="Only the last N entries.")] = 20,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """List the latest entries: what was released or refused, to whom, why, how much."""
    mode = mode_of(ctx, json_out, workspace)
    with _ledger(mode) as ledger:
        entries = list(ledger.entries(max(0, ledger.size() - last)))
    docs = [
        {"index": e.index, "time": e.time, "kind": e.kind, "subjects": e.subjects, **e.fields}
        for e in entries
    ]
    if mode.json:
        emit_json({"entries": docs})
        return
    rows = [
        [
            str(d["index"]),
            str(d["time"])[:19].replace("T", " "),
            d["kind"],
            str(d.get("recipient") or ""),
            str(d.get("purpose") or ""),
            f"{d['rows_out']:,}" if isinstance(d.get("rows_out"), int) else "",
            str(d.get("legal_basis") or d.get("reason") or ""),
        ]
        for d in docs
    ]
    out.print(table("Ledger", ["#", "time", "kind", "recipient", "purpose", "rows", "basis / reason"], rows))


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the report.")],
    format: Annotated[str, typer.Option("--format", help="json, csv or html.")] = "html",
    force: ForceOption = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """The transparency report (transfers by recipient, country, purpose and category over time; people
    affected; denied attempts with reasons) and the record of processing."""
    from ringfence.consent import list_recipients
    from ringfence.ledger.export import export_csv, record_of_processing, transparency_report
    from ringfence.report.ledger_page import render_transparency_report

    if format not in ("json", "csv", "html"):
        raise UsageError("--format is one of json, csv, html")
    mode = mode_of(ctx, json_out, workspace)
    if output.exists() and not force:
        raise OutputError(f"{output} exists; pass --force to replace it")
    with _ledger(mode) as ledger:
        report = transparency_report(ledger)
        record = record_of_processing(ledger)
        roles = {r.id: r.role for r in list_recipients(ledger.store, include_removed=True)}
    if format == "json":
        text = json.dumps(
            {"transparency": report, "record_of_processing": record}, indent=2, ensure_ascii=False
        )
    elif format == "csv":
        text = export_csv(report)
    else:
        text = render_transparency_report(report, record, roles=roles)
    _write(output, text, force, mode)
    if mode.json:
        emit_json({"output": str(output), "format": format, **report["totals"]})
    else:
        out.print(f"Wrote the transparency report to {output}", markup=False)


@app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    output: OutputOption = None,
    force: ForceOption = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Sign the ledger's head as a C2SP checkpoint; give the file to an auditor to keep (verify --against)."""
    mode = mode_of(ctx, json_out, workspace)
    with _ledger(mode) as ledger:
        signed = ledger.checkpoint()
        vkey = ledger.verifier_key()
    if output is not None:
        _write(output, signed, force, mode)
    if mode.json:
        emit_json({"checkpoint": signed, "verifier_key": vkey, "output": str(output) if output else None})
    elif output is None:
        out.print(signed, markup=False, end="")
    else:
        out.print(f"Wrote the signed checkpoint to {output}; the log's verifier key is {vkey}", markup=False)


@app.command("witness")
def witness(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The witness's submission prefix (https://…).")],
    vkey: Annotated[str, typer.Option("--witness-key", help="The witness's verifier key (name+id+key).")],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Submit a fresh checkpoint to a C2SP tlog-witness and keep its cosignature."""
    from ringfence.ledger.witness import Witness, add_checkpoint

    mode = mode_of(ctx, json_out, workspace)
    with _ledger(mode) as ledger:
        cosigned = add_checkpoint(ledger, Witness.from_vkey(url, vkey))
    if mode.json:
        emit_json({"cosigned": cosigned})
    else:
        out.print(cosigned, markup=False, end="")


@app.command("subject")
def subject(
    ctx: typer.Context,
    subject_id: Annotated[
        str, typer.Argument(metavar="ID", help="The data subject's id (e.g. a customer id).")
    ],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every release that included this person: when, to whom, where, why, on what basis, what."""
    mode = mode_of(ctx, json_out, workspace)
    with _ledger(mode) as ledger:
        found = [d for d in ledger.subject(subject_id) if d.kind == "release"]
    if mode.json:
        emit_json({"subject": subject_id, "disclosures": [d.to_json() for d in found]})
        return
    if not found:
        out.print("No release included this subject.", markup=False)
        return
    out.print(
        table(
            f"{len(found)} releases included this subject",
            ["time", "recipient", "country", "purpose", "legal basis", "categories"],
            [
                [
                    d.time,
                    d.recipient or "",
                    d.country or "",
                    d.purpose or "",
                    d.legal_basis or "",
                    ", ".join(d.categories),
                ]
                for d in found
            ],
        )
    )
