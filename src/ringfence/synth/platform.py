"""A whole synthetic payment platform: the small tables in memory, transactions streamed on demand."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from ringfence.synth.accounts import build_accounts
from ringfence.synth.config import SynthConfig
from ringfence.synth.consents import build_consents, build_recipients
from ringfence.synth.customers import build_customers, city_table
from ringfence.synth.merchants import build_merchants
from ringfence.synth.transactions import TransactionGenerator


class Platform:
    """The tables of one synthetic platform.

    ``customers``, ``accounts``, ``merchants``, ``consents`` and ``recipients`` are frames; the (large)
    transactions table is produced by :meth:`transactions` in batches of ``config.batch_rows`` rows. The same
    config always gives the same data, and the transaction rows do not depend on ``batch_rows``.
    """

    def __init__(self, config: SynthConfig) -> None:
        self.config = config
        cities = city_table()
        population = build_customers(config)
        accounts = build_accounts(config.seed, population)
        merchants = build_merchants(config, cities)
        self.customers: pl.DataFrame = population.frame
        self.accounts: pl.DataFrame = accounts.frame
        self.merchants: pl.DataFrame = merchants.frame
        self.consents: pl.DataFrame = build_consents(config.seed, population)
        self.recipients: pl.DataFrame = build_recipients()
        self._generator = TransactionGenerator(config, population, accounts, merchants, cities)

    def transactions(self) -> Iterator[pl.DataFrame]:
        """The transactions in time order, in batches of ``config.batch_rows`` rows (the last may be less)."""
        size = self.config.batch_rows
        pending: list[pl.DataFrame] = []
        held = 0
        for index in range(self._generator.chunks):
            chunk = self._generator.chunk(index)
            pending.append(chunk)
            held += chunk.height
            while held >= size:
                block = pl.concat(pending, rechunk=False)
                yield block.slice(0, size)
                rest = block.slice(size)
                pending, held = [rest], rest.height
        if held:
            yield pl.concat(pending, rechunk=False)
        elif self.config.transactions == 0:
            yield self._generator.empty()


def generate_platform(config: SynthConfig) -> Platform:
    """Builds the platform described by ``config`` (transactions are generated lazily, when iterated)."""
    return Platform(config)
