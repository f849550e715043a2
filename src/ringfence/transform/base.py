"""What every column transform is: a columnar kernel with its guarantees stated.

A :class:`TransformSpec` turns one input column into zero or more output columns as Polars expressions
(never a row loop), and says what it guarantees:

- ``reversible``: whoever holds the right key (or anyone, for ``keep``) can get the input back;
- ``joinable``: equal inputs give equal outputs across the whole column (and the outputs carry something
  to join or group on), so two outputs made from equal values can be matched. A constant (``redact``),
  an empty column (``suppress``, ``drop``) or a per-subject shift (``date_shift``) is not joinable.

Every kernel maps null to null and never emits what it was told to remove. Inputs it cannot read (a
date that is not a date, an address it cannot parse) become null: a transform fails closed, it never
passes an unreadable value through.

Keyed transforms get a primitive bound to the key id the plan chose (:meth:`TransformContext.key`) from
the context's :class:`~ringfence.keys.KeyResolver`, never key bytes, and run it through a
:class:`~ringfence.keys.Kernel`, which refuses pickling, so a plan that captured one cannot be serialized
with key material in it.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

import polars as pl
from pydantic import ValidationError

from ringfence.errors import UsageError
from ringfence.keys import Kernel, KeyResolver, Prf
from ringfence.keys.columns import default_threads
from ringfence.policy.rules import ACTION_SPECS, KEY_PURPOSES, Action, RuleBase, RuleProblem

# A recipient id in a keyed domain: no '|' (the domain's separator), no control character, no edge spaces.
_RECIPIENT = re.compile(r"(?!\s)[^|\x00-\x1f\x7f]{1,256}(?<!\s)")

Scope = Literal["global", "recipient"]


@dataclass(frozen=True)
class TransformContext:
    """What transforms may need besides the column: the input schema, the key resolver, the recipient,
    the reference date for ages, the threads a kernel may start (1 under an outer engine that already
    parallelises), and the key id the plan chose for the column. Built once per run by the caller;
    ``keyset`` is the older name of ``keys``."""

    schema: Mapping[str, pl.DataType] = field(default_factory=dict)
    keys: KeyResolver | None = None
    recipient: str | None = None
    as_of: dt.date | None = None
    threads: int = field(default_factory=default_threads)
    key_id: str | None = None
    keyset: KeyResolver | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.threads < 1:
            raise UsageError(f"a transform needs at least one thread, not {self.threads}")
        if self.recipient is not None and not _RECIPIENT.fullmatch(self.recipient):
            raise UsageError(
                "a recipient id may not hold '|' (it separates the parts of a key's domain), a control "
                "character or leading or trailing spaces, and is 1-256 characters"
            )
        object.__setattr__(self, "keys", self.keys if self.keys is not None else self.keyset)
        object.__setattr__(self, "keyset", self.keys)

    def key(self, action: str) -> tuple[KeyResolver, str]:
        """The resolver and the key id a keyed ``action`` uses: the one the plan chose for the column
        (:func:`ringfence.transform.plan.build_plan`), or, for a transform used without a plan, the
        primary key of the action's declared purpose."""
        if self.keys is None:
            raise UsageError(f"{action} is keyed and needs the workspace keyset")
        return self.keys, self.key_id or self.keys.primary_id(KEY_PURPOSES[action])

    def dtype(self, column: str) -> pl.DataType:
        """The input type of ``column``; a column the schema does not list is a usage error."""
        try:
            return self.schema[column]
        except KeyError:
            raise UsageError(f"column {column!r} is not in the input table") from None

    def scope_label(self, scope: Scope, action: str) -> str:
        """``global`` or ``recipient:<id>``: the part of a keyed domain that separates recipients.

        Every keyed domain is this label, then ``|``, then parts of which only the last is free (a column
        name): ``<label>|tokenize|column:<name>``, ``<label>|<column>`` (FPE), ``<label>|<action>``. A
        label never holds ``|`` (a recipient id may not), so a domain splits back into its parts one way
        only, and recipient ``acme|x`` with column ``phone`` cannot share keys with recipient ``acme`` and
        column ``x|phone``: the domains of rt1 tokens and FPE stay as they are (no new token version)."""
        if scope == "global":
            return "global"
        if not self.recipient:
            raise UsageError(
                f"{action} with scope: recipient needs a recipient (release --recipient); "
                "or set scope: global"
            )
        return f"recipient:{self.recipient}"


# The transform of each declared action, registered by the classes themselves (see TransformSpec).
TRANSFORMS: dict[str, type[TransformSpec]] = {}


