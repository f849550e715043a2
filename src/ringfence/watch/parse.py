"""Reading database audit logs into one table of statements, columnar, a block at a time.

Formats (``FORMATS``):

- ``pgaudit``: PostgreSQL's server log with pgAudit entries, in the stderr format (the log line prefix
  ``%m [%p] %q%u@%d `` Debian ships, or PostgreSQL's default ``%m [%p] ``; a statement spanning lines
  continues on lines that do not start with a timestamp) or the CSV format (``log_destination = csvlog``,
  told apart by its first field being followed by a quoted user name). The AUDIT record is
  ``AUDIT_TYPE,STATEMENT_ID,SUBSTATEMENT_ID,CLASS,COMMAND,OBJECT_TYPE,OBJECT_NAME,STATEMENT,PARAMETER``
  followed by ``ROWS`` when ``pgaudit.log_rows`` is on. With ``pgaudit.log_relation`` one entry per
  relation is written; entries of one statement (same backend, same statement id) become one statement.
- ``mariadb-audit``: MariaDB's server_audit plugin file: ``timestamp,host,user,client,connection,query_id,
  operation,database,object,retcode``; ``READ``/``WRITE`` entries name tables, the ``QUERY`` entry of the
  same connection and query id holds the statement.
- ``jsonl``: one JSON object per line, for warehouses and proxies (documented in docs/watch.md):
  ``{"user": "...", "time": "2026-01-02T03:04:05", "client": "...", "statement": "...",
  "tables": ["..."], "rows": 123, "application": "..."}``; ``user``, ``time`` and ``statement`` are
  required, the rest optional.

Lines are read in blocks of :data:`BLOCK_BYTES`; each block is parsed by Polars expressions over the whole
block (regular expressions on the line column, no Python loop per line). A line that is not a record of
the format, or an audit record that does not parse, is counted as malformed with its line number and
skipped. Server lines that are not audit entries (checkpoints, connection messages) are skipped without
being called malformed. Times are the server's wall clock as written (no time zone conversion).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

import polars as pl

from ringfence.errors import InputError

Format = Literal["pgaudit", "mariadb-audit", "jsonl"]
FORMATS: tuple[Format, ...] = ("pgaudit", "mariadb-audit", "jsonl")
BLOCK_BYTES = 32 << 20
_UNIT_SEPARATOR = "\x1f"
MAX_MALFORMED_KEPT = 1000  # line numbers kept for the report; the count is always exact

STATEMENTS_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "time": pl.Datetime("us"),
    "user": pl.String(),
    "client": pl.String(),
    "application": pl.String(),
    "statement": pl.String(),
    "tables": pl.List(pl.String()),
    "rows": pl.Int64(),
}
"""One row per statement: the first line it came from, when, who, from where, what, which tables, and the
rows it returned where the log says (else null)."""

_TS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z0-9+:-]+)?"
_Q = r'"(?:[^"]|"")*"'  # one CSV quoted field
_F = rf"(?:{_Q}|[^,]*)"  # one CSV field, quoted or not
_AUDIT = (
    rf"(?s)^AUDIT: (?P<audit_type>[A-Z]+),(?P<stmt_id>\d+),(?P<sub_id>\d+),(?P<class>[A-Z,]*?|{_Q}),"
    rf"(?P<command>{_F}),(?P<object_type>{_F}),(?P<object>{_F}),(?P<statement>{_F}),(?P<parameter>{_F})"
    rf"(?:,(?P<rows>-?\d+))?$"
)
_STDERR = (
    rf"(?s)^(?P<ts>{_TS}) \[(?P<pid>\d+)\] (?:(?P<user>[^@ ]*)@(?P<db>[^ ]*) )?"
    r"(?P<level>[A-Z0-9]+):  (?P<message>.*)$"
)
# csvlog (PostgreSQL 13+): 23 to 26 fields; what watch reads: 1 time, 2 user, 3 database, 4 pid,
# 5 connection_from, 14 message, 23 application_name.
_CSVLOG = (
    rf"(?s)^(?P<ts>[^,]*),(?P<user>{_F}),(?P<db>{_F}),(?P<pid>\d*),(?P<client>{_F}),"
    rf"(?:{_F},){{8}}(?P<message>{_F}),(?:{_F},){{8}}(?P<application>{_F})(?:,{_F})*$"
)
_START = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
_CSV_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z0-9+:-]+)?,")


@dataclass
class Parsed:
    """What reading a log gave: its statements, and its malformed lines (count and first line numbers)."""

    statements: pl.DataFrame
    lines: int = 0
    malformed: int = 0
    malformed_lines: list[int] = field(default_factory=list)

    def add(self, other: Parsed) -> None:
        self.statements = pl.concat([self.statements, other.statements], how="vertical")
        self.lines += other.lines
        self.malformed += other.malformed
        room = MAX_MALFORMED_KEPT - len(self.malformed_lines)
        self.malformed_lines.extend(other.malformed_lines[:room])


def empty_statements() -> pl.DataFrame:
    return pl.DataFrame(schema=STATEMENTS_SCHEMA)


def _unquote(expr: pl.Expr) -> pl.Expr:
    """A CSV field's value: surrounding quotes removed, doubled quotes undone."""
    quoted = expr.str.starts_with('"') & expr.str.ends_with('"') & (expr.str.len_chars() >= 2)
    return (
        pl.when(quoted)
        .then(expr.str.slice(1, expr.str.len_chars() - 2).str.replace_all('""', '"', literal=True))
        .otherwise(expr)
    )


