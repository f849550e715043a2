"""A seeded generator of database audit logs with injected insider scenarios (ground truth by construction).

``generate(users, days, seed)`` returns the statements (one row each, with the user-day it belongs to and
the scenario it was injected for, null for ordinary work) and writes them as a PostgreSQL stderr log with
pgAudit entries, a csvlog, or a MariaDB server_audit file, in the exact formats the servers write
(checked against the real servers by tests/watch/test_db.py). Vectorised: NumPy draws, Polars string
building; no loop over statements.

Roles: analysts (aggregates, some personal extracts), support agents (key lookups of single customers),
batch jobs (a nightly export: routine, off-hours by design), engineers (assorted tables). Ordinary noise:
heavy-but-legitimate days, late evenings, occasional weekend work, a first look at another personal table.
Scenarios (``SCENARIOS``), each on its own user, after the user's first 14 days:

- ``dump``: one statement reading 10-50 × the user's usual daily personal rows;
- ``drip``: 21 days of 2-3 × the usual rows added in small reads;
- ``off_hours``: 3 nights of 2-5 × the usual rows between 01:00 and 04:00;
- ``first_sensitive``: a personal table the user never read, 2-5 × the usual rows;
- ``export``: a ``COPY (SELECT …) TO STDOUT`` of customers' names and phones;
- ``enumeration``: 500-3,000 key lookups walking consecutive customer ids in one day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

SCENARIOS = ("dump", "drip", "off_hours", "first_sensitive", "export", "enumeration")
START = dt.date(2026, 1, 5)  # a Monday
WARMUP_DAYS = 14

TABLES = {  # table: (rows, {column: entity or None})
    "customers": (
        5_000_000,
        {
            "customer_id": "INTERNAL_ID",
            "name": "PERSON_NAME",
            "phone": "PHONE_NUMBER",
            "email": "EMAIL_ADDRESS",
            "address": "POSTAL_ADDRESS",
            "segment": None,
        },
    ),
    "orders": (
        40_000_000,
        {"order_id": None, "customer_id": "INTERNAL_ID", "amount": None, "placed_at": None},
    ),
    "cards": (6_000_000, {"card_id": None, "card_number": "PAYMENT_CARD", "holder_name": "PERSON_NAME"}),
    "identity_documents": (5_000_000, {"customer_id": "INTERNAL_ID", "national_id": "CN_RESIDENT_ID"}),
    "products": (20_000, {"product_id": None, "title": None, "price": None}),
}


def inventory_frame() -> pl.DataFrame:
    """The inventory a scan of these tables records (INVENTORY_SCHEMA)."""
    rows = [
        (f"postgresql table public.{t}", t, c, e, 0.99 if e else 0.0, n, "2026-01-01T00:00:00")
        for t, (n, cols) in TABLES.items()
        for c, e in cols.items()
    ]
    schema = ["source", "table_name", "column_name", "entity", "confidence", "table_rows", "scanned_at"]
    return pl.DataFrame(rows, schema=schema, orient="row")


@dataclass(frozen=True)
class Generated:
    statements: pl.DataFrame  # user, time, statement, table, rows, scenario, instance
    scenarios: pl.DataFrame  # instance, kind, user, first_day, last_day


ROLES = {  # role: (share of users, statements per workday, personal share, median personal rows)
    "analyst": (0.55, 18, 0.3, 300),
    "support": (0.30, 45, 1.0, 1),
    "batch": (0.04, 3, 1.0, 0),
    "engineer": (0.11, 12, 0.2, 40),
}


def _users(n: int, rng: np.random.Generator) -> pl.DataFrame:
    shares = np.array([r[0] for r in ROLES.values()])
    role = rng.choice(list(ROLES), size=n, p=shares / shares.sum())
    return pl.DataFrame(
        {
            "user": [f"u{i:04d}" for i in range(n)],
            "role": role,
            "scale": rng.lognormal(0.0, 0.6, n),  # each user's own level
            "start_hour": rng.integers(7, 11, n),
            "weekend_worker": rng.random(n) < 0.08,
        }
    )


def _ordinary(users: pl.DataFrame, days: int, rng: np.random.Generator) -> pl.DataFrame:
    """Ordinary work: per user-day a Poisson number of statements by role, with noise days."""
    grid = users.join(pl.DataFrame({"day": np.arange(days)}), how="cross")
    n = grid.height
    weekday = (grid["day"].to_numpy() % 7) < 5
    rate = grid["role"].replace_strict({k: float(v[1]) for k, v in ROLES.items()}).to_numpy()
    works = weekday | (grid["weekend_worker"].to_numpy() & (rng.random(n) < 0.5)) | (rng.random(n) < 0.02)
    works &= rng.random(n) > 0.05  # leave, sickness
    heavy = rng.random(n) < 0.02  # a legitimately heavy day
    late = rng.random(n) < 0.03  # an evening session
    counts = np.where(works, rng.poisson(rate * grid["scale"].to_numpy().clip(0.5, 2.0)), 0)
    counts = np.where(grid["role"].to_numpy() == "batch", np.where(weekday | True, 2, 0), counts)
    grid = grid.with_columns(count=counts, heavy=heavy, late=late)
    s = grid[np.repeat(np.arange(n), counts)].drop("count")
    m = s.height
    role = s["role"].to_numpy()
    base_hour = s["start_hour"].to_numpy() + rng.integers(0, 9, m)
    hour = np.where(s["late"].to_numpy() & (rng.random(m) < 0.4), rng.integers(19, 23, m), base_hour)
    hour = np.where(role == "batch", 2, hour)
    seconds = hour * 3600 + rng.integers(0, 3600, m)
    median = s["role"].replace_strict({k: float(v[3]) for k, v in ROLES.items()}).to_numpy()
    personal = rng.random(m) < s["role"].replace_strict({k: v[2] for k, v in ROLES.items()}).to_numpy()
    rows = np.maximum(1, rng.lognormal(np.log(np.maximum(median, 1) * s["scale"].to_numpy()), 0.8)).astype(
        np.int64
    )
    rows = np.where(s["heavy"].to_numpy(), rows * rng.integers(3, 8, m), rows)
    # a batch job's nightly export, an agent's lookup, an analyst's or engineer's extract or aggregate
    table = np.where(rng.random(m) < 0.85, "customers", "cards")
    table = np.where(role == "engineer", rng.choice(["customers", "cards", "orders"], m), table)
    new_table = (rng.random(m) < 0.004) & (role != "batch")  # a first look at another personal table
    table = np.where(new_table, "identity_documents", table)
    cust = rng.integers(1, 5_000_000, m)
    kind = np.select(
        [role == "batch", role == "support", personal],
        ["export", "lookup", "extract"],
        "aggregate",
    )
    frame = s.select("user").with_columns(
        day=s["day"],
        seconds=seconds,
        table=pl.Series(np.where(kind == "aggregate", "orders", table)),
        kind=pl.Series(kind),
        rows=pl.Series(
            np.select(
                [kind == "lookup", kind == "export", kind == "aggregate"],
                [1, 5_000_000 // 50, rng.integers(1, 40, m)],
                rows,
            )
        ),
        cust=pl.Series(cust),
        scenario=pl.lit(None, pl.String),
        instance=pl.lit(None, pl.Int64),
    )
    return frame


def _statement_text() -> pl.Expr:
    k, t = pl.col("kind"), pl.col("table")
    cols = {
        "customers": "customer_id, name, phone, email",
        "cards": "card_id, card_number, holder_name",
        "identity_documents": "customer_id, national_id",
        "orders": "order_id, customer_id, amount",
    }
    listed = t.replace_strict(cols, default="*")
    return (
        pl.when(k == "lookup")
        .then(pl.format("SELECT name, phone, email FROM customers WHERE customer_id = {}", pl.col("cust")))
        .when(k == "export")
        .then(pl.format("COPY (SELECT customer_id, name, phone FROM {}) TO STDOUT WITH CSV", t))
        .when(k == "aggregate")
        .then(
            pl.format(
                "SELECT segment, count(*), sum(amount) FROM orders "
                "WHERE placed_at >= '2026-01-0{}' GROUP BY 1",
                (pl.col("cust") % 9 + 1),
            )
        )
        .when(k == "dump")
        .then(pl.format("SELECT * FROM {}", t))
        .otherwise(
            pl.format(
                "SELECT {} FROM {} WHERE segment = 'S{}' LIMIT {}",
                listed,
                t,
                pl.col("cust") % 50,
                pl.col("rows"),
            )
        )
    )


def _inject(
    users: pl.DataFrame, days: int, per_kind: int, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Scenario statements and their instances, each on its own analyst or engineer."""
    candidates = users.filter(pl.col("role").is_in(["analyst", "engineer"])).get_column("user").to_list()
    chosen = rng.choice(candidates, size=per_kind * len(SCENARIOS), replace=False)
    scale = dict(zip(users["user"].to_list(), users["scale"].to_list(), strict=True))
    parts: list[pl.DataFrame] = []
    instances = []
    for i, user in enumerate(chosen):  # one per scenario instance (a few hundred), not per statement
        kind = SCENARIOS[i % len(SCENARIOS)]
        usual = 300 * scale[user] * 18 * 0.3  # the analyst's usual personal rows per day
        first = int(rng.integers(WARMUP_DAYS + 7, days - (22 if kind == "drip" else 1)))
        if kind == "dump":
            spec = [(first, 13 * 3600, "dump", "customers", int(usual * rng.uniform(10, 50)), 1)]
        elif kind == "drip":
            spec = [
                (first + d, 15 * 3600 + 60 * j, "extract", "customers", int(usual * rng.uniform(2, 3) / 4), 1)
                for d in range(21)
                if (START + dt.timedelta(first + d)).weekday() < 5
                for j in range(4)
            ]
        elif kind == "off_hours":
            spec = [
                (
                    first + 2 * d,
                    int(rng.integers(1, 4)) * 3600 + 60 * j,
                    "extract",
                    "customers",
                    int(usual * rng.uniform(2, 5) / 5),
                    1,
                )
                for d in range(3)
                for j in range(5)
            ]
        elif kind == "first_sensitive":
            spec = [
                (
                    first,
                    11 * 3600 + 60 * j,
                    "dump",
                    "identity_documents",
                    int(usual * rng.uniform(2, 5) / 3),
                    1,
                )
                for j in range(3)
            ]
        elif kind == "export":
            spec = [(first, 16 * 3600, "export", "customers", int(usual * rng.uniform(1, 3)), 1)]
        else:
            n = int(rng.integers(500, 3000))
            spec = [(first, 10 * 3600, "lookup", "customers", 1, n)]
        last = max(s[0] for s in spec)
        instances.append((i, kind, user, first, last))
        for day, sec, skind, table, rows, repeat in spec:
            start_id = int(rng.integers(1, 4_000_000))
            parts.append(
                pl.DataFrame(
                    {
                        "user": [user] * repeat,
                        "day": [day] * repeat,
                        "seconds": [sec + 7 * j for j in range(repeat)] if repeat > 1 else [sec],
                        "table": [table] * repeat,
                        "kind": [skind] * repeat,
                        "rows": [rows] * repeat,
                        "cust": list(range(start_id, start_id + repeat)),
                        "scenario": [kind] * repeat,
                        "instance": [i] * repeat,
                    }
                )
            )
    frame = pl.concat(parts, how="vertical_relaxed")
    inst = pl.DataFrame(instances, schema=["instance", "kind", "user", "first_day", "last_day"], orient="row")
    return frame, inst


