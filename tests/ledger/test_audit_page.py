"""The auditor's page works as written: its Python check, run in a separate interpreter with no ringfence
import, accepts the ledger's own checkpoint and entries, and refuses a rewritten entry."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from ringfence.ledger import Entry, Ledger
from tests.ledger.conftest import fill

PAGE = Path(__file__).resolve().parents[2] / "docs" / "ledger-audit.md"


def _script() -> str:
    match = re.search(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert match, "the page has its Python check"
    return match.group(1).replace("ledger-2026-06-30.checkpoint", "kept.checkpoint")


def _run(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", "-c", _script()], cwd=tmp_path, capture_output=True, text=True, check=False
    )


def test_the_pages_check_runs_without_ringfence(ledger: Ledger, tmp_path: Path) -> None:
    fill(ledger, 5)
    ledger.append(Entry("denied", {"recipient": "\uc548\ub155 partner", "reasons": ["PIPA Art. 17"]}))
    (tmp_path / "kept.checkpoint").write_text(ledger.checkpoint(), encoding="utf-8")
    (tmp_path / "ledger.vkey").write_text(ledger.verifier_key() + "\n", encoding="utf-8")
    fill(ledger, 2)
    rows = ledger.store.query("SELECT data FROM ledger_entries ORDER BY idx")
    entries = tmp_path / "entries.jsonl"
    entries.write_text("".join(str(r[0]) + "\n" for r in rows), encoding="utf-8")
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "the first 6 entries are the ones the checkpoint signed; 8 now" in done.stdout
    entries.write_text(entries.read_text(encoding="utf-8").replace("globex", "globez", 1), encoding="utf-8")
    done = _run(tmp_path)
    assert done.returncode != 0 and "not the one you signed" in done.stderr
