"""A company that released its customers to two partners, with its customer table as a reference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from ringfence.consent import add_recipient, import_consents
from ringfence.detect.scan import scan
from ringfence.keys import Keyset
from ringfence.ledger import Ledger
from ringfence.pipeline.release import ReleaseResult, release
from ringfence.policy.draft import draft_policy
from ringfence.state import SqlStore
from ringfence.synth import SynthConfig, generate_platform, write_platform
from ringfence.trace import add_reference
from ringfence.workspace import init_workspace
from ringfence.workspace.workspace import Workspace

PARTNERS = (("hangang-settlement", "payment_processing"), ("seoul-fraudnet", "fraud_prevention"))


@dataclass
class Company:
    root: Path
    ws: Workspace
    data: Path
    customers: pl.DataFrame
    releases: dict[str, ReleaseResult]

    def released(self, recipient: str) -> pl.DataFrame:
        return pl.read_parquet(self.root / f"{recipient}.parquet")

    def open(self) -> tuple[Keyset, SqlStore, Ledger]:
        keys = self.ws.keyset()
        store = self.ws.state()
        return keys, store, self.ws.ledger(store, keys)


def build_company(root: Path, customers: int = 3_000, seed: int = 11) -> Company:
    data = root / "data"
    data.mkdir(parents=True)
    write_platform(generate_platform(SynthConfig(customers=customers, transactions=2_000, seed=seed)), data)
    ws = init_workspace(root / "ws", jurisdiction="KR")
    store = ws.state()
    try:
        for r in pl.read_parquet(data / "recipients.parquet").iter_rows(named=True):
            add_recipient(
                store,
                r["recipient_id"],
                country=r["country"],
                role=r["role"],
                purposes=tuple(r["purposes"].split(",")),
                affiliate_of=r["affiliate_of"],
            )
        import_consents(store, data / "consents.parquet")
        add_reference(store, ws.keyset(), data / "customers.parquet")
    finally:
        store.close()
    found = scan([data / "customers.parquet"]).tables[0]
    policy = root / "customers.yaml"
    policy.write_text(draft_policy([(c.name, c.entity) for c in found.columns], name="customers"))
    releases = {
        recipient: release(
            ws,
            data / "customers.parquet",
            policy,
            root / f"{recipient}.parquet",
            recipient=recipient,
            purpose=purpose,
            subject="customer_id",
        )
        for recipient, purpose in PARTNERS
    }
    return Company(root, ws, data, pl.read_parquet(data / "customers.parquet"), releases)


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    return build_company(tmp_path_factory.mktemp("company"))


@pytest.fixture
def opened(company: Company) -> Iterator[tuple[Keyset, SqlStore, Ledger]]:
    keys, store, ledger = company.open()
    try:
        yield keys, store, ledger
    finally:
        store.close()
