"""Reading audit logs: the lines the servers write (copied from PostgreSQL 15 + pgAudit 1.7 and MariaDB
10.11 server_audit on this project's CI machine), statements spanning lines, malformed lines by number,
block boundaries, and a log that grows while it is read."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import InputError
from ringfence.watch.parse import LogReader, detect_format, read_logs

PG_STDERR = (
    '2026-12-03 06:20:52.553 UTC [16090] LOG:  parameter "pgaudit.log_rows" changed to "on"\n'
    "2026-12-03 06:20:53.674 UTC [16353] alice@test LOG:  AUDIT: SESSION,3,1,READ,SELECT,TABLE,"
    'public.customers,"SELECT name, phone FROM customers WHERE note = \'x,""y\'",<not logged>,2\n'
    "2026-12-03 06:20:53.675 UTC [16353] alice@test LOG:  AUDIT: SESSION,4,1,READ,SELECT,TABLE,"
    'public.customers,"SELECT *\n\tFROM customers\n\tJOIN orders USING (customer_id)",<not logged>,1500\n'
    "2026-12-03 06:20:53.675 UTC [16353] alice@test LOG:  AUDIT: SESSION,4,1,READ,SELECT,TABLE,"
    'public.orders,"SELECT *\n\tFROM customers\n\tJOIN orders USING (customer_id)",<not logged>,1500\n'
    "garbage that no server wrote\n"
    "2026-12-03 06:20:53.675 UTC [16354] bob@test LOG:  AUDIT: SESSION,5,1,READ,COPY,,,"
    '"copy customers to stdout",<not logged>,0\n'
    "2026-12-03 06:20:54.001 UTC [16355] carol@test LOG:  AUDIT: SESSION,1,1,READ,SELECT,TABLE,public.t,"
    "select 1,<not logged>\n"
)
PG_CSV = (
    '2026-12-03 06:20:53.674 UTC,"alice","test",16353,"127.0.0.1:36758",6b110a45.3fe1,3,"SELECT",'
    '2026-12-03 06:20:53 UTC,2/26,728,LOG,00000,"AUDIT: SESSION,3,1,READ,SELECT,TABLE,public.customers,'
    '""SELECT name FROM customers WHERE note = \'x,""""y\'\n  AND id > 3"",<not logged>,2",,,,,,,,,"psql",'
    '"client backend",,0\n'
    "2026-12-03 06:20:53.675 UTC,,,16090,,6b110a45.3fe0,1,,2026-12-03 06:20:50 UTC,,0,LOG,00000,"
    '"checkpoint starting: time",,,,,,,,,"","checkpointer",,0\n'
    '2026-12-03 06:20:53.676 UTC,"alice","test",not-a-pid\n'
)
MARIADB = (
    "20261203 06:20:59,vm,root,127.0.0.1,13,23,READ,test,customers,\n"
    "20261203 06:20:59,vm,root,127.0.0.1,13,23,QUERY,test,'select * from customers',0\n"
    "20261203 06:20:59,vm,root,127.0.0.1,13,22,WRITE,test,zz_t,\n"
    "20261203 06:20:59,vm,root,127.0.0.1,13,22,QUERY,test,'insert into zz_t values (1,\\'x,\\'\\'y\\'),"
    "(2,\\'multi\\nline\\')',0\n"
    "20261203 06:21:00,vm,root,127.0.0.1,13,0,DISCONNECT,test,,0\n"
    "20261203 06:21:0 broken\n"
)
JSONL = (
    '{"user": "dana", "time": "2026-12-03T07:00:00", "client": "10.0.0.9", "statement": "SELECT * FROM '
    'customers", "tables": ["public.Customers"], "rows": 40, "application": "metabase"}\n'
    '{"user": "dana", "time": "2026-12-03T07:01:00", "statement": "SELECT 1"}\n'
    '{"user": "dana", "time": \n'
    '{"time": "2026-12-03T07:02:00", "statement": "SELECT 1"}\n'
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_pgaudit_stderr_statements_rows_tables_and_malformed_lines(tmp_path: Path) -> None:
    parsed = read_logs([_write(tmp_path, "postgresql.log", PG_STDERR)])
    s = parsed.statements
    assert s.get_column("user").to_list() == ["alice", "alice", "bob", "carol"]
    assert s.get_column("statement")[0] == "SELECT name, phone FROM customers WHERE note = 'x,\"y'"
    assert s.get_column("statement")[1] == "SELECT *\n\tFROM customers\n\tJOIN orders USING (customer_id)"
    assert s.get_column("tables").to_list()[:3] == [["customers"], ["customers", "orders"], []]
    assert s.get_column("rows").to_list() == [2, 1500, 0, None]  # the last entry has no log_rows field
    assert s.get_column("line").to_list() == [2, 3, 10, 11]
    assert (parsed.malformed, parsed.malformed_lines) == (1, [9])
    assert s.get_column("time")[0].isoformat() == "2026-12-03T06:20:53.674000"


def test_pgaudit_csvlog_with_quoted_newlines(tmp_path: Path) -> None:
    parsed = read_logs([_write(tmp_path, "postgresql.csv", PG_CSV)])
    s = parsed.statements
    assert s.height == 1
    row = s.row(0, named=True)
    assert (row["user"], row["client"], row["application"], row["rows"]) == (
        "alice",
        "127.0.0.1:36758",
        "psql",
        2,
    )
    assert row["statement"] == "SELECT name FROM customers WHERE note = 'x,\"y'\n  AND id > 3"
    assert (parsed.malformed, parsed.malformed_lines) == (1, [4])


def test_mariadb_audit_joins_table_events_to_their_query(tmp_path: Path) -> None:
    parsed = read_logs([_write(tmp_path, "server_audit.log", MARIADB)])
    s = parsed.statements
    assert s.get_column("statement").to_list() == [
        "select * from customers",
        "insert into zz_t values (1,'x,''y'),(2,'multi\nline')",
    ]
    assert s.get_column("tables").to_list() == [["customers"], ["zz_t"]]
    assert s.get_column("client").to_list() == ["127.0.0.1", "127.0.0.1"]
    assert s.get_column("rows").null_count() == 2  # server_audit does not log rows
    assert (parsed.malformed, parsed.malformed_lines) == (1, [6])


def test_jsonl_fields_and_malformed_lines(tmp_path: Path) -> None:
    parsed = read_logs([_write(tmp_path, "proxy.jsonl", JSONL)])
    s = parsed.statements
    assert s.height == 2
    assert s.row(0, named=True)["tables"] == ["customers"]
    assert s.row(0, named=True)["application"] == "metabase"
    assert s.row(1, named=True)["rows"] is None
    assert (parsed.malformed, parsed.malformed_lines) == (2, [3, 4])


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("a.log", PG_STDERR, "pgaudit"),
        ("b.csv", PG_CSV, "pgaudit"),
        ("c.log", MARIADB, "mariadb-audit"),
        ("d.jsonl", JSONL, "jsonl"),
    ],
)
def test_formats_are_told_from_the_lines(tmp_path: Path, name: str, text: str, fmt: str) -> None:
    assert detect_format(_write(tmp_path, name, text)) == fmt


