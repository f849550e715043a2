"""PostgreSQL through psycopg 3: read through a server-side (named) cursor, written through ``COPY``.

Guarantees: a session runs in UTC (``TimeZone=UTC``), so zoned timestamps read back as the instants
written; a read is sampled on the server by ``TABLESAMPLE BERNOULLI … REPEATABLE (seed)`` for tables,
materialised views and partitioned tables (not views); a write happens in one transaction (create the
temporary table, ``COPY`` every batch in, drop the old table, rename), so a failure leaves nothing.
The password comes from the URI or the usual places (``PGPASSWORD``, ``.pgpass``) and never reaches a
message.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import polars as pl

from ringfence.errors import UsageError
from ringfence.io.db import dialect as base
from ringfence.io.db.dialect import DbColumn, Dialect
from ringfence.io.db.types import MAX_DECIMAL_PRECISION, POSTGRES_NUMERIC_OID, POSTGRES_TYPES
from ringfence.io.db.uri import DbKind


class Postgres(Dialect):
    TEXT_CAST: ClassVar[str] = "{q}::text AS {q}"
    KIND: ClassVar[DbKind] = "postgresql"

    def connect(self, error: base.ErrorClass) -> Any:
        try:
            import psycopg
        except ImportError:
            raise UsageError("PostgreSQL tables need psycopg: pip install 'ringfence[postgres]'") from None
        t = self.target
        kwargs: dict[str, Any] = dict(t.params)
        for key, value in (("host", t.host), ("port", t.port), ("user", t.user), ("password", t.password)):
            if value is not None:
                kwargs[key] = value
        kwargs["dbname"] = t.database or kwargs.get("dbname", "")
        kwargs.setdefault("connect_timeout", base.CONNECT_TIMEOUT_S)
        kwargs["options"] = (str(kwargs.get("options", "")) + " -c TimeZone=UTC").strip()
        try:
            return psycopg.connect(**kwargs)
        except psycopg.Error as exc:
            raise error(f"cannot connect to {t.location}: {base.reason(exc, t.password)}") from None

    def driver_errors(self) -> tuple[type[BaseException], ...]:
        import psycopg

        return (psycopg.Error,)

    def code(self, exc: BaseException) -> str:
        state = getattr(exc, "sqlstate", None)
        return f"PostgreSQL error {state}" if state else f"PostgreSQL error {type(exc).__name__}"

    def is_missing_table(self, exc: BaseException) -> bool:
        return getattr(exc, "sqlstate", None) in ("42P01", "3F000")

    def tables(self, conn: Any) -> list[str]:
        cur = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        found = [str(row[0]) for row in cur.fetchall()]
        conn.rollback()
        return found

    def describe(self, conn: Any) -> list[DbColumn]:
        cur = conn.execute(f"SELECT * FROM {self.qualified(self.target.table)} LIMIT 0")
        columns = []
        for col in cur.description or ():
            if (
                col.type_code == POSTGRES_NUMERIC_OID
                and col.precision
                and col.precision <= MAX_DECIMAL_PRECISION
            ):
                columns.append(self.column(col.name, pl.Decimal(col.precision, col.scale or 0)))
            else:
                columns.append(self.column(col.name, POSTGRES_TYPES.get(col.type_code)))
        conn.rollback()
        return columns

    def stream(self, conn: Any, sql: str, params: Sequence[Any], batch_rows: int) -> Iterator[list[Any]]:
        with conn.cursor(name=f"rf_read_{secrets.token_hex(4)}") as cur:
            cur.itersize = batch_rows
            cur.execute(sql, base.bound(params))
            while rows := cur.fetchmany(batch_rows):
                yield rows

    def sample_filter(self, conn: Any, fraction: float, seed: int) -> tuple[str, list[Any]] | None:
        kind = conn.execute(
            "SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass(%s)",
            (self.qualified(self.target.table),),
        ).fetchone()
        conn.rollback()
        if kind is None or kind[0] not in ("r", "m", "p"):
            return None
        return " TABLESAMPLE BERNOULLI (%s) REPEATABLE (%s)", [min(100.0, 100.0 * fraction), seed]

    def exists(self, conn: Any, parts: Sequence[str]) -> bool:
        row = conn.execute("SELECT to_regclass(%s)", (self.qualified(parts),)).fetchone()
        return row is not None and row[0] is not None

    def _csv_ready(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The batch as COPY's CSV format reads it: bytea as ``\\x`` hex, times to the microsecond."""
        batch = base.as_plain_columns(batch)
        return batch.with_columns(
            *(
                (pl.lit("\\x") + pl.col(name).bin.encode("hex")).alias(name)
                for name, dtype in batch.schema.items()
                if isinstance(dtype, pl.Binary)
            ),
            *(
                pl.col(name).dt.strftime("%H:%M:%S%.6f")
                for name, dtype in batch.schema.items()
                if isinstance(dtype, pl.Time)
            ),
        )

    def write(self, conn: Any, batches: Iterator[pl.DataFrame], schema: pl.Schema, overwrite: bool) -> int:
        tmp = self.tmp_parts()
        names = ", ".join(self.quote(name) for name in schema.names())
        rows = 0
        with conn.transaction(), conn.cursor() as cur:
            if not overwrite and self.exists(conn, self.target.table):
                raise self.refuse_existing()
            cur.execute(self.create_sql(tmp, schema))
            with cur.copy(f"COPY {self.qualified(tmp)} ({names}) FROM STDIN (FORMAT csv)") as copy:
                for batch in batches:
                    copy.write(self._csv_ready(batch).write_csv(include_header=False).encode("utf-8"))
                    rows += batch.height
            for statement in self.swap_in(tmp, overwrite):
                cur.execute(statement)
        return rows
