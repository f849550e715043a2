"""What each statement exposes: the personal tables and columns it reads, how many rows, and its shape.

A statement's personal exposure is the personal columns it reads times the rows it returns. Columns: the
select list is matched against the inventory's personal columns of the tables it names (``SELECT *``, a
``COPY table TO`` without a column list and dump tools read them all). Rows: the count the log gives
(pgAudit with ``log_rows``, JSON lines ``rows``), except for ``COPY`` (pgAudit writes 0 there); otherwise
estimated from the statement's shape and the table's size recorded by ``scan`` (:func:`estimated_rows`),
and marked ``rows_estimated``. All of it is Polars expressions over the whole statement column.
"""

from __future__ import annotations

import polars as pl

from ringfence.watch.inventory import PersonalTables
from ringfence.watch.parse import bare_table

DUMP_TOOLS = ("pg_dump", "pg_dumpall", "mysqldump", "mariadb-dump", "mydumper")
FILTERED_SHARE = 0.1
"""The share of a table a statement with a filter other than a key lookup is assumed to return."""

_NAME = r"[A-Za-z0-9_.\"`\[\]$]+"
_TABLES = rf"(?i)\b(?:from|join|copy|update|into)\s+({_NAME})"
_SELECT_LIST = r"(?is)\bselect\s+(.*?)\s+from\s"
_STAR = r"(?:^|[\s,.])\*"
_COPY_WHOLE_TABLE = rf"(?is)^\s*copy\s+{_NAME}\s+to\b"
_COPY_COLUMNS = rf"(?is)^\s*copy\s+{_NAME}\s*\(([^)]*)\)\s*to\b"
_EXPORT = (
    r"(?is)(^\s*copy\b.*\bto\b\s+(?:stdout|program|'))|\binto\s+(?:outfile|dumpfile)\b"
    r"|/\*!40001 SQL_NO_CACHE \*/"
)
_POINT = r"(?is)\bwhere\s+[A-Za-z0-9_.\"`]+\s*=\s*'?(\d{1,18})'?\s*(?:;|\blimit\b|$)"
_LIMIT = r"(?i)\blimit\s+(\d+)"
_IN_LIST = r"(?is)\bin\s*\(([^()]*)\)"

FEATURES_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "time": pl.Datetime("us"),
    "user": pl.String(),
    "client": pl.String(),
    "application": pl.String(),
    "tables": pl.List(pl.String()),
    "columns": pl.List(pl.String()),
    "rows": pl.Int64(),
    "rows_estimated": pl.Boolean(),
    "export": pl.Boolean(),
    "point_id": pl.Int64(),
}


def statement_shape(statements: pl.DataFrame) -> pl.DataFrame:
    """Adds ``named`` (tables the log or the text names), ``star``, ``select_words``, ``export``,
    ``point_id``, ``limit``, ``in_items``, ``filtered``."""
    text = pl.col("statement")
    named = pl.concat_list(
        pl.col("tables"),
        text.str.extract_all(_TABLES).list.eval(bare_table(pl.element().str.extract(_TABLES))),
    ).list.unique()
    words = (
        pl.coalesce(text.str.extract(_SELECT_LIST), text.str.extract(_COPY_COLUMNS), pl.lit(""))
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9_]+", " ")
    )
    star = text.str.extract(_SELECT_LIST).str.contains(_STAR).fill_null(False) | text.str.contains(
        _COPY_WHOLE_TABLE
    )
    dump = pl.col("application").fill_null("").str.to_lowercase().is_in(list(DUMP_TOOLS))
    return statements.with_columns(
        named=named,
        star=star | dump,
        select_words=pl.lit(" ") + words + pl.lit(" "),
        export=text.str.contains(_EXPORT) | dump,
        point_id=text.str.extract(_POINT).cast(pl.Int64, strict=False),
        limit=text.str.extract(_LIMIT).cast(pl.Int64, strict=False),
        in_items=text.str.extract(_IN_LIST).str.count_matches(",") + 1,
        filtered=text.str.contains(r"(?i)\bwhere\b"),
        copy=text.str.contains(r"(?i)^\s*copy\b"),
    )


def estimated_rows(size: pl.Expr) -> pl.Expr:
    """Rows a statement returns from a table of ``size`` rows, by its shape: a key lookup 1, an
    ``IN (...)`` list its length, a ``LIMIT`` at most its limit, another filter :data:`FILTERED_SHARE`
    of the table, none the whole table."""
    base = (
        pl.when(pl.col("point_id").is_not_null())
        .then(pl.lit(1, pl.Int64))
        .when(pl.col("in_items").is_not_null())
        .then(pl.col("in_items").cast(pl.Int64))
        .when(pl.col("filtered"))
        .then((size.cast(pl.Float64) * FILTERED_SHARE).ceil().cast(pl.Int64))
        .otherwise(size)
    )
    return pl.min_horizontal(base, pl.col("limit").fill_null(base), size)


def statement_features(statements: pl.DataFrame, personal: PersonalTables) -> pl.DataFrame:
    """One row per statement (:data:`FEATURES_SCHEMA`): the personal tables and columns it reads
    (``table.column``), its rows (from the log, else estimated) and shape."""
    shaped = statement_shape(statements).with_row_index("sid")
    per_table = (
        shaped.select("sid", "named", "star", "select_words")
        .explode("named")
        .rename({"named": "table_name"})
        .join(personal.columns, on="table_name", how="inner")
        .filter(
            pl.col("star")
            | pl.col("select_words").str.contains(
                pl.lit(" ") + pl.col("column_name") + pl.lit(" "), literal=True
            )
        )
        .join(personal.sizes, on="table_name", how="left")
        .group_by("sid")
        .agg(
            pl.col("table_name").unique(maintain_order=True).alias("ptables"),
            (pl.col("table_name") + "." + pl.col("column_name"))
            .unique(maintain_order=True)
            .alias("pcolumns"),
            pl.col("table_rows").max().alias("size"),
        )
    )
    joined = shaped.join(per_table, on="sid", how="left")
    from_log = pl.col("rows").is_not_null() & ~pl.col("copy")
    return joined.select(
        "line",
        "time",
        "user",
        "client",
        "application",
        pl.col("ptables").fill_null([]).alias("tables"),
        pl.col("pcolumns").fill_null([]).alias("columns"),
        pl.when(pl.col("ptables").is_null())
        .then(pl.lit(0, pl.Int64))
        .when(from_log)
        .then(pl.col("rows"))
        .otherwise(estimated_rows(pl.col("size").fill_null(0)))
        .alias("rows"),
        (pl.col("ptables").is_not_null() & ~from_log).alias("rows_estimated"),
        (pl.col("export") & pl.col("ptables").is_not_null()).alias("export"),
        "point_id",
    ).cast(FEATURES_SCHEMA)  # type: ignore[arg-type]
