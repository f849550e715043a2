"""Self-contained HTML reports for people: one file each, readable offline, every data value escaped.

:mod:`ringfence.report.html` holds what every report shares (the escaping template environment, the base
layout with its inline stylesheet, summary cards, inline SVG bar charts and the atomic writer); one module
per report renders its page from the objects the stages return.
"""

from __future__ import annotations

from ringfence.report.risk_page import render_risk_report, write_risk_report
from ringfence.report.scan_page import render_scan_report, write_scan_report

__all__ = ["render_risk_report", "render_scan_report", "write_risk_report", "write_scan_report"]
