"""The ledger's transparency report and record of processing: what left, to whom, where, why, on what
basis, and what was refused, as one self-contained HTML page.

``render_transparency_report(entries)`` takes the ledger's entries as plain mappings (``index``, ``time``,
``kind`` and the fields the release wrote: recipient, country, purpose, legal basis, categories, counts,
reasons) and aggregates them with Polars: transfers by recipient, by country, by purpose and by data
category; each month's releases and rows; the denied attempts with their reasons and articles; and the
record of processing (one line per recipient and purpose: categories, country, role, legal basis, first
and last release, releases, rows), the fields PIPA, PIPL and GDPR Art. 30 ask a controller to keep.

It shows names, counts, dates and articles only: a ledger entry holds no personal value, and the subject
counts are counts. Every value is escaped (:mod:`ringfence.report.html`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.report.html import Bar, Card, bar_chart_svg, format_count, render_page, write_html

__all__ = ["render_transparency_report", "transparency_data", "write_transparency_report"]

TITLE = "ringfence transparency report"


def _frame(entries: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    rows = [
        {
            "index": int(e.get("index", 0)),
            "time": str(e.get("time", "")),
            "kind": str(e.get("kind", "")),
            "recipient": e.get("recipient"),
            "country": e.get("country"),
            "purpose": e.get("purpose"),
            "legal_basis": e.get("legal_basis"),
            "categories": [str(c) for c in e.get("categories") or []],
            "rows_out": int(e.get("rows_out") or 0),
            "subjects": int(e.get("subjects") or 0),
            "withheld": int(e.get("rows_withheld_no_consent") or 0),
            "reasons": "; ".join(
                f"{r.get('reason', '')} ({r.get('law', '')} {r.get('article', '')})".strip()
                for r in e.get("reasons") or []
            ),
        }
        for e in entries
    ]
    schema: dict[str, pl.DataType] = {
        "index": pl.Int64(),
        "time": pl.String(),
        "kind": pl.String(),
        "recipient": pl.String(),
        "country": pl.String(),
        "purpose": pl.String(),
        "legal_basis": pl.String(),
        "categories": pl.List(pl.String()),
        "rows_out": pl.Int64(),
        "subjects": pl.Int64(),
        "withheld": pl.Int64(),
        "reasons": pl.String(),
    }
    return pl.DataFrame(rows, schema=schema).with_columns(pl.col("time").str.slice(0, 7).alias("month"))


def _by(frame: pl.DataFrame, key: str) -> list[dict[str, Any]]:
    grouped = (
        frame.group_by(key)
        .agg(pl.len().alias("releases"), pl.col("rows_out").sum().alias("rows"), pl.col("subjects").sum())
        .sort(["rows", key], descending=[True, False])
    )
    return grouped.to_dicts()


def transparency_data(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The report's figures as plain data (also what ``ledger export --format json`` prints)."""
    frame = _frame(entries)
    released = frame.filter(pl.col("kind") == "release")
    denied = frame.filter(pl.col("kind") == "denied")
    categories = released.explode("categories").rename({"categories": "category"}).drop_nulls("category")
    record = (
        released.group_by("recipient", "purpose")
        .agg(
            pl.col("country").last(),
            pl.col("legal_basis").last(),
            pl.col("categories").explode().drop_nulls().unique().sort().alias("categories"),
            pl.col("time").min().alias("first"),
            pl.col("time").max().alias("last"),
            pl.len().alias("releases"),
            pl.col("rows_out").sum().alias("rows"),
        )
        .sort("recipient", "purpose")
    )
    return {
        "releases": released.height,
        "denied": denied.height,
        "rows_released": int(released["rows_out"].sum()),
        "disclosures": int(released["subjects"].sum()),
        "rows_withheld_no_consent": int(released["withheld"].sum()),
        "by_recipient": _by(released, "recipient"),
        "by_country": _by(released, "country"),
        "by_purpose": _by(released, "purpose"),
        "by_category": _by(categories, "category"),
        "by_month": released.group_by("month")
        .agg(pl.len().alias("releases"), pl.col("rows_out").sum().alias("rows"))
        .sort("month")
        .to_dicts(),
        "denied_attempts": denied.select(
            "index", "time", "recipient", "country", "purpose", "reasons"
        ).to_dicts(),
        "record_of_processing": record.to_dicts(),
    }


def _bars(rows: list[dict[str, Any]], key: str) -> list[Bar]:
    return [Bar(str(r[key] or "—"), float(r["rows"]), "personal") for r in rows]


def render_transparency_report(
    entries: Sequence[Mapping[str, Any]],
    *,
    origin: str = "",
    verified: str | None = None,
    roles: Mapping[str, str] | None = None,
    generated_at: dt.datetime | None = None,
) -> str:
    """The page (see the module docstring); ``verified`` is what ``ledger verify`` said of the entries,
    ``roles`` each recipient's role (processor or third party) for the record of processing."""
    data = transparency_data(entries)
    cards = [
        Card("Releases", format_count(data["releases"])),
        Card("Rows released", format_count(data["rows_released"])),
        Card("Disclosures", format_count(data["disclosures"]), note="subjects per release, summed"),
        Card(
            "Denied attempts",
            format_count(data["denied"]),
            tone="high" if data["denied"] else "ok",
        ),
        Card("Withheld for want of consent", format_count(data["rows_withheld_no_consent"]), note="rows"),
    ]
    charts = {
        name: bar_chart_svg(_bars(data[f"by_{name}"], name), title=f"Rows released by {name}")
        for name in ("recipient", "country", "purpose", "category")
    }
    months = bar_chart_svg(
        [Bar(str(m["month"]), float(m["rows"]), "neutral") for m in data["by_month"]],
        title="Rows released per month",
    )
    record = [{**r, "role": (roles or {}).get(str(r["recipient"]), "")} for r in data["record_of_processing"]]
    return render_page(
        "ledger.html.j2",
        title=TITLE,
        generated_at=generated_at,
        origin=origin,
        verified=verified,
        cards=cards,
        charts=charts,
        months=months,
        denied=data["denied_attempts"],
        record=record,
        entries=len(entries),
    )


def write_transparency_report(
    path: str | os.PathLike[str], entries: Sequence[Mapping[str, Any]], **kw: Any
) -> Path:
    """Renders the page and writes it atomically; returns the path."""
    return write_html(path, render_transparency_report(entries, **kw))