def generate(users: int = 500, days: int = 60, seed: int = 7, per_kind: int = 20) -> Generated:
    rng = np.random.default_rng(seed)
    people = _users(users, rng)
    ordinary = _ordinary(people, days, rng)
    injected, instances = _inject(people, days, per_kind, rng)
    both = pl.concat([ordinary, injected.cast(ordinary.schema)], how="vertical")  # type: ignore[arg-type]
    start = dt.datetime.combine(START, dt.time())
    statements = (
        both.with_columns(
            time=pl.lit(start)
            + pl.duration(
                days=pl.col("day"), seconds=pl.col("seconds"), microseconds=pl.col("cust") % 999_983
            ),
            statement=_statement_text(),
        )
        .sort("time")
        .with_row_index("sid", offset=1)
    )
    return Generated(statements, instances)


def _csv_quote(expr: pl.Expr) -> pl.Expr:
    return pl.lit('"') + expr.str.replace_all('"', '""', literal=True) + pl.lit('"')


def write_pgaudit_stderr(gen: Generated, path: Path) -> int:
    """The Debian log_line_prefix ``%m [%p] %q%u@%d `` with pgAudit (log_relation, log_rows on)."""
    s = gen.statements
    command = pl.when(pl.col("kind") == "export").then(pl.lit("COPY")).otherwise(pl.lit("SELECT"))
    obj = (
        pl.when(pl.col("kind") == "export")
        .then(pl.lit(","))
        .otherwise(pl.lit("TABLE,public.") + pl.col("table"))
    )
    rows = pl.when(pl.col("kind") == "export").then(pl.lit(0)).otherwise(pl.col("rows"))
    lines = s.select(
        pl.format(
            "{} UTC [{}] {}@payments LOG:  AUDIT: SESSION,{},1,READ,{},{},{},<not logged>,{}",
            pl.col("time").dt.strftime("%Y-%m-%d %H:%M:%S%.3f"),
            pl.col("user").str.slice(1).cast(pl.Int64) + 10_000,
            pl.col("user"),
            pl.col("sid"),
            command,
            obj,
            _csv_quote(pl.col("statement")),
            rows,
        ).alias("line")
    )
    lines.write_csv(path, include_header=False, quote_style="never")
    return lines.height


def write_mariadb_audit(gen: Generated, path: Path) -> int:
    """server_audit with events QUERY and TABLE: a READ line per table, then the QUERY line."""
    s = gen.statements
    ts = pl.col("time").dt.strftime("%Y%m%d %H:%M:%S")
    head = pl.format(
        "{},db1,{},10.0.{}.{},{},{}",
        ts,
        pl.col("user"),
        pl.col("sid") % 250,
        pl.col("sid") % 200,
        pl.col("user").str.slice(1).cast(pl.Int64) + 100,
        pl.col("sid"),
    )
    query = pl.col("statement").str.replace(
        r"^COPY \((.*)\) TO STDOUT WITH CSV$", "$1 INTO OUTFILE '/tmp/x.csv'"
    )
    escaped = query.str.replace_all("'", "\\'", literal=True)
    lines = s.select(
        pl.concat_list(
            pl.format("{},READ,payments,{},", head, pl.col("table")),
            pl.format("{},QUERY,payments,'{}',0", head, escaped),
        ).alias("line")
    ).explode("line")
    lines.write_csv(path, include_header=False, quote_style="never")
    return lines.height
