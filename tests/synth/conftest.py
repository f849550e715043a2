from __future__ import annotations

import polars as pl
import pytest

from ringfence.synth import Platform, SynthConfig, generate_platform


@pytest.fixture(scope="session")
def platform() -> Platform:
    return generate_platform(SynthConfig(customers=4_000, transactions=60_000, seed=11))


@pytest.fixture(scope="session")
def transactions(platform: Platform) -> pl.DataFrame:
    return pl.concat(list(platform.transactions()))