class TransformSpec(ABC):
    """One column transform, the implementation of one declared action
    (:data:`ringfence.policy.rules.REGISTRY`). Subclasses set ``name`` (and so register themselves, one
    transform per action), take the rule's parameters as keyword arguments of the same names (so
    :meth:`from_rule` needs no code) and implement :meth:`expr`. Their guarantees are the declaration's."""

    name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            return
        if name not in ACTION_SPECS:
            raise TypeError(f"transform {cls.__name__} names {name!r}, which no action declares")
        if name in TRANSFORMS:
            raise TypeError(
                f"action {name!r} has two transforms: {TRANSFORMS[name].__name__}, {cls.__name__}"
            )
        TRANSFORMS[name] = cls

    @property
    def action(self) -> Action:
        """The declaration of this transform's action."""
        return ACTION_SPECS[self.name]

    @property
    def reversible(self) -> bool:
        """Whether the input can be recovered from the output (with the key, for keyed transforms)."""
        return self.action.reversible

    @property
    def joinable(self) -> bool:
        """Whether equal inputs give equal (informative) outputs across the column."""
        unless = self.action.joinable_unless
        return self.action.joinable and (unless is None or getattr(self, unless) is None)

    def check(self, **params: Any) -> None:
        """Checks parameters given directly (not from a policy) against the action's rule model, where
        their bounds are declared; a :class:`UsageError` names the action and the parameter."""
        try:
            self.action.rule.model_validate({"action": self.name, **params})
        except ValidationError as exc:
            first = exc.errors()[0]
            cause = first.get("ctx", {}).get("error")
            problem = cause if isinstance(cause, RuleProblem) else None
            message = problem.message if problem else first["msg"]
            where = problem.key or "" if problem else " ".join(str(part) for part in first["loc"])
            raise UsageError(
                f"{self.name} {where}: {message}" if where else f"{self.name}: {message}"
            ) from None

    @classmethod
    def from_rule(cls, rule: RuleBase) -> Self:
        """The transform a rule asks for: the rule's values for the constructor's parameters."""
        accepted = inspect.signature(cls.__init__).parameters
        fields = type(rule).model_fields
        return cls(**{name: getattr(rule, name) for name in accepted if name in fields and name != "action"})

    def output_columns(self, column: str) -> list[str]:
        """Names of the columns this transform emits for ``column`` (default: the column itself)."""
        return [column]

    @abstractmethod
    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        """Expressions producing :meth:`output_columns`, in that order, each aliased to its name."""

    def params(self) -> dict[str, Any]:
        """The transform's parameters (JSON-able, never key material)."""
        return {}

    def describe(self) -> dict[str, Any]:
        """What ``explain()`` shows: name, guarantees and parameters."""
        return {
            "transform": self.name,
            "reversible": self.reversible,
            "joinable": self.joinable,
            **self.params(),
        }

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({shown})"


def text(column: str, dtype: pl.DataType) -> pl.Expr:
    """The column as strings (numbers in their decimal form); null stays null."""
    return pl.col(column) if dtype == pl.String else pl.col(column).cast(pl.String)


class Staged:
    """A batch function that evaluates Polars expressions over materialized columns.

    Polars expands an expression wherever it is referenced, and does not merge copies of a Python batch
    function, so a kernel that uses one costly intermediate (a parsed date, a keyed digest) in several
    places would compute it several times. Inside a :class:`Staged` batch each stage's columns are
    computed once and later stages refer to them by name.
    """

    def __init__(self, names: list[str], stages: list[dict[str, pl.Expr]], output: pl.Expr) -> None:
        self.names, self.stages, self.output = names, stages, output

    def __call__(self, values: pl.Series) -> pl.Series:
        frame = values.struct.unnest() if len(self.names) > 1 else values.to_frame(self.names[0])
        for stage in self.stages:
            frame = frame.with_columns(**stage)
        return frame.select(self.output).to_series().alias(values.name)


def staged(
    inputs: dict[str, pl.Expr], stages: list[dict[str, pl.Expr]], output: pl.Expr, dtype: pl.DataType
) -> pl.Expr:
    """An expression computing ``output`` from ``inputs`` (each evaluated once, then named) through
    ``stages`` (see :class:`Staged`); elementwise, so it streams."""
    names = list(inputs)
    source = (
        inputs[names[0]].alias(names[0])
        if len(names) == 1
        else pl.struct([expr.alias(name) for name, expr in inputs.items()])
    )
    return source.map_batches(Staged(names, stages, output), return_dtype=dtype, is_elementwise=True)


def keyed_uniform(ctx: TransformContext, action: str, scope: Scope) -> Kernel[Prf]:
    """Keyed 64-bit pseudorandom values per row (:meth:`ringfence.keys.Prf.uint64`) for ``action`` in
    ``scope``, under the context's key: a kernel whose ``expr`` maps a string expression to ``UInt64``."""
    keys, key_id = ctx.key(action)
    threads = ctx.threads
    return Kernel(
        keys.prf(key_id, f"{ctx.scope_label(scope, action)}|{action}"),
        lambda prf, values: prf.uint64(values, threads=threads),
        pl.UInt64(),
    )
