"""The policy reference: generated from the action registry, committed, and current."""

from __future__ import annotations

from pathlib import Path

from ringfence.policy import REGISTRY, parse_policy
from ringfence.policy.reference import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


def test_the_committed_reference_is_what_the_generator_prints() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/policy.md is stale: run python -m ringfence.policy.reference > docs/policy.md"
    )


def test_every_action_is_documented_with_an_example_that_parses() -> None:
    text = render()
    for action in REGISTRY:
        assert f"\n## {action.name}\n" in text
        policy = parse_policy(f"ringfence_policy: 1\nname: example\ncolumns:\n  {action.example}\n")
        (column, rule), *_ = policy.columns.items()
        assert rule.action == action.name and f"  {column}:" in text
