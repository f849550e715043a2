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


def _reachable(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Database tests run against the local servers; without them they are skipped, except in CI
    (``RINGFENCE_REQUIRE_DB=1``), where a missing server must fail the run rather than hide."""
    if os.environ.get("RINGFENCE_REQUIRE_DB"):
        return
    if _reachable(5432) and _reachable(3306):
        return
    skip = pytest.mark.skip(reason="PostgreSQL/MariaDB not reachable on localhost")
    for item in items:
        if "db" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _browser_required(request: pytest.FixtureRequest) -> None:
    """In CI (``RINGFENCE_REQUIRE_BROWSER=1``) a browser test must not skip for want of Chromium."""
    if "browser" in request.keywords and os.environ.get("RINGFENCE_REQUIRE_BROWSER"):
        import shutil

        assert shutil.which("chromium"), "Chromium is required in CI: apt-get install chromium"
