"""Consents on the synthetic platform's consent records: import is all-or-nothing and idempotent,
withdrawals are honoured from their time, and the release filter keeps exactly the consenting subjects'
rows; recipients are registered, refused when unknown or removed, and never reused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from ringfence.consent import (
    ConsentFilter,
    add_recipient,
    consenting_subjects,
    get_recipient,
    import_consents,
    list_recipients,
    remove_recipient,
)
from ringfence.errors import InputError, UsageError
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.workspace import Workspace

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def platform():  # type: ignore[no-untyped-def]
    return generate_platform(SynthConfig(customers=3_000, transactions=30_000, seed=21))


def _csv(frame: pl.DataFrame, path: Path) -> Path:
    frame.with_columns(
        pl.col("granted_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
        pl.col("withdrawn_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
    ).write_csv(path)
    return path


def _expected(consents: pl.DataFrame, purpose: str, recipient: str, at: dt.datetime) -> list[str]:
    """The consenting subjects, computed from the generator's own table."""
    naive = at.replace(tzinfo=None)
    withdrawn_utc = pl.col("withdrawn_at")
    held = consents.filter(
        (pl.col("purpose") == purpose)
        & pl.col("recipient").is_in([recipient, "*"])
        & (pl.col("granted_at") <= naive)
        & (pl.col("withdrawn_at").is_null() | (withdrawn_utc > naive))
    )
    return sorted(held["subject_id"].unique().to_list())


