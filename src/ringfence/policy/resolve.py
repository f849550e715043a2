"""Which rule applies to each column of a table: column rule, then entity rule, then ``unlisted``.

Fail closed (DESIGN.md §5): nothing reaches the output without a decision.

- A column rule wins; a column rule naming a column the table does not have is an error (a typo must
  not leave the real column unprotected).
- Otherwise the rule for the entity the scan found in the column applies (its ``entity`` filled in).
- Otherwise ``unlisted`` decides: ``fail`` refuses the table, naming every unlisted column; ``drop``
  drops them; ``keep`` keeps only those the scan found no personal data in: a column typed as personal
  data is never kept without a rule that names it or its entity (write ``column: keep`` to keep it).
- Columns that rules read (``subject`` of ``date_shift`` / ``noise``) and fingerprint columns must exist,
  and fingerprint columns must not be dropped or suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ringfence.errors import UsageError, shown_column
from ringfence.policy.model import Policy
from ringfence.policy.rules import Drop, Keep, Rule

_SHOWN = 10


def _names(columns: Sequence[str]) -> str:
    shown = ", ".join(shown_column(c) for c in columns[:_SHOWN])
    return shown + (f" and {len(columns) - _SHOWN} more" if len(columns) > _SHOWN else "")


def resolve_rules(
    policy: Policy, columns: Sequence[str], entities: Mapping[str, str | None]
) -> dict[str, Rule]:
    """The rule for every column of the table, in the table's column order.

    ``entities`` maps a column to the entity the scan found in it (missing or ``None``: no personal data).
    Raises :class:`UsageError` for unlisted columns under ``unlisted: fail``, unlisted personal columns
    under ``unlisted: keep``, and rules or fingerprint settings naming columns the table does not have.
    """
    if len(set(columns)) != len(columns):
        raise UsageError("the table has two columns with the same name; rename one before applying a policy")
    present = set(columns)
    missing = [name for name in policy.columns if name not in present]
    if missing:
        raise UsageError(
            f"policy {policy.name}: rules name columns the table does not have: {_names(missing)}"
        )
    resolved: dict[str, Rule] = {}
    unlisted: list[str] = []
    personal_unlisted: list[str] = []
    for name in columns:
        entity = entities.get(name)
        if name in policy.columns:
            resolved[name] = policy.columns[name]
        elif entity is not None and entity in policy.entities:
            resolved[name] = policy.entities[entity]  # type: ignore[index]
        elif policy.unlisted == "drop":
            resolved[name] = Drop(action="drop", entity=None)
        elif policy.unlisted == "keep" and entity is None:
            resolved[name] = Keep(action="keep", entity=None)
        elif policy.unlisted == "keep":
            personal_unlisted.append(name)
        else:
            unlisted.append(name)
    if unlisted:
        raise UsageError(
            f"policy {policy.name}: no rule for columns {_names(unlisted)} and unlisted is 'fail'; "
            "add a rule for each (keep, drop, ...) or set unlisted"
        )
    if personal_unlisted:
        raise UsageError(
            f"policy {policy.name}: columns {_names(personal_unlisted)} hold personal data and no rule names "
            "them; unlisted: keep never keeps personal data, so add a rule for each"
        )
    for name, rule in resolved.items():
        subject = getattr(rule, "subject", None)
        if subject is not None and subject not in present:
            raise UsageError(
                f"policy {policy.name}: the {rule.action} rule for column {name!r} reads subject column "
                f"{subject!r}, which the table does not have"
            )
    fp_columns = policy.fingerprint.columns or []
    absent = [c for c in fp_columns if c not in present]
    if absent:
        raise UsageError(
            f"policy {policy.name}: fingerprint names columns the table does not have: {_names(absent)}"
        )
    dropped = [c for c in fp_columns if resolved[c].action in ("drop", "suppress")]
    if dropped:
        raise UsageError(
            f"policy {policy.name}: fingerprint names columns the policy removes: {_names(dropped)}"
        )
    return resolved
