"""Where a table is: a file path or a database table, told apart once, at the edge.

:meth:`Location.parse` takes what a user typed (a path, a ``file://`` URI, a ``postgresql://``,
``mysql://`` or ``sqlite:///`` table URI) or a path object, and every layer below asks the parsed value
instead of looking for ``"://"`` in a string again.

Guarantees: a string holding ``://`` is a URI, anything else (and every ``os.PathLike``) is a path; a URI of
an unknown scheme, without ``?table=`` or with a bad table name is a :class:`~ringfence.errors.UsageError`
whose message does not repeat the URI; ``str()``, ``repr()`` and :attr:`Location.name` never show a
password (the URI is shown as :attr:`~ringfence.io.db.uri.DbTarget.location`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ringfence.io.db.uri import DbKind, DbTarget, db_scheme, parse_db_uri

# Object storage and HDFS: paths only the Spark engine reads and writes (its committer publishes an output
# there); Location refuses them, as their scheme is no database's.
OBJECT_STORE_SCHEMES = ("s3a://", "s3://", "gs://", "abfss://", "wasbs://", "hdfs://")


@dataclass(frozen=True)
class Location:
    """A file (``path``) or a database table (``table``): exactly one of the two is set."""

    path: Path | None = None
    table: DbTarget | None = None

    @classmethod
    def parse(cls, spec: str | os.PathLike[str] | Location) -> Location:
        """The location ``spec`` names; a :class:`Location` is returned as it is."""
        if isinstance(spec, Location):
            return spec
        if not isinstance(spec, str) or "://" not in spec:
            return cls(path=Path(spec))
        if db_scheme(spec) == "file":
            return cls(path=Path(unquote(urlsplit(spec).path)))
        return cls(table=parse_db_uri(spec))

    @property
    def is_table(self) -> bool:
        """True for a database table, False for a file path."""
        return self.table is not None

    @property
    def dialect(self) -> DbKind | None:
        """``postgresql``, ``mysql`` or ``sqlite`` for a table; None for a file."""
        return self.table.kind if self.table is not None else None

    @property
    def uri(self) -> str | None:
        """A table's URI without its password; None for a file."""
        return self.table.location if self.table is not None else None

    @property
    def name(self) -> str:
        """For people: the file's name, or e.g. ``postgresql table public.customers``."""
        if self.table is not None:
            return self.table.display
        assert self.path is not None
        return self.path.name or str(self.path)

    def exists(self) -> bool:
        """Whether a file is at the path (a table is not looked for: that needs a connection)."""
        return self.path is not None and self.path.exists()

    def __str__(self) -> str:
        """The path as given, or the table's URI without its password."""
        if self.table is not None:
            return self.table.location
        return str(self.path)
