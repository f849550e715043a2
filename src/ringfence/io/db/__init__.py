"""Database tables as inputs and outputs: PostgreSQL (psycopg 3), MySQL/MariaDB (PyMySQL) and SQLite.

A table is named by a URI (:mod:`ringfence.io.db.uri`): ``postgresql://user@host:5432/db?table=schema.t``,
``mysql://root@127.0.0.1:3306/test?table=t``, ``sqlite:///relative/file.db?table=t``. The table name is a
plain identifier and is always quoted in SQL, so ``?table=`` cannot carry SQL; column names are quoted with
their quote characters doubled; every value travels as a bound parameter or through ``COPY``, never inside
SQL text.

A password may be in the URI (or in the usual places: ``PGPASSWORD``/``.pgpass`` for PostgreSQL,
``MYSQL_PWD`` for MySQL). It never appears in a display name, a location, a ``repr`` or an error message.

Reading streams (:mod:`~ringfence.io.db.read`); writing is atomic through a temporary table that is swapped
in (:mod:`~ringfence.io.db.write`). What differs between the databases lives in one module per dialect
(:mod:`~ringfence.io.db.postgres`, :mod:`~ringfence.io.db.mysql`, :mod:`~ringfence.io.db.sqlite`) over
:class:`~ringfence.io.db.dialect.Dialect`, with its type maps as data. The drivers are imported only when a
connection is made, so importing this package needs none of them.
"""

from ringfence.io.db.dialect import DbColumn, Dialect
from ringfence.io.db.dialects import DIALECTS, dialect_for
from ringfence.io.db.read import DbTable, database_tables, open_table
from ringfence.io.db.uri import SCHEMES, DbKind, DbTarget, db_scheme, is_db_uri, parse_db_uri
from ringfence.io.db.write import write_db_table

__all__ = [
    "DIALECTS",
    "SCHEMES",
    "DbColumn",
    "DbKind",
    "DbTable",
    "DbTarget",
    "Dialect",
    "database_tables",
    "db_scheme",
    "dialect_for",
    "is_db_uri",
    "open_table",
    "parse_db_uri",
    "write_db_table",
]
