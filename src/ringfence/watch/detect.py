"""Detections over the statements' personal exposure, per user and day, with robust statistics.

Every detector gives each (user, day) a score on one scale (roughly: robust standard deviations above
what is normal for this user and their peers; :data:`KINDS`), and an alert is raised where the score is
at least :attr:`WatchConfig.threshold`:

- ``volume``: personal rows read that day against the user's own baseline (median and interquartile
  range of ``log1p(rows)`` over the previous ``history_days`` days) and against their peer group's that
  day (users whose most-read personal table is the same); the score is the smaller of the two, so a user
  whose job is bulk reading, and a day when everyone reads more, do not alarm.
- ``drip``: the same on the mean of the last ``drip_days`` days against the baseline before them: a
  slow exfiltration that stays under the daily threshold.
- ``off_hours``: personal rows read in hours (or on weekend days) the user is rarely active in (on fewer
  than ``usual_share`` of their active days), against their daily baseline.
- ``first_access``: a personal table the user had not read in the history before, weighed by the rows
  read from it.
- ``export``: an export statement (``COPY … TO``, ``SELECT … INTO OUTFILE``, a dump tool by its
  application name or signature) on a personal table by a user who had not exported before; routine
  exports (a batch job's) score nothing.
- ``enumeration``: key lookups (``WHERE key = literal``) per day against the user's baseline and peers,
  when the keys walk a range (their span is at most ``walk_span`` times their number).
- ``canary``: a statement naming a planted canary identifier (always high).

A user's first ``min_history_days`` days have no baseline and raise only ``export``, ``canary`` alerts.
All of it is group-bys, rolling windows and joins over the whole table (no loop over users or rows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import polars as pl

KINDS = ("volume", "drip", "off_hours", "first_access", "export", "enumeration", "canary")
SEVERITIES = ("low", "medium", "high")
_LOG_FLOOR = 0.35  # the smallest robust spread of log1p(rows) (≈ ±40%), so a very regular user is not
# alarmed by an ordinary fluctuation
_IQR_TO_SD = 1.349


@dataclass(frozen=True)
class WatchConfig:
    history_days: int = 28
    min_history_days: int = 7
    drip_days: int = 7
    threshold: float = 3.0  # below 0.1% false alarms per user-day on bench/watch_gen's logs
    high_threshold: float = 6.0
    usual_share: float = 0.1
    walk_span: float = 3.0
    min_peers: int = 5
    peers: dict[str, str] = field(default_factory=dict)  # user → peer group, overrides the derived one


@dataclass(frozen=True)
class Alert:
    user: str
    kind: str
    severity: str
    window: tuple[str, str]
    tables: list[str]
    columns: list[str]
    rows: int
    evidence: str
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "user": self.user,
            "kind": self.kind,
            "severity": self.severity,
            "window": list(self.window),
            "tables": self.tables,
            "columns": self.columns,
            "rows": self.rows,
            "evidence": self.evidence,
        }


def _robust(value: pl.Expr, history: int, over: str = "user") -> tuple[pl.Expr, pl.Expr]:
    """Median and spread of ``value`` over the previous ``history`` days of the same user."""
    window = f"{history}d"
    med = value.rolling_median_by("day", window_size=window, closed="left").over(over)
    q1 = value.rolling_quantile_by("day", window_size=window, quantile=0.25, closed="left").over(over)
    q3 = value.rolling_quantile_by("day", window_size=window, quantile=0.75, closed="left").over(over)
    return med, pl.max_horizontal((q3 - q1) / _IQR_TO_SD, pl.lit(_LOG_FLOOR))


def _peer_z(value: pl.Expr, config: WatchConfig) -> pl.Expr:
    """z of ``value`` against the same day's values of the user's peer group (all users if the group
    is smaller than ``min_peers``)."""
    med_g = value.median().over("peer", "day")
    spread_g = ((value.quantile(0.75) - value.quantile(0.25)) / _IQR_TO_SD).over("peer", "day")
    med_all = value.median().over("day")
    spread_all = ((value.quantile(0.75) - value.quantile(0.25)) / _IQR_TO_SD).over("day")
    small = pl.len().over("peer", "day") < config.min_peers
    med = pl.when(small).then(med_all).otherwise(med_g)
    spread = pl.max_horizontal(pl.when(small).then(spread_all).otherwise(spread_g), pl.lit(_LOG_FLOOR))
    return (value - med) / spread


def daily(features: pl.DataFrame, config: WatchConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per user and day of the analysed range (zero-filled), with every detector's score, its
    best ``score`` and ``kind``; and the statements with their day and off-hours flag."""
    if features.height == 0:
        return pl.DataFrame(), pl.DataFrame()
    f = features.with_columns(
        day=pl.col("time").dt.date(),
        hour=pl.col("time").dt.hour(),
        weekend=pl.col("time").dt.weekday() >= 6,
        personal=pl.col("tables").list.len() > 0,
    )
    active_days = f.group_by("user").agg(pl.col("day").n_unique().alias("active_days"))
    # usual hours: hours (and weekend days) the user was active in on at least usual_share of active days
    usual_hour = (
        f.group_by("user", "hour")
        .agg(pl.col("day").n_unique().alias("hour_days"))
        .join(active_days, on="user")
        .with_columns(usual_hour=pl.col("hour_days") >= config.usual_share * pl.col("active_days"))
        .select("user", "hour", "usual_hour")
    )
    usual_weekend = (
        f.filter("weekend")
        .group_by("user")
        .agg(pl.col("day").n_unique().alias("weekend_days"))
        .join(active_days, on="user")
        .with_columns(usual_weekend=pl.col("weekend_days") >= config.usual_share * pl.col("active_days"))
        .select("user", "usual_weekend")
    )
    f = (
        f.join(usual_hour, on=["user", "hour"], how="left")
        .join(usual_weekend, on="user", how="left")
        .with_columns(
            off=~pl.col("usual_hour").fill_null(False)
            | (pl.col("weekend") & ~pl.col("usual_weekend").fill_null(False))
        )
    )
    # first access: the first day each user read each personal table
    reads = f.filter("personal").explode("tables").rename({"tables": "table"})
    firsts = reads.group_by("user", "table").agg(pl.col("day").min().alias("first_day"))
    first_user_day = f.group_by("user").agg(pl.col("day").min().alias("user_start"))
    new_reads = (
        reads.join(firsts, on=["user", "table"])
        .filter(pl.col("day") == pl.col("first_day"))
        .group_by("user", "day")
        .agg(pl.col("rows").sum().alias("new_rows"))
    )
    exporters = f.filter("export").group_by("user").agg(pl.col("day").min().alias("first_export"))
    per_day = f.group_by("user", "day").agg(
        pl.col("rows").filter("personal").sum().alias("rows"),
        pl.col("rows").filter("personal").max().fill_null(0).alias("max_rows"),
        pl.col("rows").filter(pl.col("personal") & pl.col("off")).sum().alias("off_rows"),
        pl.col("export").any().alias("export"),
        pl.col("point_id").drop_nulls().n_unique().alias("points"),
        (pl.col("point_id").max() - pl.col("point_id").min() + 1).alias("point_span"),
    )
    # peers: users whose most-read personal table is the same and whose typical statement returns rows
    # of the same order of magnitude (an agent's lookups are not an analyst's extracts)
    magnitude = reads.group_by("user").agg(
        pl.col("rows").median().log10().floor().fill_nan(0).cast(pl.Int64).alias("magnitude")
    )
    peers = (
        reads.group_by("user", "table")
        .agg(pl.col("rows").sum())
        .sort("rows", descending=True)
        .group_by("user", maintain_order=True)
        .agg(pl.col("table").first())
        .join(magnitude, on="user")
        .select("user", pl.format("{}/1e{}", "table", "magnitude").alias("peer"))
    )
    if config.peers:
        given = pl.DataFrame({"user": list(config.peers), "given": list(config.peers.values())})
        peers = peers.join(given, on="user", how="full", coalesce=True).select(
            "user", pl.coalesce("given", "peer").alias("peer")
        )
    # Only the days a user was active: a day off is not a day of zero reading (it would wreck the spread).
    grid = (
        per_day.join(new_reads, on=["user", "day"], how="left")
        .join(first_user_day, on="user", how="left")
        .join(exporters, on="user", how="left")
        .join(peers, on="user", how="left")
        .with_columns(pl.col("new_rows").fill_null(0), pl.col("peer").fill_null(""))
        .sort("user", "day")
    )
    log_rows = pl.col("rows").cast(pl.Float64).log1p()
    log_points = pl.col("points").cast(pl.Float64).log1p()
    log_max = pl.col("max_rows").cast(pl.Float64).log1p()
    med, spread = _robust(log_rows, config.history_days)
    mmed, mspread = _robust(log_max, config.history_days)
    pmed, pspread = _robust(log_points, config.history_days)
    seen = (
        pl.col("rows")
        .is_not_null()
        .cast(pl.Int32)
        .rolling_sum_by("day", window_size=f"{config.history_days}d", closed="left")
        .over("user")
    )
    grid = grid.with_columns(
        log_rows=log_rows,
        log_points=log_points,
        mean_drip=pl.col("rows")
        .cast(pl.Float64)
        .rolling_mean_by("day", window_size=f"{config.drip_days}d")
        .over("user")
        .log1p(),
        log_max=log_max,
        med=med,
        spread=spread,
        own_max_z=(log_max - mmed) / mspread,
        own_points_z=(log_points - pmed) / pspread,
        warm=((pl.col("day") - pl.col("user_start")).dt.total_days() >= config.min_history_days)
        & (seen.fill_null(0) >= 4),
    )
    dmed, dspread = _robust(pl.col("mean_drip"), config.history_days)
    grid = grid.with_columns(dmed=dmed, dspread=dspread)
    # the drip window's mean against the means before the window began (the row drip_days earlier)
    before = grid.select(
        "user",
        (pl.col("day") + pl.duration(days=config.drip_days)).alias("day_after"),
        pl.col("dmed").alias("med_before_drip"),
        pl.col("dspread").alias("spread_before_drip"),
    ).sort("user", "day_after")
    grid = grid.sort("day").join_asof(
        before.sort("day_after"),
        left_on="day",
        right_on="day_after",
        by="user",
        strategy="backward",
        check_sortedness=False,
    )
    grid = grid.sort("user", "day").with_columns(
        peer_rows_z=_peer_z(pl.col("log_rows"), config),
        peer_max_z=_peer_z(pl.col("log_max"), config),
        peer_points_z=_peer_z(pl.col("log_points"), config),
        # a drip is a change: the user's rise against the rises of their peers over the same days
        peer_drip_z=_peer_z((pl.col("mean_drip") - pl.col("med_before_drip")).fill_null(0.0), config),
    )
    own_z = (pl.col("log_rows") - pl.col("med")) / pl.col("spread")
    drip_z = (pl.col("mean_drip") - pl.col("med_before_drip")) / pl.col("spread_before_drip")
    novelty = 2.0
    zero = pl.lit(0.0)
    warm = pl.col("warm")
    scored = grid.with_columns(
        volume=pl.when(warm)
        .then(
            pl.max_horizontal(
                pl.min_horizontal(own_z, pl.col("peer_rows_z")),
                pl.min_horizontal(pl.col("own_max_z"), pl.col("peer_max_z")),
            )
        )
        .otherwise(zero),
        drip=pl.when(warm & pl.col("med_before_drip").is_not_null())
        .then(pl.min_horizontal(drip_z, pl.col("peer_drip_z")))
        .otherwise(zero),
        off_hours=pl.when(warm & (pl.col("off_rows") > 0))
        .then((pl.col("off_rows").cast(pl.Float64).log1p() - pl.col("med")) / pl.col("spread") + novelty)
        .otherwise(zero),
        first_access=pl.when(warm & (pl.col("new_rows") > 0))
        .then((pl.col("new_rows").cast(pl.Float64).log1p() - pl.col("med")) / pl.col("spread") + novelty)
        .otherwise(zero),
        export=pl.when(pl.col("export") & (pl.col("first_export") == pl.col("day")) & warm)
        .then(pl.lit(config.high_threshold))
        .otherwise(zero),
        enumeration=pl.when(warm & (pl.col("point_span") <= config.walk_span * pl.col("points")))
        .then(pl.min_horizontal(pl.col("own_points_z"), pl.col("peer_points_z")))
        .otherwise(zero),
    ).with_columns(pl.col(k).fill_null(0.0).fill_nan(0.0) for k in KINDS if k != "canary")
    return scored.with_columns(
        score=pl.max_horizontal(*[k for k in KINDS if k != "canary"]),
        kind=pl.concat_list([pl.col(k) for k in KINDS if k != "canary"])
        .list.arg_max()
        .replace_strict(dict(enumerate(k for k in KINDS if k != "canary")), return_dtype=pl.String),
    ), f.select("user", "day", "time", "tables", "columns", "rows", "rows_estimated", "off", "export")


