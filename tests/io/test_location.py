"""The parsed location: a file path or a database table, told apart once, never showing a password."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.location import Location
from ringfence.io.read import open_source
from ringfence.io.write import write_table


def test_paths_and_path_objects_are_files() -> None:
    for spec in ("data/customers.csv", Path("data/customers.csv")):
        where = Location.parse(spec)
        assert not where.is_table
        assert where.path == Path("data/customers.csv")
        assert (where.table, where.dialect, where.uri) == (None, None, None)
        assert where.name == "customers.csv"
        assert str(where) == "data/customers.csv"


def test_a_file_uri_is_a_file() -> None:
    where = Location.parse("file:///srv/exports/customers%20v2.parquet")
    assert not where.is_table
    assert where.path == Path("/srv/exports/customers v2.parquet")


def test_a_table_uri_is_a_table_and_never_shows_its_password() -> None:
    where = Location.parse("postgresql://app:s3cret-pw@db.internal:6543/crm?table=billing.customers")
    assert where.is_table and where.path is None
    assert where.dialect == "postgresql"
    assert where.table is not None and where.table.table == ("billing", "customers")
    assert where.uri == "postgresql://app@db.internal:6543/crm?table=billing.customers"
    assert where.name == "postgresql table billing.customers"
    for shown in (str(where), repr(where), where.name, where.uri):
        assert "s3cret-pw" not in shown
    assert Location.parse("mariadb://root@127.0.0.1/test?table=t").dialect == "mysql"
    assert Location.parse("sqlite:///crm.db?table=t").dialect == "sqlite"


def test_a_location_parses_to_itself() -> None:
    where = Location.parse("sqlite:///crm.db?table=t")
    assert Location.parse(where) is where


@pytest.mark.parametrize(
    "spec",
    ["s3://bucket/key.parquet?password=hunter2", "postgresql://u:hunter2@h/db", "mysql://h/db?table=a;b"],
)
def test_a_bad_uri_is_a_usage_error_that_does_not_repeat_it(spec: str) -> None:
    with pytest.raises(UsageError) as caught:
        Location.parse(spec)
    assert "hunter2" not in str(caught.value) and spec not in str(caught.value)


def test_only_an_existing_file_exists(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n")
    assert Location.parse(str(tmp_path / "a.csv")).exists()
    assert not Location.parse(str(tmp_path / "b.csv")).exists()
    assert not Location.parse(f"sqlite:///{tmp_path / 'a.csv'}?table=t").exists()


def test_readers_and_writers_take_a_parsed_location(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"]})
    file_at = Location.parse(tmp_path / "out.parquet")
    table_at = Location.parse(f"sqlite:///{tmp_path / 'crm.db'}?table=customers")
    for where in (file_at, table_at):
        assert write_table(frame, where).rows == 3
        source = open_source(where)
        assert source.is_table == where.is_table
        assert source.read_all().equals(frame)


def test_one_batch_size() -> None:
    assert BATCH_ROWS == 262_144
