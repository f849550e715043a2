"""What a reversal is made of: the per-column plan, the tally, and the columnar kernels that undo
``encrypt``, ``fpe`` and ``tokenize`` (used by :mod:`ringfence.transform.reverse`).

What it guarantees:

- Kernels work on whole columns (one decryption or one join per batch), hold the keyset (which refuses
  pickling) and key ids, never key bytes, and refuse pickling themselves.
- A decrypted or resolved column is text (numbers in their decimal form, as they were encrypted or
  tokenized); a value that fails authentication refuses the whole column with an error naming the column
  and the count, never the value.
- :class:`TokenResolver` holds at most the distinct tokens of the protected table and one reference
  batch: the reference (a table of 100M customers) is never held whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

import polars as pl

from ringfence.detect.entities import ENTITIES
from ringfence.errors import KeyAccessError, UsageError
from ringfence.keys import KeyHolder, Keyset
from ringfence.keys.keyed_hash import TOKEN_PREFIX
from ringfence.policy.rules import REVEALABLE
from ringfence.policy.rules import Fpe as FpeRule
from ringfence.policy.rules import Tokenize as TokenizeRule
from ringfence.transform.encrypt import CIPHERTEXT_PREFIX, decrypt_column
from ringfence.transform.fpe import fpe_decrypt_column
from ringfence.transform.tokenize import tokenize_column

__all__ = [
    "REVERSIBLE_ACTIONS",
    "SAMPLE_ROWS",
    "ColumnReversalPlan",
    "FpeDecrypt",
    "KeySource",
    "ReferenceValues",
    "ReversalTally",
    "ReversePlan",
    "TokenResolver",
    "scope_label",
]

REVERSIBLE_ACTIONS = REVEALABLE  # the actions declared with an inverse (decrypt or match)
SAMPLE_ROWS = 2_000

Status = Literal["reverse", "kept", "not reversible", "not requested", "absent", "unprotected", "undecided"]
KeySource = Literal["ciphertext", "token", "recorded", "given", "primary", "validity"]


@dataclass(frozen=True)
class ColumnReversalPlan:
    """One column of the protected table: its action, whether and how it is reversed, and why not."""

    column: str
    action: str | None
    status: Status
    note: str = ""
    key_id: str | None = None
    key_source: KeySource | None = None
    kernel: Any = field(default=None, repr=False, compare=False)
    # fpe with a validating entity: the share of the decrypted sample that was not valid (see
    # ReversalTally.invalid: a table whose later rows were protected under another key shows more).
    sample_invalid: float | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"action": self.action, "status": self.status}
        if self.key_source:
            doc["key_source"] = self.key_source
        if self.key_id:
            doc["key_id"] = self.key_id
        if self.note:
            doc["note"] = self.note
        return doc


@dataclass(frozen=True)
class ReversePlan:
    """What a reversal does to every column of one protected table (no data, no key bytes)."""

    policy_name: str
    policy_hash: str
    recipient: str | None
    columns: list[ColumnReversalPlan]

    @property
    def reversing(self) -> list[ColumnReversalPlan]:
        return [c for c in self.columns if c.status == "reverse"]

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_name,
            "policy_hash": self.policy_hash,
            "recipient": self.recipient,
            "columns": {c.column: c.to_json() for c in self.columns},
        }

    def prepare(self, batches: Iterable[pl.DataFrame]) -> None:
        """Looks up the distinct tokens of every resolved column of ``batches`` (the whole table, read
        once) in one pass over each reference, so that :func:`reveal_batches` makes no further pass."""
        resolvers = [c for c in self.reversing if isinstance(c.kernel, TokenResolver)]
        if not resolvers:
            return
        seen: dict[str, list[pl.Series]] = {c.column: [] for c in resolvers}
        for batch in batches:
            for c in resolvers:
                seen[c.column].append(batch[c.column].cast(pl.String).drop_nulls().unique())
        for c in resolvers:
            if seen[c.column]:
                c.kernel.prepare(pl.concat(seen[c.column]).unique())

    def __reduce__(self) -> NoReturn:
        raise TypeError("a ReversePlan holds the keyset and cannot be pickled; rebuild it where it runs")


@dataclass
class ReversalTally:
    """Counts gathered while a reversal runs: rows, and per reversed column the rows resolved, the rows
    left unresolved and the key ids used; per fpe column whose entity validates, the decrypted values
    that are not valid (FF1 under a wrong key gives wrong values without an error: this is the trace)."""

    rows: int = 0
    resolved: dict[str, int] = field(default_factory=dict)
    unresolved: dict[str, int] = field(default_factory=dict)
    key_ids: dict[str, set[str]] = field(default_factory=dict)
    invalid: dict[str, int] = field(default_factory=dict)

    def add(self, column: str, resolved: int, unresolved: int, key_ids: Iterable[str]) -> None:
        self.resolved[column] = self.resolved.get(column, 0) + resolved
        self.unresolved[column] = self.unresolved.get(column, 0) + unresolved
        self.key_ids.setdefault(column, set()).update(key_ids)


# -- kernels -----------------------------------------------------------------------------------------

Result = tuple[pl.Series, int, int, set[str]]


def _key_ids(values: pl.Series, prefix: str) -> set[str]:
    """The distinct 8-hex key ids of the ``<prefix>_<kid>_`` values of a column."""
    kids = values.str.extract(rf"^{prefix}_([0-9a-f]{{8}})_", 1).drop_nulls().unique()
    return set(kids.to_list())


class Decrypt(KeyHolder):
    """``re1_`` ciphertexts → plaintexts, each under the key its id names."""

    __slots__ = ("_column", "_keyset")

    def __init__(self, keyset: Keyset, column: str) -> None:
        self._keyset, self._column = keyset, column

    def __repr__(self) -> str:
        return f"Decrypt(column={self._column!r}, key ids from the ciphertexts)"

    def __call__(self, values: pl.Series) -> Result:
        strings = values.cast(pl.String)
        plain = decrypt_column(self._keyset, strings, self._column)
        return plain, int(strings.len() - strings.null_count()), 0, _key_ids(strings, CIPHERTEXT_PREFIX)


class FpeDecrypt(KeyHolder):
    """FF1 ciphertexts → plaintexts under one recorded or chosen key."""

    __slots__ = ("_alphabet", "_column", "_entity", "_keep_bin", "_key_id", "_keyset", "_scope_label")

    def __init__(
        self,
        keyset: Keyset,
        column: str,
        key_id: str,
        alphabet: str,
        scope_label: str,
        entity: str | None = None,
        keep_bin: bool = False,
    ) -> None:
        self._keyset, self._column, self._key_id = keyset, column, key_id
        self._alphabet, self._scope_label, self._entity = alphabet, scope_label, entity
        self._keep_bin = keep_bin

    def invalid(self, plain: pl.Series) -> int:
        """How many decrypted values are not valid as the column's entity (0 without a validator)."""
        module = ENTITIES.get(self._entity or "")
        if module is None or plain.len() == plain.null_count():
            return 0
        valid = pl.DataFrame({"v": plain}).select(module.valid_expr(pl.col("v")).fill_null(False).sum())
        return int(plain.len() - plain.null_count()) - int(valid.item())

    def __repr__(self) -> str:
        return f"FpeDecrypt(column={self._column!r}, key={self._key_id}, scope={self._scope_label!r})"

    def __call__(self, values: pl.Series) -> Result:
        strings = values.cast(pl.String)
        plain = fpe_decrypt_column(
            self._keyset,
            strings,
            column=self._column,
            key_id=self._key_id,
            alphabet=self._alphabet,
            scope_label=self._scope_label,
            keep_bin=self._keep_bin,
        )
        return plain, int(strings.len() - strings.null_count()), 0, {self._key_id}


