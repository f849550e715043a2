"""Shared data for the fingerprint tests: synthetic transactions, a keyset, records of many recipients."""

from __future__ import annotations

import polars as pl
import pytest

from ringfence.fingerprint import MarkedColumn, MarkRecord
from ringfence.keys import Keyset
from ringfence.synth import SynthConfig, generate_platform

COLUMNS = [
    MarkedColumn(name="amount", kind="amount", tolerance=0.01),
    MarkedColumn(name="ts", kind="timestamp", tolerance=1),
    MarkedColumn(name="lat", kind="number", tolerance=1e-6),
]


@pytest.fixture(scope="session")
def transactions() -> pl.DataFrame:
    platform = generate_platform(SynthConfig(customers=3_000, transactions=30_000, seed=12))
    return pl.concat(list(platform.transactions()))


@pytest.fixture(scope="session")
def keyset() -> Keyset:
    return Keyset.generate()


def records(keyset: Keyset, n: int, strength_cutoff: float = 0.1) -> list[MarkRecord]:
    key_id = keyset.primary_id("hmac")
    return [
        MarkRecord(
            recipient=f"partner-{i:04d}",
            release_id=f"rel-{i:04d}",
            key_id=key_id,
            domain="default",
            columns=COLUMNS,
            rate=0.096,
            cutoff=strength_cutoff,
        )
        for i in range(n)
    ]
