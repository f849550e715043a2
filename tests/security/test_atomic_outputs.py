"""Atomic outputs (audit, issue 9): two runs writing one output keep each other's temporary files, a
bracketed name sweeps only its own, and a folder the writer may not write in is an OutputError."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import OutputError
from ringfence.io.atomic import TMP_MARK, atomic_path
from ringfence.io.write import write_table


def test_two_writers_of_one_output_keep_each_others_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with atomic_path(out) as first:
        assert first.exists()
        write_table(pl.DataFrame({"a": [1]}), out)  # a second run writing the same output meanwhile
        assert first.exists()
        first.write_text("a\n2\n", encoding="utf-8")
    assert out.read_text(encoding="utf-8") == "a\n2\n"


def test_a_bracketed_output_name_sweeps_only_its_own_leftovers(tmp_path: Path) -> None:
    other = tmp_path / f".out1.csv{TMP_MARK}99999-0badcafe"
    other.write_text("another output's leftover", encoding="utf-8")
    mine = tmp_path / f".out[1].csv{TMP_MARK}99999-0badcafe"
    mine.write_text("left by a killed run", encoding="utf-8")
    write_table(pl.DataFrame({"a": [1]}), tmp_path / "out[1].csv")
    assert other.exists()
    assert not mine.exists()


_NO_WRITE = Path("/sys/kernel")  # a folder even root may not create files in


def _refused() -> bool:
    try:
        os.close(os.open(_NO_WRITE / ".probe", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except PermissionError:
        return True
    except OSError:
        return False
    os.unlink(_NO_WRITE / ".probe")
    return False


@pytest.mark.skipif(not _refused(), reason="needs a folder that refuses new files")
def test_a_folder_the_writer_may_not_write_in_is_an_output_error(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1]})
    for name in ("o.csv", "o.parquet"):
        with pytest.raises(OutputError, match="no permission"):
            write_table(frame, _NO_WRITE / name)


@pytest.mark.skipif(not _refused(), reason="needs a folder that refuses new files")
def test_protect_into_a_folder_it_may_not_write_in_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.helpers import run_cli

    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    data = tmp_path / "in.csv"
    pl.DataFrame({"a": ["1"]}).write_csv(data)
    policy = tmp_path / "p.yaml"
    policy.write_text("ringfence_policy: 1\nname: p\nunlisted: keep\n", encoding="utf-8")
    for name in ("o.csv", "o.parquet"):
        code, out, err = run_cli(
            capsys, "-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(_NO_WRITE / name)
        )
        assert code == 2 and out == ""
        assert (
            err.strip()
            == f"ringfence: error: cannot write {_NO_WRITE / name}: no permission to write in {_NO_WRITE}"
        )