def severity_of(score: pl.Expr, config: WatchConfig) -> pl.Expr:
    return (
        pl.when(score >= config.high_threshold)
        .then(pl.lit("high"))
        .when(score >= config.threshold)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )


def _evidence(row: dict[str, Any]) -> str:
    """One sentence per alert, figures only (never a data value)."""
    kind, day = row["kind"], row["day"]
    usual = f"{max(0.0, math.expm1(row['med'] or 0.0)):,.0f}"
    rows = int(row["rows"] or 0)
    how = " (rows estimated from the statements' shape and the tables' size)" if row["estimated"] else ""
    score = f"score {float(row['score']):.1f}"
    if kind == "volume":
        return f"{rows:,} personal rows read on {day}; this user's usual day: {usual}{how}; {score}"
    if kind == "drip":
        return (
            f"{rows:,} personal rows on {day}, the last days' mean far above this user's earlier "
            f"{usual}/day{how}; {score}"
        )
    if kind == "off_hours":
        off = int(row["off_rows"] or 0)
        return (
            f"{off:,} personal rows read outside this user's usual hours on {day}; "
            f"usual day: {usual}{how}; {score}"
        )
    if kind == "first_access":
        new = int(row["new_rows"] or 0)
        return f"first read of a personal table by this user on {day}: {new:,} rows{how}; {score}"
    if kind == "export":
        return (
            f"export statement on a personal table, this user's first; {rows:,} personal rows that day{how}"
        )
    points, span = int(row["points"] or 0), int(row["point_span"] or 0)
    return f"{points:,} key lookups walking a range of {span:,} keys on {day}; {score}"


