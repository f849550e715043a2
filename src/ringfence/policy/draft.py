"""A first policy from a scan: every personal column protected by a sensible default, the rest kept.

``ringfence scan INPUT --draft-policy FILE`` writes this text. The draft is a starting point a person
reviews: each rule carries a comment saying what it does and why, ``unlisted: fail`` makes a column the
scan did not see stop the run rather than leak, and fingerprinting is on. The text always loads with
:func:`ringfence.policy.load.parse_policy` (checked before it is returned).
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import yaml

from ringfence.detect.entities import SPECS
from ringfence.errors import UsageError
from ringfence.policy.entities import ENTITY_TYPES
from ringfence.policy.load import parse_policy
from ringfence.policy.rules import ACTIONS

# entity -> (rule, why), from each entity's spec (ringfence.detect.spec.Draft); every entity of the
# vocabulary has one.
DEFAULTS: dict[str, tuple[dict[str, Any], str]] = {
    spec.entity: (spec.draft.rule, spec.draft.why) for spec in SPECS.values()
}

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


def _rule(column: str, entities: list[str | None]) -> tuple[str, str]:
    """(comment, rule line) for one column."""
    personal = [e for e in entities if e is not None]
    key = _key(column)
    if not personal:
        return "", f"{key}: keep"
    if len(personal) > 1:
        found = ", ".join(str(e) for e in personal)
        return f"found as {found} in different tables: dropped; split the rule per table", f"{key}: drop"
    entity = personal[0]
    rule, why = DEFAULTS[entity]
    return f"{entity}: {why}", f"{key}: {_flow({**rule, 'entity': entity})}"


def draft_policy(findings: Sequence[tuple[str, str | None]], name: str = "draft") -> str:
    """YAML text of a policy protecting every ``(column, entity)`` finding with its entity's default and
    keeping columns with no entity. Columns found as two different entities are dropped."""
    lines = [
        "# ringfence policy drafted from a scan. Review every rule before use: the scan may have missed",
        "# a column or typed one wrongly. Actions: " + ", ".join(ACTIONS) + ".",
        "ringfence_policy: 1",
        f"name: {_key(name)}",
        "# Columns that no rule names stop the run (fail closed), so a new column cannot leak unnoticed.",
        "unlisted: fail",
    ]
    merged = _merge(findings)
    if merged:
        lines.append("columns:")
    kept: list[str] = []
    for column, entities in merged.items():
        comment, line = _rule(column, entities)
        if comment:
            lines.extend(f"  # {part}" for part in textwrap.wrap(comment, 96))
            lines.append(f"  {line}")
        else:
            kept.append(line)
    if kept:
        lines.append("  # No personal data found by the scan: kept as they are.")
        lines.extend(f"  {line}" for line in kept)
    lines += [
        "# Every released copy carries a keyed per-recipient fingerprint, so a leaked copy can be traced.",
        "fingerprint: {enabled: true, strength: normal}",
    ]
    text = "\n".join(lines) + "\n"
    parse_policy(text, "<drafted policy>")
    return text