def _pg_time(expr: pl.Expr) -> pl.Expr:
    """``%m`` (milliseconds) or ``%t`` (seconds) timestamps; the zone name after them is not read."""
    return pl.coalesce(
        expr.str.slice(0, 23).str.to_datetime("%Y-%m-%d %H:%M:%S%.3f", strict=False, time_unit="us"),
        expr.str.slice(0, 19).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
    )


def bare_table(expr: pl.Expr) -> pl.Expr:
    """``public."Customers"`` → ``customers``: the relation name without schema or quotes, lower case."""
    return expr.str.replace_all(r'[`"\[\]]', "").str.to_lowercase().str.replace(r"^.*\.", "")


def _malformed(frame: pl.DataFrame, ok: str) -> tuple[int, list[int]]:
    bad = frame.filter(~pl.col(ok))
    return bad.height, bad.get_column("line").head(MAX_MALFORMED_KEPT).to_list()


# ---------------------------------------------------------------- pgaudit


def _pgaudit_records(lines: pl.DataFrame) -> pl.DataFrame:
    """Joins continuation lines to their record: a record starts at a line that begins with a timestamp,
    and a line that does not continues it only while a quote opened in the record is still open (a
    statement spanning lines is a quoted field in both formats); any other line is a record of its own,
    which will not parse and is counted as malformed."""
    text = pl.col("text")
    stamped = text.str.contains(_START)
    if lines.select(stamped.all()).item():  # the common block: one line per record
        return lines
    quotes = text.str.count_matches('"', literal=True)
    framed = lines.with_columns(group=stamped.cum_sum(), quotes=quotes)
    open_quote = (pl.col("quotes").cum_sum().over("group") - pl.col("quotes")) % 2 == 1
    framed = framed.with_columns(record=(stamped | ~open_quote).cum_sum()).drop("group", "quotes")
    if framed.get_column("record").n_unique() == framed.height:
        return framed.drop("record")
    return (
        framed.group_by("record", maintain_order=True)
        .agg(pl.col("line").first(), pl.col("text").str.join("\n"))
        .drop("record")
    )


