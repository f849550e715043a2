"""Paths a user takes that no other test ran, through the command line: ``scan --report`` writes its page,
``synth`` honours ``--seed`` and ``--locale``, ``protect`` reads CSV, Excel and GB18030 text the same as
Parquet, and the tables people read name what was found and done."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from tests.cli.helpers import run_cli

POLICY = (
    "ringfence_policy: 1\nname: formats\nunlisted: fail\ncolumns:\n  customer_id: keep\n  name: drop\n"
    "  phone: {action: tokenize, scope: global, entity: PHONE_NUMBER}\n"
    "  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}\n"
    "  city: keep\n"
)
COLUMNS = ["customer_id", "name", "phone", "national_id", "city"]


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    made = generate_platform(SynthConfig(customers=600, transactions=10, seed=31)).customers
    return made.select(COLUMNS)


@pytest.fixture
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run_cli(capsys, "init", str(tmp_path / "ws"))[0] == 0
    return tmp_path / "ws"


def test_scan_report_writes_the_inventory_page(
    customers: pl.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, page = tmp_path / "customers.parquet", tmp_path / "inventory.html"
    customers.write_parquet(table)
    code, out, err = run_cli(capsys, "scan", str(table), "--report", str(page))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "customers.parquet" in html
    for entity in ("PHONE_NUMBER", "CN_RESIDENT_ID", "PERSON_NAME"):
        assert entity in html
    assert f"Report: {page}" in out
    # The table people read: each column with what was found in it.
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") > 3}
    assert "PHONE_NUMBER" in rows["phone"] and "PERSON_NAME" in rows["name"]
    assert "INTERNAL_ID" in rows["customer_id"]  # the platform's own key singles a person out


def test_synth_honours_seed_and_locale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def made(name: str, *argv: str) -> pl.DataFrame:
        folder = tmp_path / name
        code, _, err = run_cli(
            capsys, "synth", "--out", str(folder), "--customers", "300", "--transactions", "100", *argv
        )
        assert code == 0, err
        return pl.read_parquet(folder / "customers.parquet")

    one, again, other = made("a", "--seed", "1"), made("b", "--seed", "1"), made("c", "--seed", "2")
    assert one.equals(again)
    assert not one.equals(other) and set(one["phone"]).isdisjoint(set(other["phone"]))
    cn, kr, mixed = (
        made("cn", "--locale", "cn"),
        made("kr", "--locale", "kr"),
        made("mx", "--locale", "mixed"),
    )
    # CN resident IDs (18 characters, or the old 15-digit form), KR RRNs (13 digits, dashed or not).
    assert set(cn["country"]) == {"CN"} and cn["national_id"].str.contains(r"^(\d{17}[\dX]|\d{15})$").all()
    assert set(kr["country"]) == {"KR"} and kr["national_id"].str.contains(r"^\d{6}-?\d{7}$").all()
    assert set(mixed["country"]) == {"CN", "KR"}


def _xlsx(frame: pl.DataFrame, path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    book.save(path)
    return path


def test_protect_reads_csv_excel_and_gb18030_as_it_reads_parquet(
    customers: pl.DataFrame, ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    parquet = tmp_path / "customers.parquet"
    customers.write_parquet(parquet)
    csv = tmp_path / "customers.csv"
    customers.write_csv(csv)
    gb = tmp_path / "customers_gb.csv"
    gb.write_bytes(customers.write_csv().encode("gb18030"))
    assert customers["name"].str.contains(r"\p{Han}").any()  # the GB18030 file holds Chinese names
    inputs = {"parquet": parquet, "csv": csv, "gb18030": gb, "excel": _xlsx(customers, tmp_path / "c.xlsx")}
    outputs = {}
    for kind, path in inputs.items():
        out = tmp_path / f"out-{kind}.parquet"
        code, stdout, err = run_cli(
            capsys, "-w", str(ws), "protect", str(path), "-p", str(policy), "-o", str(out), "--json"
        )
        assert code == 0, (kind, err)
        assert json.loads(stdout)["rows_out"] == customers.height
        outputs[kind] = pl.read_parquet(out)
    for kind, frame in outputs.items():
        assert frame["phone"].to_list() == outputs["parquet"]["phone"].to_list(), kind
        assert frame["city"].to_list() == customers["city"].to_list(), kind
        years = frame["national_id_birth_year"].cast(pl.Int64).to_list()
        assert years == outputs["parquet"]["national_id_birth_year"].cast(pl.Int64).to_list(), kind


def test_protect_tells_people_what_it_did_per_column(
    customers: pl.DataFrame, ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy, table, out = tmp_path / "p.yaml", tmp_path / "customers.parquet", tmp_path / "out.parquet"
    policy.write_text(POLICY, encoding="utf-8")
    customers.write_parquet(table)
    code, stdout, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(policy), "-o", str(out)
    )
    assert code == 0, err
    assert f"customers.parquet → {out}: 600 rows" in stdout
    rows = {line.split("│")[1].strip(): line for line in stdout.splitlines() if line.count("│") > 3}
    assert "tokenize" in rows["phone"] and "drop" in rows["name"] and "—" in rows["name"]
    assert "national_id_birth_year" in rows["national_id"] and "derive" in rows["national_id"]
    assert stdout.rstrip().splitlines()[-1].startswith("policy formats sha256:")
