"""A plan that travels: :class:`PlanSpec`, the serialisable form of a :class:`~ringfence.transform.plan.Plan`
from which the same plan is rebuilt in another process or on another machine (a Spark executor).

What it guarantees:

- It holds the policy (its canonical JSON and hash), the input schema, each column's entity, the recipient,
  the reference date and the key id of every keyed column, and the output schema; never key bytes, never a
  data value. It is plain JSON (:meth:`PlanSpec.to_json`), safe to ship in a job description or a log.
- :meth:`PlanSpec.build` rebuilds the plan by resolving keys by id through a
  :class:`~ringfence.keys.KeyResolver` (the local keyset, or a handle an executor holds): the key ids are
  pinned, so a ``keys rotate`` between building the spec and running it changes nothing, and the same input
  gives the same bytes. A policy whose hash does not match, a key the resolver does not hold, or a rebuilt
  plan whose output schema differs from the recorded one is refused before any data flows.
- The output schema is known up front (:attr:`PlanSpec.output_schema`), as ``mapInArrow`` needs.
- ``threads`` sets how many threads each kernel may start; an engine that already runs one task per core
  passes 1.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace
from typing import Literal

import polars as pl
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, ValidationError

from ringfence.errors import InputError, UsageError
from ringfence.keys import KeyResolver
from ringfence.policy import Policy, policy_hash
from ringfence.policy.model import canonical_json
from ringfence.transform.base import TransformContext
from ringfence.transform.plan import Plan, build_plan

__all__ = ["PlanSpec"]


def _schema_text(schema: pl.Schema) -> str:
    """A Polars schema as base64 of its Arrow IPC form (exact, and readable by any Arrow library)."""
    arrow = pl.DataFrame(schema=schema).to_arrow(compat_level=pl.CompatLevel.newest()).schema
    return base64.b64encode(arrow.serialize().to_pybytes()).decode("ascii")


def _schema_of(text: str) -> pl.Schema:
    arrow = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text, validate=True)))
    return pl.DataFrame(pa.Table.from_batches([], schema=arrow)).schema


class PlanSpec(BaseModel):
    """A plan's serialisable spec (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    format: Literal["ringfence.plan-spec/1"] = "ringfence.plan-spec/1"
    policy: str  # canonical JSON of the policy
    policy_hash: str
    input_arrow_schema: str  # Arrow IPC schema, base64
    output_arrow_schema: str
    entities: dict[str, str | None]
    recipient: str | None = None
    as_of: str | None = None  # ISO date
    key_ids: dict[str, str]  # input column -> pinned key id (keyed columns only)

    @classmethod
    def of(cls, plan: Plan, policy: Policy) -> PlanSpec:
        """The spec of ``plan``, built from ``policy``."""
        if policy_hash(policy) != plan.policy_hash:
            raise UsageError(f"the plan was not built from policy {policy.name!r}")
        ctx = plan.context
        return cls.model_validate(
            {
                "policy": canonical_json(policy),
                "policy_hash": plan.policy_hash,
                "input_arrow_schema": _schema_text(pl.Schema(ctx.schema)),
                "output_arrow_schema": _schema_text(plan.output_schema),
                "entities": {c.column: c.rule.entity for c in plan.columns},
                "recipient": ctx.recipient,
                "as_of": ctx.as_of.isoformat() if ctx.as_of is not None else None,
                "key_ids": {c.column: c.key_id for c in plan.columns if c.key_id is not None},
            }
        )

    @property
    def output_schema(self) -> pl.Schema:
        """The schema of what the plan writes, known before any data flows."""
        return _schema_of(self.output_arrow_schema)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> PlanSpec:
        """A spec from its JSON; an :class:`InputError` when it is not one."""
        try:
            return cls.model_validate_json(text)
        except (ValidationError, ValueError):
            raise InputError("not a ringfence plan spec (or of an unknown version)") from None

    def build(self, keys: KeyResolver | None, *, threads: int | None = None) -> Plan:
        """The plan, rebuilt with its pinned key ids resolved through ``keys`` (see the module docstring)."""
        policy = Policy.model_validate_json(self.policy, strict=False)
        if policy_hash(policy) != self.policy_hash:
            raise InputError("the plan spec's policy does not match its hash")
        ctx = TransformContext(
            keys=keys,
            recipient=self.recipient,
            as_of=dt.date.fromisoformat(self.as_of) if self.as_of else None,
        )
        if threads is not None:
            ctx = replace(ctx, threads=threads)
        schema = _schema_of(self.input_arrow_schema)
        plan = build_plan(policy, schema, self.entities, ctx, key_ids=self.key_ids)
        if plan.output_schema != self.output_schema:
            raise UsageError("the rebuilt plan's output schema differs from the spec's")
        return plan
