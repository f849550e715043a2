"""Reports are readable on any machine: CJK file names, headers and values render as glyphs, not as the
missing-glyph box ("tofu"), in headless Chromium with the reports' own style sheet.

The check draws text in the font stack the report's ``body`` and ``.mono`` resolve to, on a canvas, in a
page made for the test (the reports themselves carry no script): eight distinct CJK characters must give
eight distinct images, none equal to a character no font has (a private-use code point, drawn as the box).
Without a CJK font (CI installs Debian's fonts-noto-cjk) every CJK character is the same box and it fails.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ringfence.detect.classify import ColumnFinding
from ringfence.detect.scan import ScanReport, TableFinding
from ringfence.report import render_scan_report

CJK = "身份证号주민번호"
_HARNESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head>
<body><p id="t">{cjk}</p><p class="mono" id="m">{cjk}</p><pre id="out"></pre><script>
function images(el) {{
  const family = getComputedStyle(el).fontFamily;
  const draw = (ch) => {{
    const c = document.createElement("canvas"); c.width = 64; c.height = 64;
    const x = c.getContext("2d"); x.font = "48px " + family; x.fillStyle = "#000"; x.fillText(ch, 4, 52);
    return c.toDataURL();
  }};
  const glyphs = Array.from({cjk_json}).map(draw);
  const box = draw("\\u{{10FFFD}}");
  return {{family, distinct: new Set(glyphs).size, boxes: glyphs.filter((g) => g === box).length}};
}}
document.getElementById("out").textContent = JSON.stringify(
  {{text: images(document.getElementById("t")), mono: images(document.getElementById("m"))}});
</script></body></html>"""


def _style() -> str:
    page = render_scan_report(
        ScanReport([TableFinding("客户_고객.csv", 10, 10, [ColumnFinding("身份证号", None, 0.0)])])
    )
    found = re.search(r"<style>(.*?)</style>", page, re.S)
    assert found is not None
    return found.group(1)


def test_the_style_sheet_names_cjk_fonts_for_text_and_monospace() -> None:
    css = _style()
    assert '"Noto Sans CJK SC"' in css and '"Noto Sans CJK KR"' in css and '"Malgun Gothic"' in css
    body = re.search(r"body \{[^}]*font-family:([^;]*);", css)
    mono = re.search(r"code, \.mono \{[^}]*font-family:([^;]*);", css)
    assert body is not None and "var(--cjk)" in body.group(1)
    assert mono is not None and "var(--cjk)" in mono.group(1)


@pytest.mark.browser
def test_cjk_text_renders_as_glyphs_not_boxes(tmp_path: Path) -> None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    page = tmp_path / "cjk.html"
    page.write_text(_HARNESS.format(css=_style(), cjk=CJK, cjk_json=json.dumps(CJK)), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
    flags += ["--disable-background-networking", "--disable-component-update"]
    done = subprocess.run(
        [exe, *flags, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", f"file://{page}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-500:]
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found is not None and found.group(1), done.stdout[-500:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    for stack in ("text", "mono"):
        assert result[stack]["boxes"] == 0, result
        assert result[stack]["distinct"] == len(CJK), result
