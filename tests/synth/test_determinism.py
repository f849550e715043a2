"""Same seed, same data; other seed, other data; transactions independent of the batch size."""

from __future__ import annotations

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.synth import SynthConfig, generate_platform
from ringfence.synth.transactions import CHUNK_ROWS, SCHEMA

_SMALL = SynthConfig(customers=500, transactions=3_000, seed=5)


def _digest(frame: pl.DataFrame) -> int:
    return int(frame.hash_rows(seed=1).sum())


def _tables(config: SynthConfig) -> dict[str, pl.DataFrame]:
    p = generate_platform(config)
    return {
        "customers": p.customers,
        "accounts": p.accounts,
        "merchants": p.merchants,
        "consents": p.consents,
        "recipients": p.recipients,
        "transactions": pl.concat(list(p.transactions())),
    }


def test_same_seed_gives_identical_tables() -> None:
    first, second = _tables(_SMALL), _tables(_SMALL)
    for name, frame in first.items():
        assert frame.equals(second[name]), name
        assert _digest(frame) == _digest(second[name])


def test_another_seed_gives_other_data() -> None:
    first = _tables(_SMALL)
    other = _tables(SynthConfig(customers=500, transactions=3_000, seed=6))
    for name in ("customers", "accounts", "merchants", "consents", "transactions"):
        assert _digest(first[name]) != _digest(other[name]), name
    assert not set(first["customers"]["national_id"]) & set(other["customers"]["national_id"])


def test_transactions_do_not_depend_on_batch_size() -> None:
    rows = CHUNK_ROWS + 2_500  # spans a chunk boundary
    small = generate_platform(SynthConfig(customers=300, transactions=rows, batch_rows=1_000))
    large = generate_platform(SynthConfig(customers=300, transactions=rows, batch_rows=1_000_000))
    batches = list(small.transactions())
    assert {b.height for b in batches[:-1]} == {1_000} and batches[-1].height == rows % 1_000
    whole = list(large.transactions())
    assert len(whole) == 1
    assert pl.concat(batches).equals(whole[0])


def test_transaction_schema_and_empty_platform() -> None:
    p = generate_platform(SynthConfig(customers=50, transactions=0))
    (batch,) = list(p.transactions())
    assert batch.height == 0 and batch.schema == SCHEMA
    one = next(generate_platform(SynthConfig(customers=50, transactions=10)).transactions())
    assert one.schema == SCHEMA


@pytest.mark.parametrize(
    "kwargs",
    [{"customers": 0}, {"transactions": -1}, {"merchants": 10}, {"batch_rows": 0}, {"locale": "jp"}],
)
def test_bad_configs_are_usage_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        SynthConfig(**kwargs)  # type: ignore[arg-type]
