"""What every HTML report shares: the escaping template environment, the page layout, charts, the writer.

Guarantees every report built on this module keeps:

- **Every value is escaped.** The Jinja2 environment autoescapes every template, whatever its name, so a
  column name, a file name or an example that holds ``<script>`` or ``"><img onerror=…>`` is shown as
  text. Template syntax inside data (``{{ 7*7 }}``) is never evaluated: data is only ever a value.
  The only markup that bypasses escaping is what this module builds itself (:func:`bar_chart_svg`), and
  it escapes each piece of text it puts in.
- **Self-contained and offline.** The stylesheet is inline, charts are inline SVG drawn here in Python,
  and there is no script, font, image or link to anything outside the file. A Content-Security-Policy in
  the page forbids scripts and every outside fetch, so even a value that escaped escaping could not run
  or phone home. The file reads the same from a ``file://`` URL, an e-mail attachment or a printout.
- **Whole or not at all.** :func:`write_html` writes through :func:`ringfence.io.atomic.write_bytes_atomic`.

Reports use the base layout (``base.html.j2``: header with title, generation time and version; footer)
and the macros in ``components.html.j2`` (summary cards, figures, entity badges, meters).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import math
import os
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jinja2
from markupsafe import Markup, escape

import ringfence
from ringfence.io.atomic import write_bytes_atomic

Tone = Literal["high", "personal", "neutral", "ok"]

# Bar colours per tone; each passes WCAG AA contrast (≥ 4.5:1) against white, so the value printed in the
# bar's colour family stays readable, and each stays distinct on a greyscale printout.
TONE_FILL: dict[str, str] = {
    "high": "#b42318",
    "personal": "#b54708",
    "neutral": "#475467",
    "ok": "#067647",
}
TEMPLATE_PACKAGE = "ringfence.report"
TEMPLATE_FOLDER = "templates"


class _PackageResourceLoader(jinja2.BaseLoader):
    """Loads templates shipped as package data, through importlib.resources (works installed or editable)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        parts = template.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise jinja2.TemplateNotFound(template)
        resource = importlib.resources.files(TEMPLATE_PACKAGE).joinpath(TEMPLATE_FOLDER, *parts)
        if not resource.is_file():
            raise jinja2.TemplateNotFound(template)
        return resource.read_text(encoding="utf-8"), None, lambda: True


def format_count(value: float) -> str:
    """An integer with thousands separators (``1,234,567``); non-integers get two decimals."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def format_percent(value: float | None, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage (``0.973`` → ``97.3%``); ``—`` for none."""
    if value is None or math.isnan(value):
        return "—"
    return f"{100 * value:.{digits}f}%"


