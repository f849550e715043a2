"""End to end through the fingerprint seam: a marked copy, leaked renamed and reformatted, is aligned by
trace and its marks name the recipient whose release entry records them, and no one else."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.fingerprint import MarkStep
from ringfence.ledger import Entry
from ringfence.synth import SynthConfig, generate_platform
from ringfence.trace import trace
from ringfence.workspace.workspace import Workspace
from tests.fingerprint.conftest import records as mark_records
from tests.trace.test_align import _amount_text

RELEASED = ["txn_id", "amount", "currency", "ts", "channel", "status"]


@pytest.fixture(scope="module")
def transactions() -> pl.DataFrame:
    platform = generate_platform(SynthConfig(customers=2_000, transactions=20_000, seed=31))
    return pl.concat(list(platform.transactions())).select(RELEASED)


def test_a_marked_copy_leaked_reformatted_names_its_recipient(
    workspace: Workspace, transactions: pl.DataFrame, tmp_path: Path
) -> None:
    keys = workspace.keyset()
    store = workspace.state()
    try:
        ledger = workspace.ledger(store, keys)
        records = mark_records(keys, 60, transactions)  # marks in amount, ts, lat; no lat released
        for r in records:  # the release entries as the release writes them, with their mark records
            fields = {"release_id": r.release_id, "recipient": r.recipient, "columns": RELEASED}
            ledger.append(Entry("release", fields | {"fingerprint": r.model_dump(mode="json")}))
        leaker = records[17]
        marked = MarkStep(leaker, keys)(transactions)
        leak = marked.sample(1_500, seed=2, shuffle=True).select(
            pl.col("ts").dt.strftime("%Y/%m/%d %H:%M:%S").alias("거래일시"),
            _amount_text("amount").alias("金额"),
            pl.col("channel").alias("Kanal"),
        )
        path = tmp_path / "leak.csv"
        leak.write_csv(path)
        result = trace([path], keys=keys, store=store, ledger=ledger)
        assert {m.leak: m.target for m in result.alignment.matches} == {
            "거래일시": "ts",
            "金额": "amount",
            "Kanal": "channel",
        }
        assert result.verdict == "attributed"
        (suspect,) = result.suspects
        assert suspect.recipient == leaker.recipient and suspect.release_id == leaker.release_id
        assert "marks" in suspect.evidence and suspect.false_accusation_bound <= 1e-9
        assert len(result.scored) == 60 and sum(s.named for s in result.scored) == 1

        unmarked = tmp_path / "unmarked.csv"
        transactions.sample(1_500, seed=3).select("amount", "ts").write_csv(unmarked)
        clean = trace([unmarked], keys=keys, store=store, ledger=ledger, record=False)
        # marks name copies, they do not prove rows: with no identifier and no one named, nothing to say
        assert clean.suspects == [] and clean.verdict == "inconclusive"
    finally:
        store.close()
