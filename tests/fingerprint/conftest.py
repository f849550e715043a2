"""Shared data for the fingerprint tests: synthetic transactions, a keyset, records of many recipients."""

from __future__ import annotations

import polars as pl
import pytest

from ringfence.fingerprint import MarkedColumn, MarkRecord, MarkStep
from ringfence.keys import Keyset
from ringfence.synth import SynthConfig, generate_platform

COLUMNS = [
    MarkedColumn(name="amount", kind="amount", tolerance=0.01),
    MarkedColumn(name="ts", kind="timestamp", tolerance=3, grain=1),
    MarkedColumn(name="lat", kind="number", tolerance=1e-6),
]


@pytest.fixture(scope="session")
def transactions() -> pl.DataFrame:
    platform = generate_platform(SynthConfig(customers=3_000, transactions=30_000, seed=12))
    return pl.concat(list(platform.transactions()))


@pytest.fixture(scope="session")
def keyset() -> Keyset:
    return Keyset.generate()


def records(keyset: Keyset, n: int, table: pl.DataFrame) -> list[MarkRecord]:
    """``n`` recipients' records of releases of ``table``, with the column rates the embedder fixes."""
    probe = MarkRecord(
        recipient="probe",
        release_id=None,
        key_id=keyset.primary_id("hmac"),
        domain="default",
        columns=COLUMNS,
        rate=0.096,
        cutoff=0.1,
    )
    step = MarkStep(probe, keyset)
    step(table)
    return [
        probe.model_copy(
            update={"recipient": f"partner-{i:04d}", "release_id": f"rel-{i:04d}", "columns": step.columns()}
        )
        for i in range(n)
    ]