def format_ratio(value: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals; ``—`` for none."""
    if value is None or math.isnan(value):
        return "—"
    return f"{value:.{digits}f}"


def clamp_share(value: float) -> float:
    """``value`` limited to [0, 1] (NaN becomes 0), for widths of bars and meters."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared template environment: autoescape on for every template, undefined names are errors."""
    env = jinja2.Environment(
        loader=_PackageResourceLoader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["count"] = format_count
    env.filters["percent"] = format_percent
    env.filters["ratio"] = format_ratio
    env.filters["share"] = clamp_share
    return env


@dataclass(frozen=True)
class Card:
    """One summary figure: a label, its value as text, an optional note, and a tone for its accent."""

    label: str
    value: str
    note: str | None = None
    tone: Tone = "neutral"


@dataclass(frozen=True)
class Bar:
    """One bar of a chart. ``value_text`` replaces the formatted value at the bar's end when given."""

    label: str
    value: float
    tone: Tone = "neutral"
    value_text: str | None = None


def _text_units(text: str) -> int:
    """Display width of ``text`` in half-width units: CJK and other wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(text: str, units: int) -> str:
    """``text`` cut to at most ``units`` display units, ending in ``…`` when cut."""
    if _text_units(text) <= units:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        width = _text_units(ch)
        if used + width > units - 1:
            break
        out.append(ch)
        used += width
    return "".join(out) + "…"


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    width: int = 640,
    bar_height: int = 20,
    gap: int = 8,
    empty_text: str = "Nothing to show",
) -> Markup:
    """A horizontal bar chart as inline SVG markup, ready to put in a template unescaped.

    Bars keep the given order and are scaled to the largest value; a positive value always shows at
    least a sliver. Every label and value text is escaped here; a label too long for the label column is
    shortened on screen and given whole in the bar's tooltip and in the chart's accessible name (``title``
    followed by each label and value), so screen readers and printouts lose nothing.
    """
    char_px = 7.4  # a generous average advance of a 13px sans-serif character
    max_units = min(max((_text_units(b.label) for b in bars), default=8), 34)
    label_w = max(math.ceil(max_units * char_px + 14), 90)
    value_w = 72
    plot_w = max(width - label_w - value_w, 60)
    row_h = bar_height + gap
    height = max(len(bars), 1) * row_h + gap
    top = max((b.value for b in bars if not math.isnan(b.value)), default=0.0)

    def value_text(bar: Bar) -> str:
        return bar.value_text if bar.value_text is not None else format_count(bar.value)

    summary = "; ".join(f"{b.label}: {value_text(b)}" for b in bars) or empty_text
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(f"{title}. {summary}")}">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        parts.append(
            f'<text x="{width / 2:.0f}" y="{height / 2 + 4:.0f}" text-anchor="middle" '
            f'font-size="13" fill="#52606d">{escape(empty_text)}</text>'
        )
    for i, bar in enumerate(bars):
        y = gap + i * row_h
        value = 0.0 if math.isnan(bar.value) else max(bar.value, 0.0)
        bar_w = plot_w * value / top if top > 0 else 0.0
        if value > 0:
            bar_w = max(bar_w, 2.0)
        text_y = y + bar_height / 2 + 4.5
        fill = TONE_FILL.get(bar.tone, TONE_FILL["neutral"])
        parts += [
            f"<g><title>{escape(bar.label)}: {escape(value_text(bar))}</title>",
            f'<text x="{label_w - 10}" y="{text_y:.1f}" text-anchor="end" font-size="13" '
            f'fill="#1f2933">{escape(_fit(bar.label, max_units))}</text>',
            f'<rect x="{label_w}" y="{y}" width="{bar_w:.1f}" height="{bar_height}" rx="3" fill="{fill}"/>',
            f'<text x="{label_w + bar_w + 6:.1f}" y="{text_y:.1f}" font-size="13" '
            f'fill="#3e4c59">{escape(value_text(bar))}</text></g>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text above went through escape(); numbers are ours)


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def render_page(template: str, *, title: str, generated_at: dt.datetime | None = None, **context: Any) -> str:
    """Renders ``template`` (a page extending ``base.html.j2``) with the shared page context.

    Every page gets ``page_title``, ``version`` (ringfence's), and the generation time in UTC both for
    people (``generated_text``) and machines (``generated_iso``); ``generated_at`` defaults to now and a
    naive time is taken as UTC.
    """
    moment = _utc(generated_at)
    return (
        environment()
        .get_template(template)
        .render(
            page_title=title,
            version=ringfence.__version__,
            generated_text=moment.strftime("%Y-%m-%d %H:%M UTC"),
            generated_iso=moment.isoformat(timespec="seconds"),
            **context,
        )
    )


def write_html(path: str | os.PathLike[str], html: str) -> Path:
    """Writes ``html`` as UTF-8 to ``path`` atomically: the file appears whole or not at all.

    Raises :class:`ringfence.errors.OutputError` when the folder does not exist or ``path`` is a folder.
    """
    target = Path(path)
    write_bytes_atomic(target, html.encode("utf-8"))
    return target
