"""Writers: spreadsheet-safe CSV, and outputs that appear whole or not at all."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ringfence.errors import OutputError
from ringfence.io.atomic import TMP_MARK
from ringfence.io.read import read_table
from ringfence.io.write import write_table

from .conftest import customers


class Boom(RuntimeError):
    pass


def _failing_batches(frame: pl.DataFrame, fail_at: int = 3) -> Iterator[pl.DataFrame]:
    """Yields slices of ``frame`` and raises when asked for batch number ``fail_at`` (1-based)."""
    for number, offset in enumerate(range(0, frame.height, 10), start=1):
        if number == fail_at:
            raise Boom("upstream failure")
        yield frame.slice(offset, 10)


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if TMP_MARK in path.name)


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_formulas_are_neutralised_and_numbers_and_phones_are_not(tmp_path: Path, fmt: str) -> None:
    cells = [
        "=cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "+A1",
        "-2+3+cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "-12.50",
        "+86 138 1234 5678",
        "010-9876-5432",
        "张伟",
        "plain = text",
    ]
    frame = pl.DataFrame({"id": [f"{i:03d}" for i in range(len(cells))], "cell": cells})
    path = tmp_path / f"out.{fmt}"

    write_table(frame, path)
    with open(path, encoding="utf-8", newline="") as fh:
        written = [row[1] for row in csv.reader(fh, delimiter="\t" if fmt == "tsv" else ",")][1:]

    assert written[:6] == ["'" + cell for cell in cells[:6]]
    assert written[6:] == cells[6:]
    assert read_table(path)["cell"].to_list() == cells  # our reader undoes the neutralisation


def test_jsonl_and_parquet_keep_formula_text_verbatim(tmp_path: Path) -> None:
    frame = pl.DataFrame({"cell": ["=1+1", "@x", "-12.50"]})
    for name in ("out.jsonl", "out.parquet"):
        write_table(frame, tmp_path / name)
        assert_frame_equal(read_table(tmp_path / name), frame)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "tsv", "jsonl"])
def test_a_writer_failing_halfway_leaves_nothing_at_the_path(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"out.{fmt}"

    with pytest.raises(Boom):
        write_table(_failing_batches(customers(100)), path)

    assert not path.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_a_writer_failing_halfway_leaves_an_existing_file_unchanged(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"out.{fmt}"
    write_table(customers(5), path)
    before = path.read_bytes()

    with pytest.raises(Boom):
        write_table(_failing_batches(customers(100)), path)

    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_batches_are_streamed_into_one_file(tmp_path: Path) -> None:
    rows = customers(95)
    path = tmp_path / "out.csv"

    result = write_table((rows.slice(offset, 10) for offset in range(0, 95, 10)), path)

    assert (result.rows, result.columns) == (95, rows.columns)
    assert_frame_equal(read_table(path), rows)


def test_a_stale_temporary_file_is_swept_by_the_next_write(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    stale = tmp_path / f".out.parquet{TMP_MARK}12345-deadbeef"
    stale.write_bytes(b"half a file from a killed run")
    unrelated = tmp_path / f".other.csv{TMP_MARK}1-00000000"
    unrelated.write_bytes(b"another output's temp file")

    write_table(customers(3), path)

    assert not stale.exists()
    assert unrelated.exists()
    assert_frame_equal(read_table(path), customers(3))


def test_overwrite_false_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_table(customers(2), path)
    before = path.read_bytes()

    with pytest.raises(OutputError, match="exists"):
        write_table(customers(4), path, overwrite=False)

    assert path.read_bytes() == before


def test_an_output_into_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_table(customers(2), tmp_path / "nope" / "out.csv")


def test_nothing_to_write_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"

    with pytest.raises(OutputError, match="no batches"):
        write_table(iter([]), path)

    assert not path.exists() and _leftovers(tmp_path) == []


def test_a_written_file_is_complete_on_disk_before_it_appears(tmp_path: Path) -> None:
    """The destination is created by a rename: its inode is the temporary file's, never truncated."""
    path = tmp_path / "out.parquet"
    write_table(customers(10), path)
    first_inode = os.stat(path).st_ino

    write_table(customers(20), path)

    assert os.stat(path).st_ino != first_inode
    assert read_table(path).height == 20


def test_parquet_dictionaries_and_statistics_go_where_they_pay(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    rows = 5_000
    frame = pl.DataFrame(
        {
            "token": [f"rt1_0000abcd_{i:026d}" for i in range(rows)],
            "status": ["success", "failed", "refunded", "pending"] * (rows // 4),
            "amount": [float(i) for i in range(rows)],
        }
    )
    path = tmp_path / "out.parquet"
    write_table((frame.slice(o, 1_000) for o in range(0, rows, 1_000)), path)

    assert_frame_equal(read_table(path), frame)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 5
    chunks = {meta.schema.column(i).name: meta.row_group(0).column(i) for i in range(3)}
    assert chunks["status"].has_dictionary_page and not chunks["token"].has_dictionary_page
    assert chunks["token"].statistics is None
    assert chunks["status"].statistics.min == "failed"
    assert chunks["amount"].statistics.max == 999.0
