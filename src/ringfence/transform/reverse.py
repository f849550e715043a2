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

from collections.abc import Iterable, Iterator, Mapping, Sequence

import polars as pl

from ringfence.errors import UsageError
from ringfence.keys import Keyset
from ringfence.policy import Policy, Rule, policy_hash
from ringfence.policy.rules import Derive as DeriveRule
from ringfence.policy.rules import Keep as KeepRule
from ringfence.policy.rules import Tokenize as TokenizeRule
from ringfence.transform.record import PlanRecord
from ringfence.transform.reversal import (
    REVERSIBLE_ACTIONS,
    SAMPLE_ROWS,
    ColumnReversalPlan,
    Decrypt,
    FpeDecrypt,
    ReferenceValues,
    ReversalTally,
    ReversePlan,
    TokenResolver,
    scope_label,
)
from ringfence.transform.reverse_guess import candidates, plan_fpe, sample_text, token_columns
from ringfence.transform.tokenize import token_domain

__all__ = [
    "SAMPLE_ROWS",
    "ColumnReversalPlan",
    "ReversalTally",
    "ReversePlan",
    "TokenResolver",
    "check_flags",
    "plan_reversal",
    "reveal_batch",
    "reveal_batches",
    "token_columns",
]

_KEY_ID = r"^[0-9a-f]{8}$"


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
        domain = token_domain(scope_label(rule, column, recipient), column, rule.entity)
        resolvers.append(TokenResolver(keyset, reference, domain, rule.digest_bytes))
    chosen = resolvers[0]
    if len(resolvers) > 1:
        values = sample_text(sample, column)
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
    record: PlanRecord | None = None,
) -> ReversePlan:
    """The reversal of a table of ``schema`` protected by ``policy`` (see the module docstring).

    ``decrypt`` reverses ``encrypt`` and ``fpe`` columns; ``reference`` (token column → the original
    values, e.g. from the company's customer table, as a series or a function reading them in batches)
    resolves ``tokenize`` columns (:meth:`ReversePlan.prepare` looks up a whole table's tokens first);
    ``columns`` limits the reversal to those columns; ``fpe_key_ids`` maps a column (or ``"*"``) to the
    key id of its FPE; ``sample`` (the first rows of the table) recognises columns reached by entity
    rules and checks FPE keys. ``record`` (the plan the protected file carries, made with ``policy``)
    says which rule and key made each column (its FPE key ids are used where none is given): nothing is
    then recognised from the sample. Raises
    :class:`UsageError` when nothing would be reversed or a named column cannot be.
    """
    detokenize = reference is not None
    check_flags(decrypt, detokenize)
    wanted = list(dict.fromkeys(columns)) if columns else None
    if wanted:
        unknown = [c for c in wanted if c not in schema]
        if unknown:
            raise UsageError(f"--columns names {unknown[0]!r}, which the protected table does not have")
    given = dict(fpe_key_ids or {})
    recorded = _recorded_fpe_keys(record) if record else {}
    reference = dict(reference or {})
    planned: list[ColumnReversalPlan] = []
    derived = (
        {out: c.column for c in record.columns for out in c.outputs if out != c.column}
        if record is not None
        else {
            f"{column}_{name}": column
            for column, rule in policy.columns.items()
            if isinstance(rule, DeriveRule)
            for name in rule.fields
        }
    )
    for column in schema:
        if column in derived and column not in policy.columns:
            note = f"derived from {derived[column]!r}, which is not in the table"
            planned.append(ColumnReversalPlan(column, "derive", "not reversible", note))
            continue
        if record is not None:
            rules, named = _recorded_rules(policy, record, column), True
        else:
            rules, named = candidates(policy, column, sample), column in policy.columns
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
                ColumnReversalPlan(column, action, "reverse", "", None, "ciphertext", Decrypt(keyset, column))
            )
        elif action == "fpe":
            planned.append(
                plan_fpe(
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


def _recorded_fpe_keys(record: PlanRecord) -> dict[str, str]:
    return {c.column: c.key_id for c in record.columns if c.action == "fpe" and c.key_id}


def _recorded_rules(policy: Policy, record: PlanRecord, column: str) -> list[Rule]:
    """The rule that made ``column`` as the record says: its column rule, or the entity rule of the
    entity the scan found at protect time, or none (``unlisted: keep``, or not in the plan)."""
    made = record.column(column)
    if made is None or made.outputs != [column]:
        return []
    by_entity = {str(entity): r for entity, r in policy.entities.items()}
    rule = policy.columns.get(column) or by_entity.get(made.entity or "")
    if rule is None and made.action == "keep":
        return [KeepRule(action="keep")]
    return [rule] if rule is not None and rule.action == made.action else []


def _wanted_actions(decrypt: bool, detokenize: bool) -> str:
    parts = (["encrypt or fpe (--decrypt)"] if decrypt else []) + (
        ["tokenize (--detokenize-with)"] if detokenize else []
    )
    return " or ".join(parts)


# -- running -----------------------------------------------------------------------------------------


def reveal_batch(plan: ReversePlan, batch: pl.DataFrame, tally: ReversalTally) -> pl.DataFrame:
    """The batch with every reversed column replaced by its plaintext (``String``), counting into
    ``tally``. A column that cannot be decrypted raises a :class:`RingfenceError` naming the column."""
    replaced = []
    for c in plan.reversing:
        out, resolved, unresolved, kids = c.kernel(batch[c.column])
        tally.add(c.column, resolved, unresolved, kids)
        if isinstance(c.kernel, FpeDecrypt):
            tally.invalid[c.column] = tally.invalid.get(c.column, 0) + c.kernel.invalid(out)
        replaced.append(out.cast(pl.String).alias(c.column))
    tally.rows += batch.height
    return batch.with_columns(replaced)


def reveal_batches(
    plan: ReversePlan, batches: Iterable[pl.DataFrame], tally: ReversalTally
) -> Iterator[pl.DataFrame]:
    """:func:`reveal_batch` over each of ``batches``."""
    for batch in batches:
        yield reveal_batch(plan, batch, tally)
