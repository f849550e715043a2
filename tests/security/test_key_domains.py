"""Keyed domains split back into their parts one way only (audit, issue 9): recipient ``acme|x`` with
column ``phone`` must not share a key with recipient ``acme`` and column ``x|phone``. A recipient id may not
hold the separator; column names (always the last part of a domain) keep any character."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.transform.base import TransformContext
from tests.cli.helpers import run_cli

PHONES = ["13812345678", "13987654321", "13700001111"]


def _protect(
    capsys: pytest.CaptureFixture[str], ws: Path, tmp_path: Path, column: str, recipient: str
) -> tuple[int, str, Path]:
    data = tmp_path / f"{len(list(tmp_path.iterdir()))}.parquet"
    pl.DataFrame({column: PHONES}).write_parquet(data)
    policy = tmp_path / f"{data.stem}.yaml"
    policy.write_text(
        f"ringfence_policy: 1\nname: p\ncolumns:\n  '{column}': {{action: fpe, scope: recipient}}\n", "utf-8"
    )
    out = tmp_path / f"{data.stem}.out.parquet"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "--policy", str(policy), "-o", str(out),
        "--recipient", recipient,
    )  # fmt: skip
    return code, err, out


def test_a_recipient_holding_the_separator_cannot_take_another_recipients_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    work = tmp_path / "work"
    work.mkdir()
    code, err, honest = _protect(capsys, ws, work, "x|phone", "acme")
    assert code == 0, err  # a column name may hold '|'
    code, err, forged = _protect(capsys, ws, work, "phone", "acme|x")
    assert code == 2 and "may not hold '|'" in err
    assert len(err.strip().splitlines()) == 1
    assert not forged.exists()
    assert pl.read_parquet(honest)["x|phone"].to_list() != PHONES


@pytest.mark.parametrize("recipient", ["acme|x", "acme\n", " acme", "a\x00b", ""])
def test_recipient_ids_that_would_blur_a_domain_are_refused(recipient: str) -> None:
    with pytest.raises(UsageError, match="recipient id"):
        TransformContext(recipient=recipient)
    assert (
        TransformContext(recipient="acme-kr.2026").scope_label("recipient", "fpe") == "recipient:acme-kr.2026"
    )
