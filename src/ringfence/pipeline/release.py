"""``release``: the governed path, the runner's full configuration.

```
recipient + purpose + what the plan releases ─▶ transfer rules (decide, with articles)
   denied ─▶ a "denied" ledger entry, nothing written, exit 1
   allowed ─▶ source ─▶ consent filter ─▶ canaries ─▶ plan ─▶ risk steps ─▶ fingerprint marks ─▶ taps
              (rows, risk) ─▶ commit: stage ─▶ risk gate ─▶ before_publish: the "release" ledger entry
              (subjects' digests, the mark record) ─▶ publish
```

What it guarantees:

- Nothing leaves without a decision: the recipient must be registered and active, the purpose known to the
  workspace's rule pack, and the categories the plan releases in a recognisable form are judged by the
  transfer rules of the workspace's jurisdiction (:mod:`ringfence.transfer`); what is unknown is denied.
- Consent where the rules require it, per subject: only rows whose subject holds a valid consent of every
  required kind for this purpose and recipient are released (:mod:`ringfence.consent`); the rows and
  subjects withheld are counted. Encryption or tokenisation never replaces a consent the rules require.
- A ledger entry for every outcome, before the output appears: a denied release leaves a ``denied`` entry
  (with its reasons and articles) and no output; an allowed one writes its ``release`` entry (recipient,
  country, purpose, legal basis, counts, columns, categories, policy hash, key ids, the output's SHA-256,
  and the keyed digests of the released subjects) in the commit's ``before_publish`` hook, so a run stopped
  at any point leaves no output, or an entry whose output never appeared, never an output without its entry;
  if the output cannot be placed after its entry was written, an ``aborted`` entry follows it. The
  subjects it commits to are exactly those of the rows written (collected after the consent filter, the
  plan and the risk stage's suppression, from their ids carried hidden through the plan).
- A policy's ``risk:`` section is met on exactly the rows written (:mod:`ringfence.risk.gate`): the
  achieved k (and l, t) and the rows suppressed go into the entry; a release that cannot meet it is
  refused, leaves a ``denied`` entry with the gate's reasons, and writes nothing.
- The output is protected exactly as ``protect`` would (the same plan, the sealed plan record in a Parquet
  footer).
- With the policy's ``fingerprint`` section enabled, the copy is the recipient's own
  (:mod:`ringfence.fingerprint`): canary rows go through the plan like real rows, marks are set after the
  plan and the risk stage, and the entry holds the :class:`~ringfence.fingerprint.MarkRecord` (no key
  bytes) from which the marks and canaries can be found again; ``rows_out`` counts the data's rows, the
  canaries are counted under ``fingerprint``. ``protect`` (no recipient) never marks.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ringfence import __version__
from ringfence.consent import ConsentFilter, SubjectCollector, consenting_subjects, find_recipient
from ringfence.detect.entities import SPECS
from ringfence.errors import UsageError
from ringfence.fingerprint import MarkRecord
from ringfence.fingerprint.canary import CANARY_FLAG
from ringfence.fingerprint.setup import Fingerprinting
from ringfence.io import BATCH_ROWS
from ringfence.io.location import Location
from ringfence.io.read import Source, open_source
from ringfence.keys import Keyset
from ringfence.ledger import Entry, Ledger
from ringfence.pipeline.commit import Commit, Refused, Staged
from ringfence.pipeline.protect import CARRIED, PlanStep, plan_for
from ringfence.pipeline.runner import RowCount, Runner, Step, Tap
from ringfence.policy import Policy, load_policy
from ringfence.risk.gate import RiskStage, stage_for
from ringfence.state.store import StateStore
from ringfence.transfer import Citation, Decision, Recipient, TransferRequest, decide
from ringfence.transform.plan import Plan
from ringfence.workspace import Workspace

__all__ = ["ReleaseResult", "release", "released_categories"]

# Actions after which nothing of the column's entity is recognisable in the output.
_GONE = frozenset({"drop", "suppress", "redact"})
# Actions after which a direct identifier is pseudonymised: only the key holder can link it back.
_PSEUDONYMOUS = frozenset(
    {"tokenize", "encrypt", "fpe", "drop", "suppress", "redact", "generalize", "derive"}
)
# Categories that make a Korean payment company's data personal credit information (Credit Information Act).
_CREDIT = frozenset({"financial_account", "transaction"})


@dataclass(frozen=True)
class ReleaseResult:
    """What a release decided and did (ids, counts, names and articles; never a data value)."""

    release_id: str
    recipient: str
    country: str | None
    purpose: str
    decision: Decision
    categories: list[str]
    rows_in: int = 0
    rows_out: int = 0
    rows_withheld_no_consent: int = 0
    subjects: int | None = None
    subjects_withheld: int = 0
    output: str | None = None
    ledger_entry: int | None = None
    plan: Plan | None = field(default=None, repr=False)
    risk: dict[str, Any] | None = None
    fingerprint: dict[str, Any] | None = None

    @property
    def allowed(self) -> bool:
        return self.decision.decision == "allowed"

    def reasons(self) -> list[dict[str, str]]:
        return [
            {"reason": text, "law": c.law, "article": c.article, "requires": c.text}
            for text, c in self.decision.reasons
        ]

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "release_id": self.release_id,
            "recipient": self.recipient,
            "country": self.country,
            "purpose": self.purpose,
            "decision": self.decision.decision,
            "legal_basis": self.decision.legal_basis,
            "consent_required": sorted(self.decision.consent),
            "categories": self.categories,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_withheld_no_consent": self.rows_withheld_no_consent,
            "subjects": self.subjects,
            "subjects_withheld_no_consent": self.subjects_withheld,
            "rows_suppressed": (self.risk or {}).get("rows_suppressed", 0),
            "k_anonymity": (self.risk or {}).get("k_anonymity"),
            "output": self.output,
            "ledger_entry": self.ledger_entry,
        }
        if self.fingerprint is not None:
            doc["fingerprint"] = self.fingerprint
        if not self.allowed:
            doc["reasons"] = self.reasons()
        return doc


def _released(plan: Plan) -> list[tuple[str, str, str | None, pl.DataType]]:
    """(column, action, entity, input type) of every column whose data reaches the output."""
    return [(c.column, c.spec.name, c.rule.entity, c.dtype) for c in plan.columns if c.spec.name not in _GONE]


def released_categories(plan: Plan, subject: str | None) -> list[str]:
    """The data categories the plan releases in a recognisable form: each released column's entity's
    category (its spec), and ``transaction`` when a per-subject table keeps a time and an amount (a record
    of what a person did)."""
    released = _released(plan)
    found = {SPECS[e].category for _, _, e, _ in released if e in SPECS}
    temporal = any(d.is_temporal() and e is None for _, _, e, d in released)
    numeric = any(d.is_numeric() and e is None for _, _, e, d in released)
    if subject is not None and temporal and numeric:
        found.add("transaction")
    return sorted(found)


def _pseudonymised(plan: Plan) -> bool:
    """Whether every direct identifier the plan releases is pseudonymised (only the key holder can link)."""
    return all(
        action in _PSEUDONYMOUS
        for _, action, entity, _ in _released(plan)
        if entity in SPECS and SPECS[entity].kind == "direct"
    )


def _denied(reason: str, law: str, article: str, text: str) -> Decision:
    return Decision("denied", "none", frozenset(), ((reason, Citation(law, article, text)),), frozenset())


@dataclass
class _LedgerEntry:
    """The commit's hook: the release's ledger entry, written before the output appears."""

    ledger: Ledger
    fields: dict[str, Any]
    consent: ConsentFilter | None
    released: SubjectCollector | None
    risk: RiskStage | None = None
    marks: Fingerprinting | None = None
    index: int | None = None

    def before_publish(self, staged: Staged) -> None:
        subjects = self.released.subjects().alias("subject") if self.released is not None else None
        if self.risk is not None:  # the gate has passed: what it measured on exactly what was written
            self.fields |= self.risk.summary()
        canaries = 0
        if self.marks is not None:  # the mark record, with the canaries as released (no key bytes)
            record = self.marks.finished()
            canaries = len(record.canaries)
            self.fields["fingerprint"] = record.model_dump(mode="json")
        self.fields |= {
            "rows_out": staged.rows - canaries,  # the data's rows; the canaries are counted in "fingerprint"
            "output_sha256": staged.sha256(),
            "subjects": subjects.len() if subjects is not None else None,
        }
        if self.consent is not None:
            self.fields |= {
                "rows_withheld_no_consent": self.consent.rows_withheld,
                "subjects_withheld_no_consent": self.consent.subjects_withheld,
            }
        self.index = self.ledger.append(Entry("release", dict(self.fields)), subjects).index

    def withdraw(self) -> str:
        if self.index is None:
            return ""
        aborted = self.ledger.append(
            Entry("aborted", {"release_id": self.fields["release_id"], "entry": self.index})
        )
        return f"ledger entry {self.index} is followed by aborted entry {aborted.index}"


def _check_output(output: str | os.PathLike[str], src: Source) -> None:
    where = Location.parse(output)
    if where.path is not None and not src.is_table and Path(src.location).resolve() == where.path.resolve():
        raise UsageError(f"the output {output} is the input; write the released copy elsewhere")


def release(
    workspace: Workspace,
    source: str | os.PathLike[str] | Source,
    policy: str | os.PathLike[str] | Policy,
    output: str | os.PathLike[str],
    *,
    recipient: str,
    purpose: str,
    subject: str | None = None,
    overwrite: bool = False,
    batch_rows: int = BATCH_ROWS,
    now: dt.datetime | None = None,
) -> ReleaseResult:
    """Releases ``source`` to ``recipient`` for ``purpose`` (see the module docstring). A denied release
    returns a result whose ``decision`` is ``denied`` (the caller exits 1); bad input raises a
    :class:`~ringfence.errors.RingfenceError` with a one-line message, and nothing is written then."""
    commit = Commit(output, overwrite=overwrite, label="release")
    commit.check()
    src = source if isinstance(source, Source) else open_source(source)
    _check_output(output, src)
    rules = policy if isinstance(policy, Policy) else load_policy(policy)
    subject = subject if subject is not None else rules.subject
    if subject is not None and subject not in src.schema().names():
        raise UsageError(
            f"the subject column {subject!r} is not in {src.name} (--subject or the policy's subject)"
        )
    keyset = workspace.keyset()
    store = workspace.state()
    try:
        ledger = workspace.ledger(store, keyset)
        return _release(
            workspace, keyset, store, ledger, src, rules, commit, recipient, purpose, subject, batch_rows, now
        )
    finally:
        store.close()


def _release(
    workspace: Workspace,
    keyset: Keyset,
    store: StateStore,
    ledger: Ledger,
    src: Source,
    rules: Policy,
    commit: Commit,
    recipient: str,
    purpose: str,
    subject: str | None,
    batch_rows: int,
    now: dt.datetime | None,
) -> ReleaseResult:
    release_id = uuid.uuid4().hex
    record = find_recipient(store, recipient)
    plan = plan_for(src, rules, keyset=keyset, recipient=recipient)
    categories = released_categories(plan, subject)
    jurisdiction = workspace.config.jurisdiction
    if record is None or not record.active:
        why = "is not registered" if record is None else f"was removed on {record.removed_at}"
        decision = _denied(
            f"recipient {recipient!r} {why}", "ringfence", "fail closed", "unknown recipients receive nothing"
        )
    else:
        decision = decide(
            TransferRequest(
                jurisdiction=jurisdiction,
                controller_country=jurisdiction,  # a pack governs its own jurisdiction's name too
                recipient=Recipient(
                    record.id, record.country, record.role, record.purposes, record.affiliate_of
                ),
                purpose=purpose,
                categories=frozenset(categories),  # type: ignore[arg-type]
                pseudonymised=_pseudonymised(plan),
                credit_information=jurisdiction == "KR" and bool(_CREDIT & set(categories)),
                mechanism=record.mechanism,
            )
        )
        if decision.decision == "allowed" and decision.consent and subject is None:
            decision = _denied(
                "consent is required from each subject, and no subject column was named (--subject COLUMN)",
                "ringfence",
                "fail closed",
                "rows cannot be matched to consents without the subject's id",
            )
    country = record.country if record is not None else None
    base: dict[str, Any] = {
        "release_id": release_id,
        "recipient": recipient,
        "country": country,
        "purpose": purpose,
        "decision": decision.decision,
        "legal_basis": decision.legal_basis,
        "categories": categories,
        "input": src.name,
        "policy": plan.policy_name,
        "policy_hash": plan.policy_hash,
        "key_ids": plan.key_ids(),
        "columns": plan.output_columns,
        "tool_version": __version__,
    }
    if decision.decision != "allowed":
        base["reasons"] = _reasons(decision)
        entry = ledger.append(Entry("denied", base))
        return ReleaseResult(
            release_id, recipient, country, purpose, decision, categories, ledger_entry=entry.index, plan=plan
        )
    consent: ConsentFilter | None = None
    if decision.consent and subject is not None:  # (consent without a subject column was denied above)
        allowed = consenting_subjects(
            store, purpose=purpose, recipient=recipient, kinds=decision.consent, at=now
        )
        consent = ConsentFilter(subject, allowed, collect=False)
    risk = _risk_stage(src, rules, plan, consent)
    # The subjects of exactly the rows written: collected after the consent filter, the plan and the
    # risk stage's suppression, from the ids carried through the plan.
    released = SubjectCollector(CARRIED + subject, drop=True) if subject is not None else None
    marks = None
    if rules.fingerprint.enabled:
        marks = Fingerprinting.plan(
            keyset,
            plan,
            rules.fingerprint,
            recipient=recipient,
            release_id=release_id,
            carried=CARRIED,
            subject=subject,
            risk_columns=[*rules.risk.quasi_identifiers, *rules.risk.sensitive] if rules.risk else (),
        )
    hook = _LedgerEntry(ledger, base, consent, released, risk, marks)
    commit.metadata = plan.record().bound_sealer(keyset)
    commit.publication = hook
    written = RowCount()
    steps: list[Step] = [consent] if consent is not None else []
    if marks is not None:  # canaries go through the plan like real rows, flagged by a hidden column
        steps.append(marks.canaries)
    # The subject ids (and the canary flag) ride along, hidden, to be collected after the last step.
    carry = ((subject,) if subject is not None else ()) + ((CANARY_FLAG,) if marks is not None else ())
    steps.append(PlanStep(plan, carry=carry))
    taps: list[Tap] = [written]
    if risk is not None:
        steps += risk.steps
        taps += risk.taps
        commit.gates = [*commit.gates, *risk.gates]
    if marks is not None:  # after the plan and the risk stage: marks sit on the values as released
        steps += [marks.marks, marks.recorder]
    if released is not None:
        steps.append(released)
    try:
        result = Runner(src, steps, commit, taps=taps, batch_rows=batch_rows, verb="release").run()
    except Refused as refused:  # the risk gate: nothing was published; the attempt is recorded
        denied = Decision(
            "denied",
            "none",
            frozenset(),
            tuple((r, _RISK_GATE) for r in refused.reasons),
            decision.sensitive,
        )
        base |= {"decision": "denied", "legal_basis": "none", "reasons": _reasons(denied)}
        entry = ledger.append(Entry("denied", base))
        return ReleaseResult(
            release_id, recipient, country, purpose, denied, categories, ledger_entry=entry.index, plan=plan
        )
    withheld = consent.rows_withheld if consent is not None else 0
    return ReleaseResult(
        release_id,
        recipient,
        country,
        purpose,
        decision,
        categories,
        rows_in=result.rows_in,
        rows_out=hook.fields["rows_out"],
        rows_withheld_no_consent=withheld,
        subjects=hook.fields.get("subjects"),
        subjects_withheld=consent.subjects_withheld if consent is not None else 0,
        output=str(result.written.path),
        ledger_entry=hook.index,
        plan=plan,
        risk=risk.summary() if risk is not None else None,
        fingerprint=_summary(hook.fields.get("fingerprint")),
    )


def _summary(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``"fingerprint"`` object of ``release --json`` from the ledger entry's mark record."""
    return MarkRecord.model_validate(record).summary() if record is not None else None


_RISK_GATE = Citation(
    "ringfence", "risk gate", "the policy's risk section: the target the released rows must meet"
)


def _reasons(decision: Decision) -> list[dict[str, str]]:
    return [{"reason": text, "law": c.law, "article": c.article} for text, c in decision.reasons]


def _risk_stage(src: Source, rules: Policy, plan: Plan, consent: ConsentFilter | None) -> RiskStage | None:
    """The policy's risk stage, planned on the rows the release would write (after the consent filter and
    the plan), or None without a ``risk:`` section."""
    if rules.risk is None:
        return None
    preview = src.lazy()
    if consent is not None:
        preview = preview.filter(consent.keeps(pl.col(consent.subject)))
    return stage_for(rules, preview.select(plan.exprs()))
