"""A ledger on a fresh SQLite store with a fresh keyset, and a helper that fills it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.keys import Keyset
from ringfence.ledger import Entry, Ledger
from ringfence.state import open_store


def release(i: int) -> Entry:
    return Entry(
        "release",
        {
            "release_id": f"rel-{i}",
            "recipient": "acme" if i % 2 else "globex",
            "country": "US" if i % 2 else "KR",
            "purpose": "analytics",
            "legal_basis": "PIPA Art. 17(1)1 consent",
            "categories": ["contact", "transaction"],
            "rows_out": 10 * i,
        },
    )


def fill(ledger: Ledger, n: int, *, subjects_per: int = 20) -> None:
    for i in range(n):
        ids = pl.Series("s", [f"cust-{j}" for j in range(i * 7, i * 7 + subjects_per)])
        ledger.append(release(i), ids)


@pytest.fixture
def keys() -> Keyset:
    return Keyset.generate()


@pytest.fixture
def ledger(tmp_path: Path, keys: Keyset) -> Ledger:
    return Ledger(open_store(f"sqlite:///{tmp_path}/state.db"), keys, origin="example.com/ledger")