def _stderr_fields(records: pl.DataFrame) -> pl.DataFrame:
    """The stderr prefix ``%m [%p] %q%u@%d LEVEL:  message`` by position (finds and slices: much cheaper
    than a regular expression with captures)."""
    text = pl.col("text")
    located = records.with_columns(
        b=text.str.find(" [", literal=True),
        e=text.str.find("] ", literal=True),
        c=text.str.find(":  ", literal=True),
    )
    who = text.str.slice(pl.col("e") + 2, pl.col("c") - pl.col("e") - 2)  # "user@db LOG" or "LOG"
    has_user = who.str.contains(" ", literal=True)
    user_db = who.str.splitn(" ", 2).struct.field("field_0")
    pair = user_db.str.splitn("@", 2)
    return located.with_columns(
        ts=pl.when((pl.col("b") > 0) & (pl.col("e") > pl.col("b")) & (pl.col("c") > pl.col("e"))).then(
            text.str.slice(0, pl.col("b"))
        ),
        pid=text.str.slice(pl.col("b") + 2, pl.col("e") - pl.col("b") - 2),
        user=pl.when(has_user).then(pair.struct.field("field_0")),
        db=pl.when(has_user).then(pair.struct.field("field_1")),
        client=pl.lit(None, pl.String),
        application=pl.lit(None, pl.String),
        message=text.str.slice(pl.col("c") + 3),
    )


def _csvlog_fields(records: pl.DataFrame) -> pl.DataFrame:
    csv = records.with_columns(pl.col("text").str.extract_groups(_CSVLOG).alias("f")).unnest("f")
    return csv.with_columns(
        user=_unquote(pl.col("user")),
        db=_unquote(pl.col("db")),
        client=_unquote(pl.col("client")),
        message=_unquote(pl.col("message")),
        application=_unquote(pl.col("application")),
    )


_AUDIT_HEAD = ["audit_type", "stmt_id", "sub_id", "class", "command", "object_type", "object", "rest"]


_AUDIT_FIELDS = [*_AUDIT_HEAD[:-1], "statement", "parameter", "rows"]


def _audit_fields(entries: pl.DataFrame) -> pl.DataFrame:
    """The AUDIT record's fields, by Polars' CSV reader over all the records at once (they are CSV);
    records it cannot read as such, in number or shape, go the careful way (:func:`_audit_fields_split`)."""
    if entries.height == 0:
        return _audit_fields_split(entries)
    text = entries.get_column("message").str.slice(len("AUDIT: ")).str.join("\n").item()
    try:
        fields = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            has_header=False,
            schema=dict.fromkeys(_AUDIT_FIELDS, pl.String),
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        return _audit_fields_split(entries)
    if fields.height != entries.height:
        return _audit_fields_split(entries)
    fields = fields.with_columns(
        ok=pl.col("stmt_id").str.contains(r"^\d+$").fill_null(False)
        & pl.col("statement").is_not_null()
        & (pl.col("rows").is_null() | pl.col("rows").str.contains(r"^-?\d+$")).fill_null(False)
    )
    if not fields.get_column("ok").all():
        return _audit_fields_split(entries)
    return pl.concat([entries, fields], how="horizontal")


def _audit_fields_split(entries: pl.DataFrame) -> pl.DataFrame:
    """The AUDIT record's fields: the first seven split at commas (they hold none, except a quoted
    object name, rare), then the statement, the parameter and the optional row count from the end."""
    head = pl.col("message").str.slice(len("AUDIT: ")).str.splitn(",", 8).struct.rename_fields(_AUDIT_HEAD)
    split = entries.with_columns(head.alias("a")).unnest("a")
    rest = pl.col("rest")
    split = split.with_columns(rows=rest.str.extract(r",(-?\d+)$"))
    cut = pl.col("rows").str.len_chars().cast(pl.Int64) + 1
    split = split.with_columns(body=pl.when(cut.is_null()).then(rest).otherwise(rest.str.head(-cut)))
    # the parameter is <not logged> or <none> (suffixes, cheap), else a quoted field (log_parameter)
    body = pl.col("body")
    quoted_param = body.str.extract(r',"[^"]*"$', 0).str.len_chars().cast(pl.Int64)
    statement = (
        pl.when(body.str.ends_with(",<not logged>"))
        .then(body.str.head(-len(",<not logged>")))
        .when(body.str.ends_with(",<none>"))
        .then(body.str.head(-len(",<none>")))
        .otherwise(body.str.head(-quoted_param))
    )
    return split.with_columns(statement=statement).with_columns(
        statement=_unquote(pl.col("statement")),
        ok=pl.col("statement").is_not_null() & pl.col("stmt_id").str.contains(r"^\d+$"),
    )


