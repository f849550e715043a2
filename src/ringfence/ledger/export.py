"""The ledger's numbers for a transparency report and a record of processing, as plain data.

:func:`entries_frame` reads the entries into one Polars frame (fields pulled out of the stored JSON by
JSON path, columnar). :func:`transparency_report` aggregates it: releases, rows and subjects by period
(UTC month) and recipient, country, purpose and data category; the distinct subjects affected; every
denied attempt with its reasons; reveal counts. :func:`export_csv` flattens the report into one long
table (section, period, key, value, counts). :func:`record_of_processing` lists, per purpose, what GDPR
Art. 30(1), PIPA Art. 30 and PIPL Art. 39/55 ask a controller to record about its provisions and
transfers. None of it holds a subject id or a digest: only counts and names from the entries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from ringfence.ledger import subjects as subject_index
from ringfence.ledger.ledger import Ledger

__all__ = ["entries_frame", "export_csv", "record_of_processing", "subjects_affected", "transparency_report"]

_TEXT_FIELDS = ("release_id", "recipient", "country", "purpose", "legal_basis", "decision", "mechanism")
_COUNTS = ("rows_out", "rows_withheld_no_consent")


def entries_frame(ledger: Ledger) -> pl.DataFrame:
    """One row per entry: index, time, period, kind, the report's fields, categories and reasons (lists),
    row counts and the number of subjects committed to."""
    rows = ledger.store.query("SELECT idx, created_at, kind, data FROM ledger_entries ORDER BY idx")
    raw = pl.DataFrame(
        {
            "index": [int(r[0]) for r in rows],
            "time": [str(r[1]) for r in rows],
            "kind": [str(r[2]) for r in rows],
            "data": [str(r[3]) for r in rows],
        },
        schema={"index": pl.Int64, "time": pl.String, "kind": pl.String, "data": pl.String},
    )
    data = pl.col("data")
    return raw.select(
        "index",
        "time",
        pl.col("time").str.slice(0, 7).alias("period"),
        "kind",
        *[data.str.json_path_match(f"$.fields.{name}").alias(name) for name in _TEXT_FIELDS],
        *[
            data.str.json_path_match(f"$.fields.{name}").cast(pl.Int64, strict=False).fill_null(0).alias(name)
            for name in _COUNTS
        ],
        data.str.json_path_match("$.subjects.count")
        .cast(pl.Int64, strict=False)
        .fill_null(0)
        .alias("subjects"),
        data.str.json_path_match("$.fields.categories")
        .str.json_decode(pl.List(pl.String))
        .fill_null(pl.lit([], dtype=pl.List(pl.String)))
        .alias("categories"),
        data.str.json_path_match("$.fields.reasons").alias("reasons"),
    )


def subjects_affected(ledger: Ledger) -> int:
    """Distinct subjects across every entry (digests under one key; a rotated key counts its own),
    one bucket at a time so memory stays one bucket's worth."""
    total = 0
    span = 1 << subject_index.MAX_LEVEL
    for prefix in range(span):  # the digests under one top-12-bit prefix, at every level that covers it
        nodes = [
            (1 << level) | (prefix >> (subject_index.MAX_LEVEL - level))
            for level in range(subject_index.MAX_LEVEL + 1)
        ]
        marks = ", ".join("?" * len(nodes))
        rows = ledger.store.query(f"SELECT n, digests FROM ledger_subjects WHERE bucket IN ({marks})", nodes)
        if rows:
            words = np.concatenate([subject_index.decode(bytes(blob), int(n)) for n, blob in rows])
            top = (words >> np.uint64(64 - subject_index.MAX_LEVEL)).astype(np.int64)
            total += len(np.unique(words[top == prefix]))
    return total


