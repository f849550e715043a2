"""A file protected by an earlier version stays revealable: ``golden/protected_v1.parquet`` was written
once by ``golden/make_protected.py`` under the golden test keyset (never regenerated to make a test pass).
Its footer carries the sealed plan record (format v1), and reveal rebuilds the reversal from that record,
not from a sample."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.pipeline.reveal import reveal
from ringfence.policy import parse_policy, policy_hash
from ringfence.transform.record import PLAN_METADATA_KEY, PlanRecord
from ringfence.transform.reverse import ReversalTally, plan_reversal, reveal_batches
from ringfence.workspace import Workspace, init_workspace
from tests.pipeline.golden.make_protected import POLICY, keyset

GOLDEN = Path(__file__).parent / "golden"
PROTECTED = GOLDEN / "protected_v1.parquet"
ORIGINAL = pl.read_parquet(GOLDEN / "original.parquet")


def _record() -> PlanRecord:
    import pyarrow.parquet as pq

    footer = pq.read_schema(PROTECTED).metadata or {}
    return PlanRecord.open(keyset(), footer[PLAN_METADATA_KEY.encode()].decode(), PROTECTED.name)


def test_the_v1_record_opens_and_says_what_protect_did() -> None:
    record = _record()
    assert record.policy == "golden-partner"
    assert record.policy_hash == policy_hash(parse_policy(POLICY))
    assert record.recipient == "acme"
    made = {c.column: (c.action, c.entity, c.key_id) for c in record.columns}
    assert made["mobile"] == ("tokenize", "PHONE_NUMBER", "0a1b2c3d")  # reached by an entity rule
    assert made["rrn"] == ("fpe", "KR_RRN", "1b2c3d4e")
    assert made["card"] == ("fpe", "PAYMENT_CARD", "1b2c3d4e")
    assert record.by_output()["national_id_birth_year"].column == "national_id"
    assert made["name"] == ("redact", None, None) and made["city"] == ("keep", None, None)


def test_the_reversal_follows_the_record_without_a_sample() -> None:
    """Entity-rule columns, FPE keys and the recipient all come from the record: no sample is needed."""
    table = pl.read_parquet(PROTECTED)
    reference = {"customer_id": ORIGINAL["customer_id"], "mobile": ORIGINAL["mobile"]}
    plan = plan_reversal(
        parse_policy(POLICY),
        dict(table.schema),
        keyset=keyset(),
        recipient="acme",
        decrypt=True,
        reference=reference,
        sample=None,
        record=_record(),
    )
    statuses = {c.column: (c.status, c.key_source) for c in plan.columns}
    assert statuses["rrn"] == ("reverse", "recorded") and statuses["card"] == ("reverse", "recorded")
    assert statuses["mobile"] == ("reverse", "token") and statuses["email"] == ("reverse", "ciphertext")
    assert statuses["national_id_gender"][0] == "not reversible"
    tally = ReversalTally()
    revealed = pl.concat(list(reveal_batches(plan, [table], tally)))
    for column in ("customer_id", "email", "card", "mobile", "rrn", "city"):
        assert revealed[column].to_list() == ORIGINAL[column].to_list(), column
    assert revealed["name"].to_list() == ["[REDACTED]"] * 4
    assert tally.rows == 4 and tally.unresolved["mobile"] == 0


@pytest.fixture
def golden_workspace(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws", jurisdiction="KR")
    ws.save_keyset(keyset())
    return ws


def test_reveal_of_the_v1_file_end_to_end(golden_workspace: Workspace, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "revealed.parquet"
    result = reveal(golden_workspace, PROTECTED, policy, out, reason="golden: reveal a v1 file", decrypt=True)
    revealed = pl.read_parquet(out)
    assert result.record.recipient == "acme"  # taken from the record, not given
    for column in ("email", "card", "rrn"):
        assert revealed[column].to_list() == ORIGINAL[column].to_list(), column
