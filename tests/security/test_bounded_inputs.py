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
