"""Reversal of a protected table by the key holder: the columnar side of ``ringfence reveal``.

Given the policy a table was protected with, :func:`plan_reversal` decides for each column of the
protected table what can be reversed and how, before any data flows:

- ``encrypt`` columns are decrypted (:func:`ringfence.transform.encrypt.decrypt_column`): each ``re1_``
  ciphertext names its key, so values made before and after ``keys rotate`` decrypt together. A value that
  is not a ciphertext, or fails authentication (altered, truncated, moved from another column), refuses
  the whole column with an error naming the column and the count, never the value.
- ``fpe`` columns are decrypted with FF1 (:func:`ringfence.transform.fpe.fpe_decrypt_column`) under the
  column's scope and alphabet. An FPE value cannot carry its key id, and FF1 under a wrong key or scope
  decrypts without error to wrong values of the same shape, so the key is never guessed: it is the one
  given (``fpe_key_ids``, from the ``key_ids`` protect printed), or the keyset's only ``aead`` key
  (``primary``), or, when the column's entity has a validator (card and IMEI Luhn, ID checksums, phone
  shapes), the one enabled ``aead`` key whose decryption of a sample validates (``validity``). Otherwise
  the column is refused with a :class:`UsageError` asking for ``--fpe-key-id``; a given or only key whose
  decrypted sample is no more valid than the ciphertexts (a wrong key id or ``--recipient``) is refused too.
  Without a validator, a wrong ``--recipient`` cannot be detected.
- ``tokenize`` columns cannot be decrypted: a token is a one-way keyed digest. They are resolved against
  the company's own reference table holding the original values (:class:`TokenResolver`): the reference
  is read in batches, each tokenized under every key id that occurs in the tokens, in the same domain
  (scope, recipient, entity or column), and only the pairs whose token the table holds are kept, then
  joined to the tokens. A token with no match stays as it is and is counted as unresolved. Tokens of
  recipient A never resolve through recipient B's domain.
- every other action (mask, redact, drop, generalize, derive, ...) is one-way and left as it is, reported
  as not reversible; columns the policy removed are reported as absent.

Columns the policy reached through an ``entities:`` rule are recognised on a sample of the protected
table: ``re1_`` ciphertexts, ``rt1_`` tokens (their entity chosen by which domain resolves against the
reference), and FPE output (an ``fpe`` entity rule whose decryption validates as its entity).

Everything is columnar (whole-column decryption, one join per batch). Kernels hold the keyset (which
refuses pickling) and key ids, never key bytes, and refuse pickling themselves. Decrypted and resolved
columns are text (numbers as their decimal form, as they were encrypted or tokenized).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

import polars as pl

from ringfence.detect.entities import ENTITIES
from ringfence.errors import KeyAccessError, RingfenceError, UsageError
from ringfence.keys import Keyset
from ringfence.keys.keyed_hash import TOKEN_PREFIX
from ringfence.policy import Policy, Rule, policy_hash
from ringfence.policy.rules import REVEALABLE
from ringfence.policy.rules import Derive as DeriveRule
from ringfence.policy.rules import Fpe as FpeRule
from ringfence.policy.rules import Tokenize as TokenizeRule
from ringfence.transform.encrypt import CIPHERTEXT_PREFIX, decrypt_column
from ringfence.transform.fpe import fpe_decrypt_column
from ringfence.transform.tokenize import token_domain, tokenize_column

__all__ = [
    "ColumnReversalPlan",
    "ReversalTally",
    "ReversePlan",
    "TokenResolver",
    "check_flags",
    "plan_reversal",
    "reveal_batches",
    "token_columns",
]

REVERSIBLE_ACTIONS = REVEALABLE  # the actions declared with an inverse (decrypt or match)
SAMPLE_ROWS = 2_000
# An fpe key (or entity) is taken by validation when at least this share of decrypted sample values is
# valid for the entity, and clearly more than of the values as they stand.
_VALID_SHARE = 0.9
_KEY_ID = r"^[0-9a-f]{8}$"
# A key (given or the only one) is refused when its decrypted sample is no more valid than this over the
# values as they stand (a wrong key or scope: FF1 then outputs values as random as the ciphertexts).
_NO_BETTER = 0.1

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


class _NoPickle:
    __slots__ = ()

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"a {type(self).__name__} holds the keyset and cannot be pickled")


def _key_ids(values: pl.Series, prefix: str) -> set[str]:
    """The distinct 8-hex key ids of the ``<prefix>_<kid>_`` values of a column."""
    kids = values.str.extract(rf"^{prefix}_([0-9a-f]{{8}})_", 1).drop_nulls().unique()
    return set(kids.to_list())


class _Decrypt(_NoPickle):
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


class _FpeDecrypt(_NoPickle):
    """FF1 ciphertexts → plaintexts under one recorded or chosen key."""

    __slots__ = ("_alphabet", "_column", "_entity", "_key_id", "_keyset", "_scope_label")

    def __init__(
        self,
        keyset: Keyset,
        column: str,
        key_id: str,
        alphabet: str,
        scope_label: str,
        entity: str | None = None,
    ) -> None:
        self._keyset, self._column, self._key_id = keyset, column, key_id
        self._alphabet, self._scope_label, self._entity = alphabet, scope_label, entity

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
        )
        return plain, int(strings.len() - strings.null_count()), 0, {self._key_id}


ReferenceValues = pl.Series | Callable[[], Iterable[pl.Series]]


class TokenResolver(_NoPickle):
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


# -- planning ----------------------------------------------------------------------------------------


def _scope_label(rule: TokenizeRule | FpeRule, column: str, recipient: str | None) -> str:
    if rule.scope == "global":
        return "global"
    if not recipient:
        raise UsageError(
            f"column {column!r} was protected with {rule.action} scope: recipient; pass --recipient R "
            "(the recipient it was protected for)"
        )
    return f"recipient:{recipient}"


def _sample_text(sample: pl.DataFrame | None, column: str) -> pl.Series:
    if sample is None or column not in sample.columns:
        return pl.Series(column, [], dtype=pl.String)
    return sample[column].cast(pl.String).drop_nulls().head(SAMPLE_ROWS)


def _all_start(values: pl.Series, prefix: str) -> bool:
    return values.len() > 0 and bool(values.str.starts_with(prefix + "_").all())


def _entity_rules(policy: Policy, action: str) -> list[Rule]:
    return [rule for rule in policy.entities.values() if rule.action == action]


def _candidates(policy: Policy, column: str, sample: pl.DataFrame | None) -> list[Rule]:
    """The rules that may have made ``column``: its column rule, else entity rules its values fit."""
    if column in policy.columns:
        return [policy.columns[column]]
    values = _sample_text(sample, column)
    if _all_start(values, CIPHERTEXT_PREFIX):
        return _entity_rules(policy, "encrypt")[:1]
    if _all_start(values, TOKEN_PREFIX):
        return _entity_rules(policy, "tokenize")
    return _entity_rules(policy, "fpe")


def token_columns(
    policy: Policy, schema: Mapping[str, pl.DataType], sample: pl.DataFrame | None = None
) -> list[str]:
    """The columns of a protected table that hold tokens by ``policy`` (the ones a reference resolves)."""
    found = []
    for column in schema:
        rules = _candidates(policy, column, sample)
        if rules and all(r.action == "tokenize" for r in rules):
            found.append(column)
    return found


def _validity(values: pl.Series, entity: str | None) -> float | None:
    """The share of values valid as ``entity``, or ``None`` when the entity has no validator."""
    module = ENTITIES.get(entity or "")
    if module is None or values.len() == 0:
        return None
    valid = pl.DataFrame({"v": values}).select(module.valid_expr(pl.col("v")).fill_null(False).mean())
    return float(valid.item() or 0.0)


def _aead_keys(keyset: Keyset) -> list[str]:
    """Enabled ``aead`` key ids, the primary first, then the newest first."""
    primary = keyset.primary_id("aead")
    others = sorted(
        (i for i in keyset.all_keys() if i.purpose == "aead" and i.status == "enabled"),
        key=lambda i: i.created_at,
        reverse=True,
    )
    return list(dict.fromkeys([primary, *(i.key_id for i in others)]))


def _fpe_label(rule: Rule, column: str, recipient: str | None) -> str:
    assert isinstance(rule, FpeRule)
    return _scope_label(rule, column, recipient)


def _plan_fpe(
    keyset: Keyset,
    column: str,
    rules: list[Rule],
    recipient: str | None,
    given: str | None,
    sample: pl.DataFrame | None,
    named: bool,
    given_source: KeySource = "given",
) -> ColumnReversalPlan:
    """Chooses the rule (entity) and key of an fpe column; see the module docstring.

    FF1 under a wrong key or scope decrypts without error to other values of the same shape, so a key is
    only used when it is certain (given, or the keyset's only ``aead`` key) or confirmed by validation;
    a key (given or only) whose decrypted sample is no more valid than the ciphertexts is refused.
    """
    if given:
        info = keyset.info(given)
        if info.purpose != "aead":
            raise KeyAccessError(f"fpe key {given} for column {column!r} is not an aead key")
    keys = [given] if given else _aead_keys(keyset)
    values = _sample_text(sample, column)
    options = [(rule, kid) for rule in rules for kid in keys]
    scored: list[tuple[float, int, Rule, str]] = []
    contradicted: list[tuple[Rule, str]] = []
    shares: dict[tuple[int, str], float] = {}
    if values.len():
        baseline = {rule.entity: _validity(values, rule.entity) for rule in rules}
        for order, (rule, kid) in enumerate(options):
            try:
                plain = fpe_decrypt_column(
                    keyset,
                    values,
                    column=column,
                    key_id=kid,
                    alphabet=rule.alphabet if isinstance(rule, FpeRule) else "digits",
                    scope_label=_fpe_label(rule, column, recipient),
                )
            except RingfenceError:
                continue  # the values do not fit this rule's alphabet: not this rule
            share = _validity(plain, rule.entity)
            before = baseline.get(rule.entity) or 0.0
            if share is None:
                continue
            shares[(id(rule), kid)] = share
            if share >= _VALID_SHARE and share > before + 0.5:
                scored.append((share, -order, rule, kid))
            elif share < _VALID_SHARE and share <= before + _NO_BETTER:
                contradicted.append((rule, kid))
    if scored:
        share, _, rule, kid = max(scored, key=lambda s: (s[0], s[1]))
        source: KeySource = given_source if given else "validity"
        note = "" if given else f"key chosen because the decrypted sample validates as {rule.entity}"
        return _fpe_column(keyset, column, rule, kid, source, recipient, note, share)
    if not named:
        return ColumnReversalPlan(
            column,
            "fpe",
            "undecided",
            "no fpe entity rule of the policy decrypts this column to valid values",
        )
    rule = rules[0]
    scope = _fpe_label(rule, column, recipient)
    if (rule, keys[0]) in contradicted and len(keys) == 1:
        raise UsageError(
            f"fpe column {column!r}: under key {keys[0]} and scope {scope} the sample does not decrypt to "
            f"valid {rule.entity} values; check --fpe-key-id and --recipient (protect printed its key_ids)"
        )
    if given:
        return _fpe_column(
            keyset, column, rule, given, given_source, recipient, "", shares.get((id(rule), given))
        )
    if len(keys) == 1:
        return _fpe_column(
            keyset, column, rule, keys[0], "primary", recipient, "", shares.get((id(rule), keys[0]))
        )
    why = (
        f"no aead key decrypts the sample to valid {rule.entity} values"
        if rule.entity in ENTITIES and values.len()
        else "the key cannot be checked on the values"
    )
    raise UsageError(
        f"fpe column {column!r}: an FPE value does not carry its key id, the keyset has {len(keys)} aead "
        f"keys ({', '.join(keys)}) and {why}; pass the key id protect printed: --fpe-key-id {column}=KEY"
    )


def _fpe_column(
    keyset: Keyset,
    column: str,
    rule: Rule,
    key_id: str,
    source: KeySource,
    recipient: str | None,
    note: str,
    sample_valid: float | None = None,
) -> ColumnReversalPlan:
    assert isinstance(rule, FpeRule)
    label = _scope_label(rule, column, recipient)
    kernel = _FpeDecrypt(keyset, column, key_id, rule.alphabet, label, rule.entity)
    invalid = None if sample_valid is None else 1.0 - sample_valid
    return ColumnReversalPlan(column, "fpe", "reverse", note, key_id, source, kernel, invalid)


def _plan_tokens(
    keyset: Keyset,
    column: str,
    rules: list[Rule],
    recipient: str | None,
    reference: ReferenceValues,
    sample: pl.DataFrame | None,
) -> ColumnReversalPlan:
    """A :class:`TokenResolver` for a token column; among several entity rules, the one whose domain
    resolves most of the sample."""
    resolvers = []
    for rule in rules:
        assert isinstance(rule, TokenizeRule)
        domain = token_domain(_scope_label(rule, column, recipient), column, rule.entity)
        resolvers.append(TokenResolver(keyset, reference, domain, rule.digest_bytes))
    chosen = resolvers[0]
    if len(resolvers) > 1:
        values = _sample_text(sample, column)
        hits = [resolver(values)[1] for resolver in resolvers]
        if max(hits) == 0:
            return ColumnReversalPlan(
                column,
                "tokenize",
                "undecided",
                "no tokenize entity rule of the policy resolves the sample against the reference",
            )
        chosen = resolvers[hits.index(max(hits))]
    return ColumnReversalPlan(column, "tokenize", "reverse", "", None, "token", chosen)


def _fpe_given(fpe_key_ids: Mapping[str, str], column: str) -> str | None:
    kid = fpe_key_ids.get(column) or fpe_key_ids.get("*")
    if kid is not None and not pl.Series([kid]).str.contains(_KEY_ID).all():
        raise UsageError(f"fpe key id for column {column!r} must be 8 lowercase hex digits")
    return kid


def check_flags(decrypt: bool, detokenize: bool) -> None:
    """A reversal is asked for explicitly: at least one of decrypt / detokenize, else a
    :class:`UsageError` naming the flags."""
    if not decrypt and not detokenize:
        raise UsageError(
            "a reversal needs an explicit flag: --decrypt (encrypt and fpe columns) and/or "
            "--detokenize-with REF (tokenize columns, resolved against your reference table)"
        )


def plan_reversal(
    policy: Policy,
    schema: Mapping[str, pl.DataType],
    *,
    keyset: Keyset,
    recipient: str | None = None,
    decrypt: bool = False,
    reference: Mapping[str, ReferenceValues] | None = None,
    columns: Sequence[str] | None = None,
    fpe_key_ids: Mapping[str, str] | None = None,
    sample: pl.DataFrame | None = None,
    recorded_fpe_key_ids: Mapping[str, str] | None = None,
) -> ReversePlan:
    """The reversal of a table of ``schema`` protected by ``policy`` (see the module docstring).

    ``decrypt`` reverses ``encrypt`` and ``fpe`` columns; ``reference`` (token column → the original
    values, e.g. from the company's customer table, as a series or a function reading them in batches)
    resolves ``tokenize`` columns (:meth:`ReversePlan.prepare` looks up a whole table's tokens first);
    ``columns`` limits the reversal to those columns; ``fpe_key_ids`` maps a column (or ``"*"``) to the
    key id of its FPE, ``recorded_fpe_key_ids`` those the protected file's plan records (used where
    none is given); ``sample`` (the first rows of the table) recognises columns reached by entity
    rules and checks FPE keys. Raises :class:`UsageError` when nothing would be reversed or a named
    column cannot be.
    """
    detokenize = reference is not None
    check_flags(decrypt, detokenize)
    wanted = list(dict.fromkeys(columns)) if columns else None
    if wanted:
        unknown = [c for c in wanted if c not in schema]
        if unknown:
            raise UsageError(f"--columns names {unknown[0]!r}, which the protected table does not have")
    given = dict(fpe_key_ids or {})
    recorded = dict(recorded_fpe_key_ids or {})
    reference = dict(reference or {})
    planned: list[ColumnReversalPlan] = []
    derived = {
        f"{column}_{name}": column
        for column, rule in policy.columns.items()
        if isinstance(rule, DeriveRule)
        for name in rule.fields
    }
    for column in schema:
        if column in derived and column not in policy.columns:
            note = f"derived from {derived[column]!r}, which is not in the table"
            planned.append(ColumnReversalPlan(column, "derive", "not reversible", note))
            continue
        rules = _candidates(policy, column, sample)
        named = column in policy.columns
        actions = {r.action for r in rules}
        action = rules[0].action if len(actions) == 1 else None
        if not rules:
            planned.append(ColumnReversalPlan(column, None, "unprotected"))
            continue
        if named and action == "keep":
            planned.append(ColumnReversalPlan(column, action, "kept"))
            continue
        if named and action not in REVERSIBLE_ACTIONS:
            planned.append(ColumnReversalPlan(column, action, "not reversible", "a one-way transform"))
            continue
        if wanted is not None and column not in wanted:
            planned.append(ColumnReversalPlan(column, action, "not requested", "not in --columns"))
            continue
        if action == "tokenize":
            if column not in reference:
                note = (
                    f"the reference has no column {column!r}: pass --ref-column {column}=REF_COLUMN"
                    if detokenize
                    else "tokens resolve only against a reference table: pass --detokenize-with REF"
                )
                planned.append(ColumnReversalPlan(column, action, "not requested", note))
                continue
            planned.append(_plan_tokens(keyset, column, rules, recipient, reference[column], sample))
        elif action in ("encrypt", "fpe") and not decrypt:
            note = "pass --decrypt to decrypt it"
            planned.append(ColumnReversalPlan(column, action, "not requested", note))
        elif action == "encrypt":
            planned.append(
                ColumnReversalPlan(
                    column, action, "reverse", "", None, "ciphertext", _Decrypt(keyset, column)
                )
            )
        elif action == "fpe":
            planned.append(
                _plan_fpe(
                    keyset,
                    column,
                    rules,
                    recipient,
                    _fpe_given(given, column) or recorded.get(column),
                    sample,
                    named,
                    "given" if _fpe_given(given, column) else "recorded",
                )
            )
        else:
            planned.append(ColumnReversalPlan(column, None, "unprotected"))
    for column in policy.columns:
        if column not in schema:
            action = policy.columns[column].action
            planned.append(ColumnReversalPlan(column, action, "absent", "not in the protected table"))
    by_name = {c.column: c for c in planned}
    for column in wanted or []:
        if by_name[column].status != "reverse":
            c = by_name[column]
            why = c.note or c.status
            raise UsageError(f"--columns names {column!r}, which cannot be reversed here ({c.action}: {why})")
    plan = ReversePlan(policy.name, policy_hash(policy), recipient, planned)
    if not plan.reversing:
        hints = [f"; {c.column}: {c.note}" for c in planned if c.status == "not requested"]
        raise UsageError(
            f"nothing to reverse: no column of the table is {_wanted_actions(decrypt, detokenize)}"
            + (hints[0] if hints else "")
        )
    return plan


def _wanted_actions(decrypt: bool, detokenize: bool) -> str:
    parts = (["encrypt or fpe (--decrypt)"] if decrypt else []) + (
        ["tokenize (--detokenize-with)"] if detokenize else []
    )
    return " or ".join(parts)


# -- running -----------------------------------------------------------------------------------------


def reveal_batches(
    plan: ReversePlan, batches: Iterable[pl.DataFrame], tally: ReversalTally
) -> Iterator[pl.DataFrame]:
    """The batches with every reversed column replaced by its plaintext (``String``), counting into
    ``tally``. A column that cannot be decrypted raises a :class:`RingfenceError` naming the column."""
    reversing = plan.reversing
    for batch in batches:
        replaced = []
        for c in reversing:
            out, resolved, unresolved, kids = c.kernel(batch[c.column])
            tally.add(c.column, resolved, unresolved, kids)
            if isinstance(c.kernel, _FpeDecrypt):
                tally.invalid[c.column] = tally.invalid.get(c.column, 0) + c.kernel.invalid(out)
            replaced.append(out.cast(pl.String).alias(c.column))
        tally.rows += batch.height
        yield batch.with_columns(replaced)
