"""The pieces every report shares: the escaping environment, SVG charts, entity tiers, the writer."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest

from ringfence.errors import OutputError
from ringfence.report import entities
from ringfence.report.html import (
    TONE_FILL,
    Bar,
    bar_chart_svg,
    environment,
    format_count,
    format_percent,
    write_html,
)


def _widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', svg)]


def test_chart_escapes_labels_and_values() -> None:
    svg = str(
        bar_chart_svg(
            [Bar("<script>alert(1)</script>", 3, value_text='"><img src=x onerror=alert(1)>')],
            title='t"<b>',
        )
    )
    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&#34;&gt;&lt;img" in svg
    assert "http" not in svg  # no xmlns or any other outside reference: the SVG is inline HTML


def test_chart_bars_scale_to_the_largest_value() -> None:
    svg = str(bar_chart_svg([Bar("a", 10), Bar("b", 5), Bar("c", 0), Bar("d", 0.001)], title="t"))
    a, b, c, d = _widths(svg)
    assert b == pytest.approx(a / 2, abs=0.1)
    assert c == 0.0 and d >= 2.0  # zero is no bar; any positive value stays visible
    assert svg.count("<rect") == 4 and 'role="img"' in svg
    assert "a: 10; b: 5; c: 0" in svg  # the accessible name carries the data


def test_chart_colours_follow_the_tone_and_long_labels_stay_whole_in_the_tooltip() -> None:
    label = "Korean resident registration number of the account holder"
    svg = str(bar_chart_svg([Bar(label, 1, tone="high"), Bar("x", 1)], title="t"))
    assert TONE_FILL["high"] in svg and TONE_FILL["neutral"] in svg
    assert f"<title>{label}: 1</title>" in svg
    assert re.search(r">Korean resident[^<]*…</text>", svg)  # shortened on screen


def test_empty_chart_says_so() -> None:
    svg = str(bar_chart_svg([], title="Columns", empty_text="No personal data found"))
    assert "No personal data found" in svg and "<rect" not in svg


def test_environment_escapes_every_template_and_rejects_undefined_names() -> None:
    env = environment()
    assert env.from_string("{{ v }}").render(v="<i>") == "&lt;i&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("../html.py")


def test_number_formats() -> None:
    assert format_count(1234567) == "1,234,567" and format_count(2.5) == "2.50"
    assert format_percent(0.973) == "97.3%" and format_percent(None) == "—"


def test_tiers_fail_towards_personal() -> None:
    assert entities.tier("KR_RRN") == entities.tier("PAYMENT_CARD") == "high"
    assert entities.tier("PHONE_NUMBER") == "personal"
    assert entities.tier("FREE_TEXT_PII", ["EMAIL_ADDRESS"]) == "personal"
    assert entities.tier("FREE_TEXT_PII", ["EMAIL_ADDRESS", "CN_RESIDENT_ID"]) == "high"
    assert entities.tier("SOME_NEW_TYPE") == "personal"  # unknown personal data is still personal
    assert entities.tier(None) == "none"
    assert entities.label("SOME_NEW_TYPE") == "SOME_NEW_TYPE" and entities.label(None) == ""


def test_write_html_refuses_a_folder_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "report.html").mkdir()
    with pytest.raises(OutputError, match="folder"):
        write_html(tmp_path / "report.html", "<p>x</p>")
    with pytest.raises(OutputError, match="does not exist"):
        write_html(tmp_path / "nope" / "r.html", "<p>x</p>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    out = write_html(tmp_path / "r.html", "<p>中文 한국어</p>")
    assert out.read_bytes() == "<p>中文 한국어</p>".encode()