def _pgaudit_entries(records: pl.DataFrame) -> tuple[pl.DataFrame, int, list[int]]:
    """One row per audit entry: line, time, user, database, pid, client, application and the AUDIT fields."""
    is_csv = pl.col("text").str.contains(_CSV_START.pattern)
    cols = ["line", "ts", "user", "db", "pid", "client", "application", "message"]
    csv = records.filter(is_csv)
    plain = records.filter(~is_csv)
    parts = []
    if csv.height:
        parts.append(_csvlog_fields(csv).select(cols))
    if plain.height:
        parts.append(_stderr_fields(plain).select(cols))
    both = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema={c: pl.String for c in cols})
    both = both.with_columns(ok=pl.col("ts").is_not_null())
    bad, bad_lines = _malformed(both, "ok")
    audit = both.filter(pl.col("ok") & pl.col("message").str.starts_with("AUDIT: ")).drop("ok")
    fields = _audit_fields(audit)
    bad2, bad_lines2 = _malformed(fields, "ok")
    return fields.filter("ok"), bad + bad2, sorted(bad_lines + bad_lines2)[:MAX_MALFORMED_KEPT]


def _pgaudit_block(lines: pl.DataFrame) -> Parsed:
    entries, bad, bad_lines = _pgaudit_entries(_pgaudit_records(lines))
    entries = entries.with_columns(
        time=_pg_time(pl.col("ts")),
        object=_unquote(pl.col("object")),
        rows=pl.col("rows").cast(pl.Int64, strict=False),
    )
    entries = entries.with_columns(table=pl.when(pl.col("object") != "").then(bare_table(pl.col("object"))))
    # Entries of one statement are consecutive entries of one backend with one statement id (one per
    # relation and substatement); a backend's next statement id, or a reused process id, starts another.
    entries = entries.with_columns(
        statement_no=(pl.col("stmt_id") != pl.col("stmt_id").shift(1)).fill_null(True).cum_sum().over("pid")
    )
    if entries.select(pl.struct("pid", "statement_no").n_unique()).item() == entries.height:
        one = pl.col("table").reshape((-1, 1)).arr.to_list()  # far cheaper than concat_list here
        statements = entries.with_columns(
            tables=pl.when(pl.col("table").is_null())
            .then(pl.lit([], dtype=pl.List(pl.String)))
            .otherwise(one)
        )
    else:
        statements = entries.group_by("pid", "statement_no", maintain_order=True).agg(
            pl.col("line").first(),
            pl.col("time").first(),
            pl.col("user").first(),
            pl.col("client").first(),
            pl.col("application").first(),
            pl.col("statement").first(),
            pl.col("table").drop_nulls().unique(maintain_order=True).alias("tables"),
            pl.col("rows").max(),
        )
    statements = statements.select(list(STATEMENTS_SCHEMA))
    return Parsed(statements.cast(STATEMENTS_SCHEMA), lines.height, bad, bad_lines)  # type: ignore[arg-type]


# ---------------------------------------------------------------- MariaDB server_audit


