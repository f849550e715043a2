"""The inventory: which tables and columns hold personal data, as ``scan`` found them, in the state store.

``scan`` records every table it scans (:func:`record_scan`; a rescan of a source replaces its rows) and
``ringfence inventory`` lists it (:func:`load_inventory`). Watch matches a statement's tables to it by
bare table name (``public."Customers"`` and ``customers.csv`` both name ``customers``): the database
table a statement reads is the one scanned under that name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from ringfence.detect.scan import ScanReport
from ringfence.state.store import StateStore

INVENTORY_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "table_name": pl.String(),
    "column_name": pl.String(),
    "entity": pl.String(),
    "confidence": pl.Float64(),
    "table_rows": pl.Int64(),
    "scanned_at": pl.String(),
}


def table_name_of(source: str) -> str:
    """The bare, lower-case table name of a scanned source: ``customers`` for ``data/customers.csv`` and
    for ``postgresql table public.customers``."""
    if " table " in source:
        return source.rsplit(" ", 1)[-1].rsplit(".", 1)[-1].strip('"`').lower()
    return PurePath(source).name.split(".", 1)[0].lower()


def record_scan(store: StateStore, report: ScanReport, *, now: dt.datetime | None = None) -> int:
    """Records what a scan found, one row per column (personal or not); returns the columns recorded."""
    when = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    rows = [
        (table.source, table_name_of(table.source), c.name, c.entity, float(c.confidence), table.rows, when)
        for table in report.tables
        for c in table.columns
    ]
    with store.transaction():
        for source in {t.source for t in report.tables}:
            store.execute("DELETE FROM inventory WHERE source = ?", (source,))
        store.executemany(
            "INSERT INTO inventory (source, table_name, column_name, entity, confidence, table_rows, "
            "scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def load_inventory(store: StateStore) -> pl.DataFrame:
    """Every recorded column (:data:`INVENTORY_SCHEMA`), by table and column name."""
    rows = store.query(
        "SELECT source, table_name, column_name, entity, confidence, table_rows, scanned_at FROM inventory "
        "ORDER BY table_name, source, column_name"
    )
    return pl.DataFrame(rows, schema=INVENTORY_SCHEMA, orient="row")


@dataclass(frozen=True)
class PersonalTables:
    """The inventory as watch uses it: per table, its personal columns (and their entities) and size."""

    columns: pl.DataFrame  # table_name, column_name, entity (personal columns only)
    sizes: pl.DataFrame  # table_name, table_rows

    @classmethod
    def from_inventory(cls, inventory: pl.DataFrame) -> PersonalTables:
        personal = inventory.filter(pl.col("entity").is_not_null())
        columns = personal.select("table_name", "column_name", "entity").unique(
            ["table_name", "column_name"], keep="first", maintain_order=True
        )
        sizes = inventory.group_by("table_name").agg(pl.col("table_rows").max())
        return cls(columns, sizes)

    def tables(self) -> list[str]:
        return sorted(set(self.columns.get_column("table_name").to_list()))
