"""The trace page: self-contained, every name escaped, the threshold chart and the interval drawn, and it
renders in headless Chromium without running anything injected."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ringfence.report.trace_page import SHOWN, render_trace_report, write_trace_report
from ringfence.trace.align import Alignment, ColumnMatch
from ringfence.trace.run import ColumnHits, Scored, TraceResult
from tests.report.test_scan_page import _chromium, _headless

EVIL = "<script>alert(1)</script>"


def _result(scored: list[Scored]) -> TraceResult:
    return TraceResult(
        rows=500,
        matched_rows=212,
        interval=(0.37, 0.48),
        verdict="attributed",
        scored=scored,
        alignment=Alignment(pl.DataFrame(), [ColumnMatch(EVIL, "amount", "number", ("synonym",))], {}),
        hits=[ColumnHits(f"tel{EVIL}", "PHONE_NUMBER", 500, 212)],
        token_columns=[f"t{EVIL}"],
        tokens=400,
        leaks=[{"sha256": "ab" * 32, "rows": 500}],
        releases=1000,
        references=1,
        ledger_entry=42,
    )


def _scored(n: int) -> list[Scored]:
    named = Scored(f"acme{EVIL}", "r1", ("tokens", "marks"), 1e-14, {"tokens": 3})
    others = [
        Scored(f"partner-{i}", f"r{i}", ("marks",), float(b), {})
        for i, b in enumerate(np.linspace(0.01, 1, n))
    ]
    return [named, *others]


def test_the_page_escapes_every_name_and_draws_the_threshold() -> None:
    html = render_trace_report(_result(_scored(40)))
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert html.count("<svg") == 2 and "threshold 1e-9" in html
    assert "37.0% – 48.0%" in html and "ledger entry 42" in html
    assert len(set(re.findall(r"partner-\d+", html))) == SHOWN - 1  # the strongest only, acme first
    assert "26 more recipients were scored" in html


@pytest.mark.browser
def test_the_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    if _chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = write_trace_report(_result(_scored(5)), tmp_path / "trace.html")
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<title>ringfence trace report</title>" in dom.stdout
    assert "<script>alert" not in dom.stdout and dom.stdout.count("<svg") == 2
    assert "acme&lt;script&gt;" in dom.stdout
