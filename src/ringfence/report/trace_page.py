"""The trace page: how much of a leak is ours, how the columns were aligned, and whose copy it was.

``render_trace_report(result)`` turns a :class:`ringfence.trace.run.TraceResult` into one self-contained
HTML page (:mod:`ringfence.report.html`: escaped, inline CSS and SVG, no script): the verdict and the
authenticity figures with their 99% interval drawn on a 0–100% axis, the column alignment, the
identifier evidence per column, and every recipient scored, as the strength of its evidence
(``-log10`` of its false-accusation bound) against the naming threshold (1e-9, strength 9). The page holds
counts, rates, bounds and column and recipient names only, never a value of the leak.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ringfence.report.html import Card, format_count, render_page, write_html
from ringfence.trace.verdict import bound_text

if TYPE_CHECKING:
    from ringfence.trace.run import Scored, TraceResult

TITLE = "ringfence trace report"
SHOWN = 15  # recipients drawn and listed: the strongest; the rest are counted
THRESHOLD = 9.0  # -log10 of the naming bound, 1e-9
AXIS_MAX = 30.0  # strengths beyond this are drawn at the end of the axis

_TONE = {"attributed": "high", "ours-unattributed": "personal", "not-ours": "ok", "inconclusive": "neutral"}
_SAYS = {
    "attributed": "The leak is ours, and the copy it came from is named below.",
    "ours-unattributed": "The leak is ours, but no recipient's copy is proven (no bound reaches 1e-9).",
    "not-ours": "At 99% confidence at most a tenth of the leak could be ours: it does not come from us.",
    "inconclusive": "Too little to say: too few rows, or nothing in the leak that our records can be "
    "compared with.",
}


def strength(bound: float) -> float:
    """``-log10(bound)``: 9 is the naming threshold."""
    return -math.log10(max(bound, 1e-300))


def threshold_chart_svg(scored: list[Scored], *, width: int = 640) -> Markup:
    """Per recipient, a bar of evidence strength on a 0–30 axis, with the naming threshold as a line."""
    label_w, value_w, row_h, bar_h, top = 170, 70, 28, 18, 24
    plot_w = width - label_w - value_w
    height = top + max(len(scored), 1) * row_h + 8
    summary = (
        "; ".join(f"{s.recipient}: {strength(s.false_accusation_bound):.1f}" for s in scored)
        or "no recipient scored"
    )
    x_line = label_w + plot_w * THRESHOLD / AXIS_MAX
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape("Evidence strength per recipient against the threshold 9. " + summary)}">',
        "<title>Evidence strength per recipient (-log10 of the false-accusation bound)</title>",
        f'<line x1="{x_line:.1f}" y1="4" x2="{x_line:.1f}" y2="{height - 4}" stroke="#b42318" '
        'stroke-dasharray="4 3" stroke-width="2"/>',
        f'<text x="{x_line + 4:.1f}" y="14" font-size="12" fill="#b42318">threshold 1e-9</text>',
    ]
    if not scored:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{top + 14}" text-anchor="middle" font-size="13" '
            'fill="#52606d">No recipient scored</text>'
        )
    for i, s in enumerate(scored):
        y = top + i * row_h
        value = strength(s.false_accusation_bound)
        bar_w = max(2.0, plot_w * min(value, AXIS_MAX) / AXIS_MAX)
        fill = "#b42318" if s.named else "#475467"
        shown = f"≥ {AXIS_MAX:.0f}" if value > AXIS_MAX else f"{value:.1f}"
        parts += [
            f"<g><title>{escape(s.recipient)}: bound {s.false_accusation_bound:.1e}</title>",
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" font-size="13" fill="#1f2933">'
            f"{escape(s.recipient[:24])}</text>",
            f'<rect x="{label_w}" y="{y}" width="{bar_w:.1f}" height="{bar_h}" rx="3" fill="{fill}"/>',
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 13}" font-size="13" fill="#3e4c59">'
            f"{escape(shown)}</text></g>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above went through escape(); numbers are ours)


def interval_svg(rate: float, low: float, high: float, *, width: int = 640) -> Markup:
    """The match rate and its 99% interval on a 0–100% axis."""
    left, right, y = 20, width - 20, 30

    def x(v: float) -> float:
        return left + (right - left) * max(0.0, min(1.0, v))

    label = f"match rate {rate:.1%}, 99% interval {low:.1%} to {high:.1%}"
    ticks = "".join(
        f'<line x1="{x(t / 4):.1f}" y1="{y + 10}" x2="{x(t / 4):.1f}" y2="{y + 16}" stroke="#52606d"/>'
        f'<text x="{x(t / 4):.1f}" y="{y + 30}" text-anchor="middle" font-size="12" fill="#52606d">'
        f"{25 * t}%</text>"
        for t in range(5)
    )
    return Markup(  # noqa: S704 (numbers only, and an escaped label)
        f'<svg class="chart" viewBox="0 0 {width} 70" width="{width}" height="70" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<line x1="{left}" y1="{y + 10}" x2="{right}" y2="{y + 10}" stroke="#52606d"/>{ticks}'
        f'<rect x="{x(low):.1f}" y="{y - 8}" width="{max(x(high) - x(low), 2):.1f}" height="16" rx="3" '
        f'fill="#b5470833" stroke="#b54708"/>'
        f'<circle cx="{x(rate):.1f}" cy="{y}" r="5" fill="#b54708"/></svg>'
    )


def render_trace_report(result: TraceResult, *, generated_at: dt.datetime | None = None) -> str:
    """The page's HTML (see the module docstring)."""
    low, high = result.interval
    cards = [
        Card("Verdict", result.verdict, note=None, tone=_TONE[result.verdict]),  # type: ignore[arg-type]
        Card("Leaked rows", format_count(result.rows)),
        Card("Ours", format_count(result.matched_rows), note=f"{result.match_rate:.1%} of the rows"),
        Card("99% interval", f"{low:.1%} – {high:.1%}", note="Wilson score interval"),
        Card("Releases scored", format_count(result.releases), note=f"{result.references} reference key(s)"),
    ]
    ranked = sorted(result.scored, key=lambda s: (s.false_accusation_bound, s.recipient))
    scored, hidden = ranked[:SHOWN], len(ranked) - min(len(ranked), SHOWN)
    return render_page(
        "trace.html.j2",
        title=TITLE,
        generated_at=generated_at,
        says=_SAYS[result.verdict],
        cards=cards,
        interval_chart=interval_svg(result.match_rate, low, high),
        suspects=[
            {
                "recipient": s.recipient,
                "release_id": s.release_id,
                "evidence": ", ".join(s.evidence),
                "bound": bound_text(s.false_accusation_bound),
                "named": s.named,
                "detail": ", ".join(f"{k} {v:,}" for k, v in s.detail.items()),
            }
            for s in scored
        ],
        chart=threshold_chart_svg(scored),
        hidden=hidden,
        matches=[m.to_json() for m in result.alignment.matches],
        unpaired=[
            n for n in result.alignment.profiles if n not in {m.leak for m in result.alignment.matches}
        ],
        hits=[h.to_json() for h in result.hits],
        token_columns=result.token_columns,
        tokens=result.tokens,
        leaks=result.leaks,
        ledger_entry=result.ledger_entry,
    )


def write_trace_report(result: TraceResult, path: str | os.PathLike[str]) -> Path:
    """Writes the page to ``path`` atomically."""
    return write_html(path, render_trace_report(result))
