"""A release's fingerprinting, set up from its policy and plan: which columns carry marks, the steps
(canaries before the plan; marks, then the canaries' record, after it) and the finished
:class:`~ringfence.fingerprint.record.MarkRecord`.

Columns that carry marks: those the policy's ``fingerprint.columns`` names, else every column the plan
releases as it is (``keep``), with no entity, that is a timestamp (kind ``timestamp``: up to 3 seconds in
grains of one second, two symbols per marked cell) or a number whose name says it is an amount (kind
``amount``: one minor unit, 0.01). Identifiers (any column with an entity, the subject), the policy's
``immutable`` columns and the columns its risk section measures (a mark would move a record between
classes after the gate planned them) never carry marks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from ringfence.detect.entities import SPECS
from ringfence.errors import UsageError
from ringfence.fingerprint.canary import CANARY_FLAG, CanaryStep, canary_records
from ringfence.fingerprint.code import CUTOFFS
from ringfence.fingerprint.embed import MarkStep
from ringfence.fingerprint.record import MarkedColumn, MarkRecord
from ringfence.keys import KeyResolver
from ringfence.policy import Fingerprint, MarkColumn, MarkKind
from ringfence.transform.plan import Plan

__all__ = ["DOMAIN", "RATE", "CanaryRecorder", "Fingerprinting", "mark_columns"]

DOMAIN = "default"  # every release of a workspace shares one code: colluders' copies differ only by codeword
RATE = 0.096  # the share of markable cells selected; about half need a change, so under 5% change
AMOUNT = re.compile(r"(amount|amt|price|total|fee|sum|value|金额|金額|价格|금액|가격)", re.IGNORECASE)
# Entities whose values a validator checks (a canary's drawn identifier must pass it).
VALIDATED = frozenset(e for e, spec in SPECS.items() if spec.detection is not None and e != "FREE_TEXT_PII")
# (tolerance, grain) by kind: an amount by one minor unit, a timestamp by up to 3 s (two symbols a cell).
_DEFAULTS: dict[MarkKind, tuple[float, float]] = {
    "amount": (0.01, 0.01),
    "timestamp": (3.0, 1.0),
    "number": (1.0, 1.0),
}


def _kind(name: str, dtype: pl.DataType) -> MarkKind | None:
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if dtype.is_numeric():
        return "amount" if AMOUNT.search(name) else "number"
    return None


def mark_columns(
    plan: Plan, policy: Fingerprint, subject: str | None = None, risk_columns: Sequence[str] = ()
) -> list[MarkedColumn]:
    """The released columns that carry marks (see the module docstring); ``risk_columns`` (the risk
    section's quasi-identifiers and sensitive columns, whose classes a mark would change) never do."""
    released = {c.column: c for c in plan.columns if c.column in plan.output_columns}
    fixed = {*policy.immutable, *([subject] if subject else []), *risk_columns}
    out = []
    for name in policy.marked():
        column = released.get(name)
        if column is None:
            raise UsageError(f"policy {plan.policy_name}: fingerprint column {name!r} is not released")
        declared: MarkColumn | None = policy.column(name)
        kind = declared.kind if declared is not None else _kind(name, column.dtype)
        if kind is None or column.rule.entity is not None or name in fixed:
            raise UsageError(
                f"policy {plan.policy_name}: fingerprint column {name!r} cannot carry marks "
                "(an identifier, immutable, or neither a number nor a timestamp)"
            )
        out.append(_marked(name, kind, declared))
    if policy.columns is not None:
        return out
    for name, column in released.items():
        kind = _kind(name, column.dtype)
        if column.spec.name != "keep" or column.rule.entity is not None or name in fixed:
            continue
        if kind == "timestamp" or kind == "amount":
            out.append(_marked(name, kind, None))
    return out


def _marked(name: str, kind: MarkKind, declared: MarkColumn | None) -> MarkedColumn:
    tolerance, grain = _DEFAULTS[kind]
    if declared is not None and declared.tolerance is not None:
        tolerance = declared.tolerance
        grain = min(grain, tolerance)
    if declared is not None and declared.grain is not None:
        grain = declared.grain
    return MarkedColumn(name=name, kind=kind, tolerance=tolerance, grain=grain)


@dataclass
class CanaryRecorder:
    """The step after the marks: takes the released canary rows aside (to record their digests), keeps
    their hidden subject out of the release's subjects, and drops the hidden flag."""

    subject: str | None
    flag: str = CANARY_FLAG
    name: str = "canary record"
    rows: list[pl.DataFrame] = field(default_factory=list)

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        if self.flag not in batch.columns:
            return batch
        if not batch.get_column(self.flag).any():  # every batch but the first
            return batch.drop(self.flag)
        flag = pl.col(self.flag)
        canaries = batch.filter(flag)
        if canaries.height:
            self.rows.append(canaries.drop(self.flag, *([self.subject] if self.subject else [])))
        if self.subject is not None:
            batch = batch.with_columns(
                pl.when(flag).then(None).otherwise(pl.col(self.subject)).alias(self.subject)
            )
        return batch.drop(self.flag)


@dataclass
class Fingerprinting:
    """One release's fingerprinting: its steps and, once the run is over, its record."""

    keys: KeyResolver
    record: MarkRecord
    canaries: CanaryStep
    marks: MarkStep
    recorder: CanaryRecorder

    @classmethod
    def plan(
        cls,
        keys: KeyResolver,
        plan: Plan,
        policy: Fingerprint,
        *,
        recipient: str,
        release_id: str,
        carried: str = "",
        subject: str | None = None,
        risk_columns: Sequence[str] = (),
    ) -> Fingerprinting:
        """The fingerprinting of a release of ``plan`` to ``recipient`` under the policy's section;
        ``carried`` is the prefix under which the plan carries hidden columns (the canary flag, the
        subject)."""
        key_id = keys.primary_id("hmac")
        record = MarkRecord(
            recipient=recipient,
            release_id=release_id,
            key_id=key_id,
            domain=DOMAIN,
            columns=mark_columns(plan, policy, subject, risk_columns),
            rate=RATE,
            cutoff=CUTOFFS[policy.strength],
            strength=policy.strength,
        )
        entities = {c.column: str(c.rule.entity) for c in plan.columns if c.rule.entity in VALIDATED}
        seed = f"{recipient}\x1f{release_id}"
        canaries = CanaryStep(keys, key_id, DOMAIN, seed, policy.canaries, entities, subject)
        return cls(
            keys,
            record,
            canaries,
            MarkStep(record, keys),
            CanaryRecorder(carried + subject if subject else None, carried + CANARY_FLAG),
        )

    def finished(self) -> MarkRecord:
        """The record with what the run did: the canaries as released, the shift of each column."""
        released = (
            pl.concat(self.recorder.rows, how="vertical_relaxed") if self.recorder.rows else pl.DataFrame()
        )
        hidden = [c for c in released.columns if c.startswith("__ringfence")]
        canaries = canary_records(
            self.keys, self.record.key_id, self.record.domain, released.drop(hidden), self.canaries.bits
        )
        update = {"columns": self.marks.columns(), "canaries": canaries, "shifts": self.marks.shifts()}
        return self.record.model_copy(update=update)
