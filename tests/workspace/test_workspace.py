"""Creating, finding and opening workspaces; the state store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path

import pytest

from ringfence.errors import UsageError, WorkspaceError
from ringfence.state import open_store, redact_url
from ringfence.state.migrations import LATEST
from ringfence.workspace import CONFIG_NAME, find_workspace, init_workspace
from tests.conftest import POSTGRES_URL


def test_init_creates_config_keyset_and_state(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", jurisdiction="cn")
    assert (ws.root / CONFIG_NAME).is_file()
    assert ws.config.jurisdiction == "CN"
    assert stat.S_IMODE(os.stat(ws.keyset_path).st_mode) == 0o600
    store = ws.state()
    assert store.schema_version() == LATEST
    meta = dict(store.query("SELECT key, value FROM meta"))
    assert meta["workspace_id"] == ws.config.workspace_id
    store.close()


def test_init_refuses_existing_workspace_and_unknown_jurisdiction(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="already holds"):
        init_workspace(tmp_path / "ws")
    with pytest.raises(UsageError, match="jurisdiction"):
        init_workspace(tmp_path / "other", jurisdiction="XX")


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = init_workspace(tmp_path / "a")
    b = init_workspace(tmp_path / "b")
    deep = a.root / "data" / "2026" / "11"
    deep.mkdir(parents=True)
    assert find_workspace(cwd=deep).root == a.root  # parents of the current folder
    monkeypatch.setenv("RINGFENCE_HOME", str(b.root))
    assert find_workspace(cwd=deep).root == b.root  # RINGFENCE_HOME beats the current folder
    assert find_workspace(a.root).root == a.root  # --workspace beats both


def test_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="ringfence init"):
        find_workspace(cwd=tmp_path)
    with pytest.raises(WorkspaceError, match="ringfence init"):
        find_workspace(tmp_path / "nowhere")


def test_damaged_or_unknown_config_is_refused(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    config = ws.root / CONFIG_NAME
    config.write_text(config.read_text() + 'colour = "blue"\n')
    with pytest.raises(WorkspaceError, match="colour"):
        find_workspace(ws.root)
    config.write_text("[workspace\n")
    with pytest.raises(WorkspaceError, match="not valid TOML"):
        find_workspace(ws.root)


def test_migrations_are_idempotent_and_newer_schema_is_refused(tmp_path: Path) -> None:
    store = open_store("sqlite:///state.db", tmp_path)
    assert store.migrate() == LATEST
    assert store.migrate() == LATEST
    store.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (LATEST + 1, "from the future", "now"))
    with pytest.raises(WorkspaceError, match="newer"):
        store.migrate()
    store.close()


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = open_store("sqlite:///state.db", tmp_path)
    with pytest.raises(RuntimeError), store.transaction():
        store.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("a", "1"))
        raise RuntimeError("boom")
    assert store.query("SELECT COUNT(*) FROM meta WHERE key = 'a'") == [(0,)]
    store.close()


def test_redact_url_hides_passwords() -> None:
    assert redact_url("postgresql://alice:s3cret@db:5432/x") == "postgresql://alice:***@db:5432/x"
    assert redact_url("postgresql://alice@db/x") == "postgresql://alice@db/x"


@pytest.mark.db
def test_workspace_with_postgresql_state(tmp_path: Path) -> None:
    schema = f"rf_test_{uuid.uuid4().hex[:10]}"
    url = f"{POSTGRES_URL}?schema={schema}"
    ws = init_workspace(tmp_path / "ws", state=url)
    store = find_workspace(ws.root).state()
    try:
        assert store.schema_version() == LATEST
        assert dict(store.query("SELECT key, value FROM meta"))["workspace_id"] == ws.config.workspace_id
    finally:
        store.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()


@pytest.mark.db
def test_unreachable_postgresql_is_a_clear_error_without_password(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError) as info:
        open_store("postgresql://alice:hunter2@127.0.0.1:1/none", tmp_path)
    assert "hunter2" not in str(info.value) and "***" in str(info.value)
