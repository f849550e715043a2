"""The type maps between the databases and Polars, as data: what a column is read as, what it is written as.

Reading: each database describes a column its own way (PostgreSQL a type OID, MySQL a ``DATA_TYPE`` name,
SQLite a declared type read by affinity), so each has its own table; a column of a type not in the table is
read as its text form (see each dialect's ``TEXT_CAST``). DECIMAL/NUMERIC (by precision) and MySQL's BIGINT
UNSIGNED depend on more than the name and are decided in the dialects.

Writing: one table, a row per Polars type class and a column per database, so a reader sees at a glance how
a type lands in each; ``None`` means the database cannot hold it (an :class:`~ringfence.errors.OutputError`
before anything is created), a function computes the type of a parameterised Polars type.

Guarantees: a table read back is the table written for every type both maps hold; SQLite, having no date,
time or decimal types, holds those as ISO / exact text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from ringfence.io.db.uri import DbKind

# A Polars type class and the SQL type it is written as: text, or computed from the (parameterised) type,
# None when it cannot be written.
SqlType = str | Callable[[Any], str | None]
WriteTypes = Mapping[type[pl.DataType], SqlType]

MAX_DECIMAL_PRECISION = 76  # a wider NUMERIC/DECIMAL is read as text
MAX_MYSQL_DECIMAL_PRECISION = 65

# -- reading ------------------------------------------------------------------------------------------

# PostgreSQL: type OID → Polars type.
POSTGRES_TYPES: dict[int, pl.DataType] = {
    16: pl.Boolean(),
    20: pl.Int64(),
    21: pl.Int16(),
    23: pl.Int32(),
    26: pl.Int64(),
    700: pl.Float32(),
    701: pl.Float64(),
    19: pl.String(),
    25: pl.String(),
    1042: pl.String(),
    1043: pl.String(),
    1082: pl.Date(),
    1083: pl.Time(),
    1114: pl.Datetime("us"),
    1184: pl.Datetime("us", "UTC"),
    17: pl.Binary(),
}
POSTGRES_NUMERIC_OID = 1700

# MySQL/MariaDB: DATA_TYPE → Polars type and how the column is selected (``{q}`` is the quoted name).
_PLAIN = "{q}"
MYSQL_TYPES: dict[str, tuple[pl.DataType, str]] = {
    **dict.fromkeys(
        ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"), (pl.Int64(), _PLAIN)
    ),
    **dict.fromkeys(("float", "double", "real"), (pl.Float64(), _PLAIN)),
    "bit": (pl.UInt64(), "CAST({q} AS UNSIGNED) AS {q}"),
    "date": (pl.Date(), _PLAIN),
    "datetime": (pl.Datetime("us"), _PLAIN),
    "timestamp": (pl.Datetime("us"), _PLAIN),
    **dict.fromkeys(
        ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"),
        (pl.String(), _PLAIN),
    ),
    **dict.fromkeys(
        ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"), (pl.Binary(), _PLAIN)
    ),
}

# SQLite: by its affinity rules, the first entry with a word found in the declared type wins.
SQLITE_AFFINITY: tuple[tuple[tuple[str, ...], pl.DataType], ...] = (
    (("INT",), pl.Int64()),
    (("REAL", "FLOA", "DOUB"), pl.Float64()),
    (("BLOB",), pl.Binary()),
)


def sqlite_type(declared: str | None) -> pl.DataType | None:
    """The Polars type a SQLite column of this declared type is read as; None for text."""
    upper = str(declared or "").upper()
    return next((dtype for words, dtype in SQLITE_AFFINITY if any(word in upper for word in words)), None)


# -- writing ------------------------------------------------------------------------------------------

WRITE_ORDER: tuple[DbKind, ...] = ("postgresql", "mysql", "sqlite")
_Row = tuple[SqlType | None, SqlType | None, SqlType | None]


def _mysql_decimal(dtype: Any) -> str | None:
    if (dtype.precision or 0) > MAX_MYSQL_DECIMAL_PRECISION:
        return None
    return f"DECIMAL({dtype.precision}, {dtype.scale})"


# Every integer and float width SQLite holds (whatever this Polars version has); the others name theirs.
_FAMILIES: dict[type[pl.DataType], _Row] = {
    **dict.fromkeys(pl.datatypes.group.INTEGER_DTYPES, (None, None, "INTEGER")),  # type: ignore[arg-type]
    **dict.fromkeys(pl.datatypes.group.FLOAT_DTYPES, (None, None, "REAL")),  # type: ignore[arg-type]
}
# Polars type class → SQL type in (PostgreSQL, MySQL, SQLite).
WRITE_TYPES: dict[type[pl.DataType], _Row] = {
    **_FAMILIES,
    **dict.fromkeys((pl.String, pl.Categorical, pl.Enum, pl.Null), ("text", "LONGTEXT", "TEXT")),
    pl.Boolean: ("boolean", "BOOLEAN", "INTEGER"),
    pl.Int8: ("smallint", "TINYINT", "INTEGER"),
    pl.Int16: ("smallint", "SMALLINT", "INTEGER"),
    pl.Int32: ("integer", "INT", "INTEGER"),
    pl.Int64: ("bigint", "BIGINT", "INTEGER"),
    pl.UInt8: ("smallint", "TINYINT UNSIGNED", "INTEGER"),
    pl.UInt16: ("integer", "SMALLINT UNSIGNED", "INTEGER"),
    pl.UInt32: ("bigint", "INT UNSIGNED", "INTEGER"),
    pl.UInt64: ("numeric(20, 0)", "BIGINT UNSIGNED", "INTEGER"),
    pl.Decimal: (lambda dtype: f"numeric({dtype.precision}, {dtype.scale})", _mysql_decimal, "TEXT"),
    pl.Float32: ("real", "FLOAT", "REAL"),
    pl.Float64: ("double precision", "DOUBLE", "REAL"),
    pl.Datetime: (lambda dtype: "timestamptz" if dtype.time_zone else "timestamp", "DATETIME(6)", "TEXT"),
    pl.Date: ("date", "DATE", "TEXT"),
    pl.Time: ("time", "TIME(6)", "TEXT"),
    pl.Binary: ("bytea", "LONGBLOB", "BLOB"),
}


def write_types(kind: DbKind) -> WriteTypes:
    """One column of :data:`WRITE_TYPES`: the Polars types a database can hold and their SQL types."""
    column = WRITE_ORDER.index(kind)
    return {cls: sql for cls, row in WRITE_TYPES.items() if (sql := row[column]) is not None}
