"""The scan evaluation harness itself: the generator writes what the labels say, and the scorer counts right.

Not a quality test of the classifier (that is ``python -m bench scan_quality``); these checks make sure
the yardstick is straight: every labelled column is in its file under its exact header, the files are in
the formats and encodings they claim, personal identifiers are valid by python-stdnum's reckoning, decoys
are what they pretend to be, and the scorer's arithmetic is right.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from bench.scan_eval import make_tables, values
from bench.scan_eval.evaluate import Prediction, score
from bench.scan_eval.tables import KINDS, TABLES
from stdnum import iban, imei, luhn
from stdnum.cn import ric
from stdnum.kr import rrn

from ringfence.detect.vocabulary import ENTITY_TYPES

ROWS = 400


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("scan_eval")
    return out, make_tables.generate(out, rows=ROWS)


def read_back(path: Path, table: dict[str, Any]) -> pl.DataFrame:
    """Reads a generated file with nothing but its declared format, encoding and separator."""
    if table["format"] == "parquet":
        return pl.read_parquet(path)
    if table["format"] == "jsonl":
        return pl.read_ndjson(path)
    text = path.read_bytes().decode(table["encoding"])  # strict: a wrong declared encoding fails here
    if table["encoding"] == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    return pl.read_csv(io.StringIO(text), separator=table["separator"], infer_schema=False)


def test_the_set_is_as_large_and_varied_as_promised(generated: tuple[Path, dict[str, Any]]) -> None:
    _, labels = generated
    tables = labels["tables"]
    columns = [c for t in tables for c in t["columns"]]
    assert len(tables) >= 12
    assert len(columns) >= 150
    assert sum(c["decoy"] for c in columns) >= 30
    assert {t["encoding"] for t in tables} >= {"utf-8", "utf-8-sig", "gb18030", "euc-kr"}
    assert {t["format"] for t in tables} == {"csv", "parquet", "jsonl"}
    assert {t["separator"] for t in tables if t["format"] == "csv"} >= {",", "\t", ";"}
    entities = {c["entity"] for c in columns} - {None}
    assert entities == set(ENTITY_TYPES)  # every entity of the vocabulary appears


def test_every_labelled_column_is_in_its_file(generated: tuple[Path, dict[str, Any]]) -> None:
    out, labels = generated
    for table in labels["tables"]:
        frame = read_back(out / table["file"], table)
        assert frame.columns == [c["name"] for c in table["columns"]], table["file"]
        assert frame.height == ROWS


def test_text_columns_carry_junk_placeholders(generated: tuple[Path, dict[str, Any]]) -> None:
    out, labels = generated
    placeholders = {"", "N/A", "null", "NULL", "-", "n/a", "未知", "无", "없음", "미상"}
    table = next(t for t in labels["tables"] if t["file"] == "客户资料_gbk.csv")
    frame = read_back(out / table["file"], table)
    for column in table["columns"]:
        values_ = frame.get_column(column["name"]).fill_null("")
        share = float(values_.is_in(list(placeholders)).to_numpy().mean())
        assert 0.0 < share < 0.45, column["name"]


def _column(out: Path, labels: dict[str, Any], kind: str) -> list[str]:
    for table in labels["tables"]:
        for column in table["columns"]:
            if column["kind"] == kind:
                frame = read_back(out / table["file"], table)
                junk = {"", "N/A", "null", "NULL", "-", "n/a", "未知", "无", "없음", "미상"}
                return [
                    v for v in frame.get_column(column["name"]).cast(pl.String).drop_nulls() if v not in junk
                ]
    raise AssertionError(f"no column of kind {kind}")


def _share(values_: list[str], valid: Any) -> float:
    return sum(bool(valid(v)) for v in values_) / len(values_)


def _compact(value: str) -> str:
    return value.replace(" ", "").replace("-", "").upper()


def test_identifiers_are_valid_by_python_stdnum(generated: tuple[Path, dict[str, Any]]) -> None:
    out, labels = generated
    assert _share(_column(out, labels, "cn_id"), lambda v: ric.is_valid(_compact(v))) == 1.0
    ids = _column(out, labels, "cn_id_mixed")
    assert 0.8 < _share(ids, lambda v: ric.is_valid(_compact(v))) < 0.95  # the rest are 15-digit legacy IDs
    assert all(len(_compact(v)) in (15, 18) for v in ids)
    assert 0.85 < _share(_column(out, labels, "kr_rrn"), rrn.is_valid) < 0.99  # post-2020 numbers: no check
    assert _share(_column(out, labels, "iban"), iban.is_valid) == 1.0
    assert _share(_column(out, labels, "imei_dashed"), imei.is_valid) == 1.0
    assert _share(_column(out, labels, "card_intl"), lambda v: luhn.is_valid(_compact(v))) == 1.0


def test_decoys_look_like_identifiers_but_are_not(generated: tuple[Path, dict[str, Any]]) -> None:
    out, labels = generated
    refs = _column(out, labels, "trade_ref16")
    assert all(len(v) == 16 and v.isdigit() for v in refs)
    assert 0.04 < _share(refs, luhn.is_valid) < 0.18  # random references pass Luhn by chance
    orders = _column(out, labels, "order_no")
    assert all(len(v) in (18, 19) and v.startswith(("2025", "2026")) for v in orders)
    assert _share(orders, ric.is_valid) == 0.0
    assert _share(_column(out, labels, "rand18"), ric.is_valid) < 0.01


def test_free_text_holds_personal_data_in_a_few_rows_only() -> None:
    rng = np.random.default_rng(3)
    memos = values.memo_cn_pii(rng, 20_000)
    with_digits = float(memos.str.contains(r"[0-9]{11}").to_numpy().mean())
    assert 0.03 < with_digits < 0.06


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = make_tables.generate(tmp_path / "a", rows=50)
    second = make_tables.generate(tmp_path / "b", rows=50)
    assert first == second
    for table in TABLES:
        assert (tmp_path / "a" / table.file).read_bytes() == (tmp_path / "b" / table.file).read_bytes()


def test_ensure_regenerates_only_what_is_stale(tmp_path: Path) -> None:
    make_tables.generate(tmp_path, rows=30)
    labels = tmp_path / make_tables.LABELS
    before = labels.stat().st_mtime_ns
    make_tables.ensure(tmp_path, rows=30)
    assert labels.stat().st_mtime_ns == before
    (tmp_path / TABLES[0].file).unlink()
    doc = make_tables.ensure(tmp_path, rows=30)
    assert (tmp_path / TABLES[0].file).exists() and doc["rows_override"] == 30


def test_labels_come_from_the_kind_registry(generated: tuple[Path, dict[str, Any]]) -> None:
    out, labels = generated
    on_disk = json.loads((out / make_tables.LABELS).read_text(encoding="utf-8"))
    assert on_disk == labels
    for column in (c for t in labels["tables"] for c in t["columns"]):
        kind = KINDS[column["kind"]]
        assert column["entity"] == kind.entity
        assert column["contains"] == list(kind.contains)
        assert bool(column["contains"]) == (column["entity"] == "FREE_TEXT_PII")


LABELS: dict[str, Any] = {
    "tables": [
        {
            "file": "t.csv",
            "columns": [
                {"name": "phone", "kind": "k", "entity": "PHONE_NUMBER", "contains": []},
                {"name": "id", "kind": "k", "entity": "CN_RESIDENT_ID", "contains": []},
                {
                    "name": "memo",
                    "kind": "k",
                    "entity": "FREE_TEXT_PII",
                    "contains": ["PHONE_NUMBER", "KR_RRN"],
                },
                {"name": "order", "kind": "k", "entity": None, "contains": []},
                {"name": "amount", "kind": "k", "entity": None, "contains": []},
            ],
        }
    ]
}


def test_scoring_counts_each_kind_of_mistake_once() -> None:
    got = {
        "t.csv": {
            "phone": Prediction("PHONE_NUMBER"),
            "id": Prediction("KR_RRN"),  # wrong entity: an FN for CN_RESIDENT_ID and an FP for KR_RRN
            "memo": Prediction("FREE_TEXT_PII", ("PHONE_NUMBER",)),  # misses KR_RRN inside the text
            "order": Prediction("PAYMENT_CARD"),  # a decoy flagged
        }  # "amount" not reported at all: counted as no entity, listed as missing
    }
    result = score(LABELS, got).to_json()
    assert (result["tp"], result["fp"], result["fn"]) == (1, 3, 2)
    assert result["precision"] == 0.25 and result["recall"] == round(1 / 3, 4)
    assert [d["column"] for d in result["decoys_flagged"]] == ["order"]
    assert {m["column"] for m in result["misclassified"]} == {"id", "memo", "order"}
    assert result["missing_columns"] == [{"table": "t.csv", "column": "amount"}]
    assert result["per_entity"]["KR_RRN"]["fp"] == 1 and result["per_entity"]["CN_RESIDENT_ID"]["fn"] == 1


def test_a_perfect_detector_scores_one() -> None:
    perfect = {
        "t.csv": {
            c["name"]: Prediction(c["entity"], tuple(c["contains"])) for c in LABELS["tables"][0]["columns"]
        }
    }
    result = score(LABELS, perfect).to_json()
    assert result["f1"] == 1.0 and result["decoys_flagged"] == [] and result["misclassified"] == []


def test_the_quality_report_names_every_mistake() -> None:
    from bench import bench_scan_quality

    got = {"t.csv": {"phone": Prediction("PHONE_NUMBER"), "order": Prediction("PAYMENT_CARD")}}
    scored = score(LABELS, got).to_json()
    result = {
        "tables": 1,
        **scored,
        "meets_target": False,
        "scan_seconds": 1.5,
        "scan_sampled_cells_per_second": 1000,
        "per_table": [{"table": "t.csv", "rows": 10, "sampled_rows": 10, "columns": 5, "seconds": 1.5}],
        "comparison": {
            "sample_rows_per_table": 10,
            "cells": 50,
            "presidio_available": False,
            "presidio_versions": {},
            "detectors": {
                "ringfence": {
                    "precision": 0.5,
                    "recall": 0.25,
                    "f1": 0.33,
                    "decoys_flagged": 1,
                    "seconds": 0.1,
                    "cells_per_second": 500,
                    "per_entity_f1": {"PHONE_NUMBER": 1.0},
                }
            },
        },
    }
    text = bench_scan_quality.to_markdown(result)
    assert "| t.csv | order | k | PAYMENT_CARD |" in text  # the decoy, by name
    for column in ("id", "memo", "order"):
        assert f"| t.csv | {column} |" in text
    assert "misses" in text and "Presidio is not installed" in text
