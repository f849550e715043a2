"""The watch report: alerts, and per-user timelines of personal rows read with alert days marked.

One inline SVG per user (a bar per active day, height on a log scale, alert days in the alert colour,
each bar titled with its day and rows), for every user with an alert and the heaviest readers besides,
at most :data:`MAX_USERS`. User names, table and column names are escaped; no data value is shown.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import polars as pl
from markupsafe import Markup, escape

from ringfence.report.html import TONE_FILL, Card, format_count, render_page, write_html
from ringfence.watch.run import WatchResult

__all__ = ["render_watch_report", "write_watch_report"]

TITLE = "ringfence watch report"
MAX_USERS = 40
_W, _H, _PAD = 720, 90, 4


def timeline_svg(user: str, days: list[dt.date], rows: list[int], alert_days: set[dt.date]) -> Markup:
    """A user's personal rows per day as bars on a log scale; alert days in the alert colour."""
    if not days:
        return Markup("")
    first, last = min(days), max(days)
    span = max(1, (last - first).days + 1)
    width = max(2.0, (_W - 2 * _PAD) / span - 1)
    top = max(math.log10(1 + max(rows)), 1.0)
    bars = []
    for day, n in zip(days, rows, strict=True):  # one bar per active day of one user (≤ a few hundred)
        h = (_H - 20) * math.log10(1 + n) / top
        x = _PAD + (day - first).days * (_W - 2 * _PAD) / span
        fill = TONE_FILL["high"] if day in alert_days else TONE_FILL["neutral"]
        bars.append(
            f'<rect x="{x:.1f}" y="{_H - 14 - h:.1f}" width="{width:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(day.isoformat())}: {n:,} personal rows</title></rect>"
        )
    label = escape(f"{user}: personal rows read per day, {first.isoformat()} to {last.isoformat()}")
    end = escape(last.isoformat())
    return Markup(  # noqa: S704 (every text in it went through escape(); numbers are ours)
        f'<svg role="img" aria-label="{label}" viewBox="0 0 {_W} {_H}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{"".join(bars)}'
        f'<text x="{_PAD}" y="{_H - 2}" font-size="10">{escape(first.isoformat())}</text>'
        f'<text x="{_W - _PAD}" y="{_H - 2}" font-size="10" text-anchor="end">{end}</text>'
        "</svg>"
    )


def render_watch_report(result: WatchResult, *, generated_at: dt.datetime | None = None) -> str:
    alerts = result.alerts
    flagged = {a.user for a in alerts}
    scored = result.scored if result.scored.height else pl.DataFrame({"user": [], "day": [], "rows": []})
    heaviest = (
        scored.group_by("user")
        .agg(pl.col("rows").sum())
        .sort("rows", descending=True)
        .get_column("user")
        .to_list()
        if scored.height
        else []
    )
    users = sorted(flagged) + [u for u in heaviest if u not in flagged]
    users = users[:MAX_USERS]
    alert_days: dict[str, set[dt.date]] = {}
    for a in alerts:
        alert_days.setdefault(a.user, set()).add(dt.date.fromisoformat(a.window[0][:10]))
    per_user = (
        {
            str(key[0]): group.sort("day")
            for key, group in scored.filter(pl.col("user").is_in(users)).group_by("user")
        }
        if scored.height
        else {}
    )
    timelines = [
        {
            "user": u,
            "alerts": sum(1 for a in alerts if a.user == u),
            "svg": timeline_svg(
                u,
                per_user[u].get_column("day").to_list() if u in per_user else [],
                per_user[u].get_column("rows").to_list() if u in per_user else [],
                alert_days.get(u, set()),
            ),
        }
        for u in users
    ]
    high = sum(1 for a in alerts if a.severity == "high")
    cards = [
        Card("Statements", format_count(result.events)),
        Card("Users", format_count(result.users)),
        Card("Alerts", format_count(len(alerts)), tone="high" if alerts else "ok"),
        Card("High", format_count(high), tone="high" if high else "ok"),
        Card("Malformed lines", format_count(result.malformed), tone="high" if result.malformed else "ok"),
    ]
    return render_page(
        "watch.html.j2",
        title=TITLE,
        generated_at=generated_at,
        cards=cards,
        alerts=[a.to_json() for a in alerts],
        timelines=timelines,
        malformed_lines=result.malformed_lines[:20],
    )


def write_watch_report(result: WatchResult, path: str | os.PathLike[str]) -> Path:
    return write_html(path, render_watch_report(result))
