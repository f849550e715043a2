"""SQLite tables (standard library, no server): the same contract as the other databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ringfence.errors import InputError, OutputError, UsageError
from ringfence.io.db import parse_db_uri
from ringfence.io.read import open_source
from ringfence.io.write import write_table

from .conftest import FAKE_PHONE, customers


def _uri(path: Path, table: str) -> str:
    return f"sqlite:///{path}?table={table}"


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return sorted(row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))


def _failing(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for number, offset in enumerate(range(0, frame.height, 10), start=1):
        if number == 3:
            raise RuntimeError("upstream failure")
        yield frame.slice(offset, 10)


def test_write_then_read_a_sqlite_table(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    rows = customers(500)

    result = write_table((rows.slice(i, 64) for i in range(0, 500, 64)), _uri(db, "customers"))
    source = open_source(_uri(db, "customers"))

    assert result.rows == 500
    assert (source.name, source.kind) == ("sqlite table customers", "sqlite")
    assert source.location == f"sqlite:///{db}?table=customers"
    assert [batch.height for batch in source.batches(batch_rows=200)] == [200, 200, 100]
    assert_frame_equal(source.read_all(), rows)
    assert source.count_rows() == 500
    assert source.sample(50, seed=1).height == 50
    assert _tables(db) == ["customers"]


def test_sqlite_declared_types_map_to_polars_types(tmp_path: Path) -> None:
    db = tmp_path / "typed.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (id TEXT, n INTEGER, rate REAL, raw BLOB, amount NUMERIC, anything)")
        conn.execute("INSERT INTO t VALUES ('007', 3, 1.5, x'00ff', 12.50, 'x')")

    frame = open_source(_uri(db, "t")).read_all()

    assert frame.schema == pl.Schema(
        {
            "id": pl.String,
            "n": pl.Int64,
            "rate": pl.Float64,
            "raw": pl.Binary,
            "amount": pl.String,
            "anything": pl.String,
        }
    )
    assert frame.row(0) == ("007", 3, 1.5, b"\x00\xff", "12.5", "x")


def test_text_in_an_integer_column_is_an_input_error_without_the_value(tmp_path: Path) -> None:
    db = tmp_path / "loose.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (n INTEGER)")
        conn.execute("INSERT INTO t VALUES (1), (?)", (FAKE_PHONE,))

    with pytest.raises(InputError, match="declared type") as caught:
        open_source(_uri(db, "t")).read_all()
    assert "5555" not in str(caught.value)


def test_a_failed_write_keeps_the_old_table_and_leaves_no_temporary_table(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    write_table(customers(3), _uri(db, "customers"))

    with pytest.raises(RuntimeError):
        write_table(_failing(customers(100)), _uri(db, "customers"))

    assert_frame_equal(open_source(_uri(db, "customers")).read_all(), customers(3))
    assert _tables(db) == ["customers"]


def test_overwrite_false_refuses_an_existing_table(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    write_table(customers(3), _uri(db, "customers"))

    with pytest.raises(OutputError, match="sqlite table customers exists"):
        write_table(customers(5), _uri(db, "customers"), overwrite=False)


def test_missing_database_file_and_missing_table(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^nope\.db: no such SQLite database file$"):
        open_source(_uri(tmp_path / "nope.db", "t"))
    write_table(customers(1), _uri(tmp_path / "crm.db", "customers"))
    with pytest.raises(InputError, match="no such table"):
        open_source(_uri(tmp_path / "crm.db", "accounts"))


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "fake.db"
    path.write_text(f"id,phone\n1,{FAKE_PHONE}\n" * 100)

    with pytest.raises(InputError) as caught:
        open_source(_uri(path, "t"))
    assert "5555" not in str(caught.value)


def test_reading_never_writes_to_the_database(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    write_table(customers(2), _uri(db, "customers"))
    before = db.read_bytes()

    open_source(_uri(db, "customers")).read_all()

    assert db.read_bytes() == before


def test_uri_forms() -> None:
    assert parse_db_uri("sqlite:///rel/crm.db?table=t").database == "rel/crm.db"
    assert parse_db_uri("sqlite:////abs/crm.db?table=t").database == "/abs/crm.db"
    target = parse_db_uri(
        "postgres+psycopg://app:s3cret@db.internal:6543/crm?table=billing.customers&sslmode=require"
    )
    assert (target.kind, target.table, target.user, target.host, target.port) == (
        "postgresql",
        ("billing", "customers"),
        "app",
        "db.internal",
        6543,
    )
    assert target.location == "postgresql://app@db.internal:6543/crm?table=billing.customers&sslmode=require"
    assert "s3cret" not in repr(target)
    assert parse_db_uri("mariadb://root@127.0.0.1/test?table=t").kind == "mysql"
    for bad in ("postgresql://h/db", "postgresql://h/db?table=a&table=b", "sqlite://host/x.db?table=t"):
        with pytest.raises(UsageError):
            parse_db_uri(bad)