def _group(frame: pl.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    grouped = frame.group_by(keys).agg(
        pl.len().alias("releases"), pl.col("rows_out").sum().alias("rows"), pl.col("subjects").sum()
    )
    return grouped.sort(keys, nulls_last=True).to_dicts()


def transparency_report(ledger: Ledger) -> dict[str, Any]:
    """The transparency report's numbers (see the module docstring)."""
    frame = entries_frame(ledger)
    releases = frame.filter(pl.col("kind") == "release")
    by_category = releases.explode("categories").rename({"categories": "category"}).drop_nulls("category")
    denied = frame.filter(pl.col("kind") == "denied").select(
        "time", "release_id", "recipient", "country", "purpose", "reasons"
    )
    report = ledger.verify()
    return {
        "ledger": {"origin": report.origin, "size": report.size, "root": report.root, "verified": report.ok},
        "totals": {
            "releases": releases.height,
            "denied": denied.height,
            "reveals": frame.filter(pl.col("kind") == "reveal").height,
            "aborted": frame.filter(pl.col("kind") == "aborted").height,
            "rows_released": int(releases["rows_out"].sum()),
            "rows_withheld_no_consent": int(releases["rows_withheld_no_consent"].sum()),
            "subject_disclosures": int(releases["subjects"].sum()),
            "subjects_affected": subjects_affected(ledger),
        },
        "by_period": _group(releases, ["period"]),
        "by_recipient": _group(releases, ["period", "recipient", "country"]),
        "by_country": _group(releases, ["period", "country"]),
        "by_purpose": _group(releases, ["period", "purpose"]),
        "by_category": _group(by_category, ["period", "category"]),
        "denied": denied.to_dicts(),
    }


def export_csv(report: Mapping[str, Any]) -> str:
    """The report as one long CSV table: ``section,period,key,value,releases,rows,subjects``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "period", "key", "value", "releases", "rows", "subjects"])
    for name, value in report["totals"].items():
        writer.writerow(["totals", "", name, value, "", "", ""])
    dims = {"by_period": None, "by_recipient": "recipient", "by_country": "country", "by_purpose": "purpose"}
    dims["by_category"] = "category"
    for section, key in dims.items():
        for row in report[section]:
            value = "" if key is None else row[key]
            writer.writerow(
                [section, row["period"], key or "", value, row["releases"], row["rows"], row["subjects"]]
            )
    for row in report["denied"]:
        writer.writerow(["denied", row["time"], "recipient", row["recipient"], "", "", row["reasons"] or ""])
    return out.getvalue()


def record_of_processing(ledger: Ledger, controller: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Per purpose: recipients (with country and releases), data categories, legal bases and transfer
    mechanisms, first and last release, and subjects; with the articles each field answers."""
    releases = entries_frame(ledger).filter(pl.col("kind") == "release")
    activities = []
    for purpose in sorted(releases["purpose"].drop_nulls().unique().to_list()):
        part = releases.filter(pl.col("purpose") == purpose)
        recipients = (
            part.group_by("recipient", "country")
            .agg(
                pl.len().alias("releases"),
                pl.col("mechanism").drop_nulls().unique().sort().alias("mechanisms"),
                pl.col("time").min().alias("first"),
                pl.col("time").max().alias("last"),
            )
            .sort("recipient")
            .to_dicts()
        )
        activities.append(
            {
                "purpose": purpose,
                "categories": sorted(part["categories"].explode().drop_nulls().unique().to_list()),
                "legal_bases": sorted(part["legal_basis"].drop_nulls().unique().to_list()),
                "recipients": recipients,
                "countries": sorted(part["country"].drop_nulls().unique().to_list()),
                "releases": part.height,
                "subject_disclosures": int(part["subjects"].sum()),
            }
        )
    return {
        "controller": dict(controller or {}),
        "activities": activities,
        "answers": {
            "GDPR Art. 30(1)": [
                "(a) controller: controller",
                "(b) purposes: activities[].purpose",
                "(c) categories of personal data: activities[].categories",
                "(d) categories of recipients incl. third countries: activities[].recipients",
                "(e) transfers to third countries, safeguards: activities[].recipients[].country, mechanisms",
            ],
            "PIPA Art. 30": [
                "purposes: activities[].purpose",
                "provision to third parties (recipient, purpose, items): activities[].recipients, categories",
            ],
            "PIPL Art. 39/55": [
                "overseas recipient, purpose, method, categories: activities[].recipients, categories",
                "record of provision to other handlers and cross-border transfers: activities[]",
            ],
        },
    }
