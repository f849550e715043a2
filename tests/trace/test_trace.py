"""`trace` on the synthetic platform: fabricated data is not ours, a half-genuine set is ours with the
interval covering the true half, a partner's leaked copy names that partner and no other, and the ledger
entry holds no personal value."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from ringfence.keys import Keyset
from ringfence.ledger import Ledger
from ringfence.policy import load_policy
from ringfence.state import SqlStore
from ringfence.synth import SynthConfig, generate_platform
from ringfence.trace import TraceResult, trace
from ringfence.transform.tokenize import token_domain, tokenize_column
from tests.trace.conftest import Company

Opened = tuple[Keyset, SqlStore, Ledger]


def _invented(n: int) -> pl.DataFrame:
    """People of the same shape the company never had: the generator with another seed."""
    return generate_platform(SynthConfig(customers=n, transactions=10, seed=99)).customers.head(n)


def test_fabricated_data_of_the_same_shape_is_not_ours(
    company: Company, opened: Opened, tmp_path: Path
) -> None:
    keys, store, ledger = opened
    path = tmp_path / "offered.csv"
    _invented(800).write_csv(path)
    result = trace([path], keys=keys, store=store, ledger=ledger, record=False)
    assert result.verdict == "not-ours" and result.suspects == []
    assert result.interval[1] <= 0.10 and result.matched_rows <= 8


def test_half_genuine_half_invented_is_ours_with_the_interval_covering_half(
    company: Company, opened: Opened, tmp_path: Path
) -> None:
    keys, store, ledger = opened
    genuine = company.customers.sample(300, seed=4)
    offered = pl.concat([genuine, _invented(300)]).sample(fraction=1.0, shuffle=True, seed=3)
    # reformatted the way a seller's file is: other casing, other phone writing, other column names
    offered = offered.with_columns(
        pl.col("email").str.to_uppercase(),
        pl.col("phone").str.replace_all("-", " "),
    ).rename({"phone": "手机", "email": "E-Mail", "national_id": "身份证号"})
    path = tmp_path / "offered.parquet"
    offered.write_parquet(path)
    result = trace([path], keys=keys, store=store, ledger=ledger, record=False)
    assert result.verdict == "ours-unattributed"
    low, high = result.interval
    assert low <= 0.5 <= high and result.matched_rows == 300  # the generator's labels: 300 are ours
    assert result.to_json()["match_rate"] == 0.5


def _partner_leak(company: Company, recipient: str, path: Path, rows: int = 400) -> int:
    """A partner's copy as it turns up: a subset, identifiers dropped but one token column kept,
    shuffled, renamed and reformatted. Returns how many of its rows are real customers (the others are
    the release's canaries), known by tokenizing the customers' ids the way the release did."""
    released = company.released(recipient).sample(rows, seed=8, shuffle=True)
    keys = company.ws.keyset()
    rule = load_policy(company.root / "customers.yaml").columns["customer_id"]  # as the release read it
    domain = token_domain(f"recipient:{recipient}", "customer_id", rule.entity)
    ours = tokenize_column(keys, company.customers["customer_id"], domain)
    genuine = int(released["customer_id"].is_in(ours.implode()).sum())
    leak = released.select(
        pl.col("phone").alias("联系电话"),
        pl.col("city").alias("도시"),
        pl.col("registered_at").dt.strftime("%Y/%m/%d %H:%M").alias("signup time"),
        pl.col("gender"),
    )
    leak.write_csv(path)
    return genuine


def _with_source(company: Company, opened: Opened, path: Path) -> TraceResult:
    """A trace of ``path`` with the company's customer table as the source of candidate values."""
    keys, store, ledger = opened
    sources = [company.data / "customers.parquet"]
    return trace([path], keys=keys, store=store, ledger=ledger, sources=sources, record=False)


@pytest.mark.parametrize("recipient", ["seoul-fraudnet", "hangang-settlement"])
def test_a_partners_leaked_copy_names_that_partner_only(
    company: Company, opened: Opened, tmp_path: Path, recipient: str
) -> None:
    path = tmp_path / "leak.csv"
    genuine = _partner_leak(company, recipient, path)
    result = _with_source(company, opened, path)
    assert result.verdict == "attributed"
    (suspect,) = result.suspects
    assert suspect.recipient == recipient and suspect.evidence[0] == "tokens"
    assert suspect.release_id == company.releases[recipient].release_id
    assert suspect.false_accusation_bound <= 1e-9
    assert result.rows == 400 and result.matched_rows == genuine >= 390  # every real row, no canary
    assert {m.leak: m.target for m in result.alignment.matches}["联系电话"] == "phone"
    others = [s for s in result.scored if s.recipient != recipient]
    # the other partner is scored (its marks were read) but its scope matched no token and it is not named
    assert all(not s.named and "tokens" not in s.evidence for s in others)


def test_tokens_without_our_own_table_prove_nothing(company: Company, opened: Opened, tmp_path: Path) -> None:
    keys, store, ledger = opened
    path = tmp_path / "leak.csv"
    _partner_leak(company, "seoul-fraudnet", path)
    result = trace([path], keys=keys, store=store, ledger=ledger, record=False)
    assert result.verdict == "inconclusive" and result.suspects == []


def test_too_few_rows_is_inconclusive(company: Company, opened: Opened, tmp_path: Path) -> None:
    keys, store, ledger = opened
    path = tmp_path / "few.csv"
    company.customers.head(8).write_csv(path)
    result = trace([path], keys=keys, store=store, ledger=ledger, record=False)
    assert result.matched_rows == 8 and result.verdict == "inconclusive"


def test_the_trace_is_a_ledger_entry_without_personal_values(
    company: Company, opened: Opened, tmp_path: Path
) -> None:
    keys, store, ledger = opened
    path = tmp_path / "leak.csv"
    _partner_leak(company, "seoul-fraudnet", path)
    before = ledger.size()
    result = trace(
        [path], keys=keys, store=store, ledger=ledger, sources=[company.data / "customers.parquet"]
    )
    assert result.ledger_entry == before
    entry = next(iter(ledger.entries(since=before)))
    assert entry.kind == "trace" and ledger.verify().ok
    fields = entry.fields
    assert fields["verdict"] == "attributed" and fields["suspects"][0]["recipient"] == "seoul-fraudnet"
    assert fields["leaks"] == [{"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": 400}]
    text = json.dumps(fields, ensure_ascii=False)
    leaked = pl.read_csv(path)
    for column in leaked.columns:
        for value in leaked[column].cast(pl.String).drop_nulls().unique().to_list():
            if len(value) > 3:
                assert value not in text, column
    for column in ("phone", "email", "name", "national_id", "customer_id"):
        assert not any(v in text for v in company.customers[column].drop_nulls().head(200).to_list())


def test_tokens_made_under_a_key_that_is_not_ours_match_nothing(
    company: Company, opened: Opened, tmp_path: Path
) -> None:
    forger = Keyset.generate()
    phones = company.customers["phone"].head(300)
    forged = forger.prf(forger.primary_id("hmac"), "recipient:seoul-fraudnet|tokenize|entity:PHONE_NUMBER")
    path = tmp_path / "forged.csv"
    pl.DataFrame({"phone": forged.tokens(phones)}).write_csv(path)
    result = _with_source(company, opened, path)
    assert result.matched_rows == 0 and result.verdict == "not-ours" and result.suspects == []
    assert all(not s.evidence for s in result.scored)  # scored for marks (none read), no token evidence
