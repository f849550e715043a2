"""Inputs cannot ask for memory out of proportion to their size (audit, issue 9): an .xlsx whose parts
expand far beyond its size is refused before parsing, and a wide sheet is read in batches of bounded
cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ringfence.errors import InputError
from ringfence.io import excelfile
from ringfence.io.read import open_source

openpyxl = pytest.importorskip("openpyxl")


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_an_xlsx_expanding_far_beyond_its_size_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "bomb.xlsx", [["phone"], ["13812345678"]])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * (80 << 20))
    assert path.stat().st_size < 1 << 20
    with pytest.raises(InputError, match="expands to"):
        open_source(path).schema()


def test_a_wide_sheet_is_read_in_bounded_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excelfile, "CHUNK_CELLS", 3_000)
    rows: list[list[object]] = [["id", "note"]] + [[str(i), "x"] for i in range(40)]
    path = _workbook(tmp_path / "wide.xlsx", rows)
    book = openpyxl.load_workbook(path)
    book.active.cell(row=45, column=1000, value="far right")
    book.save(path)
    heights = [batch.height for batch in open_source(path).batches(10_000)]
    assert max(heights) <= 3  # 3,000 cells / 1,000 columns
    assert sum(heights) == 41


_PEAK = """
import re, sys
from pathlib import Path
from ringfence.io import read
from ringfence.io.read import open_source

def peak():  # the resident high-water mark of this process image (ru_maxrss survives exec)
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) << 10

source = open_source(sys.argv[1])
source.schema()
before = peak()
read.PARQUET_STREAM_BYTES, read.PARQUET_BATCH_BYTES = 32 << 20, 8 << 20
rows = sum(batch.height for batch in source.batches())
print(rows, peak() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc")
def test_a_parquet_file_expanding_a_thousandfold_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """One long text repeated compresses ~500x under zstd: a 4.7 MB file asked for 2.5 GB when each row
    group was decoded whole. Row groups declaring more than PARQUET_STREAM_BYTES are streamed page by page
    in batches of about PARQUET_BATCH_BYTES (here 32 MiB and 8 MiB, for a row group of 150 MB)."""
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "expands.parquet"
    table = pa.table({"note": pa.array(["y" * 1500] * 100_000)})
    with pq.ParquetWriter(path, table.schema, use_dictionary=False, compression="zstd") as writer:
        writer.write_table(table)
        writer.write_table(table)
    del table
    group = pq.read_metadata(path).row_group(0).total_byte_size
    assert group > 400 * path.stat().st_size / 2  # each row group expands over 400 times
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, timeout=300, check=True
    )
    rows, grown = (int(x) for x in done.stdout.split())
    assert rows == 200_000
    assert grown < group  # was over twice the row group (310 MB for 150 MB), now a few batches
    batches = list(open_source(path).batches(1_000))
    assert sum(b.height for b in batches) == 200_000 and batches[0]["note"][0] == "y" * 1500


def test_output_chunks_of_wide_rows_are_bounded_in_bytes_and_cut_the_same_way_however_read() -> None:
    """The runner writes fixed chunks of rows; rows of a few KB each would make a 262,144-row chunk over
    a GB, so a chunk is also cut before it passes OUTPUT_CHUNK_BYTES, at points that depend on the rows
    only (the output's bytes stay independent of the input's batches)."""
    import polars as pl

    from ringfence.pipeline.stream import rechunk, row_bytes

    frame = pl.DataFrame({"note": ["x" * (i % 97) * 40 for i in range(20_000)], "n": list(range(20_000))})
    limit = 1 << 20

    def chunks(batch: int) -> list[pl.DataFrame]:
        batches = (frame.slice(offset, batch) for offset in range(0, frame.height, batch))
        return list(rechunk(batches, rows=8_000, max_bytes=limit))

    cut = chunks(20_000)
    assert pl.concat(cut).equals(frame)
    assert all(int(row_bytes(c).sum()) <= limit for c in cut) and len(cut) > frame.height // 8_000 + 1
    for batch in (1, 777, 8_000):
        assert [c.height for c in chunks(batch)] == [c.height for c in cut]
    narrow = frame.select("n")
    assert [c.height for c in rechunk(iter([narrow]), rows=8_000, max_bytes=limit)] == [8_000, 8_000, 4_000]