ReferenceValues = pl.Series | Callable[[], Iterable[pl.Series]]


class TokenResolver(KeyHolder):
    """Resolves ``rt1_`` tokens of one domain against reference values (the originals), by a join.

    The reference is a series, or a function that reads it in batches (a table of 100M customers is
    never held whole). Tokens not met before are looked up in one pass over the reference: each batch of
    reference values is tokenized under the key ids those tokens name and only the pairs whose token is
    wanted are kept. Memory is bounded by the distinct tokens of the protected table and one reference
    batch, not by the reference. :meth:`prepare` looks up every token of a table at once (one reference
    pass); a batch that brings new tokens costs another pass. Tokens without a match stay as they are.
    """

    __slots__ = ("_digest_bytes", "_domain", "_keyset", "_looked", "_passes", "_reference", "_table")

    def __init__(self, keyset: Keyset, reference: ReferenceValues, domain: str, digest_bytes: int) -> None:
        self._keyset, self._domain, self._digest_bytes = keyset, domain, digest_bytes
        self._reference = reference
        self._looked = pl.Series("token", [], dtype=pl.String)  # every token looked up so far
        self._table = pl.DataFrame(schema={"token": pl.String, "original": pl.String})
        self._passes = 0

    @property
    def domain(self) -> str:
        return self._domain

    @property
    def held(self) -> int:
        """How many token → original pairs are held (at most the distinct tokens looked up)."""
        return self._table.height

    @property
    def passes(self) -> int:
        """How many passes over the reference were made."""
        return self._passes

    def __repr__(self) -> str:
        return f"TokenResolver(domain={self._domain!r}, resolved={self._table.height})"

    def _reference_batches(self) -> Iterable[pl.Series]:
        if isinstance(self._reference, pl.Series):
            return [self._reference]
        return self._reference()

    def prepare(self, tokens: pl.Series) -> None:
        """Looks up every token of ``tokens`` not looked up before, in one pass over the reference."""
        strings = tokens.cast(pl.String).drop_nulls().unique()
        new = strings.filter(strings.str.starts_with(TOKEN_PREFIX + "_"))
        if self._looked.len():
            new = new.filter(~new.is_in(self._looked.implode()))
        if not new.len():
            return
        kids = sorted(_key_ids(new, TOKEN_PREFIX))
        for kid in kids:
            if self._keyset.info(kid).purpose != "hmac":
                raise KeyAccessError(f"tokens name key {kid}, which is not an hmac key")
        wanted = pl.DataFrame({"token": new})
        found = [self._table]
        for batch in self._reference_batches():
            values = batch.cast(pl.String).drop_nulls().unique().alias("original")
            for kid in kids:
                tokens_of = tokenize_column(
                    self._keyset, values, self._domain, key_id=kid, digest_bytes=self._digest_bytes
                )
                pairs = pl.DataFrame({"token": tokens_of.alias("token"), "original": values})
                found.append(pairs.join(wanted, on="token", how="semi"))
        self._passes += 1
        # Two originals with one token (a truncated-digest collision) must not duplicate rows: keep one.
        self._table = pl.concat(found).unique(subset="token", keep="first", maintain_order=True)
        self._looked = pl.concat([self._looked, new.alias("token")])

    def __call__(self, values: pl.Series) -> Result:
        strings = values.cast(pl.String)
        self.prepare(strings)
        joined = (
            pl.DataFrame({"token": strings})
            .join(self._table, on="token", how="left", maintain_order="left")
            .select(
                pl.coalesce("original", "token").alias("out"),
                pl.col("original").is_not_null().alias("hit"),
                pl.col("token").is_not_null().alias("present"),
            )
        )
        resolved = int(joined["hit"].sum())
        unresolved = int(joined["present"].sum()) - resolved
        return joined["out"].alias(values.name), resolved, unresolved, _key_ids(strings, TOKEN_PREFIX)


# -- scope -----------------------------------------------------------------------------------------


def scope_label(rule: TokenizeRule | FpeRule, column: str, recipient: str | None) -> str:
    if rule.scope == "global":
        return "global"
    if not recipient:
        raise UsageError(
            f"column {column!r} was protected with {rule.action} scope: recipient; pass --recipient R "
            "(the recipient it was protected for)"
        )
    return f"recipient:{recipient}"
