"""A first policy from a scan: every personal column protected by a sensible default, the rest kept.

``ringfence scan INPUT --draft-policy FILE`` writes this text. The draft is a starting point a person
reviews: each rule carries a comment saying what it does and why, ``unlisted: fail`` makes a column the
scan did not see stop the run rather than leak, and fingerprinting is on. The platform's own customer,
account and user keys (``customer_id``, ``account_id``, ``subject_id``: no entity, but they single a person
out and link every release) are tokenised per recipient rather than kept. Given quasi-identifiers (the
risk stage proposes them, :func:`ringfence.risk.propose.propose_quasi_identifiers`), the draft adds a
``risk:`` section with k = 10 that generalises to reach it. The text always loads with
:func:`ringfence.policy.load.parse_policy` (checked before it is returned).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Collection, Sequence
from typing import Any

import yaml

from ringfence.detect.entities import SPECS
from ringfence.detect.headers import hinted_entities
from ringfence.errors import UsageError
from ringfence.policy.entities import ENTITY_TYPES
from ringfence.policy.load import parse_policy
from ringfence.policy.rules import ACTIONS

# entity -> (rule, why), from each entity's spec (ringfence.detect.spec.Draft); every entity of the
# vocabulary has one.
DEFAULTS: dict[str, tuple[dict[str, Any], str]] = {
    spec.entity: (spec.draft.rule, spec.draft.why) for spec in SPECS.values()
}

# The platform's own keys of a person (customer_id, 用户ID, 고객번호): the scan finds them as INTERNAL_ID;
# a column the scan left untyped whose header names one (no values to check) is tokenised all the same.
INTERNAL_ID = "INTERNAL_ID"
DRAFT_K = 10

_PLAIN_KEY = re.compile(r"[^\W\d][\w.\-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _key(column: str) -> str:
    """The column name as a YAML key: plain when that is unambiguous, otherwise double-quoted."""
    if _PLAIN_KEY.fullmatch(column) and column.lower() not in _YAML11_WORDS:
        return column
    return json.dumps(column, ensure_ascii=not column.isprintable())


def _flow(value: dict[str, Any]) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=1 << 20).strip()


def _merge(findings: Sequence[tuple[str, str | None]]) -> dict[str, list[str | None]]:
    """Findings per column, in first-seen order (a folder scan may see one column in several tables)."""
    merged: dict[str, list[str | None]] = {}
    for column, entity in findings:
        if entity is not None and entity not in ENTITY_TYPES:
            raise UsageError(f"column {column!r}: unknown entity {entity!r}; cannot draft a rule for it")
        seen = merged.setdefault(column, [])
        if entity not in seen:
            seen.append(entity)
    return merged


def _person_key(column: str, entities: list[str | None]) -> bool:
    """Whether a column is the platform's own key of a person: found as one, or untyped under a
    person-key header."""
    if entities == [INTERNAL_ID]:
        return True
    return not any(entities) and INTERNAL_ID in hinted_entities(column)


def _rule(column: str, entities: list[str | None], unchecked: bool = False) -> tuple[str, str]:
    """(comment, rule line) for one column; ``unchecked``: protected on its header alone."""
    personal = [e for e in entities if e is not None]
    if _person_key(column, entities):
        personal = [INTERNAL_ID]
    key = _key(column)
    if not personal:
        return "", f"{key}: keep"
    if len(personal) > 1:
        found = ", ".join(str(e) for e in personal)
        return f"found as {found} in different tables: dropped; split the rule per table", f"{key}: drop"
    entity = personal[0]
    rule, why = DEFAULTS[entity]
    if unchecked:
        why = f"the file had no values to check: protected on its header alone. {why}"
    return f"{entity}: {why}", f"{key}: {_flow({**rule, 'entity': entity})}"


def _risk(quasi_identifiers: Sequence[tuple[str, str]]) -> list[str]:
    lines = [
        "# Re-identification risk: every combination of these quasi-identifiers must be shared by at least",
        f"# k = {DRAFT_K} records; the release generalises them (least information loss) and",
        "# withholds at most 1% of the records to get there, or is refused. Check with `ringfence risk`.",
        "risk:",
        "  quasi_identifiers:",
    ]
    for column, reason in quasi_identifiers:
        lines.append(f"    - {_key(column)}  # {reason}")
    lines += [f"  k: {DRAFT_K}", "  suppression: 0.01", "  on_violation: generalize"]
    return lines


def draft_policy(
    findings: Sequence[tuple[str, str | None]],
    name: str = "draft",
    quasi_identifiers: Sequence[tuple[str, str]] = (),
    unchecked: Collection[str] = (),
) -> str:
    """YAML text of a policy protecting every ``(column, entity)`` finding with its entity's default,
    tokenising the platform's own person keys and keeping the other columns with no entity. Columns found
    as two different entities are dropped. ``quasi_identifiers`` (``(column, reason)``) add a ``risk:``
    section. ``unchecked`` names the columns found by their header alone (no values to check): their
    rule says so."""
    lines = [
        "# ringfence policy drafted from a scan. Review every rule before use: the scan may have missed",
        "# a column or typed one wrongly. Actions: " + ", ".join(ACTIONS) + ".",
        "ringfence_policy: 1",
        f"name: {_key(name)}",
        "# Columns that no rule names stop the run (fail closed), so a new column cannot leak unnoticed.",
        "unlisted: fail",
    ]
    merged = _merge(findings)
    person = next((c for c, found in merged.items() if _person_key(c, found)), None)
    if person is not None:
        lines += [
            "# Each row's data subject: a release keeps only consenting subjects' rows and records in the",
            "# ledger who got whose data (`ringfence ledger subject ID`).",
            f"subject: {_key(person)}",
        ]
    if merged:
        lines.append("columns:")
    kept: list[str] = []
    for column, entities in merged.items():
        comment, line = _rule(column, entities, column in unchecked)
        if comment:
            lines.extend(f"  # {part}" for part in textwrap.wrap(comment, 96))
            lines.append(f"  {line}")
        else:
            kept.append(line)
    if kept:
        lines.append("  # No personal data found by the scan: kept as they are.")
        lines.extend(f"  {line}" for line in kept)
    lines += [
        "# Every released copy carries a keyed per-recipient fingerprint, so a leaked copy can be traced:",
        "# marks in the amount and time columns kept as they are (one cent, up to 3 seconds, in under 5%",
        "# of their cells; never in identifiers nor in the risk section's quasi-identifiers) and 3 canary",
        "# rows. List settlement-critical columns under `immutable:` to keep them exact.",
        "fingerprint: {enabled: true, strength: normal}",
    ]
    if quasi_identifiers:
        lines += _risk(quasi_identifiers)
    text = "\n".join(lines) + "\n"
    parse_policy(text, "<drafted policy>")
    return text
