"""``ringfence watch``, ``ringfence inventory`` and ``ringfence canary plant``: read database audit logs
for insiders' bulk reads of the personal data the inventory knows about."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ringfence.cli.options import JsonOption, WorkspaceOption, check_side_outputs, mode_of, with_state
from ringfence.cli.output import Mode, emit_json, err, out, table
from ringfence.errors import UsageError
from ringfence.state.store import StateStore

FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="pgaudit, mariadb-audit or jsonl (default: told from each file)."),
]


def _personal(store: StateStore) -> Any:
    from ringfence.watch.inventory import PersonalTables, load_inventory

    inventory = load_inventory(store)
    if inventory.height == 0:
        raise UsageError("the workspace has no inventory yet: run `ringfence scan` on the tables first")
    return PersonalTables.from_inventory(inventory)


def _canary_matcher(mode: Mode, store: StateStore) -> Any:
    from ringfence.watch.canary import canary_hits, planted

    canaries = planted(store)
    if canaries.height == 0:
        return None
    from ringfence.cli.options import workspace_of

    keys = workspace_of(mode).keyset()
    return lambda statements: canary_hits(statements, keys, canaries)


def _alert_rows(alerts: list[Any]) -> list[list[str]]:
    return [
        [
            a.severity,
            a.user,
            a.kind,
            f"{a.window[0]} – {a.window[1]}",
            ", ".join(a.tables),
            f"{a.rows:,}",
            a.evidence,
        ]
        for a in alerts
    ]


def _show(alerts: list[Any], title: str) -> None:
    out.print(
        table(
            title, ["severity", "user", "kind", "window", "tables", "rows", "evidence"], _alert_rows(alerts)
        )
    )


def watch(
    ctx: typer.Context,
    logs: Annotated[list[Path], typer.Argument(metavar="LOG...", help="Audit log files.")],
    fmt: FormatOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Alert only from this time (ISO); earlier logs are history.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML page of per-user timelines.")
    ] = None,
    follow: Annotated[bool, typer.Option("--follow", help="Keep reading the logs as they grow.")] = False,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Exit 1 when an alert of this severity or above is raised.")
    ] = "medium",
    history_days: Annotated[int, typer.Option("--history-days", min=7, help="Days of baseline.")] = 28,
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.5, help="Score for a medium alert (twice it: high).")
    ] = 3.0,
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Read database audit logs (pgAudit, MariaDB server_audit, JSON lines) for bulk personal reads."""
    import datetime as dt

    import polars as pl

    from ringfence.watch.detect import SEVERITIES, WatchConfig
    from ringfence.watch.parse import FORMATS
    from ringfence.watch.run import watch_logs

    mode = mode_of(ctx, json_out, workspace)
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fail_on not in SEVERITIES:
        raise UsageError(f"unknown --fail-on {fail_on!r}; use one of {', '.join(SEVERITIES)}")
    start = None
    if since is not None:
        try:
            start = dt.datetime.fromisoformat(since).replace(tzinfo=None)
        except ValueError:
            raise UsageError(f"--since {since!r} is not an ISO date or time") from None
    check_side_outputs(mode, [report], [str(p) for p in logs])
    if report is not None and not report.parent.is_dir():
        raise UsageError(f"cannot write {report}: folder {report.parent} does not exist")
    config = WatchConfig(history_days=history_days, threshold=threshold, high_threshold=2 * threshold)
    level = SEVERITIES.index(fail_on)

    def run(store: StateStore) -> Any:
        personal = _personal(store)
        canaries = _canary_matcher(mode, store)
        if follow:
            return _follow(mode, logs, personal, fmt, config, canaries, level)
        window = pl.col("day") >= start.date() if start is not None else None
        return watch_logs(logs, personal, fmt=fmt, config=config, canaries=canaries, since=window)  # type: ignore[arg-type]

    result = with_state(mode, run)
    if result is None:
        return
    if report is not None:
        from ringfence.report.watch_page import write_watch_report

        write_watch_report(result, report)
    if mode.json:
        emit_json(result.to_json())
    else:
        err.print(
            f"{result.events:,} statements by {result.users:,} users; {result.malformed:,} malformed lines"
            + (f" (first: line {result.malformed_lines[0]})" if result.malformed_lines else ""),
            markup=False,
        )
        _show(result.alerts, f"{len(result.alerts)} alert(s)")
        if report is not None:
            out.print(f"Report: {report}", markup=False)
    worst = max((SEVERITIES.index(a.severity) for a in result.alerts), default=-1)
    if worst >= level:
        raise typer.Exit(1)


def _follow(
    mode: Mode, logs: list[Path], personal: Any, fmt: Any, config: Any, canaries: Any, level: int
) -> None:
    import json
    import sys

    from ringfence.watch.detect import SEVERITIES
    from ringfence.watch.follow import follow

    for new, _ in follow(logs, personal, fmt=fmt, config=config, canaries=canaries):
        for alert in new:
            if mode.json:
                sys.stdout.write(json.dumps(alert.to_json(), ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                _show([alert], f"{alert.severity} alert")
            if SEVERITIES.index(alert.severity) >= level:
                err.print(f"alert at or above --fail-on: {alert.user} {alert.kind}", markup=False)


def inventory(ctx: typer.Context, workspace: WorkspaceOption = None, json_out: JsonOption = False) -> None:
    """List what scans found: per source and column, the entity (personal data) and the table's rows."""
    from ringfence.watch.inventory import load_inventory

    mode = mode_of(ctx, json_out, workspace)
    frame = with_state(mode, load_inventory)
    if mode.json:
        emit_json({"columns": frame.to_dicts()})
        return
    rows = [
        [r["source"], r["column_name"], r["entity"] or "—", f"{r['table_rows']:,}", r["scanned_at"]]
        for r in frame.to_dicts()
    ]
    out.print(table("inventory", ["source", "column", "entity", "table rows", "scanned"], rows))


canary_app = typer.Typer(
    help="Canary customers: identifiers no genuine work asks for by value.", no_args_is_help=True
)


@canary_app.command("plant")
def plant(
    ctx: typer.Context,
    identifiers: Annotated[list[str], typer.Argument(metavar="ID...", help="Canary customers' identifiers.")],
    label: Annotated[str, typer.Option("--label", help="A name for this set of canaries.")] = "canary",
    workspace: WorkspaceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Record canary identifiers (as keyed digests only) for `watch` to alert on any statement naming one."""
    from ringfence.cli.options import workspace_of
    from ringfence.watch.canary import plant as plant_canaries

    mode = mode_of(ctx, json_out, workspace)
    keys = workspace_of(mode).keyset()
    added = with_state(mode, lambda store: plant_canaries(store, keys, identifiers, label))
    if mode.json:
        emit_json({"planted": added, "label": label})
    else:
        out.print(
            f"{added} canary identifier(s) planted under {label!r} (stored as keyed digests)", markup=False
        )
