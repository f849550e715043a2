"""write_platform writes all six tables, atomically, in Parquet and CSV, and they read back."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import OutputError
from ringfence.synth import TABLES, SynthConfig, generate_platform, write_platform
from ringfence.synth.output import Prefetch


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_writes_all_six_tables_readably(tmp_path: Path, fmt: str) -> None:
    platform = generate_platform(SynthConfig(customers=400, transactions=5_000, batch_rows=1_500))
    results = write_platform(platform, tmp_path, format=fmt)  # type: ignore[arg-type]
    assert set(results) == set(TABLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.{fmt}" for t in TABLES)
    read = pl.read_parquet if fmt == "parquet" else lambda p: pl.read_csv(p, infer_schema=False)
    for result in results.values():
        frame = read(result.path)
        assert frame.height == result.rows
    transactions = read(results["transactions"].path)
    assert transactions.height == 5_000
    expected = pl.concat(list(platform.transactions()))
    if fmt == "parquet":
        assert transactions.equals(expected)
    else:
        assert transactions["txn_id"].to_list() == expected["txn_id"].to_list()
        customers = read(results["customers"].path)
        assert customers["national_id"].to_list() == platform.customers["national_id"].to_list()
        assert customers["phone"].to_list() == platform.customers["phone"].to_list()


def test_refuses_a_missing_folder_or_unknown_format(tmp_path: Path) -> None:
    platform = generate_platform(SynthConfig(customers=60, transactions=10))
    with pytest.raises(OutputError):
        write_platform(platform, tmp_path / "missing")
    with pytest.raises(OutputError):
        write_platform(platform, tmp_path, format="xlsx")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_prefetch_keeps_order_and_passes_errors_on() -> None:
    assert list(Prefetch(iter(range(50)), depth=2)) == list(range(50))

    def broken() -> object:
        yield 1
        raise ValueError("boom")

    out = []
    with pytest.raises(ValueError, match="boom"):
        for item in Prefetch(broken()):  # type: ignore[arg-type]
            out.append(item)
    assert out == [1]


def test_prefetch_stops_its_producer_when_the_consumer_stops() -> None:
    produced: list[int] = []

    def endless() -> object:
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    stream = Prefetch(endless(), depth=2)  # type: ignore[arg-type]
    assert next(stream) == 0
    stream.close()  # joins the producer thread
    assert len(produced) <= 5
    assert list(stream) == []
