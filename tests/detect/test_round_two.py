"""Discover, round two (issue 14): what a data set nobody here wrote exposed, each as a behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml

from ringfence.cli.app import run
from ringfence.detect.classify import NO_VALUES, classify_frame
from ringfence.detect.entities import person_name, phone, postal_address
from ringfence.policy import draft_policy
from ringfence.policy.load import parse_policy
from tests.detect.helpers import assert_table, column


def _found(frame: pl.DataFrame) -> dict[str, str | None]:
    return {f.name: f.entity for f in classify_frame(frame)}


def test_a_notes_column_of_placeholders_and_some_call_backs_is_free_text_with_phones() -> None:
    rows = 2_000
    notes = [
        f"call me at (650) 253-{1000 + i:04d}" if i % 10 < 3 else ("ok", "done", "n/a", "-")[i % 4]
        for i in range(rows)
    ]
    finding = next(f for f in classify_frame(pl.DataFrame({"notes": notes})))
    assert finding.entity == "FREE_TEXT_PII" and finding.contains == ["PHONE_NUMBER"]
    # ... and the draft protects it (free text is dropped), so its phones never leave in clear.
    policy = parse_policy(draft_policy([(finding.name, finding.entity)]))
    assert policy.columns["notes"].action == "drop"


def test_one_notes_row_in_a_hundred_with_a_phone_is_still_found() -> None:
    notes = [f"pls call back +44 20 7946 {i:04d}" if i % 100 == 0 else "done" for i in range(10_000)]
    assert _found(pl.DataFrame({"notes": notes})) == {"notes": "FREE_TEXT_PII"}


def test_version_numbers_in_user_agents_are_not_ip_addresses() -> None:
    agents = [
        f"Mozilla/5.0 (X11; Linux i686; rv:1.9.{i % 9}.2) Gecko/2010 Firefox/3.6.{i % 7}.1 Presto/2.9.{i}"
        for i in range(500)
    ]
    logins = [f"login from 10.0.{i % 250}.{i % 200 + 1} ok" for i in range(500)]
    found = _found(pl.DataFrame({"agent": agents, "remark": logins}))
    assert found == {"agent": None, "remark": "FREE_TEXT_PII"}


def test_look_alikes_failing_their_check_are_not_sparse_personal_data() -> None:
    from stdnum import luhn

    cards = [str(4_000_000_000_000_000 + 7_919 * i) for i in range(2_000)]
    wrong = [c[:-1] + str((int(luhn.calc_check_digit(c[:-1])) + 1) % 10) for c in cards]
    assert not any(luhn.is_valid(c) for c in wrong)
    assert _found(pl.DataFrame({"ref": wrong})) == {"ref": None}


WESTERN = [
    "Flat 05, Francis Mission, North Beth, W8K 1ST",
    "1 Alexander Walks, Francescaberg, E4 8RA",
    "Lübsgasse 396, 47841 Bersenbrück",
    "5, boulevard Maillard, 86296 Sainte Mauriceboeuf",
    "Canale Renzo, 4, 12016, Santa Margherita (CN)",
    "13368 Victoria Walk Suite 905\nLarryberg, AR 82728",
]
NOT_ADDRESSES = ["Johnson, Smith and Lee 2024", "Order 12345 shipped", "Paris, 75001", '{"a": 1, "b": "x 2"}']


def test_western_addresses_written_in_parts() -> None:
    assert_table(postal_address, WESTERN, NOT_ADDRESSES)
    frame = pl.DataFrame({"Anschrift": WESTERN * 20, "mailing_address": WESTERN[::-1] * 20})
    assert set(_found(frame).values()) == {"POSTAL_ADDRESS"}


def test_japanese_names_readings_and_headers() -> None:
    assert_table(
        person_name, ["木村 陽一", "コバヤシ アケミ", "やまだ たろう"], ["木村陽一株式会社", "コバヤシ"]
    )
    frame = pl.DataFrame(
        {
            "氏名": ["木村 陽一", "山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 美咲"] * 40,
            "フリガナ": [
                "キムラ ヨウイチ",
                "ヤマダ タロウ",
                "サトウ ハナコ",
                "スズキ イチロウ",
                "タカハシ ミサキ",
            ]
            * 40,
            "電話番号": ["090-1234-5678", "03-1234-5678", "080-9141-7776", "070-6360-8377", "06-6123-4567"]
            * 40,
        }
    )
    found = {f.name: (f.entity, f.country) for f in classify_frame(frame)}
    assert found == {
        "氏名": ("PERSON_NAME", None),
        "フリガナ": ("PERSON_NAME", None),
        "電話番号": ("PHONE_NUMBER", "JP"),
    }


def test_european_national_numbers_need_groups_and_report_their_country() -> None:
    values = ["(0161) 496 0000", "01 23 45 67 89", "(650) 253-0000"]
    assert column(phone, values, "region_expr") == ["GB", "FR", "US"]
    assert column(phone, ["030 1234567"]) == [True]  # Berlin; its digits fit other plans too
    assert column(phone, ["6502530000"]) == [False]


def test_internal_person_keys_are_found_by_header_shape_and_count() -> None:
    keys = [f"C{10_000_000 + 37 * i}" for i in range(1_000)]
    statuses = [("A1", "B2", "C3")[i % 3] for i in range(1_000)]
    frame = pl.DataFrame({"customer_id": keys, "user_no": statuses, "order_id": keys, "ref": keys})
    assert _found(frame) == {"customer_id": "INTERNAL_ID", "user_no": None, "order_id": None, "ref": None}
    rule = parse_policy(draft_policy([("customer_id", "INTERNAL_ID")])).columns["customer_id"]
    assert rule.action == "tokenize"


def test_a_file_with_headers_and_no_rows_is_protected_on_its_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.csv").write_text("name,phone,customer_id,amount\n", encoding="utf-8")
    draft = tmp_path / "policy.yaml"
    assert run(["scan", str(tmp_path / "empty.csv"), "--draft-policy", str(draft), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    columns = {c["name"]: c for c in doc["tables"][0]["columns"]}
    assert columns["name"]["entity"] == "PERSON_NAME" and NO_VALUES in columns["name"]["evidence"]
    assert columns["amount"]["entity"] is None
    text = draft.read_text(encoding="utf-8")
    policy = yaml.safe_load(text)["columns"]
    assert policy["name"] == "drop" or policy["name"]["action"] == "drop"
    assert policy["phone"]["action"] == "tokenize" and policy["customer_id"]["action"] == "tokenize"
    assert policy["amount"] == "keep"
    assert "no values to check" in text


def test_a_folder_gets_one_drafted_policy_per_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    pl.DataFrame({"phone": ["13812345678"] * 3 + ["13912345678"] * 3, "n": range(6)}).write_csv(
        data / "a.csv"
    )
    pl.DataFrame({"email": [f"u{i}@example.com" for i in range(6)]}).write_csv(data / "b.csv")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    assert run(["scan", str(data), "--draft-policy", str(drafts), "--json"]) == 0
    capsys.readouterr()
    written = sorted(p.name for p in drafts.iterdir())
    assert written == ["a.yaml", "b.yaml"]  # by table name: what protect --policy FOLDER looks for
    a = parse_policy((drafts / "a.yaml").read_text(encoding="utf-8"))
    b = parse_policy((drafts / "b.yaml").read_text(encoding="utf-8"))
    assert set(a.columns) == {"phone", "n"} and set(b.columns) == {"email"}
    # The folder of drafts protects the folder of tables, each table by its own policy.
    ws, out = tmp_path / "ws", tmp_path / "protected"
    assert run(["init", str(ws)]) == 0
    argv = [
        "-w",
        str(ws),
        "protect",
        str(data),
        "--policy",
        str(drafts),
        "-o",
        str(out),
        "--recipient",
        "acme",
    ]
    assert run([*argv, "--json"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["a.parquet", "b.parquet"]
    emails = pl.read_parquet(out / "b.parquet")["email"]
    assert not emails.str.contains("@example.com$").fill_null(False).any()
    # A single file path for several tables is refused before the scan, and nothing is written.
    assert run(["scan", str(data), "--draft-policy", str(tmp_path / "one.yaml")]) == 2
    assert "needs an existing folder" in capsys.readouterr().err
    assert not (tmp_path / "one.yaml").exists()
    # An existing draft is not replaced without --force.
    assert run(["scan", str(data), "--draft-policy", str(drafts)]) == 2
