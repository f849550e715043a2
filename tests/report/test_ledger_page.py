"""The transparency report: figures aggregated from ledger entries, every value escaped, CJK names shown,
self-contained, and rendered by headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ringfence.report.ledger_page import (
    render_transparency_report,
    transparency_data,
    write_transparency_report,
)
from tests.report.test_scan_page import _chromium, _headless

EVIL = "<script>alert(1)</script>"


def _entries() -> list[dict[str, Any]]:
    release = {"kind": "release", "legal_basis": "PIPA Art. 17(1)1 consent"}
    return [
        {**release, "index": 0, "time": "2026-10-03T09:00:00+00:00", "recipient": "seoul-fraudnet",
         "country": "KR", "purpose": "fraud_prevention", "categories": ["contact", "identity"],
         "rows_out": 120_000, "subjects": 4_000, "rows_withheld_no_consent": 9_000},
        {**release, "index": 1, "time": "2026-11-20T09:00:00+00:00", "recipient": "seoul-fraudnet",
         "country": "KR", "purpose": "fraud_prevention", "categories": ["contact", "transaction"],
         "rows_out": 80_000, "subjects": 3_500},
        {"kind": "release", "index": 2, "time": "2026-11-21T09:00:00+00:00", "recipient": "한빛-정산",
         "country": "KR", "purpose": "payment_processing", "legal_basis": "PIPA Art. 26 entrustment",
         "categories": ["financial_account"], "rows_out": 500_000, "subjects": 20_000},
        {"kind": "denied", "index": 3, "time": "2026-11-22T09:00:00+00:00", "recipient": "alipay-sg",
         "country": "SG", "purpose": "fraud_prevention",
         "reasons": [{"reason": f"no separate consent to a transfer abroad {EVIL}", "law": "PIPA",
                      "article": "Art. 28-8(1)"}]},
        {"kind": "reveal", "index": 4, "time": "2026-11-23T09:00:00+00:00"},
    ]  # fmt: skip


def test_the_figures_are_the_entries_aggregated() -> None:
    data = transparency_data(_entries())
    assert (data["releases"], data["denied"], data["rows_released"]) == (3, 1, 700_000)
    assert data["disclosures"] == 27_500 and data["rows_withheld_no_consent"] == 9_000
    by_recipient = {r["recipient"]: (r["releases"], r["rows"]) for r in data["by_recipient"]}
    assert by_recipient == {"seoul-fraudnet": (2, 200_000), "한빛-정산": (1, 500_000)}
    by_category = {r["category"]: r["rows"] for r in data["by_category"]}
    assert by_category == {
        "financial_account": 500_000,
        "contact": 200_000,
        "identity": 120_000,
        "transaction": 80_000,
    }
    assert [m["month"] for m in data["by_month"]] == ["2026-10", "2026-11"]
    (fraud, settlement) = data["record_of_processing"]
    assert fraud["categories"] == ["contact", "identity", "transaction"] and fraud["releases"] == 2
    assert (fraud["first"], fraud["last"]) == ("2026-10-03T09:00:00+00:00", "2026-11-20T09:00:00+00:00")
    assert settlement["legal_basis"] == "PIPA Art. 26 entrustment"
    (attempt,) = data["denied_attempts"]
    assert attempt["recipient"] == "alipay-sg" and "PIPA Art. 28-8(1)" in attempt["reasons"]


def test_the_page_escapes_every_value_and_needs_nothing_outside() -> None:
    html = render_transparency_report(_entries(), origin="ringfence/ws-1", verified="verified, 5 entries")
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "한빛-정산" in html and "PIPA Art. 26 entrustment" in html and "Art. 28-8(1)" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert html.count("<svg") == 5


@pytest.mark.browser
def test_the_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    if _chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = write_transparency_report(tmp_path / "transparency.html", _entries(), origin="ringfence/ws-1")
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<title>ringfence transparency report</title>" in dom.stdout and "한빛-정산" in dom.stdout
    assert "<script" not in dom.stdout and dom.stdout.count("<svg") == 5
