"""The seam the trace stage calls: a marked copy's leak names its recipient, and only it."""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.fingerprint import MarkStep, attribute
from ringfence.keys import Keyset
from tests.fingerprint.conftest import records


def test_a_leaked_sample_names_its_recipient_and_no_one_else(
    transactions: pl.DataFrame, keyset: Keyset
) -> None:
    candidates = records(keyset, 200, transactions)
    leaker = candidates[37]
    marked = MarkStep(leaker, keyset)(transactions)
    leak = marked.sample(600, seed=3, shuffle=True).select("amount", "ts", "merchant_id")
    found = attribute(leak, candidates, keyset)
    assert len(found) == 200
    named = [a.recipient for a in found if a.named]
    assert named == [leaker.recipient]
    top = found[0]
    assert top.evidence == ("marks",) and top.release_ids == (leaker.release_id,)
    assert top.score >= top.threshold and top.false_accusation_bound <= 1e-9 and top.cells_read > 30


def test_an_unmarked_copy_names_no_one(transactions: pl.DataFrame, keyset: Keyset) -> None:
    found = attribute(transactions.sample(2_000, seed=4), records(keyset, 100, transactions), keyset)
    assert not any(a.named for a in found)
    assert all(a.false_accusation_bound > 1e-6 for a in found)


def test_marks_change_few_cells_by_one_grain_and_never_other_columns(
    transactions: pl.DataFrame, keyset: Keyset
) -> None:
    step = MarkStep(records(keyset, 1, transactions)[0], keyset)
    marked = step(transactions)
    for column in ("txn_id", "customer_id", "account_id", "merchant_id", "currency", "memo", "lon"):
        assert marked.get_column(column).equals(transactions.get_column(column))
    changed = (marked.get_column("amount") - transactions.get_column("amount")).abs()
    assert 0 < int((changed > 1e-9).sum()) <= 0.05 * transactions.height
    assert float(changed.max()) <= 0.01 + 1e-9  # type: ignore[operator]
    seconds = (marked.get_column("ts") - transactions.get_column("ts")).dt.total_microseconds().abs()
    assert 0 < int((seconds > 0).sum()) <= 0.05 * transactions.height
    assert int(seconds.max()) <= 3_000_000  # type: ignore[arg-type]
    shifts = step.shifts()
    assert shifts["ts"].changed == int((seconds > 0).sum())
    assert abs(shifts["amount"].mean_shift) < 0.001
    round_before = (transactions.get_column("amount") * 100).round().cast(pl.Int64) % 10 == 0
    round_after = (marked.get_column("amount") * 100).round().cast(pl.Int64) % 10 == 0
    assert np.array_equal(round_before.to_numpy(), round_after.to_numpy())  # round amounts stay round


def test_a_leak_with_nothing_to_read_scores_everyone_without_naming(
    transactions: pl.DataFrame, keyset: Keyset
) -> None:
    candidates = records(keyset, 20, transactions)
    for leak in (
        transactions.head(0),
        transactions.select("channel", "status").head(500),
        transactions.head(500)
        .drop("lat")
        .with_columns(pl.col("amount").cast(pl.String), pl.col("ts").dt.date()),
    ):
        found = attribute(leak, candidates, keyset)
        assert len(found) == 20
        assert all(a.false_accusation_bound == 1.0 and not a.named and a.cells_read == 0 for a in found)
