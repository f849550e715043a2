"""One watch run: logs → statements → personal exposure → per user-day scores → alerts.

Memory: each block of a log is reduced to its statements' exposure (user, time, client, personal tables
and columns, rows, shape flags, canary) before the next is read; statement texts are not kept. What a run
holds grows with the number of statements (a few dozen bytes each), not with the size of the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ringfence.watch.detect import Alert, WatchConfig, alerts_of, daily
from ringfence.watch.features import FEATURES_SCHEMA, statement_features
from ringfence.watch.inventory import PersonalTables
from ringfence.watch.parse import MAX_MALFORMED_KEPT, Format, Parsed, open_log

CanaryMatcher = Callable[[pl.DataFrame], pl.Series]
"""Statements → the label of the canary each names (null for none)."""

EXPOSURE_SCHEMA: dict[str, pl.DataType] = {**FEATURES_SCHEMA, "canary": pl.String()}


@dataclass
class Exposure:
    """The exposure of every statement read so far, and the malformed lines met."""

    personal: PersonalTables
    canaries: CanaryMatcher | None = None
    features: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXPOSURE_SCHEMA))
    malformed: int = 0
    malformed_lines: list[int] = field(default_factory=list)

    def add(self, block: Parsed) -> None:
        """Reduces a parsed block to its statements' exposure (its texts are dropped)."""
        found = statement_features(block.statements, self.personal)
        labels = (
            self.canaries(block.statements)
            if self.canaries is not None and block.statements.height
            else pl.Series("canary", [None] * block.statements.height, dtype=pl.String)
        )
        self.features = pl.concat([self.features, found.with_columns(canary=labels)], how="vertical")
        self.malformed += block.malformed
        room = MAX_MALFORMED_KEPT - len(self.malformed_lines)
        self.malformed_lines.extend(block.malformed_lines[:room])


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
    exposure: Exposure, config: WatchConfig | None = None, *, since: pl.Expr | None = None
) -> WatchResult:
    """Alerts for the statements read (every statement is the history; alerts only from ``since``)."""
    cfg = config or WatchConfig()
    features = exposure.features
    scored, per_statement = daily(features.drop("canary"), cfg)
    alerts = alerts_of(
        scored.filter(since) if since is not None and scored.height else scored, per_statement, cfg
    )
    alerts = _canary_alerts(features) + alerts
    return WatchResult(
        events=features.height,
        users=features.get_column("user").n_unique(),
        malformed=exposure.malformed,
        malformed_lines=exposure.malformed_lines,
        alerts=alerts,
        features=features,
        scored=scored,
    )


def _canary_alerts(features: pl.DataFrame) -> list[Alert]:
    hits = features.filter(pl.col("canary").is_not_null())
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
        for r in grouped.to_dicts()  # one per user with a canary hit
    ]


def expose_logs(
    paths: list[Path],
    personal: PersonalTables,
    *,
    fmt: Format | None = None,
    canaries: CanaryMatcher | None = None,
) -> Exposure:
    """Reads every log a block at a time into the statements' exposure."""
    exposure = Exposure(personal, canaries)
    for path in paths:
        for block in open_log(path, fmt).read(final=True):
            exposure.add(block)
    return exposure


def watch_logs(
    paths: list[Path],
    personal: PersonalTables,
    *,
    fmt: Format | None = None,
    config: WatchConfig | None = None,
    canaries: CanaryMatcher | None = None,
    since: pl.Expr | None = None,
) -> WatchResult:
    return analyse(expose_logs(paths, personal, fmt=fmt, canaries=canaries), config, since=since)
