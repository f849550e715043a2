"""Tables ringfence did not shape for itself, for ``python -m bench tables``: made with Faker.

Three tables, each written once (Parquet, zstd, Polars' default row groups) under ``bench/data/tables/``
and reused while the file is there:

- ``payments_cn``: the table of issue 13, 2,000,000 rows × 10 columns: transaction id, customer id, CN
  mobile, CN resident ID, e-mail, timestamp, amount, Chinese merchant name, MCC, city;
- ``customers_kr``: a wide customer table, 1,000,000 rows × 14 columns: Korean and romanised names, KR
  RRN, passport number, mobile, e-mail, street address, postcode, birth date and plain attributes;
- ``app_log``: a string-heavy log, 2,000,000 rows × 10 columns: timestamp, level, service, request id,
  user e-mail, client IP, URL path, user agent, status code, latency.

Faker makes a pool of distinct values per column (people, merchants, addresses, user agents; its
``zh_CN`` resident IDs and ``ko_KR`` RRNs are checked with python-stdnum and invalid ones replaced), and
NumPy draws every row from the pools, so a 2M-row table takes seconds, not the minutes one Faker call per
cell would: the values are Faker's, the row-level repetition (a customer pays many times) realistic.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "tables"
SEED = 13


def _pool(make: Callable[[], Any], n: int, valid: Callable[[Any], bool] | None = None) -> list[Any]:
    out: list[Any] = []
    while len(out) < n:
        value = make()
        if valid is None or valid(value):
            out.append(value)
    return out


def _valid(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """python-stdnum's check, false where it raises (its region table lacks some of Faker's codes)."""

    def valid(value: str) -> bool:
        try:
            return bool(check(value))
        except Exception:
            return False

    return valid


def _faker(locale: str) -> Any:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(SEED)
    return fake


def _pick(rng: np.random.Generator, pool: list[Any], rows: int, dtype: Any = pl.String) -> pl.Series:
    index = rng.integers(0, len(pool), rows)
    return pl.Series(pool, dtype=dtype).gather(index)


def _instants(start: dt.datetime, micros: np.ndarray) -> pl.Series:
    epoch = int(start.replace(tzinfo=dt.UTC).timestamp() * 1_000_000)
    return pl.Series(micros.astype(np.int64) + epoch).cast(pl.Datetime("us"))


def _days(start: dt.date, days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32) + (start - dt.date(1970, 1, 1)).days).cast(pl.Date)


def payments_cn(rows: int) -> pl.DataFrame:
    """Issue 13's table: 10 columns; customers repeat, each with one mobile, ID and e-mail."""
    from stdnum.cn import ric

    fake = _faker("zh_CN")
    rng = np.random.default_rng(SEED)
    customers = max(1, min(100_000, rows // 10))
    people = pl.DataFrame(
        {
            "customer_id": [f"C{n:09d}" for n in rng.choice(10**9, customers, replace=False)],
            "mobile": _pool(fake.phone_number, customers),
            "resident_id": _pool(fake.ssn, customers, _valid(ric.is_valid)),
            "email": _pool(fake.email, customers),
        }
    )
    merchants = _pool(fake.company, 5_000)
    cities = _pool(fake.city, 300)
    start = dt.datetime(2026, 1, 1)
    seconds = np.sort(rng.integers(0, 300 * 86_400, rows))
    who = people[rng.integers(0, customers, rows)]
    return pl.DataFrame(
        {
            "txn_id": pl.Series(rng.choice(10**15, rows, replace=False) + 10**15, dtype=pl.Int64)
            .cast(pl.String)
            .str.pad_start(16, "0"),
            "customer_id": who["customer_id"],
            "mobile": who["mobile"],
            "resident_id": who["resident_id"],
            "email": who["email"],
            "ts": _instants(start, seconds * 1_000_000),
            "amount": np.round(rng.lognormal(4.0, 1.2, rows), 2),
            "merchant": _pick(rng, merchants, rows),
            "mcc": _pick(rng, ["5411", "5812", "5999", "4121", "5541", "5311", "7011", "4814"], rows),
            "city": _pick(rng, cities, rows),
        }
    )


def customers_kr(rows: int) -> pl.DataFrame:
    """A wide customer table: one row per customer, 14 columns (names, addresses, IDs, attributes)."""
    from stdnum.kr import rrn

    ko, en = _faker("ko_KR"), _faker("en_US")
    rng = np.random.default_rng(SEED + 1)
    pool = min(rows, 50_000)
    born = rng.integers(0, 365 * 60, rows)
    return pl.DataFrame(
        {
            "customer_no": pl.Series(np.arange(rows) + 10_000_000).cast(pl.String),
            "name": _pick(rng, _pool(ko.name, pool), rows),
            "name_latin": _pick(rng, _pool(en.name, pool), rows),
            "rrn": _pick(rng, _pool(ko.ssn, pool, _valid(rrn.is_valid)), rows),
            "passport_no": _pick(rng, _pool(lambda: ko.bothify("M########"), pool), rows),
            "mobile": _pick(rng, _pool(ko.phone_number, pool), rows),
            "email": _pick(rng, _pool(ko.email, pool), rows),
            "address": _pick(rng, _pool(ko.address, pool), rows),
            "postcode": _pick(rng, _pool(ko.postcode, pool), rows),
            "birth_date": _days(dt.date(1950, 1, 1), born),
            "segment": _pick(rng, ["retail", "premium", "private", "business"], rows),
            "branch": _pick(rng, _pool(ko.city, 200), rows),
            "credit_limit": rng.integers(1, 500, rows) * 100_000,
            "opened": _days(dt.date(2015, 1, 1), rng.integers(0, 3_000, rows)),
        }
    )


def app_log(rows: int) -> pl.DataFrame:
    """A string-heavy application log: 10 columns, long text values."""
    fake = _faker("en_US")
    rng = np.random.default_rng(SEED + 2)
    users = _pool(fake.email, 50_000)
    paths = _pool(lambda: "/" + fake.uri_path(deep=3), 20_000)
    agents = _pool(fake.user_agent, 2_000)
    ips = _pool(fake.ipv4_public, 50_000)
    seconds = np.sort(rng.integers(0, 30 * 86_400_000, rows))
    request = rng.integers(0, 2**63, (rows, 2), dtype=np.int64)
    return pl.DataFrame(
        {
            "ts": _instants(dt.datetime(2026, 11, 1), seconds * 1_000),
            "level": _pick(rng, ["INFO"] * 8 + ["WARN", "ERROR", "DEBUG"], rows),
            "service": _pick(rng, ["gateway", "ledger", "payout", "risk", "auth", "kyc"], rows),
            "request_id": pl.Series(request[:, 0]).cast(pl.String).str.pad_start(20, "0")
            + "-"
            + pl.Series(request[:, 1]).cast(pl.String).str.pad_start(20, "0"),
            "user_email": _pick(rng, users, rows),
            "client_ip": _pick(rng, ips, rows),
            "path": _pick(rng, paths, rows),
            "user_agent": _pick(rng, agents, rows),
            "status": _pick(rng, [200] * 12 + [201, 204, 301, 400, 401, 403, 404, 500, 503], rows, pl.Int16),
            "latency_ms": np.round(rng.gamma(2.0, 40.0, rows), 1),
        }
    )


TABLES: dict[str, tuple[Callable[[int], pl.DataFrame], int]] = {
    "payments_cn": (payments_cn, 2_000_000),
    "customers_kr": (customers_kr, 1_000_000),
    "app_log": (app_log, 2_000_000),
}


def table_path(name: str, rows: int) -> Path:
    return DATA / f"{name}_{rows}.parquet"


def ensure(name: str, rows: int | None = None) -> Path:
    """The table's Parquet file, written (atomically) unless it is there."""
    make, default = TABLES[name]
    rows = rows or default
    path = table_path(name, rows)
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        frame = make(rows)
        tmp = path.with_suffix(".tmp")
        frame.write_parquet(tmp, compression="zstd")
        tmp.replace(path)
        print(f"wrote {path.name} in {time.perf_counter() - start:.0f} s", flush=True)
    return path
