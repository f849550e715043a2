"""Watch on the logs real servers wrote: PostgreSQL with pgAudit, MariaDB with server_audit.

A short real workload runs as several database roles (two analysts, a support agent, a batch job and an
insider who dumps the customers table and exports it) against a table of synthetic customers that
``ringfence scan`` put in the workspace's inventory. Their earlier 14 days (ordinary work, the batch job's
nightly export included) are given as a JSON-lines history, as a warehouse's log would be. ``ringfence
watch`` then reads the history and the log the server actually wrote during the test, and must name the
insider, and only him. Roles, tables and files made here are removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ringfence.synth import SynthConfig, generate_platform
from tests.cli.helpers import run_cli
from tests.conftest import MYSQL_URL, POSTGRES_URL

pytestmark = pytest.mark.db

CUSTOMERS = 3000
ROLES = ("analyst1", "analyst2", "support", "batch", "insider")


def _customers() -> pl.DataFrame:
    platform = generate_platform(SynthConfig(customers=CUSTOMERS, transactions=10, seed=11))
    return platform.customers.select("customer_id", "name", "phone", "email", "address", "city").with_columns(
        pl.col("customer_id").cast(pl.String)
    )


def _history(users: dict[str, str], table: str, now: dt.datetime, path: Path) -> None:
    """14 earlier days of each role's ordinary work, as JSON lines (a proxy's or warehouse's log)."""
    lines = []
    for back in range(14, 0, -1):  # 14 days x 5 roles: a few hundred lines, written once
        day = now - dt.timedelta(days=back)
        for role, user in users.items():
            if role == "batch":
                work = [(f"COPY (SELECT customer_id, name FROM {table}) TO STDOUT", CUSTOMERS, 0)]
            elif role == "support":
                work = [
                    (f"SELECT name, phone FROM {table} WHERE customer_id = {7 + 13 * i + back}", 1, 0)
                    for i in range(12)
                ]
            else:  # analysts and the insider, before he turned
                work = [
                    (f"SELECT name, email FROM {table} WHERE city = 'C{i}' LIMIT 40", 30 + i + back, 0)
                    for i in range(4)
                ]
            for i, (statement, rows, _) in enumerate(work):
                when = day.replace(minute=0, second=0) + dt.timedelta(minutes=i)
                lines.append(
                    json.dumps(
                        {
                            "user": user,
                            "time": when.isoformat(timespec="seconds"),
                            "client": "10.0.0.5",
                            "statement": statement,
                            "tables": [table],
                            "rows": rows,
                        }
                    )
                )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _workload(execute: Any, table: str, export: str, sessions: dict[str, Any]) -> None:
    """Today's work, statement by statement, each as its role; closes the roles' sessions."""
    try:
        _statements(execute, table, export)
    finally:
        for session in sessions.values():
            session.close()


def _statements(execute: Any, table: str, export: str) -> None:
    for i in range(3):
        execute("analyst1", f"SELECT name, email FROM {table} WHERE city = 'C{i}' LIMIT 40")
        execute("analyst2", f"SELECT name, email FROM {table} WHERE city = 'C{i + 1}' LIMIT 40")
    for i in range(10):
        execute("support", f"SELECT name, phone FROM {table} WHERE customer_id = '{100 + 17 * i}'")
    nightly = f"SELECT customer_id, name FROM {table}"
    execute("batch", f"COPY ({nightly}) TO STDOUT" if export == "copy" else nightly)
    execute("insider", f"SELECT name, email FROM {table} WHERE city = 'C1' LIMIT 40")
    execute("insider", f"SELECT * FROM {table}")
    if export == "copy":
        execute("insider", f"COPY {table} TO STDOUT")
    else:
        execute("insider", f"SELECT /*!40001 SQL_NO_CACHE */ * FROM {table}")


