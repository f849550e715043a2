"""The policy reference (``docs/policy.md``), generated from the action registry.

``python -m ringfence.policy.reference > docs/policy.md`` prints every declared action
(:data:`ringfence.policy.rules.REGISTRY`) with its parameters (types, defaults, bounds, read from the rule
models), what it guarantees (reversible, joinable, keyed and the key purpose, how reveal inverts it) and a
YAML example, then the ``fingerprint:`` section from its models. The output depends on the registry and
the models alone, so a test checks that the committed file is current.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ringfence.policy.entities import ENTITY_TYPES
from ringfence.policy.model import Fingerprint, MarkColumn
from ringfence.policy.rules import REGISTRY, Action, RuleBase

__all__ = ["render"]

_INVERSES = {
    "identity": "kept as it is",
    "decrypt": "decrypted by the key holder (`ringfence reveal`)",
    "match": "matched against a reference table by re-tokenizing it (`reveal --detokenize-with`)",
}
_COMMON = set(RuleBase.model_fields) | {"action"}


def _type(annotation: Any) -> str:
    """A readable type: ``int``, ``"a" | "b"``, ``list of …``, a nested model's fields."""
    origin = get_origin(annotation)
    if origin is Literal:
        return " \\| ".join(f"`{v}`" if isinstance(v, str) else str(v) for v in get_args(annotation))
    if origin in (Union, types.UnionType):
        return " or ".join(_type(a) for a in get_args(annotation) if a is not type(None))
    if origin is list:
        return f"list of {_type(get_args(annotation)[0])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        inner = ", ".join(f"{n}: {_type(f.annotation)}" for n, f in annotation.model_fields.items())
        return "{" + inner + "}"
    if annotation is type(None):
        return "null"
    return {
        "date": "date (YYYY-MM-DD)",
        "str": "text",
        "float": "number",
        "int": "integer",
        "bool": "true or false",
    }.get(getattr(annotation, "__name__", str(annotation)), getattr(annotation, "__name__", str(annotation)))


def _bounds(info: FieldInfo) -> str:
    shown = []
    for m in info.metadata:
        if isinstance(m, annotated_types.Ge):
            shown.append(f"≥ {m.ge}")
        elif isinstance(m, annotated_types.Gt):
            shown.append(f"> {m.gt}")
        elif isinstance(m, annotated_types.Le):
            shown.append(f"≤ {m.le}")
        elif isinstance(m, annotated_types.MinLen):
            shown.append(f"at least {m.min_length} long")
        elif isinstance(m, annotated_types.MaxLen):
            shown.append(f"at most {m.max_length} long")
    return ", ".join(shown)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default
    if value is PydanticUndefined or value is None:
        return "—"
    if isinstance(value, BaseModel):
        return ", ".join(f"{k}: {v}" for k, v in value.model_dump().items())
    return f"`{str(value).lower() if isinstance(value, bool) else value}`"


def _prose(action: Action) -> str:
    return inspect.cleandoc(action.rule.__doc__ or "").replace("``", "`")


def _guarantees(action: Action) -> list[str]:
    joinable = "yes" if action.joinable else "no"
    if action.joinable and action.joinable_unless:
        joinable = f"yes, unless `{action.joinable_unless}` is set"
    keyed = (
        f"yes, a `{action.key_purpose}` key (its id is recorded in the plan)" if action.key_purpose else "no"
    )
    inverse = _INVERSES[action.inverse] if action.inverse else "no: one-way"
    return [
        "| guarantee | |",
        "|---|---|",
        f"| reversible | {'yes' if action.reversible else 'no'} |",
        f"| joinable | {joinable} |",
        f"| keyed | {keyed} |",
        f"| reveal | {inverse} |",
    ]


def _parameters(action: Action) -> list[str]:
    fields = {n: f for n, f in action.rule.model_fields.items() if n not in _COMMON}
    if not fields:
        return ["No parameters besides `entity`."]
    return _table(fields)


def _table(fields: dict[str, FieldInfo]) -> list[str]:
    lines = ["| parameter | type | default | bounds |", "|---|---|---|---|"]
    for name, info in fields.items():
        lines.append(f"| `{name}` | {_type(info.annotation)} | {_default(info)} | {_bounds(info) or '—'} |")
    return lines


def _doc(model: type[BaseModel]) -> str:
    """A model's docstring as one Markdown paragraph (Sphinx roles and double backquotes made plain)."""
    text = " ".join(inspect.cleandoc(model.__doc__ or "").split())
    return re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")


def _fingerprint() -> list[str]:
    """The ``fingerprint:`` section, from its models (:class:`Fingerprint`, :class:`MarkColumn`)."""
    return [
        "",
        "## fingerprint",
        "",
        _doc(Fingerprint),
        "",
        *_table(dict(Fingerprint.model_fields)),
        "",
        _doc(MarkColumn),
        "",
        *_table(dict(MarkColumn.model_fields)),
        "",
        "```yaml",
        "fingerprint:",
        "  enabled: true",
        "  columns: {amount: {kind: amount, tolerance: 0.01}, ts: {kind: timestamp, tolerance: 3, grain: 1}}",
        "  immutable: [settlement_amount]",
        "  canaries: 3",
        "  strength: normal",
        "```",
    ]


def render() -> str:
    """The whole reference as Markdown."""
    out = [
        "# Policy reference",
        "",
        "<!-- Generated by `python -m ringfence.policy.reference > docs/policy.md`; do not edit by hand. -->",
        "",
        "A policy names an action for each column (`columns:`) or for each entity type a scan finds",
        "(`entities:`); columns no rule names follow `unlisted` (`fail`, `keep` or `drop`). A rule is",
        "`{action: NAME, ...parameters}`, or just `NAME` when it takes none. Every rule may say what the",
        "column holds with `entity`, which chooses per-entity defaults and is checked against the action:",
        ", ".join(f"`{e}`" for e in ENTITY_TYPES) + ".",
        "",
        "Keyed actions use the workspace keyset's primary key of their purpose (a plan records the key",
        "ids, never key bytes). Their `scope` is `recipient` (the default: the recipient's id is mixed in,",
        "so two recipients' copies do not link) or `global` (the same output for every recipient).",
        "",
        "```yaml",
        "ringfence_policy: 1",
        "name: partner-analytics",
        "unlisted: fail",
        "columns:",
        *(f"  {action.example}" for action in REGISTRY[:3]),
        "entities:",
        "  PHONE_NUMBER: {action: tokenize}",
        "```",
        "",
        "| action | reversible | joinable | key |",
        "|---|---|---|---|",
        *(
            f"| [`{a.name}`](#{a.name}) | {'yes' if a.reversible else 'no'} | "
            f"{'yes' if a.joinable else 'no'}{'*' if a.joinable_unless else ''} | {a.key_purpose or '—'} |"
            for a in REGISTRY
        ),
        "",
        "\\* joinable unless a parameter says otherwise (see the action).",
    ]
    for action in REGISTRY:
        out += ["", f"## {action.name}", "", _prose(action), ""]
        out += [*_guarantees(action), "", *_parameters(action)]
        out += ["", "```yaml", "columns:", f"  {action.example}", "```"]
    out += _fingerprint()
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
