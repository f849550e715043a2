"""The scan inventory page: complete, escaped, self-contained, and rendered by a real browser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ringfence.detect.classify import ColumnFinding
from ringfence.detect.scan import ScanReport, TableFinding
from ringfence.errors import OutputError
from ringfence.report import render_scan_report, write_scan_report

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


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
        source="accounts.parquet",
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
                examples=["622•••••••••••••128"],
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
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_page_is_self_contained() -> None:
    html = render_scan_report(_report())
    for reference in ("http://", "https://", "//cdn", "<link", 'src="http', "@import"):
        assert reference not in html


def test_unmasked_examples_never_reach_the_page() -> None:
    report = _report()
    report.tables[0].columns[2].examples = ["110105194912310021"]  # a producer bug: a raw value
    assert "110105194912310021" not in render_scan_report(report)


def test_writing_is_atomic(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        write_scan_report(_report(), tmp_path / "missing-folder" / "scan.html")
    assert not (tmp_path / "missing-folder").exists()
    path = write_scan_report(_report(), tmp_path / "scan.html")
    assert Path(path).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["scan.html"]


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
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    page = write_scan_report(_report(evil=True), tmp_path / "scan.html")
    dom = _headless(tmp_path, "--dump-dom", f"file://{page}")
    assert dom.returncode == 0, dom.stderr[-500:]
    assert "身份证号" in dom.stdout and "주민번호" in dom.stdout
    assert dom.stdout.count("<tr") >= 7
    assert '<img src="x"' not in dom.stdout and "<img src=x" not in dom.stdout
    assert "<script>alert" not in dom.stdout
    shot = _headless(
        tmp_path, f"--screenshot={tmp_path / 'shot.png'}", "--window-size=1280,1600", f"file://{page}"
    )
    assert shot.returncode == 0, shot.stderr[-500:]
    png = (tmp_path / "shot.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
