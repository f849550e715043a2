"""``ringfence recipients``: register, list, show and remove the organisations data may be released to."""

from __future__ import annotations

from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, WorkspaceOption, mode_of, with_state
from ringfence.cli.output import emit_json, out, table
from ringfence.consent import (
    RecipientRecord,
    add_recipient,
    find_recipient,
    list_recipients,
    remove_recipient,
)
from ringfence.errors import UsageError

app = typer.Typer(
    help="Recipients of releases: partners, processors, affiliates abroad.", no_args_is_help=True
)


def _rows(records: list[RecipientRecord]) -> list[list[str]]:
    return [
        [
            r.id,
            r.country,
            r.role,
            ", ".join(r.purposes) or "—",
            r.affiliate_of or "",
            r.mechanism or "",
            "removed " + r.removed_at if r.removed_at else "active",
        ]
        for r in records
    ]


def _show(records: list[RecipientRecord], title: str) -> None:
    out.print(
        table(
            title,
            ["id", "country", "role", "purposes", "affiliate of", "cross-border mechanism", "status"],
            _rows(records),
        )
    )


@app.command("add")
def add(
    ctx: typer.Context,
    recipient_id: Annotated[
        str, typer.Argument(metavar="ID", help="The recipient's id, e.g. acme-analytics.")
    ],
    country: Annotated[
        str, typer.Option("--country", help="Where it processes the data (ISO code, e.g. SG).")
    ],
    purpose: Annotated[
        list[str] | None,
        typer.Option("--purpose", help="A purpose it is registered for (repeat for several)."),
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="processor (acts only for your purposes), third-party, or internal (your staff, a team).",
        ),
    ] = "third-party",
    affiliate_of: Annotated[
        str | None, typer.Option("--affiliate-of", help="The group it belongs to, e.g. ant-group.")
    ] = None,
    mechanism: Annotated[
        str | None,
        typer.Option(
            "--mechanism", help="The cross-border ground you rely on: adequacy, scc, certification, ..."
        ),
    ] = None,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Register a recipient; ids are never reused, and a removed one stays on record."""
    mode = mode_of(ctx, json_out, workspace)
    record = with_state(
        mode,
        lambda store: add_recipient(
            store,
            recipient_id,
            country=country,
            role=role,
            purposes=tuple(purpose or ()),
            affiliate_of=affiliate_of,
            mechanism=mechanism,
        ),
    )
    if mode.json:
        emit_json(record.to_json())
    else:
        out.print(f"Registered {record.id} ({record.role}, {record.country}).", markup=False)


@app.command("list")
def list_command(
    ctx: typer.Context,
    removed: Annotated[bool, typer.Option("--removed", help="Include removed recipients.")] = False,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """List the recipients."""
    mode = mode_of(ctx, json_out, workspace)
    records = with_state(mode, lambda store: list_recipients(store, include_removed=removed))
    if mode.json:
        emit_json({"recipients": [r.to_json() for r in records]})
    else:
        _show(records, "Recipients")


@app.command("show")
def show(
    ctx: typer.Context,
    recipient_id: Annotated[str, typer.Argument(metavar="ID")],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show one recipient, removed or not."""
    mode = mode_of(ctx, json_out, workspace)
    record = with_state(mode, lambda store: find_recipient(store, recipient_id))
    if record is None:
        raise UsageError(f"recipient {recipient_id!r} is not registered")
    if mode.json:
        emit_json(record.to_json())
    else:
        _show([record], f"Recipient {record.id}")


@app.command("remove")
def remove(
    ctx: typer.Context,
    recipient_id: Annotated[str, typer.Argument(metavar="ID")],
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Stop releasing to a recipient; it stays on record for the ledger."""
    mode = mode_of(ctx, json_out, workspace)
    record = with_state(mode, lambda store: remove_recipient(store, recipient_id))
    if mode.json:
        emit_json(record.to_json())
    else:
        out.print(f"Removed {record.id}; it stays on record.", markup=False)
