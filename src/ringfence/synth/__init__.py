"""Synthetic Chinese/Korean mobile payment platform for demos, tests and benchmarks.

>>> platform = generate_platform(SynthConfig(customers=1_000, transactions=10_000, seed=7))
>>> platform.customers.columns[:4]
['customer_id', 'name', 'gender', 'birth_date']

Everything is generated column-wise with NumPy (PCG64 streams keyed by the seed) and Polars; the same config
always gives the same tables, and transactions come in batches whose content does not depend on the batch
size. ``ENTITIES`` says which personal-data entity each column holds (the ground truth for detectors).
"""

from __future__ import annotations

from ringfence.synth.config import SynthConfig
from ringfence.synth.entities import ENTITIES, column_entities
from ringfence.synth.output import TABLES, write_platform
from ringfence.synth.platform import Platform, generate_platform

__all__ = [
    "ENTITIES",
    "TABLES",
    "Platform",
    "SynthConfig",
    "column_entities",
    "generate_platform",
    "write_platform",
]