def test_unknown_format_and_missing_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="format"):
        detect_format(_write(tmp_path, "x.txt", "hello\n"))
    with pytest.raises(InputError, match="no such"):
        read_logs([tmp_path / "absent.log"])


def _sessions(n: int) -> str:
    """The stderr sample n times over, each copy from other backends (statement ids restart per backend),
    without the second relation entry of the join (a statement whose entries straddle two blocks is
    read as two: a documented limit)."""
    start = PG_STDERR.index(
        "2026-12-03 06:20:53.675 UTC [16353] alice@test LOG:  AUDIT: SESSION,4,1,READ,SELECT,TABLE,"
        "public.orders"
    )
    one = PG_STDERR[:start] + PG_STDERR[PG_STDERR.index("garbage") :]
    return "".join(one.replace(" [1635", f" [{i}1635") for i in range(n))


def test_small_blocks_give_the_same_statements(tmp_path: Path) -> None:
    path = _write(tmp_path, "postgresql.log", _sessions(20))
    whole = LogReader(path, "pgaudit").read_all()
    pieces = LogReader(path, "pgaudit", block_bytes=97).read_all()
    assert pieces.statements.equals(whole.statements)
    assert pieces.malformed_lines == whole.malformed_lines
    assert whole.statements.height == 80 and whole.malformed == 20


def test_follow_reads_what_another_writer_appends(tmp_path: Path) -> None:
    """A thread appends the log line by line (a statement's continuation lines in separate writes); the
    reader, polled meanwhile, ends with every statement once and whole."""
    path = tmp_path / "growing.log"
    path.write_text("", encoding="utf-8")
    chunks = _sessions(3).replace("\n\t", "\n\t\x00").split("\x00")

    def writer() -> None:
        for chunk in chunks:  # a few dozen appends
            with path.open("a", encoding="utf-8") as handle:
                handle.write(chunk)
            time.sleep(0.003)

    reader = LogReader(path, "pgaudit")
    thread = threading.Thread(target=writer)
    thread.start()
    got: list[pl.DataFrame] = []
    while thread.is_alive():
        got += [b.statements for b in reader.read(final=False)]
        time.sleep(0.001)
    thread.join()
    got += [b.statements for b in reader.read(final=True)]
    statements = pl.concat(got)
    expected = LogReader(path, "pgaudit").read_all().statements
    assert statements.equals(expected)
    assert statements.height == 12


def test_both_ways_of_reading_audit_records_agree() -> None:
    """The CSV reader over all records and the careful split (taken when the reader cannot) give the
    same fields, quoted statements and objects included."""
    from ringfence.watch import parse

    lines = pl.DataFrame({"text": PG_STDERR.split("\n")[:-1]}).with_row_index("line", offset=1)
    fields = parse._stderr_fields(parse._pgaudit_records(lines.with_columns(pl.col("line").cast(pl.Int64))))
    audit = fields.filter(pl.col("message").str.starts_with("AUDIT: ")).select("line", "message")
    fast, careful = parse._audit_fields(audit), parse._audit_fields_split(audit)
    columns = ["stmt_id", "object", "statement", "rows"]
    assert fast.height == careful.height == 5
    assert fast.select(columns).equals(
        careful.select(columns).with_columns(pl.col("object").replace("", None))
    )


def test_crlf_line_ends_read_like_lf(tmp_path: Path) -> None:
    plain = read_logs([_write(tmp_path, "a.log", MARIADB)]).statements
    crlf = tmp_path / "b.log"
    crlf.write_bytes(MARIADB.replace("\n", "\r\n").encode("utf-8"))
    assert read_logs([crlf]).statements.equals(plain)
