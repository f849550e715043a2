"""The labelled scenarios of scenarios.yaml: each decision, its consents and the articles it rests on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from ringfence.transfer import decide
from tests.transfer.conftest import request_of

ROWS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text("utf-8"))


def test_the_table_covers_every_law() -> None:
    ids = [row["id"] for row in ROWS]
    assert len(ids) == len(set(ids))
    per_law = Counter(row["law"] for row in ROWS)
    assert set(per_law) == {"PIPA", "CIA", "PIPL", "GDPR"}
    assert min(per_law.values()) >= 15
    assert len(ROWS) >= 60


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_scenario(row: dict[str, Any]) -> None:
    decision = decide(request_of(row))
    cited = {str(c) for c in decision.citations}
    assert decision.decision == row["expect"], decision.reasons
    assert decision.consent == frozenset(row["consent"])
    assert row["article"] in cited, sorted(cited)
    assert set(row.get("cites", ())) <= cited, sorted(cited)
    if "sensitive" in row:
        assert decision.sensitive == frozenset(row["sensitive"])
    if decision.allowed:
        assert decision.legal_basis != "none"
    else:
        assert decision.legal_basis == "none"
    assert decision.reasons, "every decision gives its reasons"
