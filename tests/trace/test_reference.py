"""`reference add`: the company's own records as sorted keyed digests, and nothing else, in the store."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.keys import Keyset
from ringfence.state import open_store
from ringfence.trace import add_reference, list_references
from ringfence.trace.identifiers import domain, normalise
from ringfence.trace.reference import load_digests
from tests.conftest import POSTGRES_URL
from tests.trace.conftest import Company


def test_reference_holds_one_sorted_digest_per_distinct_identifier(company: Company) -> None:
    keys = company.ws.keyset()
    store = company.ws.state()
    try:
        ref = next(r for r in list_references(store) if r.name == "customers")
        (group,) = load_digests(store)  # every reference of the company's one key, merged per kind
    finally:
        store.close()
    assert ref.name == "customers" and ref.rows == company.customers.height
    assert ref.columns["phone"] == ["PHONE_NUMBER"] and set(ref.columns["national_id"]) == {
        "CN_RESIDENT_ID",
        "KR_RRN",
    }
    phones = normalise(company.customers["phone"], "PHONE_NUMBER").drop_nulls().unique()
    assert ref.digests["PHONE_NUMBER"] == phones.len() == len(group.by_kind["PHONE_NUMBER"])
    words = group.by_kind["PHONE_NUMBER"]
    assert (np.diff(words.astype(np.float64)) > 0).all()  # sorted, distinct
    expected = keys.prf(group.key_id, domain("PHONE_NUMBER")).uint64(phones).to_numpy()
    assert set(expected.tolist()) == set(words.tolist())


def test_no_value_reaches_the_state_store(company: Company) -> None:
    raw = (company.ws.root / "state.db").read_bytes()
    c = company.customers
    for column in ("phone", "email", "national_id", "name"):
        for value in c[column].drop_nulls().head(50).to_list():
            assert value.encode() not in raw, column
    e164 = normalise(c["phone"].head(50), "PHONE_NUMBER").drop_nulls().to_list()
    assert not any(v.encode() in raw for v in e164)


def test_adding_again_replaces_and_a_table_without_identifiers_is_refused(
    company: Company, tmp_path: Path
) -> None:
    keys = company.ws.keyset()
    store = company.ws.state()
    try:
        half = tmp_path / "half.parquet"
        company.customers.head(100).write_parquet(half)
        first = add_reference(store, keys, half, name="trial")
        again = add_reference(store, keys, half, name="trial")
        assert first.digests == again.digests and first.digests["PHONE_NUMBER"] == 100
        assert [r.name for r in list_references(store)].count("trial") == 1
        plain = tmp_path / "plain.csv"
        pl.DataFrame({"amount": [1.5, 2.5] * 20, "status": ["ok", "failed"] * 20}).write_csv(plain)
        with pytest.raises(UsageError, match="no column holds an identifier"):
            add_reference(store, keys, plain)
        store.execute("DELETE FROM reference_digests WHERE name = 'trial'")
        store.execute("DELETE FROM reference_sets WHERE name = 'trial'")
    finally:
        store.close()


@pytest.mark.db
def test_references_round_trip_on_postgresql(company: Company, tmp_path: Path) -> None:
    schema = f"rf_test_{uuid.uuid4().hex[:10]}"
    store = open_store(f"{POSTGRES_URL}?schema={schema}")
    try:
        keys = Keyset.generate()
        added = add_reference(store, keys, company.data / "customers.parquet")
        (group,) = load_digests(store)
        assert {k: len(v) for k, v in group.by_kind.items()} == added.digests
        assert list_references(store)[0].columns == added.columns
    finally:
        store.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()
