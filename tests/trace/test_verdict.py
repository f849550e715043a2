"""The 99% interval of the match rate, and the verdict's rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ringfence.trace.verdict import Z99, verdict, wilson


def test_wilson_closed_forms() -> None:
    # no match: the upper end is z^2 / (n + z^2); all matched: the lower end is n / (n + z^2)
    assert wilson(0, 500) == pytest.approx((0.0, Z99**2 / (500 + Z99**2)))
    assert wilson(500, 500)[0] == pytest.approx(500 / (500 + Z99**2))
    low, high = wilson(50, 100)
    assert low + high == pytest.approx(1.0) and high - low == pytest.approx(
        2 * Z99 * math.sqrt(0.25 / 100 + Z99**2 / 40_000) / (1 + Z99**2 / 100)
    )
    assert wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("p", [0.02, 0.3, 0.5, 0.9])
def test_wilson_covers_the_true_rate_about_99_percent_of_the_time(p: float) -> None:
    rng = np.random.default_rng(7)
    n = 400
    draws = rng.binomial(n, p, 4_000)
    covered = sum(low <= p <= high for low, high in (wilson(int(k), n) for k in draws))
    assert covered / len(draws) >= 0.98


def test_verdict_rules() -> None:
    assert verdict(500, (0.0, 0.013), True, named=1) == "attributed"
    assert verdict(500, (0.44, 0.56), True, named=0) == "ours-unattributed"
    assert verdict(500, (0.0, 0.013), True, named=0) == "not-ours"
    assert verdict(500, (0.0, 0.013), False, named=0) == "inconclusive"  # nothing to compare
    assert verdict(10, (0.0, 0.4), True, named=0) == "inconclusive"  # too few rows
    assert verdict(60, (0.002, 0.2), True, named=0) == "inconclusive"  # neither side is proven
