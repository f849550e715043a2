"""The transparency report, from a real ledger: figures as the ledger's export computes them, every value
escaped, CJK names shown, self-contained, and rendered by headless Chromium."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.ledger import Entry, Ledger
from ringfence.ledger.export import record_of_processing, transparency_report
from ringfence.report.ledger_page import render_transparency_report, write_transparency_report
from ringfence.workspace import Workspace
from tests.report.test_scan_page import _chromium, _headless

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def ledger(workspace: Workspace) -> Ledger:
    keys = workspace.keyset()
    book = Ledger(workspace.state(), keys)
    release = {"decision": "allowed", "legal_basis": "PIPA Art. 17(1)1 consent"}
    subjects = pl.Series("s", [f"C{i:010d}" for i in range(4_000)])
    book.append(
        Entry("release", {**release, "release_id": "r1", "recipient": "seoul-fraudnet", "country": "KR",
                          "purpose": "fraud_prevention", "categories": ["contact", "identity"],
                          "rows_out": 120_000, "rows_withheld_no_consent": 9_000}),
        subjects,
    )  # fmt: skip
    book.append(
        Entry("release", {"decision": "allowed", "legal_basis": "PIPA Art. 26 entrustment",
                          "release_id": "r2", "recipient": "한빛-정산", "country": "KR",
                          "purpose": "payment_processing",
                          "categories": ["financial_account"], "rows_out": 500_000}),
        subjects.head(3_000),
    )  # fmt: skip
    book.append(
        Entry("denied", {"decision": "denied", "release_id": "r3", "recipient": "alipay-sg", "country": "SG",
                         "purpose": "fraud_prevention",
                         "reasons": [{"reason": f"no separate consent to a transfer abroad {EVIL}",
                                      "law": "PIPA", "article": "Art. 28-8(1)"}]})
    )  # fmt: skip
    book.checkpoint()
    return book


def _page(ledger: Ledger) -> str:
    return render_transparency_report(
        transparency_report(ledger), record_of_processing(ledger), roles={"한빛-정산": "processor"}
    )


def test_the_page_shows_the_ledgers_figures_and_escapes_every_value(ledger: Ledger) -> None:
    html = _page(ledger)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "한빛-정산" in html and "PIPA Art. 26 entrustment" in html and "Art. 28-8(1)" in html
    assert ">4,000<" in html  # people affected: distinct subjects across both releases
    assert ">620,000<" in html and ">9,000<" in html  # rows released, rows withheld
    assert "verified (every entry" in html and "processor" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert html.count("<svg") == 5


@pytest.mark.browser
def test_the_page_renders_in_headless_chromium(ledger: Ledger, tmp_path: Path) -> None:
    if _chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = write_transparency_report(
        tmp_path / "transparency.html", transparency_report(ledger), record_of_processing(ledger)
    )
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<title>ringfence transparency report</title>" in dom.stdout and "한빛-정산" in dom.stdout
    assert "<script" not in dom.stdout and dom.stdout.count("<svg") == 5
