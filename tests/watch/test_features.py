"""A statement's personal exposure: the personal columns it reads, times the rows it returns (from the log,
else estimated from its shape and the table's size), and whether it exports."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ringfence.watch.features import statement_features
from ringfence.watch.inventory import PersonalTables
from ringfence.watch.parse import STATEMENTS_SCHEMA

PERSONAL = PersonalTables.from_inventory(
    pl.DataFrame(
        {
            "source": ["postgresql table public.customers"] * 4 + ["orders.csv"] * 2,
            "table_name": ["customers"] * 4 + ["orders"] * 2,
            "column_name": ["customer_id", "name", "phone", "segment", "order_id", "amount"],
            "entity": ["INTERNAL_ID", "PERSON_NAME", "PHONE_NUMBER", None, None, None],
            "confidence": [0.99, 0.99, 0.99, 0.0, 0.0, 0.0],
            "table_rows": [50_000] * 4 + [900_000] * 2,
            "scanned_at": ["2026-03-01T00:00:00"] * 6,
        }
    )
)


def _one(
    statement: str, rows: int | None = None, tables: list[str] | None = None, app: str | None = None
) -> dict:
    frame = pl.DataFrame(
        {
            "line": [1],
            "time": [dt.datetime(2026, 3, 2, 10)],
            "user": ["ana"],
            "client": [None],
            "application": [app],
            "statement": [statement],
            "tables": [tables or []],
            "rows": [rows],
        },
        schema=STATEMENTS_SCHEMA,
    )
    return statement_features(frame, PERSONAL).row(0, named=True)


@pytest.mark.parametrize(
    ("statement", "columns", "rows", "estimated"),
    [
        ("SELECT * FROM customers", ["customer_id", "name", "phone"], 50_000, True),
        ("SELECT c.* FROM public.customers c LIMIT 200", ["customer_id", "name", "phone"], 200, True),
        ("SELECT name, segment FROM customers WHERE customer_id = 42", ["name"], 1, True),
        ("SELECT name FROM customers WHERE customer_id IN (1, 2, 3)", ["name"], 3, True),
        ("SELECT phone FROM customers WHERE segment = 'gold'", ["phone"], 5_000, True),
        ("SELECT count(*) FROM customers", [], 0, False),
        ("SELECT segment, count(*) FROM customers GROUP BY 1", [], 0, False),
        ("SELECT order_id, amount FROM orders", [], 0, False),
        ("COPY customers TO STDOUT", ["customer_id", "name", "phone"], 50_000, True),
        ("COPY customers (name) TO '/tmp/x'", ["name"], 50_000, True),
    ],
)
def test_columns_and_estimated_rows(statement: str, columns: list[str], rows: int, estimated: bool) -> None:
    found = _one(statement)
    assert sorted(found["columns"]) == sorted(f"customers.{c}" for c in columns)
    assert (found["rows"], found["rows_estimated"]) == (rows, estimated)


def test_rows_from_the_log_win_except_for_copy() -> None:
    assert (
        _one("SELECT name FROM customers WHERE segment = 'gold'", rows=17, tables=["customers"])["rows"] == 17
    )
    copy = _one("COPY (SELECT name FROM customers) TO STDOUT", rows=0)
    assert (copy["rows"], copy["rows_estimated"], copy["export"]) == (50_000, True, True)


@pytest.mark.parametrize(
    ("statement", "app", "export"),
    [
        ("SELECT * FROM customers INTO OUTFILE '/tmp/c.csv'", None, True),
        ("SELECT /*!40001 SQL_NO_CACHE */ * FROM `customers`", None, True),
        ("COPY public.customers (customer_id, name, phone) TO stdout;", "pg_dump", True),
        ("COPY customers FROM STDIN", None, False),
        ("SELECT name FROM customers WHERE customer_id = 7", None, False),
    ],
)
def test_exports(statement: str, app: str | None, export: bool) -> None:
    assert _one(statement, app=app)["export"] is export


def test_key_lookups_are_recognised_for_enumeration() -> None:
    assert _one("SELECT name FROM customers WHERE customer_id = '1042'")["point_id"] == 1042
    assert _one("SELECT name FROM customers WHERE customer_id > 1042")["point_id"] is None
