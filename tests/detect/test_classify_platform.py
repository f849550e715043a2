"""The classifier against the synthetic platform's ground truth, in every locale and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from ringfence.cli.app import run
from ringfence.detect import entities
from ringfence.detect.classify import GATES, classify_frame
from ringfence.synth import SynthConfig, column_entities, generate_platform, write_platform

PERSON_TABLES = ("customers", "accounts", "transactions")


@pytest.fixture(scope="module", params=["cn", "kr", "mixed"])
def platform(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    locale = request.param
    return locale, generate_platform(
        SynthConfig(customers=3_000, transactions=20_000, seed=11, locale=locale)
    )


def _frames(platform_obj) -> dict[str, pl.DataFrame]:  # type: ignore[no-untyped-def]
    return {
        "customers": platform_obj.customers,
        "accounts": platform_obj.accounts,
        "transactions": pl.concat(list(platform_obj.transactions())),
    }


def test_every_column_of_the_platform_is_classified_as_labelled(platform) -> None:  # type: ignore[no-untyped-def]
    locale, generated = platform
    truth = column_entities(locale)
    wrong = []
    for table, frame in _frames(generated).items():
        for finding in classify_frame(frame.sample(min(frame.height, 10_000), seed=1)):
            expected = truth[table][finding.name]
            if finding.entity != expected:
                wrong.append(f"{table}.{finding.name}: expected {expected}, got {finding.entity}")
    assert wrong == []


def test_decoys_are_not_personal_data(platform) -> None:  # type: ignore[no-untyped-def]
    _, generated = platform
    tx = pl.concat(list(generated.transactions()))
    found = {f.name: f.entity for f in classify_frame(tx)}
    # 19-digit date-prefixed order numbers, 15-digit merchant numbers, amounts and timestamps.
    for decoy in ("txn_id", "merchant_id", "amount", "ts"):
        assert found[decoy] is None, decoy
    # The platform's own keys of a person are not decoys: they single a person out (issue 14).
    assert found["customer_id"] == found["account_id"] == "INTERNAL_ID"


def test_free_text_memos_name_what_they_contain(platform) -> None:  # type: ignore[no-untyped-def]
    _, generated = platform
    tx = pl.concat(list(generated.transactions()))
    memo = next(f for f in classify_frame(tx) if f.name == "memo")
    assert memo.entity == "FREE_TEXT_PII"
    assert "PHONE_NUMBER" in memo.contains
    assert 0.005 < memo.hit_rate < 0.2  # a few memos, not most, carry personal data


def test_gates_never_reject_a_valid_value(platform) -> None:  # type: ignore[no-untyped-def]
    locale, generated = platform
    truth = column_entities(locale)
    for table, frame in _frames(generated).items():
        for column, entity in truth[table].items():
            if entity is None or entity == "FREE_TEXT_PII":
                continue
            values = frame.select(pl.col(column).cast(pl.String).alias("v"))
            valid = values.filter(entities.get(entity).valid_expr(pl.col("v")).fill_null(False))
            gated = valid.filter(pl.col("v").str.contains(GATES[entity]))
            assert gated.height == valid.height, f"{table}.{column}: the {entity} gate drops valid values"


def test_masked_examples_never_show_a_whole_value() -> None:
    generated = generate_platform(SynthConfig(customers=500, transactions=1_000, seed=3))
    frame = generated.customers
    for finding in classify_frame(frame):
        values = set(frame.get_column(finding.name).cast(pl.String).drop_nulls().to_list())
        for example in finding.examples:
            assert example not in values
            assert "•" in example


def test_scan_cli_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generated = generate_platform(SynthConfig(customers=2_000, transactions=5_000, seed=5, locale="cn"))
    write_platform(generated, tmp_path, format="csv")
    code = run(["scan", str(tmp_path / "customers.csv"), str(tmp_path / "accounts.csv"), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [t["source"] for t in doc["tables"]] == ["customers.csv", "accounts.csv"]
    customers = doc["tables"][0]
    assert customers["rows"] == 2_000 and customers["sampled_rows"] == 2_000
    by_name = {c["name"]: c for c in customers["columns"]}
    phone = by_name["phone"]
    assert phone["entity"] == "PHONE_NUMBER" and phone["country"] == "CN"
    assert 0.9 <= phone["confidence"] <= 1.0 and phone["hit_rate"] > 0.95
    assert set(phone["evidence"]) == {"values", "header"}
    assert by_name["customer_id"]["entity"] == "INTERNAL_ID"
    assert set(by_name["customer_id"]["evidence"]) == {"values", "header"}
    assert by_name["national_id"]["entity"] == "CN_RESIDENT_ID"
    # Nothing in the JSON is a raw value of the table.
    raw = set(generated.customers.get_column("phone").to_list())
    assert not any(value in json.dumps(doc, ensure_ascii=False) for value in list(raw)[:200])


def test_scan_full_validates_every_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generated = generate_platform(SynthConfig(customers=3_000, transactions=1_000, seed=5, locale="kr"))
    write_platform(generated, tmp_path)
    code = run(["scan", str(tmp_path / "customers.parquet"), "--full", "--sample-rows", "500", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    table = doc["tables"][0]
    assert table["sampled_rows"] == 500
    rrn = next(c for c in table["columns"] if c["name"] == "national_id")
    assert rrn["entity"] == "KR_RRN" and "full" in rrn["evidence"] and rrn["hit_rate"] > 0.99


def test_full_validation_checks_single_coordinates_by_range(tmp_path: Path) -> None:
    from ringfence.detect.scan import scan

    generated = generate_platform(SynthConfig(customers=1_000, transactions=3_000, seed=9))
    write_platform(generated, tmp_path)
    table = scan([tmp_path / "transactions.parquet"], full=True).tables[0]
    by_name = {c.name: c for c in table.columns}
    assert by_name["lat"].entity == "GEO_COORDINATE" and by_name["lat"].hit_rate > 0.99
    assert by_name["lon"].entity == "GEO_COORDINATE" and by_name["lon"].hit_rate > 0.99


def test_a_national_id_column_of_both_countries_lists_the_minority(platform) -> None:  # type: ignore[no-untyped-def]
    """Chinese and Korean customers in one table: the column is typed by the majority, and the share of
    Korean RRNs is reported beside it instead of showing as a low hit rate."""
    locale, generated = platform
    customers = generated.customers
    (finding,) = [f for f in classify_frame(customers) if f.name == "national_id"]
    kr_share = float((customers["country"] == "KR").mean())
    if locale != "mixed":
        assert finding.also == [] and "also" not in finding.to_json()
        return
    other = "KR_RRN" if finding.entity == "CN_RESIDENT_ID" else "CN_RESIDENT_ID"
    (also,) = finding.to_json()["also"]
    assert also["entity"] == other and "mixed" in finding.evidence
    minority = kr_share if other == "KR_RRN" else 1 - kr_share
    assert abs(also["hit_rate"] - minority) < 0.03
    assert finding.hit_rate + also["hit_rate"] > 0.97


def test_the_birth_date_gate_lets_every_accepted_writing_through() -> None:
    writings = [
        "1990-01-31", "1990/1/31", "1990.01.31", "1990. 1. 31.", "1990年1月31日", "1990년 1월 31일",
        "19900131", "31/01/1990", "01/31/1990", "1990-01-31 00:00:00", "1990-01-31T00:00:00.000+08:00",
        "1990-01-31T00:00:00Z", "1990-01-31 00:00:00 UTC", "１９９０－０１－３１", "1990／01／31",
    ]  # fmt: skip
    dob = entities.get("DATE_OF_BIRTH")
    assert all(dob.is_valid(w) for w in writings)
    gated = pl.Series(writings).str.contains(GATES["DATE_OF_BIRTH"])
    assert gated.to_list() == [True] * len(writings)


@pytest.mark.parametrize("kr_share", [0.44, 0.5, 0.56])
def test_a_balanced_mixed_id_column_without_a_header_is_still_found(kr_share: float) -> None:
    """Neither country's IDs reach the bar alone; together they are the whole column."""
    customers = generate_platform(
        SynthConfig(customers=4_000, transactions=10, seed=3, locale="mixed")
    ).customers
    kr = customers.filter(pl.col("country") == "KR")["national_id"]
    cn = customers.filter(pl.col("country") == "CN")["national_id"]
    n_kr = int(1_000 * kr_share)
    column = pl.concat([cn.head(1_000 - n_kr), kr.head(n_kr)]).shuffle(seed=1).alias("col7")
    (finding,) = classify_frame(column.to_frame())
    assert finding.entity in ("CN_RESIDENT_ID", "KR_RRN")
    assert finding.hit_rate + finding.also[0]["hit_rate"] > 0.97
    assert finding.entity == ("KR_RRN" if kr_share > 0.5 else "CN_RESIDENT_ID") or kr_share == 0.5