def _mariadb_block(lines: pl.DataFrame) -> Parsed:
    names = ["ts", "host", "user", "client", "conn", "query", "op", "db", "rest"]
    fields = lines.with_columns(pl.col("text").str.splitn(",", 9).struct.rename_fields(names).alias("f"))
    fields = fields.unnest("f").with_columns(retcode=pl.col("rest").str.extract(r",(-?\d*)$"))
    fields = fields.with_columns(
        object=pl.col("rest").str.head(-(pl.col("retcode").str.len_chars().cast(pl.Int64) + 1)),
        ts=pl.when(
            pl.col("ts").str.contains(r"^\d{8} \d\d:\d\d:\d\d$") & pl.col("retcode").is_not_null()
        ).then(pl.col("ts")),
    )
    fields = fields.with_columns(ok=pl.col("ts").is_not_null() | (pl.col("text") == ""))
    bad, bad_lines = _malformed(fields, "ok")
    fields = fields.filter(pl.col("ts").is_not_null())
    op = pl.col("op")
    statement = (
        pl.col("object")
        .str.strip_prefix("'")
        .str.strip_suffix("'")
        .str.replace_all("\\'", "'", literal=True)
        .str.replace_all("\\n", "\n", literal=True)
        .str.replace_all("\\\\", "\\", literal=True)
    )
    statements = (
        fields.filter(op.is_in(["QUERY", "READ", "WRITE"]))
        .group_by("conn", "query", maintain_order=True)
        .agg(
            pl.col("line").first(),
            pl.col("ts")
            .first()
            .str.to_datetime("%Y%m%d %H:%M:%S", strict=False, time_unit="us")
            .alias("time"),
            pl.col("user").first(),
            pl.col("client").first(),
            pl.lit(None, pl.String).alias("application"),
            statement.filter(op == "QUERY").first().alias("statement"),
            bare_table(pl.col("object"))
            .filter(op.is_in(["READ", "WRITE"]) & (pl.col("db") != "mysql"))
            .unique(maintain_order=True)
            .alias("tables"),
            pl.lit(None, pl.Int64).alias("rows"),
        )
        .filter(pl.col("statement").is_not_null())
        .select(list(STATEMENTS_SCHEMA))
    )
    return Parsed(statements.cast(STATEMENTS_SCHEMA), lines.height, bad, bad_lines)  # type: ignore[arg-type]


# ---------------------------------------------------------------- JSON lines


def _jsonl_block(lines: pl.DataFrame) -> Parsed:
    text = pl.col("text")

    def get(key: str) -> pl.Expr:
        return text.str.json_path_match(f"$.{key}")

    fields = lines.filter(text.str.strip_chars() != "").with_columns(
        user=get("user"),
        time=get("time").str.to_datetime(strict=False, time_unit="us", time_zone=None),
        client=get("client"),
        application=get("application"),
        statement=get("statement"),
        tables=bare_table(get("tables").str.json_decode(pl.List(pl.String)).list.explode())
        .implode()
        .over("line"),
        rows=get("rows").cast(pl.Int64, strict=False),
    )
    fields = fields.with_columns(
        ok=pl.col("user").is_not_null() & pl.col("time").is_not_null() & pl.col("statement").is_not_null()
    )
    bad, bad_lines = _malformed(fields, "ok")
    statements = (
        fields.filter("ok").with_columns(pl.col("tables").fill_null([])).select(list(STATEMENTS_SCHEMA))
    )
    return Parsed(statements.cast(STATEMENTS_SCHEMA), lines.height, bad, bad_lines)  # type: ignore[arg-type]


_BLOCK_PARSERS = {"pgaudit": _pgaudit_block, "mariadb-audit": _mariadb_block, "jsonl": _jsonl_block}
_MULTILINE = {"pgaudit"}


# ---------------------------------------------------------------- reading