def test_import_is_idempotent_and_lookups_match_the_generators_truth(
    workspace: Workspace, platform, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    consents = platform.consents
    path = _csv(consents, tmp_path / "consents.csv")
    store = workspace.state()
    first = import_consents(store, path)
    assert first.rows == consents.unique(subset=["subject_id", "purpose", "recipient", "granted_at"]).height
    assert first.added == first.rows and first.unchanged == 0
    again = import_consents(store, path)
    assert again.added == 0 and again.withdrawals == 0 and again.unchanged == first.rows
    for purpose, recipient in [("fraud_prevention", "tianyan-risk"), ("marketing", "bluewave-ads")]:
        got = consenting_subjects(store, purpose=purpose, recipient=recipient, kinds={"provision"}, at=NOW)
        assert got.to_list() == _expected(consents, purpose, recipient, NOW)
        assert 0 < got.len() < consents["subject_id"].n_unique()
    abroad = consenting_subjects(
        store, purpose="fraud_prevention", recipient="alipay-sg", kinds={"provision", "cross_border"}, at=NOW
    )
    flagged = consents.filter(pl.col("cross_border") & (pl.col("recipient") == "alipay-sg"))
    held = _expected(flagged, "fraud_prevention", "alipay-sg", NOW)
    assert abroad.to_list() == held and 0 < len(held) < len(
        _expected(consents, "fraud_prevention", "alipay-sg", NOW)
    )
    per_provision = consenting_subjects(
        store, purpose="marketing", recipient="bluewave-ads", kinds={"per_provision"}, at=NOW
    )
    named = consents.filter((pl.col("purpose") == "marketing") & (pl.col("recipient") == "bluewave-ads"))
    assert set(per_provision.to_list()) <= set(named["subject_id"].to_list())
    store.close()


def test_a_later_withdrawal_is_recorded_and_honoured_from_its_time(
    workspace: Workspace, platform, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    held = platform.consents.filter(
        (pl.col("purpose") == "analytics") & pl.col("withdrawn_at").is_null()
    ).head(50)
    store = workspace.state()
    import_consents(store, _csv(held, tmp_path / "a.csv"))
    withdrawn = held.with_columns(
        pl.col("granted_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
        pl.lit("2026-06-01T12:00:00+09:00").alias("withdrawn_at"),  # Korean local time
    )
    withdrawn.write_csv(tmp_path / "b.csv")
    result = import_consents(store, tmp_path / "b.csv")
    assert result.withdrawals == 50 and result.added == 0
    recipient = held["recipient"][0]
    before = consenting_subjects(
        store,
        purpose="analytics",
        recipient=recipient,
        kinds={"provision"},
        at=dt.datetime(2026, 6, 1, 2, 59, tzinfo=dt.UTC),
    )
    after = consenting_subjects(
        store,
        purpose="analytics",
        recipient=recipient,
        kinds={"provision"},
        at=dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC),
    )
    assert before.len() > 0 and after.len() == 0  # 12:00 at +09:00 is 03:00 UTC
    store.close()


@pytest.mark.parametrize(
    ("edit", "what"),
    [
        (
            lambda f: f.with_columns(
                pl.when(pl.int_range(pl.len()) == 40)
                .then(pl.lit(""))
                .otherwise("subject_id")
                .alias("subject_id")
            ),
            "line 42: subject_id is empty",
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.int_range(pl.len()) == 7)
                .then(pl.lit("31/02/2024"))
                .otherwise("granted_at")
                .alias("granted_at")
            ),
            "line 9: granted_at is not a date",
        ),
        (
            lambda f: f.with_columns(
                pl.when(pl.int_range(pl.len()) == 3)
                .then(pl.lit("2001-01-01T00:00:00Z"))
                .otherwise("withdrawn_at")
                .alias("withdrawn_at")
            ),
            "line 5: withdrawn_at is before granted_at",
        ),
        (lambda f: f.drop("recipient"), "missing recipient"),
    ],
)
def test_a_malformed_file_loads_nothing_and_names_the_line_not_the_value(
    workspace: Workspace, platform, tmp_path: Path, edit, what: str
) -> None:  # type: ignore[no-untyped-def]
    frame = platform.consents.head(200).with_columns(
        pl.col("granted_at").dt.strftime("%Y-%m-%dT%H:%M:%S"),
        pl.col("withdrawn_at").dt.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    path = tmp_path / "bad.csv"
    edit(frame).write_csv(path)
    store = workspace.state()
    with pytest.raises(InputError) as info:
        import_consents(store, path)
    message = str(info.value)
    assert (what in message and "nothing was imported" in message) or "missing" in what
    assert not any(s in message for s in frame["subject_id"].to_list())
    assert store.query("SELECT COUNT(*) FROM consents") == [(0,)]
    store.close()


def test_the_filter_keeps_exactly_the_consenting_rows(workspace: Workspace, platform, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = workspace.state()
    import_consents(store, _csv(platform.consents, tmp_path / "c.csv"))
    allowed = consenting_subjects(
        store, purpose="fraud_prevention", recipient="seoul-fraudnet", kinds={"provision"}, at=NOW
    )
    store.close()
    transactions = pl.concat(list(platform.transactions()))
    step = ConsentFilter("customer_id", allowed)
    kept = pl.concat([step(b) for b in transactions.iter_slices(7_000)])
    expected = transactions.filter(pl.col("customer_id").is_in(allowed.implode()))
    assert kept.equals(expected)
    assert step.rows_withheld == transactions.height - expected.height > 0
    assert step.subjects().to_list() == sorted(expected["customer_id"].unique().to_list())
    assert (
        step.subjects_withheld
        == transactions.filter(~pl.col("customer_id").is_in(allowed.implode()))["customer_id"].n_unique()
    )


def test_recipients_are_checked_refused_when_unknown_or_removed_and_never_reused(
    workspace: Workspace,
) -> None:
    store = workspace.state()
    added = add_recipient(
        store, "alipay-sg", country="SG", purposes=("fraud_prevention",), affiliate_of="ant-group"
    )
    assert get_recipient(store, "alipay-sg") == added and added.role == "third-party"
    with pytest.raises(UsageError, match="not registered"):
        get_recipient(store, "nobody")
    with pytest.raises(UsageError, match="ISO 3166"):
        add_recipient(store, "x", country="Korea")
    remove_recipient(store, "alipay-sg")
    with pytest.raises(UsageError, match="removed"):
        get_recipient(store, "alipay-sg")
    with pytest.raises(UsageError, match="never reused"):
        add_recipient(store, "alipay-sg", country="SG")
    assert list_recipients(store) == [] and len(list_recipients(store, include_removed=True)) == 1
    store.close()
