"""Over many leaks: the leaker is named, colluders are named or no one is, and an innocent never is."""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.fingerprint import MarkStep, attribute
from ringfence.keys import Keyset
from tests.fingerprint.conftest import records


def test_innocents_are_never_named_over_many_leaks(transactions: pl.DataFrame, keyset: Keyset) -> None:
    candidates = records(keyset, 300, transactions)
    rng = np.random.default_rng(7)
    named_leakers = 0
    for trial in range(10):
        leakers = [candidates[int(k)] for k in rng.choice(len(candidates), 1 + trial % 2, replace=False)]
        copies = [MarkStep(r, keyset)(transactions).select("amount", "ts") for r in leakers]
        picked = rng.choice(transactions.height, 1_500, replace=False)
        if len(copies) == 1:
            leak = copies[0][picked]
        else:  # two colluders mix their copies cell by cell
            choice = pl.Series(rng.integers(0, 2, picked.size) == 0)
            a, b = copies[0][picked], copies[1][picked]
            leak = pl.DataFrame(
                [
                    pl.select(pl.when(choice).then(a[c]).otherwise(b[c]).alias(c)).to_series()
                    for c in a.columns
                ]
            )
        found = attribute(leak[rng.permutation(leak.height)], candidates, keyset)
        guilty = {r.recipient for r in leakers}
        assert all(a.recipient in guilty for a in found if a.named), trial
        named_leakers += any(a.named for a in found)
    assert named_leakers >= 8  # 1,500 clean rows carry about 350 positions


def test_a_copy_nobody_received_names_no_one(transactions: pl.DataFrame, keyset: Keyset) -> None:
    candidates = records(keyset, 300, transactions)
    outsider = candidates[0].model_copy(update={"recipient": "not-a-candidate"})
    leak = MarkStep(outsider, keyset)(transactions).sample(3_000, seed=1)
    found = attribute(leak, candidates, keyset)
    assert not any(a.named for a in found)
    assert min(a.false_accusation_bound for a in found) > 1e-6