def _watch(capsys: pytest.CaptureFixture[str], ws: Path, logs: list[Path]) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "watch", *map(str, logs), "--workspace", str(ws), "--json")
    assert code == 1, err  # a high alert was raised
    return json.loads(out)


def _watch_what_the_server_wrote(
    capsys: pytest.CaptureFixture[str],
    ws: Path,
    tmp_path: Path,
    written: tuple[Path, int],
    users: dict[str, str],
    table: str,
    now: dt.datetime,
) -> None:
    """Watches the history and what the server appended to its log since the workload began (the suffix
    of the file format tells pgAudit's CSV log from server_audit's), and checks the insider is named."""
    log, start = written
    today = tmp_path / f"today{log.suffix}"
    with log.open("rb") as handle:
        handle.seek(start)
        today.write_bytes(handle.read())
    history = tmp_path / "history.jsonl"
    _history(users, table, now, history)
    _check(_watch(capsys, ws, [history, today]), users, table)


def _check(doc: dict[str, Any], users: dict[str, str], table: str) -> None:
    ours = set(users.values())
    flagged = {a["user"] for a in doc["alerts"] if a["severity"] in ("medium", "high") and a["user"] in ours}
    assert flagged == {users["insider"]}, doc["alerts"]
    kinds = {a["kind"] for a in doc["alerts"] if a["user"] == users["insider"]}
    assert kinds & {"export", "volume"}, kinds
    insider = [a for a in doc["alerts"] if a["user"] == users["insider"]]
    assert all(table in a["tables"] for a in insider)
    assert any({f"{table}.name", f"{table}.phone"} <= set(a["columns"]) for a in insider)
    assert max(a["rows"] for a in insider) >= CUSTOMERS
    assert doc["malformed_lines"] == 0


# ---------------------------------------------------------------- PostgreSQL + pgAudit


@pytest.fixture
def pg() -> Iterator[Any]:
    psycopg = pytest.importorskip("psycopg")
    conn = psycopg.connect(POSTGRES_URL.replace("postgresql://", "postgresql://", 1), autocommit=True)
    yield conn
    conn.close()


def _pg_log(conn: Any) -> Path:
    """The csvlog file the server writes now, from its own settings."""
    settings = dict(
        conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('data_directory', 'logging_collector', 'shared_preload_libraries', 'log_destination')"
        ).fetchall()
    )
    if "pgaudit" not in settings["shared_preload_libraries"] or settings["logging_collector"] != "on":
        pytest.fail("pgAudit and the logging collector must be on (.ci/run enables them)")
    current = conn.execute("SELECT pg_current_logfile('csvlog')").fetchone()[0]
    assert current, "log_destination must include csvlog (.ci/run sets it)"
    path = Path(current)
    return path if path.is_absolute() else Path(settings["data_directory"]) / path


