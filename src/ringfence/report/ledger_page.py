"""The ledger's transparency report and record of processing, as one self-contained HTML page.

``render_transparency_report(report, record)`` takes the ledger's own numbers
(:func:`ringfence.ledger.export.transparency_report`: releases, rows and subjects by month and by
recipient, country, purpose and data category, the distinct subjects affected, every denied attempt with
its reasons; :func:`ringfence.ledger.export.record_of_processing`: per purpose, its recipients, countries,
categories, legal bases and mechanisms) and lays them out for people: summary cards, a chart per
dimension, the denied attempts with the articles they rest on, and the record of processing.

It shows names, counts, dates and articles only: the ledger holds no personal value. Every value is
escaped (:mod:`ringfence.report.html`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.report.html import Bar, Card, bar_chart_svg, format_count, render_page, write_html

__all__ = ["render_transparency_report", "write_transparency_report"]

TITLE = "ringfence transparency report"


def _totals(rows: Sequence[Mapping[str, Any]], key: str) -> list[Bar]:
    """One bar per value of ``key``, rows summed over the months."""
    if not rows:
        return []
    frame = pl.DataFrame([{key: str(r.get(key) or "—"), "rows": int(r.get("rows") or 0)} for r in rows])
    summed = frame.group_by(key).agg(pl.col("rows").sum()).sort(["rows", key], descending=[True, False])
    return [Bar(str(k), float(v), "personal") for k, v in summed.rows()]


def _reasons(raw: Any) -> str:
    """A denial's reasons as one line: "reason (law article); ..."."""
    items = json.loads(raw) if isinstance(raw, str) else raw or []
    return "; ".join(f"{r.get('reason', '')} ({r.get('law', '')} {r.get('article', '')})" for r in items)


def render_transparency_report(
    report: Mapping[str, Any],
    record: Mapping[str, Any],
    *,
    roles: Mapping[str, str] | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """The page (see the module docstring); ``roles`` gives each recipient's role for the record."""
    totals, ledger = report["totals"], report["ledger"]
    cards = [
        Card("Releases", format_count(totals["releases"])),
        Card("Rows released", format_count(totals["rows_released"])),
        Card("People affected", format_count(totals["subjects_affected"]), note="distinct subjects"),
        Card("Denied attempts", format_count(totals["denied"]), tone="high" if totals["denied"] else "ok"),
        Card("Withheld for want of consent", format_count(totals["rows_withheld_no_consent"]), note="rows"),
        Card("Reveals", format_count(totals["reveals"]), note="reversals by the key holder"),
    ]
    charts = {
        name: bar_chart_svg(_totals(report[f"by_{name}"], name), title=f"Rows released by {name}")
        for name in ("recipient", "country", "purpose", "category")
    }
    months = bar_chart_svg(
        [Bar(str(m["period"]), float(m["rows"]), "neutral") for m in report["by_period"]],
        title="Rows released per month",
    )
    denied = [{**d, "reasons": _reasons(d.get("reasons"))} for d in report["denied"]]
    activities = [
        {
            **a,
            "recipients": [
                {**r, "role": (roles or {}).get(str(r["recipient"]), "")} for r in a["recipients"]
            ],
        }
        for a in record["activities"]
    ]
    return render_page(
        "ledger.html.j2",
        title=TITLE,
        generated_at=generated_at,
        ledger=ledger,
        cards=cards,
        charts=charts,
        months=months,
        denied=denied,
        activities=activities,
    )


def write_transparency_report(
    path: str | os.PathLike[str], report: Mapping[str, Any], record: Mapping[str, Any], **kw: Any
) -> Path:
    """Renders the page and writes it atomically; returns the path."""
    return write_html(path, render_transparency_report(report, record, **kw))
