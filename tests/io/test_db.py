"""PostgreSQL and MariaDB on localhost: streamed reads, server-side samples, atomic table writes."""

from __future__ import annotations

import datetime
import decimal
import os
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ringfence.errors import InputError, OutputError, UsageError
from ringfence.io.read import open_source
from ringfence.io.write import write_table

from .conftest import customers

pytestmark = pytest.mark.db

POSTGRES = os.environ.get("RINGFENCE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL = os.environ.get("RINGFENCE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")


class Boom(RuntimeError):
    pass


class Server:
    """A database under test: its URI, a way to run SQL directly, and the tables a test made."""

    def __init__(self, kind: str, base: str) -> None:
        self.kind = kind
        self.base = base
        self.prefix = f"rf_io_{os.getpid()}_{secrets.token_hex(3)}"

    def uri(self, table: str) -> str:
        return f"{self.base}?table={table}"

    def connect(self) -> Any:
        if self.kind == "postgresql":
            import psycopg

            return psycopg.connect(self.base, autocommit=True)
        from urllib.parse import urlsplit

        import pymysql

        parts = urlsplit(self.base)
        return pymysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=parts.username,
            password=parts.password or "",
            database=parts.path.lstrip("/"),
            charset="utf8mb4",
            autocommit=True,
        )

    def run(self, sql: str, rows: list[tuple[Any, ...]] | None = None) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            cur = conn.cursor()
            if rows is not None:
                cur.executemany(sql, rows)
                return []
            cur.execute(sql)
            return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def tables(self) -> list[str]:
        like = self.prefix.replace("_", "\\_") + "%"
        if self.kind == "postgresql":
            found = self.run(f"SELECT tablename FROM pg_tables WHERE tablename LIKE '{like}'")
        else:
            found = self.run(
                f"SELECT TABLE_NAME FROM information_schema.TABLES "
                f"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '{like}'"
            )
        return sorted(str(row[0]) for row in found)

    def drop_all(self) -> None:
        for table in self.tables():
            quoted = f'"{table}"' if self.kind == "postgresql" else f"`{table}`"
            self.run(f"DROP TABLE IF EXISTS {quoted}")