def test_pgaudit_log_names_the_insider_and_only_him(
    pg: Any, workspace: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = secrets.token_hex(3)
    schema, table = f"rf_watch_{tag}", f"customers_{tag}"
    users = {role: f"rf_w_{tag}_{role}" for role in ROLES}
    pg.execute(f"CREATE SCHEMA {schema}")
    try:
        pg.execute(
            f"CREATE TABLE {schema}.{table} (customer_id TEXT PRIMARY KEY, name TEXT, phone TEXT, "
            "email TEXT, address TEXT, city TEXT)"
        )
        frame = _customers().with_columns(city=pl.format("C{}", pl.int_range(pl.len()) % 5))
        with pg.cursor().copy(f"COPY {schema}.{table} FROM STDIN") as copy:
            for row in frame.iter_rows():  # loading the fixture table, not a kernel
                copy.write_row(row)
        for user in users.values():
            pg.execute(f"CREATE ROLE {user} LOGIN")
            pg.execute(f"GRANT USAGE ON SCHEMA {schema} TO {user}")
            pg.execute(f"GRANT SELECT ON {schema}.{table} TO {user}")
            pg.execute(f"ALTER ROLE {user} SET search_path = {schema}")
        code, _, err = run_cli(
            capsys,
            "scan",
            f"{POSTGRES_URL}?table={schema}.{table}",
            "--workspace",
            str(workspace.root),
            "--json",
        )
        assert code == 0, err
        log = _pg_log(pg)
        start = log.stat().st_size
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

        psycopg = pytest.importorskip("psycopg")
        base = POSTGRES_URL.split("://", 1)[1].split("@", 1)[1]  # host:port/db
        sessions = {
            role: psycopg.connect(
                f"postgresql://{user}@{base}", autocommit=True, application_name=f"{role}-app"
            )
            for role, user in users.items()
        }

        def execute(role: str, sql: str) -> None:
            cur = sessions[role].cursor()
            if sql.startswith("COPY"):
                with cur.copy(sql) as copy:
                    for _ in copy:
                        pass
            else:
                cur.execute(sql)
                cur.fetchall()

        _workload(execute, table, "copy", sessions)
        pg.execute("SELECT pg_sleep(0.5)")  # let the collector write
        _watch_what_the_server_wrote(capsys, workspace.root, tmp_path, (log, start), users, table, now)
    finally:
        pg.execute(f"DROP SCHEMA {schema} CASCADE")
        for user in users.values():
            pg.execute(f"DROP ROLE IF EXISTS {user}")


# ---------------------------------------------------------------- MariaDB + server_audit


def _mysql(user: str = "root") -> Any:
    pymysql = pytest.importorskip("pymysql")
    rest = MYSQL_URL.split("://", 1)[1].split("@", 1)[1]  # host:port/db
    hostport, db = rest.split("/", 1)
    host, port = hostport.split(":")
    return pymysql.connect(host=host, port=int(port), user=user, database=db, autocommit=True)


def _audit_log(conn: Any) -> Path:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT @@server_audit_logging, @@server_audit_file_path, @@datadir, @@server_audit_events"
        )
        logging_on, path, datadir, events = cur.fetchone()
    if not logging_on or "TABLE" not in (events or "").upper():
        pytest.fail("MariaDB server_audit must log QUERY and TABLE events (.ci/run enables it)")
    file = Path(path)
    return file if file.is_absolute() else Path(datadir) / file


def test_server_audit_log_names_the_insider_and_only_him(
    workspace: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tag = secrets.token_hex(3)
    table = f"customers_{tag}"
    users = {role: f"rf_w_{tag}_{role}" for role in ROLES}
    admin = _mysql()
    cur = admin.cursor()
    try:
        cur.execute(
            f"CREATE TABLE {table} (customer_id VARCHAR(32) PRIMARY KEY, name TEXT, phone TEXT, "
            "email TEXT, address TEXT, city TEXT)"
        )
        frame = _customers().with_columns(city=pl.format("C{}", pl.int_range(pl.len()) % 5))
        cur.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s)", frame.rows())
        for user in users.values():
            for host in ("%", "localhost"):
                cur.execute(f"CREATE USER '{user}'@'{host}'")
                cur.execute(f"GRANT SELECT ON {table} TO '{user}'@'{host}'")
        code, _, err = run_cli(
            capsys, "scan", f"{MYSQL_URL}?table={table}", "--workspace", str(workspace.root), "--json"
        )
        assert code == 0, err
        log = _audit_log(admin)
        start = log.stat().st_size
        now = dt.datetime.now().replace(microsecond=0)  # server_audit writes the server's local time
        sessions = {role: _mysql(user) for role, user in users.items()}

        def execute(role: str, sql: str) -> None:
            with sessions[role].cursor() as c:
                c.execute(sql)
                c.fetchall()

        _workload(execute, table, "dump", sessions)
        _watch_what_the_server_wrote(capsys, workspace.root, tmp_path, (log, start), users, table, now)
    finally:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        for user in users.values():
            for host in ("%", "localhost"):
                cur.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
        admin.close()
