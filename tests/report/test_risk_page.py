"""The risk page: complete, escaped, self-contained, holding no data value, and rendered by a browser."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from ringfence.policy.model import Risk
from ringfence.report import render_risk_report, write_risk_report
from ringfence.report.risk_page import size_bars
from ringfence.risk.propose import Proposal
from ringfence.risk.search import search_generalization
from ringfence.risk.table import Assessment, assess
from tests.report.test_scan_page import _chromium, _headless

SCRIPT = "<script>alert(1)</script>"
SECRET = "9876543210"  # a value in the data that must never reach the page


def _frame() -> pl.DataFrame:
    n = 400
    return pl.DataFrame(
        {
            SCRIPT: [f"{SECRET}" if i == 0 else f"{i % 3}" for i in range(n)],
            "birth_year": [1950 + (i * 7) % 50 for i in range(n)],
            "segment": ["a", "b", "c", "d"] * (n // 4),
        }
    )


@pytest.fixture
def found(tmp_path: Path) -> Assessment:
    path = tmp_path / "t.parquet"
    _frame().write_parquet(path)
    got = assess(path, [SCRIPT, "birth_year"], sensitive=["segment"])
    return Assessment(got.input, got.result, [Proposal(SCRIPT, f"{SCRIPT}: its name says a place")])


def _search() -> object:
    risk = Risk(quasi_identifiers=[SCRIPT, "birth_year"], k=10, on_violation="generalize")
    return search_generalization(_frame(), risk)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_page_shows_the_measures_charts_and_generalisation(found: Assessment) -> None:
    html = render_risk_report(found, _search())  # type: ignore[arg-type]
    assert "k-anonymity" in html and "Equivalence classes by size" in html
    assert "Generalisation that reaches the target" in html and "Information loss per column" in html
    assert "segment" in html and "recursive c" in html
    assert html.count("<svg") == 3


def test_every_name_is_escaped_and_no_value_appears(found: Assessment) -> None:
    html = render_risk_report(found, _search())  # type: ignore[arg-type]
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SECRET not in html
    parser = _Tags()
    parser.feed(html)
    assert not set(parser.tags) & {"script", "img", "link", "iframe", "object", "embed"}
    for reference in ("http://", "https://", "url("):
        assert reference not in html


def test_size_buckets_count_every_record() -> None:
    classes, records = size_bars([(1, 3), (4, 2), (12, 5)])
    assert [b.value for b in classes] == [3, 2, 0, 5, 0, 0]
    assert sum(b.value for b in records) == 3 + 8 + 60


def test_without_generalisation_or_sensitive_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    _frame().write_parquet(path)
    html = render_risk_report(assess(path, ["birth_year"]))
    assert "Generalisation" not in html and "Sensitive columns" not in html


@pytest.mark.browser
def test_page_renders_in_headless_chromium(tmp_path: Path, found: Assessment) -> None:
    if _chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = write_risk_report(found, tmp_path / "risk.html", _search())  # type: ignore[arg-type]
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<title>ringfence re-identification risk</title>" in dom.stdout
    assert dom.stdout.count("<svg") == 3 and "<script" not in dom.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout
