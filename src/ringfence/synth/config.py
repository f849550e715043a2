"""What to generate: sizes, seed, locale, and the fixed calendar the synthetic platform lives in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ringfence.errors import UsageError

Locale = Literal["cn", "kr", "mixed"]

#: The day the platform's data is "as of": birth dates, registrations and consents are before it.
AS_OF = dt.date(2026, 3, 31)
#: Transactions cover the twelve months before ``AS_OF`` (start inclusive, end exclusive).
TXN_START = dt.date(2025, 4, 1)
TXN_END = dt.date(2026, 4, 1)
#: Share of customers from China in a ``mixed`` platform (the rest are Korean).
MIXED_CN_SHARE = 0.6

_MIN_MERCHANTS = 50


@dataclass(frozen=True)
class SynthConfig:
    """Sizes and seed of a synthetic platform. The same config always produces the same data."""

    customers: int = 10_000
    transactions: int = 100_000
    merchants: int | None = None
    seed: int = 7
    locale: Locale = "mixed"
    batch_rows: int = 1_000_000

    def __post_init__(self) -> None:
        if self.customers < 1:
            raise UsageError("synth: customers must be at least 1")
        if self.transactions < 0:
            raise UsageError("synth: transactions must not be negative")
        if self.merchants is not None and self.merchants < _MIN_MERCHANTS:
            raise UsageError(f"synth: merchants must be at least {_MIN_MERCHANTS}")
        if self.seed < 0:
            raise UsageError("synth: seed must not be negative")
        if self.locale not in ("cn", "kr", "mixed"):
            raise UsageError("synth: locale must be one of cn, kr, mixed")
        if self.batch_rows < 1:
            raise UsageError("synth: batch_rows must be at least 1")

    @property
    def merchant_count(self) -> int:
        """The number of merchants: as configured, or one per twenty customers and at least 50."""
        if self.merchants is not None:
            return self.merchants
        return max(_MIN_MERCHANTS, self.customers // 20)
