"""Policy: which transform each column gets, loaded strictly from YAML, hashed, resolved against a table.

- :func:`load_policy` / :func:`parse_policy` read a policy file (errors name the file, line and key);
- :func:`policy_hash` is a stable ``sha256:`` identity of what a policy does;
- :func:`resolve_rules` decides the rule of every column of a table (fail closed);
- :func:`draft_policy` writes a first policy from scan findings;
- :data:`REGISTRY` declares every action once (rule model, guarantees, key purpose, inverse).
"""

from ringfence.policy.draft import draft_policy
from ringfence.policy.entities import ENTITY_TYPES, EntityType
from ringfence.policy.load import PolicyError, PolicyFileError, load_policy, parse_policy
from ringfence.policy.model import (
    Fingerprint,
    Hierarchy,
    MarkColumn,
    MarkKind,
    Policy,
    Risk,
    canonical_json,
    policy_hash,
)
from ringfence.policy.resolve import resolve_rules
from ringfence.policy.rules import (
    ACTION_SPECS,
    ACTIONS,
    KEY_PURPOSES,
    REGISTRY,
    REVEALABLE,
    RULE_TYPES,
    Action,
    Rule,
)

__all__ = [
    "ACTIONS",
    "ACTION_SPECS",
    "ENTITY_TYPES",
    "KEY_PURPOSES",
    "REGISTRY",
    "REVEALABLE",
    "RULE_TYPES",
    "Action",
    "EntityType",
    "Fingerprint",
    "Hierarchy",
    "MarkColumn",
    "MarkKind",
    "Policy",
    "PolicyError",
    "PolicyFileError",
    "Risk",
    "Rule",
    "canonical_json",
    "draft_policy",
    "load_policy",
    "parse_policy",
    "policy_hash",
    "resolve_rules",
]
