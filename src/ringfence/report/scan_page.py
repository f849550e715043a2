"""The scan inventory page: what personal data each scanned table holds, column by column.

``render_scan_report(report)`` turns a :class:`ringfence.detect.scan.ScanReport` into one self-contained
HTML page: summary cards, a bar chart of columns per entity type, then one table per scanned source with
each column's entity type (and, for free text, what it contains), confidence, hit rate, country, evidence
and masked examples. ``write_scan_report`` writes it atomically.

The page shows only what the findings hold, and of the examples only those that carry the mask character
(``•``) that :func:`ringfence.detect.classify.masked_examples` puts in every masked value: a producer that
handed over a raw value by mistake would see it dropped, not printed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ringfence.report import entities
from ringfence.report.html import Bar, Card, bar_chart_svg, format_count, render_page, write_html

if TYPE_CHECKING:
    from ringfence.detect.classify import ColumnFinding
    from ringfence.detect.scan import ScanReport, TableFinding

TITLE = "ringfence scan inventory"
MASK_CHAR = "•"
MAX_EXAMPLES = 3
MAX_EXAMPLE_CHARS = 48


@dataclass(frozen=True)
class ContainedView:
    entity: str
    label: str
    tier: entities.Tier


@dataclass(frozen=True)
class ColumnView:
    """One column as the page shows it."""

    name: str
    entity: str | None
    label: str
    tier: entities.Tier
    confidence: float
    hit_rate: float
    country: str | None
    evidence: tuple[str, ...]
    contains: tuple[ContainedView, ...]
    examples: tuple[str, ...]
    also: tuple[tuple[ContainedView, float], ...] = ()


@dataclass(frozen=True)
class TableView:
    """One scanned source as the page shows it."""

    anchor: str
    source: str
    rows: int
    sampled_rows: int
    full: bool
    columns: tuple[ColumnView, ...]
    personal: int
    high: int


def shown_examples(examples: Sequence[str]) -> tuple[str, ...]:
    """The examples the page may show: masked ones only (holding ``•``), at most three, each shortened to
    48 characters. Anything without the mask character is dropped."""
    shown: list[str] = []
    for example in examples:
        text = str(example)
        if MASK_CHAR not in text:
            continue
        if len(text) > MAX_EXAMPLE_CHARS:
            text = text[: MAX_EXAMPLE_CHARS - 1] + "…"
        shown.append(text)
        if len(shown) == MAX_EXAMPLES:
            break
    return tuple(shown)


def _contained(entity: str) -> ContainedView:
    return ContainedView(entity, entities.label(entity), entities.tier(entity))


def column_view(finding: ColumnFinding) -> ColumnView:
    """The column as the page shows it; a column without an entity carries no evidence or examples."""
    personal = finding.entity is not None
    return ColumnView(
        name=str(finding.name),
        entity=finding.entity,
        label=entities.label(finding.entity),
        tier=entities.tier(finding.entity, finding.contains),
        confidence=float(finding.confidence),
        hit_rate=float(finding.hit_rate),
        country=finding.country,
        evidence=tuple(finding.evidence) if personal else (),
        contains=tuple(_contained(c) for c in finding.contains) if personal else (),
        examples=shown_examples(finding.examples) if personal else (),
        also=tuple(
            (
                ContainedView(a["entity"], entities.label(a["entity"]), entities.tier(a["entity"])),
                a["hit_rate"],
            )
            for a in finding.also
        )
        if personal
        else (),
    )


def table_view(index: int, table: TableFinding) -> TableView:
    """The table as the page shows it, with its anchor (``table-<index+1>``) and its column counts."""
    columns = tuple(column_view(c) for c in table.columns)
    return TableView(
        anchor=f"table-{index + 1}",
        source=str(table.source),
        rows=int(table.rows),
        sampled_rows=int(table.sampled_rows),
        full=bool(table.full),
        columns=columns,
        personal=sum(c.entity is not None for c in columns),
        high=sum(c.tier == "high" for c in columns),
    )


def entity_bars(tables: Sequence[TableView]) -> list[Bar]:
    """One bar per entity type found: the number of columns holding it, most frequent first."""
    counts: Counter[str] = Counter(c.entity for t in tables for c in t.columns if c.entity is not None)
    order = sorted(counts, key=lambda e: (-counts[e], entities.tier(e) != "high", entities.label(e), e))
    return [
        Bar(
            entities.label(e),
            counts[e],
            tone="high" if entities.tier(e) == "high" else "personal",
            value_text=f"{counts[e]:,} column" + ("" if counts[e] == 1 else "s"),
        )
        for e in order
    ]


def summary_cards(tables: Sequence[TableView]) -> list[Card]:
    """Tables scanned, rows, columns, columns with personal data and high-risk columns."""
    rows = sum(t.rows for t in tables)
    sampled = sum(t.sampled_rows for t in tables)
    columns = sum(len(t.columns) for t in tables)
    personal = sum(t.personal for t in tables)
    high = sum(t.high for t in tables)
    with_personal = sum(1 for t in tables if t.personal)
    return [
        Card("Tables scanned", format_count(len(tables))),
        Card("Rows", format_count(rows), note=f"{format_count(sampled)} sampled"),
        Card("Columns", format_count(columns)),
        Card(
            "Columns with personal data",
            format_count(personal),
            note=f"in {format_count(with_personal)} of {format_count(len(tables))} tables",
            tone="personal" if personal else "ok",
        ),
        Card(
            "High-risk columns",
            format_count(high),
            note="national IDs, passports, cards, accounts",
            tone="high" if high else "ok",
        ),
    ]


def render_scan_report(report: ScanReport, *, generated_at: dt.datetime | None = None) -> str:
    """The scan inventory page as one self-contained HTML document (every value escaped)."""
    tables = [table_view(i, t) for i, t in enumerate(report.tables)]
    chart = bar_chart_svg(
        entity_bars(tables), title="Columns per entity type", empty_text="No personal data found"
    )
    return render_page(
        "scan.html.j2",
        title=TITLE,
        generated_at=generated_at,
        cards=summary_cards(tables),
        chart=chart,
        tables=tables,
    )


def write_scan_report(
    report: ScanReport, path: str | os.PathLike[str], *, generated_at: dt.datetime | None = None
) -> Path:
    """Renders the scan inventory page and writes it to ``path`` atomically; returns the path.

    Raises :class:`ringfence.errors.OutputError` when the folder does not exist or ``path`` is a folder;
    nothing is left at ``path`` then.
    """
    return write_html(path, render_scan_report(report, generated_at=generated_at))
