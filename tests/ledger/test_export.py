"""The transparency report's numbers and the record of processing, as plain data and CSV."""

from __future__ import annotations

import csv
import io
import json

import polars as pl

from ringfence.ledger import Entry, Ledger
from ringfence.ledger.export import export_csv, record_of_processing, transparency_report
from tests.ledger.conftest import fill


def test_the_report_counts_releases_subjects_and_denials(ledger: Ledger) -> None:
    fill(ledger, 4)  # alternating globex/KR and acme/US; 20 subjects each, overlapping by 13
    ledger.append(
        Entry(
            "denied",
            {"recipient": "acme-cn", "country": "CN", "purpose": "marketing", "reasons": ["PIPL Art. 39"]},
        )
    )
    ledger.append(Entry("reveal", {"reason": "fraud case"}))
    report = transparency_report(ledger)
    json.dumps(report)  # plain data
    assert report["ledger"]["verified"] and report["ledger"]["size"] == 6
    totals = report["totals"]
    assert totals["releases"] == 4 and totals["denied"] == 1 and totals["reveals"] == 1
    assert totals["rows_released"] == 0 + 10 + 20 + 30
    assert totals["subject_disclosures"] == 80 and totals["subjects_affected"] == 7 * 3 + 20
    by_recipient = {r["recipient"]: r for r in report["by_recipient"]}
    assert by_recipient["acme"]["releases"] == 2 and by_recipient["acme"]["country"] == "US"
    assert {r["category"] for r in report["by_category"]} == {"contact", "transaction"}
    assert report["denied"][0]["recipient"] == "acme-cn" and "PIPL Art. 39" in report["denied"][0]["reasons"]
    table = list(csv.DictReader(io.StringIO(export_csv(report))))
    assert {r["section"] for r in table} >= {"totals", "by_recipient", "by_country", "by_category", "denied"}
    assert any(r["section"] == "by_country" and r["value"] == "KR" and r["releases"] == "2" for r in table)


def test_the_report_of_an_empty_ledger(ledger: Ledger) -> None:
    report = transparency_report(ledger)
    assert report["totals"]["releases"] == 0 and report["by_recipient"] == [] and report["denied"] == []
    assert export_csv(report).startswith("section,period,key,value")


def test_record_of_processing(ledger: Ledger) -> None:
    fill(ledger, 3)
    ledger.append(
        Entry(
            "release",
            {
                "recipient": "cn-partner",
                "country": "CN",
                "purpose": "support",
                "mechanism": "cac-standard-contract",
                "categories": ["identity"],
            },
        ),
        pl.Series(["x"]),
    )
    record = record_of_processing(ledger, {"name": "Example Pay", "contact": "dpo@example.com"})
    json.dumps(record)
    purposes = {a["purpose"]: a for a in record["activities"]}
    assert set(purposes) == {"analytics", "support"}
    assert purposes["analytics"]["categories"] == ["contact", "transaction"]
    assert purposes["analytics"]["countries"] == ["KR", "US"]
    assert purposes["support"]["recipients"][0]["mechanisms"] == ["cac-standard-contract"]
    assert record["controller"]["name"] == "Example Pay" and "GDPR Art. 30(1)" in record["answers"]