def alerts_of(scored: pl.DataFrame, statements: pl.DataFrame, config: WatchConfig) -> list[Alert]:
    """One alert per user, day and detector scoring at least 0.6 × threshold (``low`` below the
    threshold), with the window, tables, columns and rows of that day's personal statements."""
    if scored.height == 0:
        return []
    detectors = [k for k in KINDS if k != "canary"]
    flagged = (
        scored.filter(pl.col("score") >= 0.6 * config.threshold)
        .drop("score", "kind")
        .unpivot(
            on=detectors,
            index=[c for c in scored.columns if c not in (*detectors, "score", "kind")],
            variable_name="kind",
            value_name="score",
        )
        .filter(pl.col("score") >= 0.6 * config.threshold)
    )
    details = (
        statements.filter(pl.col("tables").list.len() > 0)
        .group_by("user", "day")
        .agg(
            pl.col("time").min().alias("start"),
            pl.col("time").max().alias("end"),
            pl.col("tables")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("table_names"),
            pl.col("columns")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("column_names"),
            pl.col("rows_estimated").any().alias("estimated"),
        )
    )
    rows = (
        flagged.join(details, on=["user", "day"], how="left")
        .with_columns(
            severity=pl.when(pl.col("kind") == "export")
            .then(pl.lit("high"))
            .otherwise(severity_of(pl.col("score"), config))
        )
        .sort("score", descending=True)
    )
    return [
        Alert(
            user=r["user"],
            kind=r["kind"],
            severity=r["severity"],
            window=(_iso(r["start"]), _iso(r["end"])),
            tables=r["table_names"] or [],
            columns=r["column_names"] or [],
            rows=int(r["rows"]),
            evidence=_evidence(r),
            score=float(r["score"]),
        )
        for r in rows.to_dicts()  # one per alert, not per statement
    ]


def _iso(value: object) -> str:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else ""
