"""Database tables where the README lists them, through the command line, on PostgreSQL, MariaDB and
SQLite: ``scan`` of a URI without ``?table=`` scans every table of the schema, ``protect`` reads and writes
tables, ``reveal`` reads them (and refuses to write one)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import polars as pl
import pytest

from ringfence.io.read import read_table
from ringfence.io.write import write_table
from ringfence.synth import ENTITIES, SynthConfig, generate_platform
from tests.cli.helpers import run_cli
from tests.conftest import MYSQL_URL, POSTGRES_URL

pytestmark = pytest.mark.db


def _admin(base: str, sql: str) -> None:
    parts = urlsplit(base)
    if base.startswith("postgresql"):
        import psycopg

        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql)
        return
    import pymysql

    conn = pymysql.connect(
        host=parts.hostname, port=parts.port or 3306, user=parts.username, password=parts.password or "",
        autocommit=True,
    )  # fmt: skip
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


@pytest.fixture(params=["postgresql", "mariadb", "sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own (other runs share the servers' ``test`` database), empty, as a URI."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'platform.db'}"
        return
    base = POSTGRES_URL if request.param == "postgresql" else MYSQL_URL
    name = f"rf_fu_{os.getpid()}_{secrets.token_hex(3)}"
    _admin(base, f"CREATE DATABASE {name}")
    parts = urlsplit(base)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if request.param == "postgresql":
            _admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        else:
            _admin(base, f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def platform() -> dict[str, pl.DataFrame]:
    made = generate_platform(SynthConfig(customers=1_500, transactions=10, seed=13))
    return {"customers": made.customers, "accounts": made.accounts}


def test_a_uri_without_a_table_scans_every_table_of_the_schema(
    database: str, platform: dict[str, pl.DataFrame], capsys: pytest.CaptureFixture[str]
) -> None:
    for name, frame in platform.items():
        write_table(frame, f"{database}?table={name}")
    code, out, err = run_cli(capsys, "scan", database, "--sample-rows", "1000", "--json")
    assert code == 0, err
    tables = json.loads(out)["tables"]
    assert [t["source"].rsplit(" ", 1)[-1] for t in tables] == ["accounts", "customers"]
    for table in tables:
        name = table["source"].rsplit(" ", 1)[-1]
        assert table["rows"] == platform[name].height
        assert {c["name"]: c["entity"] for c in table["columns"]} == ENTITIES[name]


def test_an_empty_schema_is_one_clear_line(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    if database.startswith("sqlite"):
        import sqlite3

        sqlite3.connect(database.removeprefix("sqlite:///")).close()
    code, _, err = run_cli(capsys, "scan", database)
    assert code == 2 and "the schema has no tables" in err and err.count("\n") == 1


def test_protect_and_reveal_read_and_write_database_tables(
    database: str, platform: dict[str, pl.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = platform["customers"].select("customer_id", "email", "phone", "national_id", "city")
    write_table(customers, f"{database}?table=customers")
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "ringfence_policy: 1\nname: db\nunlisted: fail\ncolumns:\n  customer_id: keep\n  city: keep\n"
        "  email: {action: encrypt, entity: EMAIL_ADDRESS}\n"
        "  phone: {action: tokenize, scope: global, entity: PHONE_NUMBER}\n"
        "  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}\n",
        encoding="utf-8",
    )
    source, protected = f"{database}?table=customers", f"{database}?table=customers_protected"
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", source, "-p", str(policy), "-o", protected, "--json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["rows_out"] == customers.height and doc["output"].endswith("?table=customers_protected")
    assert doc["unreadable"] == {"national_id": 0}
    written = read_table(protected)
    assert written.columns == [
        "customer_id", "email", "phone", "national_id_birth_year", "national_id_gender", "city"
    ]  # fmt: skip
    assert not set(written["email"].to_list()) & set(customers["email"].to_list())
    assert written["phone"].str.starts_with("rt1_").all()
    # A table cannot carry the sealed plan record (a Parquet footer): reveal takes the policy and the
    # workspace's only aead key. It writes files only (a revealed copy is kept where it can be controlled).
    revealed = str(tmp_path / "revealed.parquet")
    code, out, err = run_cli(
        capsys, "-w", str(ws), "reveal", protected, "-p", str(policy), "-o", revealed, "--decrypt",
        "--reason", "case 41", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["columns"]["email"]["status"] == "reversed"
    back = read_table(revealed).sort("customer_id")
    assert back["email"].to_list() == customers.sort("customer_id")["email"].to_list()
    code, _, err = run_cli(
        capsys, "-w", str(ws), "reveal", protected, "-p", str(policy), "-o", f"{database}?table=r",
        "--decrypt", "--reason", "case 41",
    )  # fmt: skip
    assert code == 2 and "not a database table" in err
    # The output is checked before any work: an existing table is refused without --force.
    code, _, err = run_cli(capsys, "-w", str(ws), "protect", source, "-p", str(policy), "-o", protected)
    assert code == 2 and "--force" in err
