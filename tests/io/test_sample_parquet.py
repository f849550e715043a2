"""Sampling a large Parquet file reads windows spread over it, not the whole file."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ringfence.io import read
from ringfence.io.read import compact, draw_sample, open_source, sample_windows

ROWS = 120_000


@pytest.fixture
def big_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 120,000-row payments table that counts as "large" (the threshold is lowered for the test)."""
    monkeypatch.setattr(read, "PARQUET_WINDOWED_SAMPLE_ROWS", 20_000)
    rng = np.random.default_rng(5)
    frame = pl.DataFrame(
        {
            "row": np.arange(ROWS, dtype=np.int64),
            "phone": [f"13{d:09d}" for d in rng.integers(0, 10**9, ROWS)],
            "amount": rng.lognormal(4, 1, ROWS).round(2),
        }
    )
    path = tmp_path / "transactions.parquet"
    frame.write_parquet(path, row_group_size=10_000)
    return path


def test_large_parquet_sample_covers_every_part_of_the_file(big_parquet: Path) -> None:
    source = open_source(big_parquet)

    sample = source.sample(2_000, seed=3)

    assert sample.height == 2_000
    rows = sample["row"]
    assert rows.is_sorted() and rows.n_unique() == 2_000
    strata = (rows // (ROWS // read.PARQUET_SAMPLE_WINDOWS)).unique()
    assert strata.len() == read.PARQUET_SAMPLE_WINDOWS  # every 32nd of the file is represented


def test_large_parquet_sample_is_repeatable_and_follows_the_seed(big_parquet: Path) -> None:
    source = open_source(big_parquet)

    first, again, other = source.sample(500, seed=1), source.sample(500, seed=1), source.sample(500, seed=2)

    assert_frame_equal(first, again)
    assert set(first["row"]) != set(other["row"])


def test_sample_windows_stay_inside_their_strata() -> None:
    total, n = 100_000_000, 10_000
    windows = sample_windows(total, n, seed=0)
    stratum = total // len(windows)

    assert len(windows) == read.PARQUET_SAMPLE_WINDOWS
    assert sum(length for _, length in windows) >= 2 * n
    for index, (offset, length) in enumerate(windows):
        assert index * stratum <= offset and offset + length <= (index + 1) * stratum


def test_compact_keeps_every_type_and_value() -> None:
    frame = pl.DataFrame(
        {
            "name": ["张伟", None],
            "channel": pl.Series(["app", "pos"], dtype=pl.Categorical),
            "status": pl.Series(["ok", "fail"], dtype=pl.Enum(["ok", "fail"])),
            "born": [dt.date(1990, 1, 1), None],
            "ts": [dt.datetime(2025, 1, 1, tzinfo=dt.UTC)] * 2,
            "amount": [decimal.Decimal("12.30"), None],
            "tags": [[1, 2], [3]],
            "raw": [b"\x00\xff", b""],
            "big": pl.Series([2**70, -1], dtype=pl.Int128),
        }
    )

    assert_frame_equal(compact(frame), frame)


def test_sampler_does_not_keep_the_batches_it_read() -> None:
    """The kept rows own their strings: the sample's size does not grow with the batches read."""
    batch = pl.DataFrame({"memo": [f"payment memo {i:08d} " * 4 for i in range(50_000)]})
    frames = (batch.with_columns(pl.col("memo") + str(i)) for i in range(20))

    sample = draw_sample(frames, 100, seed=0)

    assert sample is not None and sample.height == 100
    memo = sample.get_column("memo").to_arrow(compat_level=pl.CompatLevel.newest())
    assert memo.get_total_buffer_size() < 100_000  # 20 batches of 50,000 memos hold 90 MB


def test_large_parquet_sample_never_reads_the_whole_file(
    big_parquet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def whole_file(*args: object) -> None:
        raise AssertionError("the sampler read the whole file")

    monkeypatch.setattr(read.ParquetTable, "batches", whole_file)

    assert open_source(big_parquet).sample(1_000, seed=0).height == 1_000


def _rows_file(path: Path, rows: int, row_group_size: int) -> Path:
    pl.DataFrame({"row": np.arange(rows, dtype=np.int64)}).write_parquet(path, row_group_size=row_group_size)
    return path


@pytest.mark.parametrize(
    ("rows", "n", "row_group_size"),
    [
        (20_001, 1_000, 20_001),  # one row just above the threshold, one row group
        (20_001, 5_000, 7),  # 4n above the rows: read whole, many tiny row groups
        (20_033, 1, 1_000),  # one row wanted: 32 windows of one row
        (64_000, 2_000, 3),  # thousands of three-row groups
    ],
)
def test_windowed_and_whole_samples_hold_distinct_real_rows_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, n: int, row_group_size: int
) -> None:
    monkeypatch.setattr(read, "PARQUET_WINDOWED_SAMPLE_ROWS", 20_000)
    source = open_source(_rows_file(tmp_path / "t.parquet", rows, row_group_size))

    sample = source.sample(n, seed=9)

    assert sample.height == n and sample.columns == ["row"]
    assert sample["row"].is_sorted() and sample["row"].n_unique() == n
    assert sample["row"].min() >= 0 and sample["row"].max() < rows  # type: ignore[operator]
    assert_frame_equal(sample, open_source(tmp_path / "t.parquet").sample(n, seed=9))


def test_small_and_empty_files_give_every_row_or_an_empty_frame(tmp_path: Path) -> None:
    small = open_source(_rows_file(tmp_path / "small.parquet", 37, 5))
    assert small.sample(10_000, seed=0)["row"].to_list() == list(range(37))
    empty = pl.DataFrame({"row": pl.Series([], dtype=pl.Int64), "phone": pl.Series([], dtype=pl.String)})
    empty.write_parquet(tmp_path / "empty.parquet")
    drawn = open_source(tmp_path / "empty.parquet").sample(100, seed=0)
    assert drawn.height == 0 and drawn.schema == empty.schema


def test_a_parquet_file_whose_name_looks_like_a_pattern_is_sampled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read, "PARQUET_WINDOWED_SAMPLE_ROWS", 20_000)
    source = open_source(_rows_file(tmp_path / "settlement[2026-11].parquet", 100_000, 10_000))

    assert source.sample(1_000, seed=0).height == 1_000
