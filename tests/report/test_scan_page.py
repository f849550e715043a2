"""The scan inventory page: complete, escaped, self-contained, and rendered by a real browser."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ringfence.detect.classify import ColumnFinding
from ringfence.detect.scan import ScanReport, TableFinding
from ringfence.errors import OutputError
from ringfence.report import render_scan_report, write_scan_report
from ringfence.report.scan_page import entity_bars, summary_cards, table_view

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*191 }}{% raw %}"


def _report(evil: bool = False) -> ScanReport:
    bad = SCRIPT if evil else ""
    customers = TableFinding(
        source=f"customers{bad}.csv",
        rows=120_000,
        sampled_rows=10_000,
        columns=[
            ColumnFinding("customer_id", None, 0.0, non_empty=10_000),
            ColumnFinding(
                "姓名", "PERSON_NAME", 0.97, 0.95, None, ["values", "header"], examples=["•••", "欧••"]
            ),
            ColumnFinding(
                "身份证号",
                "CN_RESIDENT_ID",
                0.99,
                0.998,
                "CN",
                ["values", "header"],
                examples=["110••••••••••••021"],
            ),
            ColumnFinding(
                f"phone{IMG if evil else ''}",
                "PHONE_NUMBER",
                0.99,
                0.97,
                "CN",
                ["values"],
                examples=[f"138•••••678{SCRIPT if evil else ''}"],
            ),
            ColumnFinding(
                "memo",
                "FREE_TEXT_PII",
                0.85,
                0.03,
                None,
                ["values"],
                contains=["CN_RESIDENT_ID", "PHONE_NUMBER"],
                examples=["转账••••••"],
            ),
        ],
    )
    accounts = TableFinding(
        source=f"accounts{IMG + TEMPLATE if evil else ''}.parquet",
        rows=50_000,
        sampled_rows=10_000,
        columns=[
            ColumnFinding(
                "card_number",
                "PAYMENT_CARD",
                0.99,
                1.0,
                None,
                ["values", "header"],
                examples=[f"622•••••••••••••128{IMG + TEMPLATE if evil else ''}"],
            ),
            ColumnFinding(
                "주민번호", "KR_RRN", 0.95, 0.9, "KR", ["values", "header"], examples=["900•••••••567"]
            ),
        ],
    )
    return ScanReport(tables=[customers, accounts])


def test_page_lists_every_table_and_column() -> None:
    html = render_scan_report(_report())
    for text in ("customers.csv", "accounts.parquet", "姓名", "身份证号", "주민번호", "card_number", "memo"):
        assert text in html
    for entity in ("CN_RESIDENT_ID", "KR_RRN", "PAYMENT_CARD", "FREE_TEXT_PII", "PHONE_NUMBER"):
        assert entity in html
    assert 'lang="' in html and "<title>" in html
    assert "<svg" in html  # the chart is inline


def test_every_value_is_escaped() -> None:
    html = render_scan_report(_report(evil=True))
    assert "<script>alert" not in html
    assert "<img src=x" not in html and "<img" not in html
    assert "onerror=alert(1)>" not in html  # the attribute-breaking quote and bracket are escaped too
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not dropped
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7*191 }}" in html and "1337" not in html  # template syntax in data is never evaluated
    assert "<script" not in html  # the page itself carries no script at all


def test_high_risk_columns_are_marked_and_counted() -> None:
    tables = [table_view(i, t) for i, t in enumerate(_report().tables)]
    tiers = {c.name: c.tier for t in tables for c in t.columns}
    assert tiers["身份证号"] == tiers["card_number"] == tiers["주민번호"] == "high"
    assert tiers["memo"] == "high"  # free text that contains national IDs
    assert tiers["姓名"] == tiers["phone"] == "personal" and tiers["customer_id"] == "none"
    cards = {c.label: c.value for c in summary_cards(tables)}
    assert cards == {
        "Tables scanned": "2",
        "Rows": "170,000",
        "Columns": "7",
        "Columns with personal data": "6",
        "High-risk columns": "4",
    }
    bars = entity_bars(tables)
    assert len(bars) == 6 and all(b.value == 1 for b in bars)
    assert [b.tone for b in bars[:3]] == ["high"] * 3  # ties: high-risk types first
    html = render_scan_report(_report())
    assert html.count('<tr class="tier-high">') == 4
    assert "contains:" in html and "CN resident ID" in html


def test_an_empty_scan_renders() -> None:
    html = render_scan_report(ScanReport())
    assert "No tables were scanned." in html and "No personal data found" in html


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained() -> None:
    for html in (render_scan_report(_report()), render_scan_report(_report(evil=True))):
        for reference in ("http://", "https://", "//cdn", "@import", "url("):
            assert reference not in html
        parser = _Tags()
        parser.feed(html)
        names = {tag for tag, _ in parser.tags}
        assert not names & {"script", "img", "link", "iframe", "object", "embed", "image", "use"}
        for tag, attrs in parser.tags:
            assert "src" not in attrs, tag
            assert not any(a.startswith("on") for a in attrs), tag  # no event handler attributes
            if "href" in attrs:
                assert (attrs["href"] or "").startswith("#"), tag  # in-page links only
        csp = [a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv")]
        assert csp and "default-src 'none'" in (csp[0] or "")


def test_unmasked_examples_never_reach_the_page() -> None:
    report = _report()
    report.tables[0].columns[2].examples = ["110105194912310021"]  # a producer bug: a raw value
    report.tables[0].columns[0].examples = ["CUST-000123"]  # a non-personal column shows no examples
    html = render_scan_report(report)
    assert "110105194912310021" not in html and "CUST-000123" not in html
    assert "138•••••678" in html  # masked examples are shown


def test_writing_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_scan_report(_report(), tmp_path / "missing-folder" / "scan.html")
    assert not (tmp_path / "missing-folder").exists()
    path = write_scan_report(_report(), tmp_path / "scan.html")
    assert Path(path).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["scan.html"]
    before = path.read_bytes()

    import ringfence.io.atomic

    def crash(*_: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(ringfence.io.atomic.os, "replace", crash)
    with pytest.raises(OSError):
        write_scan_report(_report(evil=True), tmp_path / "scan.html")
    with pytest.raises(OSError):
        write_scan_report(_report(), tmp_path / "other.html")
    assert path.read_bytes() == before  # the old report is untouched, not half-replaced
    assert [p.name for p in tmp_path.iterdir()] == ["scan.html"]  # no partial file, no temporary left


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _headless(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = _chromium()
    assert exe is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_page_renders_in_headless_chromium_and_runs_no_injected_script(tmp_path: Path) -> None:
    if _chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = write_scan_report(_report(evil=True), tmp_path / "scan.html")
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "<title>ringfence scan inventory</title>" in dom.stdout
    assert "身份证号" in dom.stdout and "주민번호" in dom.stdout and "card_number" in dom.stdout
    assert dom.stdout.count("<table") == 2
    assert dom.stdout.count("<tr") == 2 + 7  # a header row per table and one row per column
    assert dom.stdout.count("<svg") == 1 and dom.stdout.count("<rect") == 6  # the chart: one bar per type
    # The payloads were parsed as text: no element came of them, and no script exists to have run.
    assert "<img" not in dom.stdout and "<script" not in dom.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout
    assert "onerror=alert(1)&gt;" in dom.stdout
    shot = _headless(
        tmp_path, f"--screenshot={tmp_path / 'shot.png'}", "--window-size=1280,2000", f"file://{page}"
    )
    assert shot.returncode == 0, shot.stderr[-500:]
    png = (tmp_path / "shot.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 2000)


def test_a_mixed_national_id_column_shows_the_minority_beside_the_majority() -> None:
    mixed = ColumnFinding("national_id", "CN_RESIDENT_ID", 0.97, 0.57, "CN", ["values", "header", "mixed"])
    mixed.also = [{"entity": "KR_RRN", "hit_rate": 0.42}]
    report = ScanReport([TableFinding("customers.csv", 5_000, 5_000, [mixed])])
    html = render_scan_report(report)
    assert 'title="KR_RRN"' in html and "42%" in html and "also:" in html