@pytest.fixture(params=["postgresql", "mysql"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    db = Server(request.param, POSTGRES if request.param == "postgresql" else MYSQL)
    yield db
    db.drop_all()


def _seed(server: Server, table: str, n: int) -> pl.DataFrame:
    """Creates ``table`` with ``n`` customer rows through the driver; returns them as ringfence reads them."""
    base = customers(n)
    created = [datetime.datetime(2024, 1, 1) + datetime.timedelta(minutes=17 * i) for i in range(n)]
    amounts = [decimal.Decimal(value) for value in base["amount"]]
    text = "text" if server.kind == "postgresql" else "LONGTEXT"
    server.run(
        f"CREATE TABLE {table} (customer_id varchar(12), name {text}, address {text}, phone varchar(32), "
        f"amount numeric(12, 2), note {text}, created timestamp NULL, active boolean)"
    )
    rows = [
        (*values, amount, when, i % 3 == 0)
        for i, (values, amount, when) in enumerate(zip(base.rows(), amounts, created, strict=True))
    ]
    columns = "customer_id, name, address, phone, note, amount, created, active"
    server.run(
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [(r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[8]) for r in rows],
    )
    active = pl.Series("active", [i % 3 == 0 for i in range(n)])
    return base.with_columns(
        pl.Series("amount", amounts, dtype=pl.Decimal(12, 2)),
        pl.Series("created", created, dtype=pl.Datetime("us")),
        active if server.kind == "postgresql" else active.cast(pl.Int64),
    )


def test_a_table_is_read_in_batches_with_its_types(server: Server) -> None:
    table = f"{server.prefix}_customers"
    expected = _seed(server, table, 1000)

    source = open_source(server.uri(table))
    batches = list(source.batches(batch_rows=128))

    assert (source.name, source.kind) == (f"{server.kind} table {table}", server.kind)
    assert source.location == server.uri(table)
    assert [batch.height for batch in batches] == [128] * 7 + [104]
    assert_frame_equal(pl.concat(batches).sort("customer_id"), expected)
    assert source.count_rows() == 1000
    assert source.schema()["amount"] == pl.Decimal(12, 2)
    assert source.schema()["customer_id"] == pl.String


def test_projected_batches_and_lazy_read(server: Server) -> None:
    table = f"{server.prefix}_proj"
    expected = _seed(server, table, 300)
    source = open_source(server.uri(table))

    projected = pl.concat(list(source.batches(batch_rows=50, columns=["phone", "name"])))
    korean = source.lazy().filter(pl.col("name") == "김민준").select("customer_id").collect()

    assert projected.columns == ["phone", "name"]
    assert_frame_equal(
        projected.sort("phone", "name"), expected.select("phone", "name").sort("phone", "name")
    )
    assert sorted(korean["customer_id"]) == sorted(expected.filter(pl.col("name") == "김민준")["customer_id"])


def test_sample_is_drawn_over_the_whole_table_and_repeatable(server: Server) -> None:
    table = f"{server.prefix}_sample"
    expected = _seed(server, table, 5000)
    source = open_source(server.uri(table))

    first = source.sample(200, seed=11)
    again = source.sample(200, seed=11)

    assert first.height == 200
    assert_frame_equal(first, again)
    ids = first["customer_id"].cast(pl.Int64)
    assert ids.min() < 500 and ids.max() > 4500  # type: ignore[operator]
    assert first.join(expected, on=first.columns, how="anti", nulls_equal=True).height == 0
    assert source.sample(10_000).height == 5000


def test_write_table_to_a_database_reads_back_identical(server: Server) -> None:
    table = f"{server.prefix}_written"
    rows = customers(700)
    batches = (rows.slice(offset, 100) for offset in range(0, rows.height, 100))

    result = write_table(batches, server.uri(table))

    assert result.rows == 700 and result.columns == rows.columns
    source = open_source(server.uri(table))
    assert_frame_equal(source.read_all().sort("customer_id"), rows)
    assert server.tables() == [table]


def test_typed_columns_round_trip(server: Server) -> None:
    table = f"{server.prefix}_typed"
    frame = pl.DataFrame(
        {
            "id": ["001", "002", "003"],
            "amount": pl.Series(
                [decimal.Decimal("12.50"), decimal.Decimal("-0.01"), None], dtype=pl.Decimal(14, 2)
            ),
            "count": [1, None, 3],
            "rate": [0.5, None, -2.25],
            "day": [datetime.date(2024, 2, 29), None, datetime.date(1999, 12, 31)],
            "at": [datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), None, datetime.datetime(2000, 1, 1)],
            "raw": [b"\x00\xff", None, b""],
        }
    )

    write_table(frame, server.uri(table))

    assert_frame_equal(open_source(server.uri(table)).read_all().sort("id"), frame)


def test_odd_column_names_are_quoted(server: Server) -> None:
    table = f"{server.prefix}_odd"
    frame = pl.DataFrame({'a "quoted" col': ["1"], "back`tick": ["2"], "per%cent %s": ["3"], "空 格": ["4"]})

    write_table(frame, server.uri(table))

    assert_frame_equal(open_source(server.uri(table)).read_all(), frame)


def test_overwrite_false_refuses_an_existing_table(server: Server) -> None:
    table = f"{server.prefix}_exists"
    write_table(customers(5), server.uri(table))

    with pytest.raises(OutputError, match="exists"):
        write_table(customers(9), server.uri(table), overwrite=False)

    assert open_source(server.uri(table)).count_rows() == 5
    write_table(customers(9), server.uri(table), overwrite=True)
    assert open_source(server.uri(table)).count_rows() == 9
    assert server.tables() == [table]


def _failing(frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
    for number, offset in enumerate(range(0, frame.height, 10), start=1):
        if number == 3:
            raise Boom("upstream failure")
        yield frame.slice(offset, 10)


def test_a_failed_write_leaves_no_table_and_no_temporary_table(server: Server) -> None:
    table = f"{server.prefix}_failed"

    with pytest.raises(Boom):
        write_table(_failing(customers(100)), server.uri(table))

    assert server.tables() == []


def test_a_failed_replace_leaves_the_old_table_unchanged(server: Server) -> None:
    table = f"{server.prefix}_kept"
    original = customers(7)
    write_table(original, server.uri(table))

    with pytest.raises(Boom):
        write_table(_failing(customers(100)), server.uri(table))

    assert_frame_equal(open_source(server.uri(table)).read_all().sort("customer_id"), original)
    assert server.tables() == [table]


def test_a_value_the_column_cannot_hold_is_an_output_error_without_the_value(server: Server) -> None:
    table = f"{server.prefix}_bad"
    # PostgreSQL text cannot hold a NUL character; MySQL cannot hold a float infinity.
    frames = [pl.DataFrame({"note": ["ok"]}), pl.DataFrame({"note": ["+86 139 5555 0123\x00"]})]
    if server.kind == "mysql":
        frames = [pl.DataFrame({"rate": [1.0]}), pl.DataFrame({"rate": [float("inf")]})]

    with pytest.raises(OutputError) as caught:
        write_table(iter(frames), server.uri(table))

    assert "5555" not in str(caught.value)
    assert server.tables() == []


def test_batches_of_another_type_are_refused_not_nulled(server: Server) -> None:
    table = f"{server.prefix}_types"
    frames = [pl.DataFrame({"n": [1, 2]}), pl.DataFrame({"n": ["+86 139 5555 0123"]})]

    with pytest.raises(OutputError, match="column types do not match") as caught:
        write_table(iter(frames), server.uri(table))

    assert "5555" not in str(caught.value)
    assert server.tables() == []


@pytest.mark.parametrize(
    "table", ["t;DROP TABLE users", 't" OR 1=1 --', "t`; DROP DATABASE test; --", "t/*x*/", "a.b.c"]
)
def test_sql_injection_through_the_table_parameter_is_refused(server: Server, table: str) -> None:
    from urllib.parse import quote

    with pytest.raises(UsageError, match=r"\?table="):
        open_source(server.uri(quote(table)))
    with pytest.raises(UsageError, match=r"\?table="):
        write_table(customers(2), server.uri(quote(table)))


def test_a_missing_table_is_an_input_error(server: Server) -> None:
    with pytest.raises(InputError, match="no such table"):
        open_source(server.uri(f"{server.prefix}_absent"))


def test_a_schema_qualified_table(server: Server) -> None:
    schema = "public" if server.kind == "postgresql" else "test"
    table = f"{server.prefix}_qualified"
    write_table(customers(3), server.uri(f"{schema}.{table}"))

    source = open_source(server.uri(f"{schema}.{table}"))

    assert source.name == f"{server.kind} table {schema}.{table}"
    assert source.count_rows() == 3


def test_a_rejected_password_never_appears_in_the_message() -> None:
    base = MYSQL.replace("://root@", "://root:hunter2-secret@")
    with pytest.raises(InputError) as caught:
        open_source(f"{base}?table=anything")

    message = str(caught.value)
    assert "hunter2" not in message and message.startswith("cannot connect to mysql://root@")


def test_sources_from_databases_do_not_show_passwords_anywhere() -> None:
    checks: list[Callable[[], object]] = []
    source = open_source(POSTGRES.replace("://postgres@", "://postgres:pw-7f3a@") + "?table=pg_catalog.pg_am")
    checks += [lambda: repr(source), lambda: source.name, lambda: source.location]
    for check in checks:
        assert "pw-7f3a" not in str(check())
