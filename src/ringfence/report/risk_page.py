"""The risk page: how re-identifiable a table is over its quasi-identifiers, and what generalisation
would reach the target.

``render_risk_report(assessment, search=None)`` turns a :class:`ringfence.risk.table.Assessment` (and,
when one was searched, a :class:`ringfence.risk.search.SearchResult`) into one self-contained HTML page
(:mod:`ringfence.report.html`: escaped, inline CSS and SVG, no script): summary cards, the distribution
of equivalence-class sizes, the histogram of per-record prosecutor risk, each sensitive column's
diversity and closeness, and the chosen generalisation with its loss per column. The page holds counts,
ratios and column names only, never a data value: the objects it reads hold none.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringfence.report.html import (
    Bar,
    Card,
    Tone,
    bar_chart_svg,
    format_count,
    format_ratio,
    render_page,
    write_html,
)

if TYPE_CHECKING:
    from ringfence.risk.search import SearchResult
    from ringfence.risk.table import Assessment

TITLE = "ringfence re-identification risk"
# class-size buckets (inclusive lower, exclusive upper) and the tone of records in them
_BUCKETS: tuple[tuple[int, int, Tone], ...] = (
    (1, 2, "high"),
    (2, 5, "high"),
    (5, 10, "personal"),
    (10, 20, "ok"),
    (20, 50, "ok"),
    (50, 1 << 62, "ok"),
)


def _bucket_label(lo: int, hi: int) -> str:
    if hi - lo == 1:
        return f"{lo}"
    return f"{lo}+" if hi >= 1 << 62 else f"{lo}–{hi - 1}"


def size_bars(histogram: list[tuple[int, int]]) -> tuple[list[Bar], list[Bar]]:
    """(classes per size bucket, records per risk bucket) from ``(size, classes)`` pairs."""
    classes, records = [], []
    for lo, hi, tone in _BUCKETS:
        n = sum(c for s, c in histogram if lo <= s < hi)
        r = sum(s * c for s, c in histogram if lo <= s < hi)
        label = _bucket_label(lo, hi)
        classes.append(Bar(f"size {label}", n, tone))
        risk = "1" if lo == 1 else f"≤ {1 / lo:.2f}".rstrip("0").rstrip(".")
        records.append(Bar(f"risk {risk}", r, tone))
    return classes, records


def render_risk_report(
    assessment: Assessment, search: SearchResult | None = None, *, generated_at: dt.datetime | None = None
) -> str:
    """The page's HTML (see the module docstring)."""
    result = assessment.result
    unit = "people" if result.subject else "records"
    cards = [
        Card(unit.capitalize(), format_count(result.records), note=f"{format_count(result.rows)} rows"),
        Card(
            "k-anonymity", format_count(result.k_anonymity), tone="ok" if result.k_anonymity >= 10 else "high"
        ),
        Card("Equivalence classes", format_count(result.equivalence_classes)),
        Card(f"Unique {unit}", format_count(result.unique_rows), tone="high" if result.unique_rows else "ok"),
        Card(
            "Prosecutor risk",
            format_ratio(result.prosecutor_risk_max, 3),
            note=f"average {result.prosecutor_risk_avg:.3f}",
        ),
        Card("Marketer risk", format_ratio(result.marketer_risk, 3)),
    ]
    if result.journalist_risk_max is not None:
        cards.append(Card("Journalist risk", format_ratio(result.journalist_risk_max, 3)))
    classes, records = size_bars(result.size_histogram)
    sensitive = [
        {
            "column": column,
            "l": s.l_distinct,
            "entropy": s.l_entropy,
            "c": "—" if s.recursive_c is None else f"{s.recursive_c:g}",
            "t": s.t_closeness,
            "distance": s.distance,
        }
        for column, s in result.sensitive.items()
    ]
    generalization: dict[str, Any] | None = None
    if search is not None:
        doc = search.to_json()
        generalization = {
            "columns": doc["columns"],
            "suppressed": doc["suppressed"],
            "discernibility": doc["discernibility"],
            "chart": bar_chart_svg(
                [
                    Bar(c["column"], c["loss"], "personal" if c["loss"] else "ok", f"{c['loss']:.0%}")
                    for c in doc["columns"]
                ],
                title="Information loss per column",
            ),
            "nodes": doc["lattice_nodes"],
            "checked": doc["nodes_checked"],
        }
    return render_page(
        "risk.html.j2",
        title=TITLE,
        generated_at=generated_at,
        source=assessment.input,
        quasi_identifiers=result.quasi_identifiers,
        proposed=[(p.column, p.reason) for p in assessment.proposed],
        unit=unit,
        cards=cards,
        class_chart=bar_chart_svg(classes, title="Equivalence classes by size"),
        risk_chart=bar_chart_svg(records, title=f"{unit.capitalize()} by prosecutor risk"),
        sensitive=sensitive,
        generalization=generalization,
    )


def write_risk_report(
    assessment: Assessment, path: str | os.PathLike[str], search: SearchResult | None = None
) -> Path:
    """Writes the page to ``path`` atomically."""
    return write_html(path, render_risk_report(assessment, search))
