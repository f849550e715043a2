"""The runner's seams: a gate can refuse after the last batch and nothing appears; the before_publish hook
runs after the gates and before the output exists; taps see exactly what is written; a failed publish asks
the hook to withdraw. On a realistic transactions table, to files and to a database table."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import CheckFailed, WorkspaceError
from ringfence.io.read import open_source
from ringfence.pipeline import commit as commit_module
from ringfence.pipeline.commit import Commit, Refused, Staged
from ringfence.pipeline.runner import RowCount, Runner
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform


@pytest.fixture(scope="module")
def transactions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("platform")
    platform = generate_platform(SynthConfig(customers=300, transactions=6_000, seed=11))
    path = folder / "transactions.parquet"
    pl.concat(list(platform.transactions())).write_parquet(path)
    return path


class Amounts:
    """A step: amounts rounded to whole units (a stand-in for the plan)."""

    name = "round amounts"

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        return batch.with_columns(pl.col("amount").round(0))


class Collect:
    """A tap that keeps what it saw."""

    def __init__(self) -> None:
        self.chunks: list[pl.DataFrame] = []

    def observe(self, chunk: pl.DataFrame) -> None:
        self.chunks.append(chunk)


class AtMost:
    """A gate: refuses when more rows were written than allowed (read from a tap after the last batch)."""

    name = "row limit"

    def __init__(self, counter: RowCount, limit: int) -> None:
        self.counter, self.limit, self.asked = counter, limit, 0

    def check(self) -> list[str]:
        self.asked += 1
        if self.counter.rows > self.limit:
            return [f"{self.counter.rows} rows written, at most {self.limit} allowed"]
        return []


class Hook:
    """A before_publish hook that records what it saw, and whether the output existed then."""

    def __init__(self, output: Path | None = None, fail: bool = False) -> None:
        self.output, self.fail = output, fail
        self.seen: list[Staged] = []
        self.digests: list[str | None] = []
        self.output_existed: list[bool] = []
        self.withdrawn = 0

    def before_publish(self, staged: Staged) -> None:
        self.seen.append(staged)
        self.digests.append(staged.sha256())
        if self.output is not None:
            self.output_existed.append(self.output.exists())
        if self.fail:
            raise WorkspaceError("the ledger is not reachable")

    def withdraw(self) -> str:
        self.withdrawn += 1
        return "the entry was withdrawn"


def _left_behind(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_gate_refuses_after_the_last_batch_and_nothing_appears(transactions: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    counter = RowCount()
    gate = AtMost(counter, 5_999)
    hook = Hook(out)
    runner = Runner(
        open_source(transactions),
        [Amounts()],
        Commit(out, gates=[gate], publication=hook),
        taps=[counter],
        batch_rows=1_000,
        verb="release",
    )
    with pytest.raises(Refused) as info:
        runner.run()
    assert isinstance(info.value, CheckFailed) and info.value.exit_code == 1
    assert info.value.reasons == ["6000 rows written, at most 5999 allowed"]
    assert gate.asked == 1 and counter.rows == 6_000  # asked once, after every row was written
    assert hook.seen == []  # the hook never ran
    assert not out.exists() and _left_behind(tmp_path) == []


def test_the_hook_runs_after_the_gates_and_before_the_output_exists(
    transactions: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.parquet"
    counter, seen = RowCount(), Collect()
    hook = Hook(out)
    result = Runner(
        open_source(transactions),
        [Amounts()],
        Commit(out, overwrite=False, gates=[AtMost(counter, 6_000)], publication=hook),
        taps=[counter, seen],
        batch_rows=700,
    ).run()
    assert result.rows_in == 6_000 and result.written.rows == 6_000
    assert hook.output_existed == [False] and out.exists()
    (staged,) = hook.seen
    assert staged.rows == 6_000 and staged.path is not None
    assert hook.digests == [hashlib.sha256(out.read_bytes()).hexdigest()]  # the hook saw the final bytes
    written = pl.read_parquet(out)
    assert written.equals(pl.concat(seen.chunks))  # the taps saw exactly what was written
    original = pl.read_parquet(transactions)
    assert written["amount"].equals(original["amount"].round(0))
    assert _left_behind(tmp_path) == []


def test_a_failing_hook_leaves_nothing(transactions: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(WorkspaceError, match="not reachable"):
        Runner(open_source(transactions), [Amounts()], Commit(out, publication=Hook(fail=True))).run()
    assert not out.exists() and _left_behind(tmp_path) == []


def test_a_failed_publish_asks_the_hook_to_withdraw(
    transactions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(commit_module, "place", full)
    out = tmp_path / "out.parquet"
    hook = Hook(out)
    with pytest.raises(Exception, match="withdrawn") as info:
        Runner(open_source(transactions), [Amounts()], Commit(out, publication=hook)).run()
    assert "cannot write" in str(info.value) and hook.withdrawn == 1
    assert not out.exists() and _left_behind(tmp_path) == []


def test_a_gate_refusing_a_database_output_leaves_the_table_as_it_was(
    transactions: Path, tmp_path: Path
) -> None:
    db = tmp_path / "warehouse.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE released (txn_id TEXT, amount REAL)")
        conn.execute("INSERT INTO released VALUES ('t-1', 1.5)")
    uri = f"sqlite:///{db}?table=released"
    counter = RowCount()
    hook = Hook()
    with pytest.raises(Refused):
        Runner(
            open_source(transactions),
            [Amounts()],
            Commit(uri, gates=[AtMost(counter, 100)], publication=hook),
            taps=[counter],
        ).run()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT txn_id, amount FROM released").fetchall() == [("t-1", 1.5)]
    assert hook.seen == []
    # and with the gate passing, the table is replaced whole, after the hook ran
    Runner(
        open_source(transactions),
        [Amounts()],
        Commit(uri, gates=[AtMost(RowCount(), 100)], publication=hook),
    ).run()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM released").fetchone() == (6_000,)
    assert [s.rows for s in hook.seen] == [6_000]


def test_a_private_output_is_never_readable_by_others_while_it_is_written(
    transactions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes: list[int] = []
    real = commit_module.write_table

    def watched(frames, dest, **kwargs):  # type: ignore[no-untyped-def]
        result = real(frames, dest, **kwargs)
        modes.append(Path(dest).stat().st_mode & 0o777)  # before the commit's own chmod
        return result

    monkeypatch.setattr(commit_module, "write_table", watched)
    out = tmp_path / "clear.parquet"
    Runner(open_source(transactions), [Amounts()], Commit(out, private=True)).run()
    assert modes == [0o600] and out.stat().st_mode & 0o777 == 0o600
