"""One watch run: logs → statements → personal exposure → per user-day scores → alerts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ringfence.watch.detect import Alert, WatchConfig, alerts_of, daily
from ringfence.watch.features import statement_features
from ringfence.watch.inventory import PersonalTables
from ringfence.watch.parse import Format, Parsed, read_logs

CanaryMatcher = Callable[[pl.DataFrame], pl.Series]
"""Statements → the label of the canary each names (null for none)."""


@dataclass
class WatchResult:
    events: int
    users: int
    malformed: int
    malformed_lines: list[int]
    alerts: list[Alert]
    features: pl.DataFrame = field(repr=False)
    scored: pl.DataFrame = field(repr=False)

    def to_json(self) -> dict[str, object]:
        return {
            "events": self.events,
            "users": self.users,
            "malformed_lines": self.malformed,
            "malformed_line_numbers": self.malformed_lines[:100],
            "alerts": [a.to_json() for a in self.alerts],
        }


def analyse(
    parsed: Parsed,
    personal: PersonalTables,
    config: WatchConfig | None = None,
    *,
    since: pl.Expr | None = None,
    canaries: CanaryMatcher | None = None,
) -> WatchResult:
    """Alerts for the parsed statements (every statement is the history; alerts only from ``since``)."""
    cfg = config or WatchConfig()
    statements = parsed.statements
    features = statement_features(statements, personal)
    scored, per_statement = daily(features, cfg)
    alerts = alerts_of(
        scored.filter(since) if since is not None and scored.height else scored, per_statement, cfg
    )
    if canaries is not None and statements.height:
        alerts = _canary_alerts(statements, features, canaries(statements)) + alerts
    return WatchResult(
        events=statements.height,
        users=statements.get_column("user").n_unique(),
        malformed=parsed.malformed,
        malformed_lines=parsed.malformed_lines,
        alerts=alerts,
        features=features,
        scored=scored,
    )


def _canary_alerts(statements: pl.DataFrame, features: pl.DataFrame, labels: pl.Series) -> list[Alert]:
    hits = features.with_columns(canary=labels).filter(pl.col("canary").is_not_null())
    if hits.height == 0:
        return []
    grouped = hits.group_by("user", maintain_order=True).agg(
        pl.col("time").min().alias("start"),
        pl.col("time").max().alias("end"),
        pl.col("tables").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
        pl.col("columns").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
        pl.col("rows").sum(),
        pl.len().alias("n"),
        pl.col("canary").unique().sort(),
    )
    return [
        Alert(
            user=r["user"],
            kind="canary",
            severity="high",
            window=(r["start"].isoformat(timespec="seconds"), r["end"].isoformat(timespec="seconds")),
            tables=r["tables"],
            columns=r["columns"],
            rows=int(r["rows"]),
            evidence=f"{r['n']} statement(s) named a planted canary identifier ({', '.join(r['canary'])})",
            score=100.0,
        )
        for r in grouped.iter_rows(named=True)
    ]


def watch_logs(
    paths: list[Path],
    personal: PersonalTables,
    *,
    fmt: Format | None = None,
    config: WatchConfig | None = None,
    canaries: CanaryMatcher | None = None,
) -> WatchResult:
    return analyse(read_logs(paths, fmt), personal, config, canaries=canaries)
