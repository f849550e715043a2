"""A plan: what a policy does to each column of one table, checked against the table's schema before any
data flows.

:func:`build_plan` resolves each column's rule (column rule, then entity rule, then ``unlisted``; fail
closed, :func:`ringfence.policy.resolve_rules`), builds its transform and its output expressions, and
checks the whole against the input schema without reading a row: a rule naming an absent column, two
outputs with one name, or a transform that does not apply to the column's type is a :class:`UsageError`
naming the column.

A plan records the key ids it uses (never key bytes) and refuses pickling: it holds the keyset through
its :class:`TransformContext`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

import polars as pl

from ringfence.errors import RingfenceError, UsageError
from ringfence.policy import Policy, Rule, policy_hash, resolve_rules
from ringfence.transform.base import TransformContext, TransformSpec
from ringfence.transform.record import PlanRecord
from ringfence.transform.registry import KEY_PURPOSES, spec_for

__all__ = ["ColumnPlan", "Plan", "build_plan"]


@dataclass(frozen=True)
class ColumnPlan:
    """One input column: its rule, transform, output columns and expressions, and the key id it uses."""

    column: str
    dtype: pl.DataType
    rule: Rule
    spec: TransformSpec
    outputs: list[str]
    exprs: list[pl.Expr] = field(repr=False)
    key_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "action": self.spec.name,
            "entity": self.rule.entity,
            "reversible": self.spec.reversible,
            "joinable": self.spec.joinable,
            "outputs": list(self.outputs),
            "key_id": self.key_id,
            "params": self.spec.params(),
        }


@dataclass(frozen=True)
class Plan:
    """The checked transforms of every input column, in input order."""

    policy_name: str
    policy_hash: str
    columns: list[ColumnPlan]
    context: TransformContext = field(repr=False)

    @property
    def output_columns(self) -> list[str]:
        return [name for c in self.columns for name in c.outputs]

    @property
    def output_schema(self) -> pl.Schema:
        """The schema of what the plan writes (known before any data flows)."""
        return pl.LazyFrame(schema=dict(self.context.schema)).select(self.exprs()).collect_schema()

    def exprs(self) -> list[pl.Expr]:
        """Every output expression, in output order: ``batch.select(plan.exprs())`` protects a batch."""
        return [e for c in self.columns for e in c.exprs]

    def actions(self) -> dict[str, str]:
        """Input column → action."""
        return {c.column: c.spec.name for c in self.columns}

    def key_ids(self) -> list[str]:
        """The ids of the keys the plan uses (sorted, distinct)."""
        return sorted({c.key_id for c in self.columns if c.key_id is not None})

    def unreadable_checks(self) -> dict[str, tuple[pl.Expr, list[str]]]:
        """Per column whose transform may leave a value it cannot read empty (``derive``): an expression
        over the input, true where a value is present (not null, not blank), and its output columns; a
        present value with an empty output is one the run could not carry over, and is counted."""
        return {
            c.column: (
                pl.col(c.column).cast(pl.String).str.strip_chars().ne("").fill_null(False),
                list(c.outputs),
            )
            for c in self.columns
            if c.spec.counts_unreadable and c.outputs
        }

    def changed(self) -> list[str]:
        """Input columns whose values the plan alters or removes (every action but ``keep``)."""
        return [c.column for c in self.columns if c.spec.name != "keep"]

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_name,
            "policy_hash": self.policy_hash,
            "recipient": self.context.recipient,
            "columns": [c.to_json() for c in self.columns],
            "output_columns": self.output_columns,
            "key_ids": self.key_ids(),
        }

    def record(self) -> PlanRecord:
        """What protect seals into the output's footer and reveal rebuilds its reversal from."""
        return PlanRecord.model_validate(self.to_json())

    def explain(self) -> str:
        """A plain-text table of the plan, one line per input column."""
        head = ("column", "action", "comes back", "joinable", "outputs", "key")
        rows = [
            (
                c.column,
                c.spec.name + (f" ({c.rule.entity})" if c.rule.entity else ""),
                c.spec.action.comes_back,
                "yes" if c.spec.joinable else "no",
                ", ".join(c.outputs) or "-",
                c.key_id or "-",
            )
            for c in self.columns
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = [f"policy {self.policy_name} {self.policy_hash}"]
        lines += [
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in [head, *rows]
        ]
        return "\n".join(lines)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Plan holds the keyset and cannot be pickled; rebuild it where it runs")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def build_plan(
    policy: Policy,
    schema: Mapping[str, pl.DataType],
    entities: Mapping[str, str | None],
    ctx: TransformContext,
    key_ids: Mapping[str, str] | None = None,
) -> Plan:
    """The plan of ``policy`` for a table of ``schema`` whose scan found ``entities`` (see the module
    docstring). ``ctx`` carries the key resolver, recipient, reference date and thread count; its schema
    is replaced by ``schema``. Each keyed column's key is chosen here, once: ``key_ids[column]`` when
    pinned (a plan rebuilt elsewhere keeps its keys across a rotation), else the primary key of its
    action's declared purpose; the transform uses that key. Nothing is read; every problem is a
    :class:`UsageError` naming the column."""
    context = replace(ctx, schema=dict(schema), key_id=None)
    pinned = dict(key_ids or {})
    if set(pinned) - set(schema):
        raise UsageError(f"policy {policy.name}: key ids are pinned for columns not in the table")
    rules = resolve_rules(policy, list(schema), entities)
    empty = pl.LazyFrame(schema=dict(schema))
    planned: list[ColumnPlan] = []
    for column, rule in rules.items():
        spec = spec_for(rule)
        purpose = KEY_PURPOSES.get(spec.name)
        key_id = None
        if purpose and context.keys is not None:
            key_id = pinned.get(column) or context.keys.primary_id(purpose)
        try:
            exprs = spec.expr(column, replace(context, key_id=key_id))
            dtypes = empty.select(exprs).collect_schema() if exprs else pl.Schema()
        except RingfenceError as exc:
            raise type(exc)(f"policy {policy.name}, column {column!r}: {_first_line(exc)}") from None
        except pl.exceptions.PolarsError as exc:
            raise UsageError(
                f"policy {policy.name}, column {column!r}: {spec.name} does not apply to a "
                f"{schema[column]} column ({type(exc).__name__})"
            ) from None
        outputs = spec.output_columns(column)
        if list(dtypes.names()) != outputs:
            raise UsageError(f"policy {policy.name}, column {column!r}: {spec.name} gives unexpected outputs")
        planned.append(ColumnPlan(column, schema[column], rule, spec, outputs, exprs, key_id))
    seen: dict[str, str] = {}
    for c in planned:
        for name in c.outputs:
            if name in seen:
                raise UsageError(
                    f"policy {policy.name}: output column {name!r} would come from both {seen[name]!r} and "
                    f"{c.column!r}; rename or drop one"
                )
            seen[name] = c.column
    return Plan(policy.name, policy_hash(policy), planned, context)
