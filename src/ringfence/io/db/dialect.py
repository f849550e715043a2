"""What every database dialect shares, and the seams where PostgreSQL, MySQL and SQLite differ.

A :class:`Dialect` knows one database's driver, quoting, type maps, streaming and existence checks; the
reader (:mod:`ringfence.io.db.read`) and the writer (:mod:`ringfence.io.db.write`) drive it without knowing
which database it is. The type maps are data (:mod:`ringfence.io.db.types`): :meth:`Dialect.column` takes
the Polars type a dialect looked up (or None: read as text through its ``TEXT_CAST``) and
:meth:`Dialect.column_type` looks up the SQL type a Polars type is written as.

Guarantees: names are always quoted (quote characters doubled), values always travel as bound parameters or
through ``COPY``; error text from a driver is reduced to its first line with the password masked
(:func:`reason`, connection failures) or to an error code (:meth:`Dialect.code`, everything after
connecting, where a driver message may quote data).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from ringfence.errors import OutputError, RingfenceError
from ringfence.io.db.types import WriteTypes, write_types
from ringfence.io.db.uri import DbKind, DbTarget

ErrorClass = type[RingfenceError]

TMP_MARK = "__rf_tmp_"
CONNECT_TIMEOUT_S = 10


def reason(exc: BaseException, password: str | None) -> str:
    """The first line of a connection error, with the password masked; never more than 200 characters."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if password:
        text = text.replace(password, "***")
    return text[:200]


def bound(params: Sequence[Any]) -> tuple[Any, ...] | None:
    """Parameters as the drivers take them: None when there are none (so a ``%`` in SQL stays literal)."""
    return tuple(params) if params else None


@dataclass(frozen=True)
class DbColumn:
    """A column as ringfence reads it: its name, its Polars type, and the SQL expression that selects it."""

    name: str
    dtype: pl.DataType
    select: str


def as_plain_columns(batch: pl.DataFrame, *cast_to_text: type[pl.DataType]) -> pl.DataFrame:
    """Categorical and Enum columns (and any of ``cast_to_text``) as text, for a database that lacks them."""
    text: tuple[type[pl.DataType], ...] = (pl.Categorical, pl.Enum, *cast_to_text)
    return batch.with_columns(
        pl.col(name).cast(pl.String) for name, dtype in batch.schema.items() if isinstance(dtype, text)
    )


class Dialect:
    """What differs between the databases: drivers, quoting, type maps, streaming, existence checks."""

    KIND: ClassVar[DbKind]
    # How a column of a type ringfence does not map is selected as text; ``{q}`` is the quoted name.
    TEXT_CAST: ClassVar[str]

    def __init__(self, target: DbTarget) -> None:
        self.target = target
        self.write_types: WriteTypes = write_types(self.KIND)

    # -- connecting and errors --------------------------------------------------------------------
    def connect(self, error: ErrorClass) -> Any:
        raise NotImplementedError

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        raise NotImplementedError

    def code(self, exc: BaseException) -> str:
        """A short, data-free description of a driver error raised after connecting."""
        raise NotImplementedError

    def is_missing_table(self, exc: BaseException) -> bool:
        raise NotImplementedError

    # -- SQL text -----------------------------------------------------------------------------------
    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def qualified(self, parts: Sequence[str]) -> str:
        return ".".join(self.quote(part) for part in parts)

    def placeholder(self) -> str:
        return "%s"

    # -- reading ----------------------------------------------------------------------------------
    def describe(self, conn: Any) -> list[DbColumn]:
        raise NotImplementedError

    def tables(self, conn: Any) -> list[str]:
        """The names of the base tables of the connection's schema (PostgreSQL: the first of the search
        path; MySQL: the URI's database; SQLite: the main database), sorted."""
        raise NotImplementedError

    def column(self, name: str, dtype: pl.DataType | None, select: str = "{q}") -> DbColumn:
        """The column selected by ``select`` as ``dtype``; as text by ``TEXT_CAST`` if ``dtype`` is None."""
        if dtype is None:
            dtype, select = pl.String(), self.TEXT_CAST
        return DbColumn(name, dtype, select.format(q=self.quote(name)))

    def stream(self, conn: Any, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[list[Any]]:
        cur = conn.cursor()
        try:
            cur.execute(sql, tuple(params))
            while rows := cur.fetchmany(batch_rows):
                yield rows
        finally:
            cur.close()

    def sample_filter(self, conn: Any, fraction: float, seed: int) -> tuple[str, list[Any]] | None:
        """A FROM-clause suffix and its parameters that keep about ``fraction`` of rows, or None."""
        return None

    # -- writing ----------------------------------------------------------------------------------
    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        raise NotImplementedError

    def refuse_existing(self) -> OutputError:
        return OutputError(f"{self.target.display} exists; pass --force to replace it")

    def column_type(self, name: str, dtype: pl.DataType) -> str:
        """The SQL type ``dtype`` is written as; :class:`OutputError` if this database cannot hold it."""
        for cls, sql in self.write_types.items():
            if isinstance(dtype, cls):
                found = sql if isinstance(sql, str) else sql(dtype)
                if found is not None:
                    return found
                break
        raise OutputError(
            f"cannot write column {name!r} of type {dtype} to {self.target.display}; "
            "cast it to text or a number first"
        )

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        raise NotImplementedError

    def tmp_parts(self) -> tuple[str, ...]:
        suffix = TMP_MARK + secrets.token_hex(4)
        *schema, name = self.target.table
        return (*schema, name[: 63 - len(suffix)] + suffix)

    def create_sql(self, parts: Sequence[str], schema: pl.Schema) -> str:
        columns = ", ".join(
            f"{self.quote(name)} {self.column_type(name, dtype)}" for name, dtype in schema.items()
        )
        return f"CREATE TABLE {self.qualified(parts)} ({columns})"

    def swap_in(self, tmp: Sequence[str], overwrite: bool) -> list[str]:
        """The statements that make the filled temporary table the destination, inside one transaction."""
        target = self.target.table
        drop = [f"DROP TABLE IF EXISTS {self.qualified(target)}"] if overwrite else []
        return [*drop, f"ALTER TABLE {self.qualified(tmp)} RENAME TO {self.quote(target[-1])}"]
