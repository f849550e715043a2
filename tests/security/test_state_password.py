"""The state database's password is never printed or stored (audit, issue 9): ``init --state URL`` keeps
the URL without it in ``ringfence.toml``, and shows it redacted in text and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ringfence.state import open_store
from ringfence.workspace import workspace as workspace_module
from tests.cli.helpers import run_cli

PASSWORD = "S3cret-Pw_77"
URL = f"postgresql://postgres:{PASSWORD}@db.internal:5432/ringfence"


@pytest.mark.parametrize("json_out", [False, True])
def test_init_with_a_password_in_the_state_url_neither_prints_nor_stores_it(
    json_out: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[str] = []

    def fake_open_store(url: str, base_dir: Path | None = None, **kwargs: Any) -> Any:
        used.append(url)
        return open_store("sqlite:///state.db", base_dir, **kwargs)

    monkeypatch.setattr(workspace_module, "open_store", fake_open_store)
    ws = tmp_path / "ws"
    argv = ["init", str(ws), "--state", URL] + (["--json"] if json_out else [])
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    assert used and used[0] == URL  # the password sets the store up
    assert PASSWORD not in out + err
    config = (ws / "ringfence.toml").read_text(encoding="utf-8")
    assert PASSWORD not in config
    assert 'state = "postgresql://postgres@db.internal:5432/ringfence"' in config
    assert "PGPASSWORD" in out + err or json_out
