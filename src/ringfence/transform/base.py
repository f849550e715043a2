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

Keyed transforms get their key from the :class:`TransformContext`'s keyset when the expression runs,
through a :class:`KeyedUniform` that holds the keyset itself (which refuses pickling), never key bytes, so
a plan that captured it cannot be serialized with key material in it.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl
import pyarrow as pa

from ringfence.errors import UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.transform.keyed_hash import KeyedDigest

Scope = Literal["global", "recipient"]


@dataclass(frozen=True)
class TransformContext:
    """What transforms may need besides the column: the input schema, the keyset, the recipient and the
    reference date for ages. Built once per run by the caller."""

    schema: Mapping[str, pl.DataType] = field(default_factory=dict)
    keyset: Keyset | None = None
    recipient: str | None = None
    as_of: dt.date | None = None

    def dtype(self, column: str) -> pl.DataType:
        """The input type of ``column``; a column the schema does not list is a usage error."""
        try:
            return self.schema[column]
        except KeyError:
            raise UsageError(f"column {column!r} is not in the input table") from None

    def scope_label(self, scope: Scope, action: str) -> str:
        """``global`` or ``recipient:<id>``: the part of a keyed domain that separates recipients."""
        if scope == "global":
            return "global"
        if not self.recipient:
            raise UsageError(
                f"{action} with scope: recipient needs a recipient (release --recipient); "
                "or set scope: global"
            )
        return f"recipient:{self.recipient}"


class TransformSpec(ABC):
    """One column transform. Subclasses set ``name`` and implement :meth:`expr`."""

    name: ClassVar[str]

    @property
    @abstractmethod
    def reversible(self) -> bool:
        """Whether the input can be recovered from the output (with the key, for keyed transforms)."""

    @property
    @abstractmethod
    def joinable(self) -> bool:
        """Whether equal inputs give equal (informative) outputs across the column."""

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


class KeyedUniform:
    """Keyed 64-bit pseudorandom values per row: the first 8 bytes of the AES-CMAC keyed digest
    (:mod:`ringfence.transform.keyed_hash`) of each string, under the keyset's primary ``hmac`` key and a
    domain. Equal strings give equal values; without the key the values are unpredictable.

    Holds the keyset and a key id, not key bytes; the key is fetched per batch.
    """

    __slots__ = ("_domain", "_key_id", "_keyset")

    def __init__(self, keyset: Keyset, domain: str) -> None:
        self._keyset = keyset
        self._key_id = keyset.primary_id("hmac")
        self._domain = domain

    @property
    def key_id(self) -> str:
        return self._key_id

    def __call__(self, values: pl.Series) -> pl.Series:
        """``UInt64`` per row of a string column; null where the input is null."""
        digest = KeyedDigest(self._keyset.secret(self._key_id, SECRET_ACCESS), self._domain)
        arr = digest.digest(values.cast(pl.String).to_arrow())
        n = len(arr)
        raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8, count=(arr.offset + n) * 16)
        words = raw[arr.offset * 16 :].reshape(n, 16)[:, :8].copy().view("<u8").reshape(n)
        if arr.null_count:
            valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
            return pl.Series(values.name, pa.array(words, type=pa.uint64(), mask=~valid))
        return pl.Series(values.name, pa.array(words, type=pa.uint64()))

    def expr(self, values: pl.Expr) -> pl.Expr:
        """The keyed values of a string expression, as a Polars expression (elementwise, streamable)."""
        return values.map_batches(self, return_dtype=pl.UInt64, is_elementwise=True)

    def __repr__(self) -> str:
        return f"KeyedUniform(key={self._key_id}, domain={self._domain!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("KeyedUniform holds a keyset and cannot be pickled")


def keyed_uniform(ctx: TransformContext, action: str, scope: Scope) -> KeyedUniform:
    """The :class:`KeyedUniform` for ``action`` in ``scope`` under the context's keyset."""
    if ctx.keyset is None:
        raise UsageError(f"{action} is keyed and needs the workspace keyset")
    return KeyedUniform(ctx.keyset, f"{ctx.scope_label(scope, action)}|{action}")
