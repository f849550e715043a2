"""``release``: the governed path, the runner's full configuration.

```
recipient + purpose + what the plan releases ─▶ transfer rules (decide, with articles)
   denied ─▶ a "denied" ledger entry, nothing written, exit 1
   allowed ─▶ source ─▶ consent filter (or subject collector) ─▶ plan ─▶ row count ─▶ commit:
              stage ─▶ gates ─▶ before_publish: the "release" ledger entry (subjects digests) ─▶ publish
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
  if the output cannot be placed after its entry was written, an ``aborted`` entry follows it.
- The output is protected exactly as ``protect`` would (the same plan, the sealed plan record in a Parquet
  footer).
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
from ringfence.io import BATCH_ROWS
from ringfence.io.location import Location
from ringfence.io.read import Source, open_source
from ringfence.keys import Keyset
from ringfence.ledger import Entry, Ledger
from ringfence.pipeline.commit import Commit, Staged
from ringfence.pipeline.protect import PlanStep, plan_for
from ringfence.pipeline.runner import RowCount, Runner
from ringfence.policy import Policy, load_policy
from ringfence.state.store import StateStore
from ringfence.transfer import Decision, Recipient, TransferRequest, decide
from ringfence.transform.plan import Plan
from ringfence.workspace import Workspace

__all__ = ["ReleaseResult", "release", "released_categories"]

# Actions after which nothing of the column's entity is recognisable in the output.
_GONE = frozenset({"drop", "suppress", "redact"})
# Actions after which a direct identifier is pseudonymised: only the key holder can link it back.
_PSEUDONYMOUS = frozenset(
    {"tokenize", "encrypt", "fpe", "drop", "suppress", "redact", "generalize", "derive"}
)
_CONTROLLER_COUNTRY = {"KR": "KR", "CN": "CN", "EU": "EU"}
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
            "rows_suppressed": 0,
            "k_anonymity": None,
            "output": self.output,
            "ledger_entry": self.ledger_entry,
        }
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
    from ringfence.transfer import Citation

    return Decision("denied", "none", frozenset(), ((reason, Citation(law, article, text)),), frozenset())


@dataclass
class _LedgerEntry:
    """The commit's hook: the release's ledger entry, written before the output appears."""

    ledger: Ledger
    fields: dict[str, Any]
    collector: SubjectCollector | None
    index: int | None = None

    def before_publish(self, staged: Staged) -> None:
        subjects = self.collector.subjects() if self.collector is not None else None
        self.fields |= {
            "rows_out": staged.rows,
            "output_sha256": staged.sha256(),
            "subjects": subjects.len() if subjects is not None else None,
        }
        if isinstance(self.collector, ConsentFilter):
            self.fields |= {
                "rows_withheld_no_consent": self.collector.rows_withheld,
                "subjects_withheld_no_consent": self.collector.subjects_withheld,
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
    if subject is not None and subject not in src.schema().names():
        raise UsageError(f"--subject names {subject!r}, which {src.name} does not have")
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
                controller_country=_CONTROLLER_COUNTRY[jurisdiction],
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
        base["reasons"] = [
            {"reason": text, "law": c.law, "article": c.article} for text, c in decision.reasons
        ]
        entry = ledger.append(Entry("denied", base))
        return ReleaseResult(
            release_id, recipient, country, purpose, decision, categories, ledger_entry=entry.index, plan=plan
        )
    collector: SubjectCollector | None = None
    if subject is not None:
        collector = (
            ConsentFilter(
                subject,
                consenting_subjects(
                    store, purpose=purpose, recipient=recipient, kinds=decision.consent, at=now
                ),
            )
            if decision.consent
            else SubjectCollector(subject)
        )
    hook = _LedgerEntry(ledger, base, collector)
    commit.metadata = plan.record().bound_sealer(keyset)
    commit.publication = hook
    written = RowCount()
    steps = [collector] if collector is not None else []
    result = Runner(
        src,
        [*steps, PlanStep(plan)],
        commit,
        taps=[written],
        batch_rows=batch_rows,
        verb="release",
    ).run()
    withheld = collector.rows_withheld if collector is not None else 0
    return ReleaseResult(
        release_id,
        recipient,
        country,
        purpose,
        decision,
        categories,
        rows_in=result.rows_in,
        rows_out=written.rows,
        rows_withheld_no_consent=withheld,
        subjects=hook.fields.get("subjects"),
        subjects_withheld=collector.subjects_withheld if collector is not None else 0,
        output=str(result.written.path),
        ledger_entry=hook.index,
        plan=plan,
    )
