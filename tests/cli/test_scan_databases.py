"""``ringfence scan`` on PostgreSQL and MariaDB tables finds what it finds in files (DESIGN.md §2 INPUT)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator

import pytest

from ringfence.io.read import open_source
from ringfence.io.write import write_table
from ringfence.synth import ENTITIES, SynthConfig, generate_platform
from tests.cli.helpers import run_cli
from tests.conftest import MYSQL_URL, POSTGRES_URL

pytestmark = pytest.mark.db


def _drop(base: str, table: str) -> None:
    if base.startswith("postgresql"):
        import psycopg

        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        return
    from urllib.parse import urlsplit

    import pymysql

    parts = urlsplit(base)
    conn = pymysql.connect(
        host=parts.hostname, port=parts.port or 3306, user=parts.username, password=parts.password or "",
        database=parts.path.lstrip("/"), autocommit=True,
    )  # fmt: skip
    try:
        conn.cursor().execute(f"DROP TABLE IF EXISTS `{table}`")
    finally:
        conn.close()


@pytest.fixture(params=[POSTGRES_URL, MYSQL_URL], ids=["postgresql", "mariadb"])
def customers_table(request: pytest.FixtureRequest) -> Iterator[str]:
    base: str = request.param
    table = f"rf_scan_{os.getpid()}_{secrets.token_hex(3)}"
    customers = generate_platform(SynthConfig(customers=4_000, transactions=10, seed=11)).customers
    uri = f"{base}?table={table}"
    write_table(customers, uri)
    try:
        yield uri
    finally:
        _drop(base, table)


def test_a_database_table_is_scanned_like_a_file(
    customers_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "scan", customers_table, "--sample-rows", "2000", "--json")

    assert code == 0, err
    (table,) = json.loads(out)["tables"]
    assert table["rows"] == 4_000 and table["sampled_rows"] == 2_000
    assert table["source"] == open_source(customers_table).name
    found = {c["name"]: c["entity"] for c in table["columns"]}
    assert found == ENTITIES["customers"]
