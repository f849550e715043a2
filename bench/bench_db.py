"""Database read → protect → database write, on the real servers on localhost: time and peak memory.

    python -m bench db                      # 10,000,000 rows through PostgreSQL, 2,000,000 through MariaDB
    python -m bench db --rows 1000000       # MariaDB gets a fifth of --rows (its writer is the slow part)

The input is ``bench protect``'s 10-column transactions table, loaded once per run into a table of each
server (``rf_bench_in``) through ringfence's own writers; the measured run is ``protect`` with ``bench
protect``'s policy from that table into a new one (``rf_bench_out``, swapped in atomically), each in a fresh
process so its peak RSS is its own. Reads stream through a server-side cursor (PostgreSQL: a named cursor;
MariaDB: an unbuffered ``SSCursor``), so memory stays bounded by the batch size whatever the table size.
Both tables are dropped afterwards. The loads are reported too: they are the writers' speed alone.

PostgreSQL on 127.0.0.1:5432 (database ``test``, user ``postgres``) and MariaDB on 127.0.0.1:3306 (database
``test``, user ``root``) must run; ``RINGFENCE_TEST_POSTGRES`` / ``RINGFENCE_TEST_MYSQL`` override the URIs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from bench.bench_protect import POLICY, _peak_rss_mib, input_path, write_input

POSTGRES = os.environ.get("RINGFENCE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL = os.environ.get("RINGFENCE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")


def _uri(base: str, table: str) -> str:
    return f"{base}?table={table}"


def _load(args: str) -> dict[str, Any]:
    from ringfence.io.read import open_source
    from ringfence.pipeline.commit import Commit
    from ringfence.pipeline.runner import Runner

    path, target = args.split("\n")
    start = time.perf_counter()
    result = Runner(open_source(path), [], Commit(target, overwrite=True, label="load"), verb="load").run()
    seconds = time.perf_counter() - start
    rate = int(result.rows_in / seconds)
    return {"rows": result.rows_in, "seconds": round(seconds, 1), "rows_per_second": rate}


def _protect(args: str) -> dict[str, Any]:
    from ringfence.keys import Keyset
    from ringfence.pipeline.protect import protect
    from ringfence.policy import parse_policy

    source, target = args.split("\n")
    start, cpu = time.perf_counter(), time.process_time()
    summary = protect(source, parse_policy(POLICY), target, keyset=Keyset.generate(), recipient="bench")
    seconds = time.perf_counter() - start
    return {
        "rows": summary.rows_out,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "rows_per_second": int(summary.rows_out / seconds),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }


def _cleanup(base: str) -> None:
    if base.startswith("postgresql"):
        import psycopg

        with psycopg.connect(base) as conn:
            for table in ("rf_bench_in", "rf_bench_out"):
                conn.execute(f"DROP TABLE IF EXISTS {table}")
    else:
        import pymysql

        conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database="test")
        with conn.cursor() as cur:
            for table in ("rf_bench_in", "rf_bench_out"):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
        conn.close()


def _child(func: Any, args: str) -> dict[str, Any]:
    """``func(args)`` in a fresh interpreter, so its time and peak memory are its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: dict[str, Any] = pool.apply(func, (args,))
    return result


def _server(base: str, rows: int) -> dict[str, Any]:
    write_input(rows)
    path = input_path(rows)
    try:
        load = _child(_load, f"{path}\n{_uri(base, 'rf_bench_in')}")
        run = _child(_protect, f"{_uri(base, 'rf_bench_in')}\n{_uri(base, 'rf_bench_out')}")
    finally:
        _cleanup(base)
    return {"load": load, "protect": run}


def run(rows: int = 10_000_000) -> dict[str, Any]:
    mysql_rows = max(1, rows // 5)
    load_before = os.getloadavg()[0]
    return {
        "load_before": round(load_before, 2),
        "postgresql": {"rows": rows, **_server(POSTGRES, rows)},
        "mariadb": {"rows": mysql_rows, **_server(MYSQL, mysql_rows)},
    }


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        "`bench protect`'s 10-column transactions and policy, table to table on the local servers; each run "
        f"in a fresh process; 1-minute load average {result['load_before']} before the runs.",
        "",
        "| server | rows | load (writer alone) rows/s | protect table → table, s | rows/s | CPU s "
        "| peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("postgresql", "mariadb"):
        r = result[name]
        p = r["protect"]
        lines.append(
            f"| {name} | {r['rows']:,} | {r['load']['rows_per_second']:,} | {p['seconds']} | "
            f"{p['rows_per_second']:,} | {p['cpu_seconds']} | {p['peak_rss_mib']} |"
        )
    return "\n".join(lines)
