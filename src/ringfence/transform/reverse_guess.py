"""Reversal of outputs that carry no plan record (CSV, TSV, JSON lines): which rule made a column, and
which key, recognised on a sample of the protected table.

A Parquet file written by ``protect`` records its plan (:mod:`ringfence.transform.record`) and is reversed
from that record; nothing here is used for it, except the validity share of an FPE column's decrypted
sample, which the reveal compares with the whole run's.

What it guarantees: a key is never guessed where a wrong one would go unnoticed.

- A column named by a column rule is that rule's; a column reached through an ``entities:`` rule is
  recognised on a sample: ``re1_`` ciphertexts (the encrypt rule), ``rt1_`` tokens (the tokenize rules,
  the one whose domain resolves most of the sample against the reference), else the fpe rules.
- FF1 under a wrong key or scope decrypts without error to other values of the same shape, so an FPE key
  is only used when it is certain (given, recorded, or the keyset's only ``aead`` key) or confirmed by
  validation (the one enabled ``aead`` key whose decryption of the sample validates as the entity); a key
  (given or only) whose decrypted sample is no more valid than the ciphertexts is refused. Without a
  validator, a wrong ``--recipient`` cannot be detected.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ringfence.detect.entities import ENTITIES
from ringfence.errors import KeyAccessError, RingfenceError, UsageError
from ringfence.keys import Keyset
from ringfence.keys.keyed_hash import TOKEN_PREFIX
from ringfence.policy import Policy, Rule
from ringfence.policy.rules import Fpe as FpeRule
from ringfence.transform.encrypt import CIPHERTEXT_PREFIX
from ringfence.transform.fpe import fpe_decrypt_column
from ringfence.transform.reversal import (
    SAMPLE_ROWS,
    ColumnReversalPlan,
    FpeDecrypt,
    KeySource,
    scope_label,
)

__all__ = ["candidates", "plan_fpe", "sample_text", "token_columns"]

# An fpe key (or entity) is taken by validation when at least this share of decrypted sample values is
# valid for the entity, and clearly more than of the values as they stand.
_VALID_SHARE = 0.9
# A key (given or the only one) is refused when its decrypted sample is no more valid than this over the
# values as they stand (a wrong key or scope: FF1 then outputs values as random as the ciphertexts).
_NO_BETTER = 0.1


def sample_text(sample: pl.DataFrame | None, column: str) -> pl.Series:
    if sample is None or column not in sample.columns:
        return pl.Series(column, [], dtype=pl.String)
    return sample[column].cast(pl.String).drop_nulls().head(SAMPLE_ROWS)


def _all_start(values: pl.Series, prefix: str) -> bool:
    return values.len() > 0 and bool(values.str.starts_with(prefix + "_").all())


def _entity_rules(policy: Policy, action: str) -> list[Rule]:
    return [rule for rule in policy.entities.values() if rule.action == action]


def candidates(policy: Policy, column: str, sample: pl.DataFrame | None) -> list[Rule]:
    """The rules that may have made ``column``: its column rule, else entity rules its values fit."""
    if column in policy.columns:
        return [policy.columns[column]]
    values = sample_text(sample, column)
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
        rules = candidates(policy, column, sample)
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
    return scope_label(rule, column, recipient)


def plan_fpe(
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
    values = sample_text(sample, column)
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
                    keep_bin=isinstance(rule, FpeRule) and rule.keep_bin,
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
    label = scope_label(rule, column, recipient)
    kernel = FpeDecrypt(keyset, column, key_id, rule.alphabet, label, rule.entity, rule.keep_bin)
    invalid = None if sample_valid is None else 1.0 - sample_valid
    return ColumnReversalPlan(column, "fpe", "reverse", note, key_id, source, kernel, invalid)
