"""``reveal``: the key holder's explicit, recorded reversal of a protected table, a configuration of the
runner (:mod:`ringfence.pipeline.runner`).

:func:`reveal` checks everything it can before reading data (a reason is given, a reversal flag is given,
the output is a new file, the state store opens, the plan of :func:`ringfence.transform.reverse.plan_reversal`
reverses something), then runs one step (the reversal), no tap and no gate, and a private commit
(:mod:`ringfence.pipeline.commit`). The reversal is in the state store (:mod:`ringfence.state.reversals`)
before the first value is resolved or decrypted for the output, as ``started`` (who, why, what, from
which process); the commit's ``before_publish`` hook completes it (``revealed``, with its counts and its
ledger entry) before the output appears:

- if reading, reversing or writing fails, there is no output and the record says ``aborted``; if the
  record cannot be written, nothing is decrypted;
- if completing the record fails, the output never appears; if moving it into place fails, the record is
  marked ``aborted`` and an ``aborted`` entry follows it in the ledger;
- a run killed at any point leaves no output, or a ``started`` record whose output never appeared, never
  revealed data without its record; every reveal starts by sweeping: the staged plaintext of killed
  reveals (processes on this host that no longer run) is removed, whatever their output, and their
  records are marked ``aborted`` (:func:`sweep_stale_reveals`);
- the revealed file holds personal data in clear, so it is readable by its owner only (0600) from its
  first byte, written in a staging folder only its owner can open (0700).

A Parquet file written by ``protect`` carries its plan record in its footer, sealed under the workspace's
key (:class:`ringfence.transform.record.PlanRecord`); a footer that does not open (altered, or from
another workspace), is malformed, or vouches for other data pages than the file's (a footer copied from
another file) stops the reveal, and so does a Parquet file without a record unless ``without_record``
says so (a removed footer must not silently disable the checks below). Reveal then refuses a policy
other than the one
that protected it and a ``--recipient`` other than the one it was protected for, takes that recipient when
none is given, and rebuilds the reversal from the record: which rule made each column and the key id of
each FPE column (an FPE value cannot carry its key id). Text outputs carry no record; their columns and
FPE keys are recognised on a sample (:mod:`ringfence.transform.reverse_guess`).

The record holds names, SHA-256 hashes of the files read, the policy hash, the recipient, the key ids used
and the counts per column, never a data value or key material. When the tamper-evident ledger (the govern
issue) lands, reversals are recorded there instead of in the ``reversals`` table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.errors import InputError, UsageError, WorkspaceError
from ringfence.io import BATCH_ROWS
from ringfence.io.location import Location
from ringfence.io.read import Source, open_source
from ringfence.io.write import data_sha256
from ringfence.keys import Keyset
from ringfence.ledger import Entry, Ledger
from ringfence.pipeline.commit import Commit, Staged, alive, remove_stale_stages, sha256_file
from ringfence.pipeline.runner import Runner
from ringfence.policy import Policy, load_policy, policy_hash
from ringfence.state.reversals import (
    ColumnReversal,
    ReversalRecord,
    abort_reversal,
    check_reason,
    complete_reversal,
    process_label,
    record_reversal,
    stale_reversals,
)
from ringfence.state.store import StateStore
from ringfence.transform.record import PLAN_METADATA_KEY, PlanRecord
from ringfence.transform.reverse import (
    SAMPLE_ROWS,
    ReversalTally,
    ReversePlan,
    check_flags,
    plan_reversal,
    reveal_batch,
    token_columns,
)
from ringfence.workspace import Workspace

__all__ = ["RevealResult", "reveal"]

# The commit's label: a reveal's staged output is ``.<output>.reveal-<pid>-<random>/`` beside it.
_STAGE_LABEL = "reveal"
# An fpe column is flagged when the share of its decrypted values that are invalid exceeds the sample's
# by more than this.
_MORE_INVALID = 0.1


@dataclass(frozen=True)
class RevealResult:
    """What a reveal did: the record written, and the plan (for the columns left as they were)."""

    record: ReversalRecord
    plan: ReversePlan

    @property
    def reversal_id(self) -> str:
        return self.record.id

    def columns_json(self) -> dict[str, Any]:
        """Per column of the table: reversed ones with their counts and key ids, the others with why not."""
        doc: dict[str, Any] = {}
        for c in self.plan.columns:
            done = self.record.columns.get(c.column)
            if done is None:
                doc[c.column] = c.to_json()
                continue
            entry: dict[str, Any] = {"status": "reversed", **done.to_json(), "key_source": c.key_source}
            if c.note:
                entry["note"] = c.note
            expected = c.sample_invalid or 0.0
            if done.rows_invalid > (expected + _MORE_INVALID) * max(done.rows_resolved, 1):
                entry["note"] = (
                    f"{done.rows_invalid:,} of {done.rows_resolved:,} decrypted values are not valid, "
                    f"against {expected:.0%} of the sample: part of the table was protected under another "
                    "key or for another recipient, and those rows are wrong; reveal each part with the key "
                    "id protect printed for it (--fpe-key-id)"
                )
            if done.action == "tokenize" and done.rows_unresolved and not done.rows_resolved:
                entry["note"] = (
                    "no token resolved: they were made for another recipient (check --recipient) or the "
                    "reference does not hold their originals; the tokens are left as they were"
                )
            doc[c.column] = entry
        return doc

    def to_json(self) -> dict[str, Any]:
        return {
            "reversal_id": self.record.id,
            "rows": self.record.rows,
            "columns": self.columns_json(),
            "output": self.record.output,
            "recorded": True,
        }


def _actor() -> str:
    """The operating-system account running the reveal, from the process's user id (not from ``USER`` or
    ``LOGNAME``, which anyone can set to another name); ``uid:N`` when the account has no name."""
    if not hasattr(os, "geteuid"):
        return getpass.getuser()
    uid = os.geteuid()
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid:{uid}"


def _shown(location: str, root: Path) -> str:
    """A file's path relative to the workspace when inside it, else absolute; a URI as it is."""
    if Location.parse(location).is_table:
        return location
    path = Path(location).resolve()
    try:
        return str(path.relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _file_hash(source: Source) -> str | None:
    if source.is_table:
        return None
    path = Path(source.location)
    return sha256_file(path) if path.is_file() else None


def _first_rows(source: Source) -> pl.DataFrame:
    return next(iter(source.batches(SAMPLE_ROWS)))


def _reference_values(
    reference: Source, wanted: list[str], ref_columns: Mapping[str, str]
) -> dict[str, Callable[[], Iterator[pl.Series]]]:
    """Token column → a function reading the reference column holding its originals in batches (the
    reference is never held whole). A token column whose reference column is missing is left out (the plan
    reports it), unless ``--ref-column`` named it, which is an error."""
    if "*" in ref_columns and len(wanted) > 1:
        raise UsageError(
            f"the table has {len(wanted)} token columns; name each: --ref-column TOKEN_COLUMN=REF_COLUMN"
        )
    unknown = [c for c in ref_columns if c != "*" and c not in wanted]
    if unknown:
        raise UsageError(f"--ref-column names {unknown[0]!r}, which is not a token column of the table")
    names = {col: ref_columns.get(col, ref_columns.get("*", col)) for col in wanted}
    available = set(reference.schema().names())
    for col, ref in names.items():
        if ref not in available and (col in ref_columns or "*" in ref_columns):
            raise UsageError(f"the reference {reference.name} has no column {ref!r} (--ref-column)")

    def reader(ref: str) -> Callable[[], Iterator[pl.Series]]:
        def batches() -> Iterator[pl.Series]:
            for batch in reference.batches(BATCH_ROWS, [ref]):
                yield batch[ref]

        return batches

    return {col: reader(ref) for col, ref in names.items() if ref in available}


def _recorded_plan(src: Source, keyset: Keyset, *, without_record: bool) -> PlanRecord | None:
    """The plan record ``protect`` sealed into a Parquet footer, opened and checked, or None when the input
    is text (which carries none) or ``without_record`` says a Parquet file has none. The footer comes back
    from outside (a partner's copy): it is trusted only because it opens under this workspace's key and
    vouches for this file's data pages, and its fields are checked before use."""
    sealed = src.footer_metadata().get(PLAN_METADATA_KEY)
    if sealed is None:
        if src.kind == "parquet" and not without_record:
            raise InputError(
                f"{src.name} carries no plan record (not written by protect or release, or its footer was "
                "removed); pass --without-record to recognise its columns and keys from a sample"
            )
        return None
    record = PlanRecord.open(keyset, sealed, src.name)
    if record.data_sha256 is not None and record.data_sha256 != data_sha256(src.location):
        raise InputError(
            f"{src.name}: the plan record in its footer belongs to another file (it does not vouch for "
            "these data pages); nothing was revealed"
        )
    return record


def _follow_record(
    src: Source,
    record: PlanRecord,
    policy: Policy,
    recipient: str | None,
    fpe_key_ids: Mapping[str, str] | None,
) -> str | None:
    """The recipient the record names (or the one given, which must agree); a policy, recipient or fpe key
    id that contradicts the record is a usage error."""
    if record.policy_hash != policy_hash(policy):
        raise UsageError(
            f"{src.name} was protected with policy {record.policy!r} ({record.policy_hash[:19]!r}), not "
            f"with {policy.name!r} ({policy_hash(policy)[:19]!r}); pass the policy it was protected with"
        )
    made_for = record.recipient
    if recipient is not None and made_for is not None and recipient != made_for:
        raise UsageError(f"{src.name} was protected for recipient {made_for!r}, not {recipient!r}")
    recorded = {c.column: c.key_id for c in record.columns if c.action == "fpe" and c.key_id}
    for column, kid in dict(fpe_key_ids or {}).items():
        if column in recorded and recorded[column] != kid:
            raise UsageError(
                f"--fpe-key-id {column}={kid}: {src.name} records that {column!r} was protected under "
                f"{recorded[column]}"
            )
    return recipient if recipient is not None else made_for


class _RevealStep:
    """The runner step: each batch with its reversed columns in clear, counted into the tally."""

    name = "reverse"

    def __init__(self, plan: ReversePlan, tally: ReversalTally) -> None:
        self._plan, self._tally = plan, tally

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        return reveal_batch(self._plan, batch, self._tally)


@dataclass
class _Recording:
    """The reversal's record: written ``started`` before the first value is decrypted or resolved for
    the output (:meth:`start`), completed with its counts and its ledger entry before the output appears
    (the commit's ``before_publish``), and marked ``aborted`` if the reveal fails or its output cannot be
    placed. Holds names, hashes, ids and counts; never a value."""

    store: StateStore
    plan: ReversePlan
    tally: ReversalTally
    fields: dict[str, Any]
    output: str
    ledger: Ledger
    record: ReversalRecord | None = None
    entry: int | None = None

    def _record(self, state: str, started: ReversalRecord | None = None) -> ReversalRecord:
        return ReversalRecord(
            created_at=(
                started.created_at
                if started is not None
                else dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            ),
            actor=_actor(),
            policy_name=self.plan.policy_name,
            policy_hash=self.plan.policy_hash,
            recipient=self.plan.recipient,
            columns={
                c.column: ColumnReversal(
                    c.action or "",
                    tuple(sorted(self.tally.key_ids.get(c.column, set()))),
                    self.tally.resolved.get(c.column, 0),
                    self.tally.unresolved.get(c.column, 0),
                    self.tally.invalid.get(c.column, 0),
                )
                for c in self.plan.reversing
            },
            rows=self.tally.rows,
            state=state,
            process=process_label(),
            **({"id": started.id} if started is not None else {}),
            **self.fields,
        )

    def _failed(self, exc: Exception) -> WorkspaceError:
        return WorkspaceError(
            f"the reversal could not be recorded in the state store ({type(exc).__name__}); "
            f"nothing was written to {self.output}"
        )

    def start(self) -> None:
        """Records the reversal as ``started``: from here on, whatever happens, it is on record."""
        started = self._record("started")
        try:
            record_reversal(self.store, started)
        except Exception as exc:
            raise self._failed(exc) from None
        self.record = started

    def before_publish(self, staged: Staged) -> None:
        assert self.record is not None
        done = self._record("revealed", self.record)
        try:
            with self.store.transaction():  # the reversal's record and its ledger entry, together
                complete_reversal(self.store, done)
                self.entry = self.ledger.append(Entry("reveal", self._ledger_fields(done, staged))).index
        except Exception as exc:
            raise self._failed(exc) from None
        self.record = done

    @staticmethod
    def _ledger_fields(record: ReversalRecord, staged: Staged) -> dict[str, Any]:
        """The reversal's record as the ledger keeps it, with the digest of the output it vouches for."""
        return {**record.to_json(), "reversal_id": record.id, "output_sha256": staged.sha256()}

    def withdraw(self) -> str:
        if self.record is None:
            return ""
        try:
            abort_reversal(self.store, self.record.id)
            self.ledger.append(Entry("aborted", {"reversal_id": self.record.id, "entry": self.entry}))
        except Exception:
            return f"reversal {self.record.id} is recorded"
        self.record = replace(self.record, state="aborted")
        return "the reversal record was withdrawn: it is marked aborted (an aborted ledger entry follows it)"

    def abort(self) -> None:
        """After a failure: a ``started`` record becomes ``aborted`` (best effort; the failure is what the
        user is told, and a record left ``started`` is swept by the next reveal)."""
        if self.record is None or self.record.state != "started":
            return
        with contextlib.suppress(Exception):
            abort_reversal(self.store, self.record.id)
            self.record = replace(self.record, state="aborted")


def sweep_stale_reveals(store: StateStore, root: Path) -> int:
    """Marks ``aborted`` the ``started`` reversals of reveals that were killed on this host, and removes
    the staged plaintext they left beside their outputs; returns how many. Runs at the start of every
    reveal, whatever its output."""
    stale = stale_reversals(store, alive)
    for record in stale:
        output = Path(record.output)
        remove_stale_stages(output if output.is_absolute() else root / output, _STAGE_LABEL)
        abort_reversal(store, record.id)
    return len(stale)


def reveal(
    workspace: Workspace,
    source: str | os.PathLike[str] | Source,
    policy: str | os.PathLike[str] | Policy,
    output: str | os.PathLike[str],
    *,
    reason: str,
    recipient: str | None = None,
    decrypt: bool = False,
    reference: str | os.PathLike[str] | Source | None = None,
    ref_columns: Mapping[str, str] | None = None,
    columns: Sequence[str] | None = None,
    fpe_key_ids: Mapping[str, str] | None = None,
    overwrite: bool = False,
    batch_rows: int = BATCH_ROWS,
    without_record: bool = False,
    encoding: str | None = None,
) -> RevealResult:
    """Reverses ``source`` (protected by ``policy``) into the file ``output`` and records it (see the
    module docstring and :func:`ringfence.transform.reverse.plan_reversal` for the options).
    ``encoding`` is a CSV/TSV output's text encoding (default: the input's; UTF-8 for other inputs).

    Raises a :class:`~ringfence.errors.RingfenceError` with a one-line message naming files and columns,
    never values or keys; nothing is left at ``output`` and nothing is recorded then.
    """
    why = check_reason(reason)
    check_flags(decrypt, reference is not None)
    if Location.parse(output).is_table:
        raise UsageError("reveal writes a file (Parquet, CSV, TSV or JSON lines), not a database table")
    out_path = Path(output)
    src = source if isinstance(source, Source) else open_source(source)
    commit = Commit(
        output,
        overwrite=overwrite,
        label=_STAGE_LABEL,
        private=True,
        encoding=encoding or src.text_encoding,
    )
    commit.check()
    if not src.is_table and Path(src.location).resolve() == out_path.resolve():
        raise UsageError(f"the output {output} is the input; write the revealed copy elsewhere")
    rules = policy if isinstance(policy, Policy) else load_policy(policy)
    keyset = workspace.keyset()
    store = workspace.state()  # opened (and migrated) before any work: a broken store fails first
    try:
        sweep_stale_reveals(store, workspace.root)
        record = _recorded_plan(src, keyset, without_record=without_record)
        if record is not None:
            recipient = _follow_record(src, record, rules, recipient, fpe_key_ids)
        schema = dict(src.schema())
        sample = _first_rows(src)
        ref_src: Source | None = None
        ref_values: dict[str, Callable[[], Iterator[pl.Series]]] | None = None
        if reference is not None:
            ref_src = reference if isinstance(reference, Source) else open_source(reference)
            wanted = [c for c in token_columns(rules, schema, sample) if not columns or c in columns]
            ref_values = _reference_values(ref_src, wanted, ref_columns or {})
        plan = plan_reversal(
            rules,
            schema,
            keyset=keyset,
            recipient=recipient,
            decrypt=decrypt,
            reference=ref_values,
            columns=columns,
            fpe_key_ids=fpe_key_ids,
            sample=sample,
            record=record,
        )
        tally = ReversalTally()
        recording = _Recording(
            store,
            plan,
            tally,
            {
                "input": _shown(src.location, workspace.root),
                "input_sha256": _file_hash(src),
                "output": _shown(str(out_path), workspace.root),
                "reference": _shown(ref_src.location, workspace.root) if ref_src is not None else None,
                "reference_sha256": _file_hash(ref_src) if ref_src is not None else None,
                "reason": why,
            },
            str(output),
            workspace.ledger(store, keyset),
        )
        recording.start()  # on record before any value is resolved or decrypted for the output
        try:
            _run(src, plan, tally, recording, commit, batch_rows)
        except BaseException:
            recording.abort()
            raise
    finally:
        store.close()
    assert recording.record is not None
    return RevealResult(recording.record, plan)


def _run(
    src: Source,
    plan: ReversePlan,
    tally: ReversalTally,
    recording: _Recording,
    commit: Commit,
    batch_rows: int,
) -> None:
    """Resolves the tokens (when asked), then runs the reversal into the commit."""
    resolved = [c.column for c in plan.reversing if c.action == "tokenize"]
    if resolved:  # one pass over the table's tokens, then one over the reference, before writing
        try:
            plan.prepare(src.batches(batch_rows, resolved))
        except pl.exceptions.PolarsError as exc:
            raise UsageError(
                f"reveal {src.name}: reading the tokens or the reference failed ({type(exc).__name__})"
            ) from None
    commit.publication = recording
    Runner(
        src,
        [_RevealStep(plan, tally)],
        commit,
        batch_rows=batch_rows,
        verb="reveal",
        failure="reading or writing failed",
    ).run()
