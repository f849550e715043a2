"""Shared fixtures: a fresh workspace, database URLs of the local servers, the CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("RINGFENCE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("RINGFENCE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the developer's workspace, keyset secrets or debug switch."""
    for name in ("RINGFENCE_HOME", "RINGFENCE_KEYSET_PASSPHRASE", "RINGFENCE_KEK", "RINGFENCE_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def workspace(tmp_path: Path):  # type: ignore[no-untyped-def]
    from ringfence.workspace import init_workspace

    return init_workspace(tmp_path / "ws", jurisdiction="KR")