def detect_format(path: Path) -> Format:
    """The format of a log from its first non-empty lines."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", "replace")
    for line in head.splitlines():
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            return "jsonl"
        if len(line) > 9 and line[:8].isdigit() and line[8] == " ":
            return "mariadb-audit"
        if line[:4].isdigit() and line[4:5] == "-":
            return "pgaudit"
    raise InputError(f"{path}: cannot tell the log format; pass --format")


class LogReader:
    """Reads one log file from a position, a block of whole records at a time; remembers where it stopped,
    so :meth:`read_new` (``--follow``) parses only what was appended since."""

    def __init__(self, path: Path, fmt: Format, *, block_bytes: int = BLOCK_BYTES) -> None:
        self.path = path
        self.format = fmt
        self.block_bytes = block_bytes
        self.offset = 0
        self.next_line = 1
        self._parse = _BLOCK_PARSERS[fmt]

    def _lines(self, handle: BinaryIO, final: bool) -> Iterator[pl.DataFrame]:
        """Blocks of complete lines from the current offset (columns ``line``, ``text``, ``nbytes``); a
        trailing line without its newline is left for later unless ``final``."""
        handle.seek(self.offset)
        carry = b""
        while True:
            data = handle.read(self.block_bytes)
            if not data:
                break
            data = carry + data
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            block, carry = data[: cut + 1], data[cut + 1 :]
            yield self._frame(block)
        if final and carry:
            yield self._frame(carry + b"\n")

    def _frame(self, block: bytes) -> pl.DataFrame:
        frame = _split_lines(block)
        first = self.next_line
        self.next_line += frame.height
        frame = frame.with_columns(
            line=pl.int_range(first, first + frame.height, dtype=pl.Int64),
            nbytes=pl.col("text").str.len_bytes().cast(pl.Int64) + 1,
        )
        if b"\r" in block:  # lines ended CRLF (a log copied through Windows)
            frame = frame.with_columns(pl.col("text").str.strip_suffix("\r"))
        return frame

    def read(self, *, final: bool = True) -> Iterator[Parsed]:
        """Parsed blocks from where the last read stopped. While following (``final`` false), the last
        record of a multi-line format may continue in lines not written yet: it is read again next time."""
        with self.path.open("rb") as handle:
            pending: pl.DataFrame | None = None
            for frame in self._lines(handle, final):
                if pending is not None:
                    frame = pl.concat([pending, frame])
                    pending = None
                if self.format in _MULTILINE:
                    frame, pending = _split_last_record(frame)
                if frame.height:
                    self.offset += int(frame.get_column("nbytes").sum())
                    yield self._parse(frame.drop("nbytes"))
            if pending is not None:
                if final:
                    self.offset += int(pending.get_column("nbytes").sum())
                    yield self._parse(pending.drop("nbytes"))
                else:
                    self.next_line = int(pending.get_column("line")[0])

    def read_all(self) -> Parsed:
        parsed = Parsed(empty_statements())
        for block in self.read(final=True):
            parsed.add(block)
        return parsed


def _split_lines(block: bytes) -> pl.DataFrame:
    """The block's lines (it ends with a newline) as a ``text`` column: Polars' CSV reader with a
    separator no log line holds, and if one does (a statement may), a plain split of the decoded block."""
    try:
        frame = pl.read_csv(
            io.BytesIO(block),
            has_header=False,
            separator=_UNIT_SEPARATOR,
            quote_char=None,
            schema={"text": pl.String},
            encoding="utf8-lossy",
        ).with_columns(pl.col("text").fill_null(""))
    except (pl.exceptions.PolarsError, pl.exceptions.ComputeError):
        frame = None
    if frame is None or frame.height != block.count(b"\n"):
        frame = pl.DataFrame(
            {"text": block[:-1].decode("utf-8", "replace").split("\n")}, schema={"text": pl.String}
        )
    return frame


def _split_last_record(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The block up to its last record start, and that record (it may continue in the next block)."""
    starts = frame.get_column("text").str.contains(_START).arg_true()
    if starts.len() == 0:
        return frame.head(0), frame
    last = int(starts[-1])
    return frame.head(last), frame.slice(last)


def open_log(path: Path, fmt: Format | None = None) -> LogReader:
    """A reader of one log file in the given format, else the one its lines show."""
    if not path.is_file():
        raise InputError(f"{path}: no such log file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: not readable")
    return LogReader(path, fmt or detect_format(path))


def read_logs(paths: list[Path], fmt: Format | None = None) -> Parsed:
    """Every statement in the logs, texts included (``watch`` keeps only their exposure: see
    :func:`ringfence.watch.run.expose_logs`)."""
    parsed = Parsed(empty_statements())
    for path in paths:
        parsed.add(open_log(path, fmt).read_all())
    return parsed
