"""``reveal``: the key holder's explicit, recorded reversal of a protected table.

:func:`reveal` checks everything it can before reading data (a reason is given, a reversal flag is given,
the output is a new file, the state store opens, the plan of :func:`ringfence.transform.reverse.plan_reversal`
reverses something), then streams the input through the reversal into a staging folder beside the output
that only its owner can open, records the reversal in the state store (:mod:`ringfence.state.reversals`),
and only then moves the revealed copy to the output in one step:

- if reading, reversing or writing fails, there is no output and no record;
- if recording fails, the output never appears; if moving it fails, the record is withdrawn;
- a run killed at any point leaves no output, or a record whose output never appeared, never a revealed
  file without its record (a killed run's staging folder is removed by the next reveal to that output);
- the revealed file holds personal data in clear, so it is readable by its owner only (0600), from the
  first byte written (the staging folder is 0700).

A Parquet file written by ``protect`` carries its plan in its footer, sealed under the workspace's key
(:data:`ringfence.transform.engine.PLAN_METADATA_KEY`); a footer that does not open (altered, or from
another workspace) or is malformed stops the reveal. Reveal then refuses a policy other than the one
that protected it and a ``--recipient`` other than the one it was protected for, takes that recipient when
none is given, and decrypts each FPE column under the key id recorded for it (an FPE value cannot carry
its key id). Text outputs carry no plan; their FPE keys are checked as
:func:`ringfence.transform.reverse.plan_reversal` says.

The record holds names, SHA-256 hashes of the files read, the policy hash, the recipient, the key ids used
and the counts per column, never a data value or key material. When the tamper-evident ledger (the govern
issue) lands, reversals are recorded there instead of in the ``reversals`` table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import glob
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.errors import (
    InputError,
    InvalidFormat,
    KeyAccessError,
    OutputError,
    RingfenceError,
    UsageError,
    WorkspaceError,
)
from ringfence.io.read import Source, open_source
from ringfence.io.write import write_table
from ringfence.keys import Keyset
from ringfence.policy import Policy, load_policy, policy_hash
from ringfence.state.reversals import (
    ColumnReversal,
    ReversalRecord,
    check_reason,
    record_reversal,
    withdraw_reversal,
)
from ringfence.state.store import StateStore
from ringfence.transform.encrypt import open_record
from ringfence.transform.engine import DEFAULT_BATCH_ROWS, PLAN_METADATA_KEY, rechunk
from ringfence.transform.reverse import (
    SAMPLE_ROWS,
    ReversalTally,
    ReversePlan,
    check_flags,
    plan_reversal,
    reveal_batches,
    token_columns,
)
from ringfence.workspace import Workspace

__all__ = ["RevealResult", "reveal"]

_HASH_CHUNK = 1 << 20
_STAGING = ".reveal-"
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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _shown(location: str, root: Path) -> str:
    """A file's path relative to the workspace when inside it, else absolute; a URI as it is."""
    if "://" in location:
        return location
    path = Path(location).resolve()
    try:
        return str(path.relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _file_hash(source: Source) -> str | None:
    if "://" in source.location:
        return None
    path = Path(source.location)
    return _sha256(path) if path.is_file() else None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def _staging_dir(out_path: Path) -> Path:
    """A folder beside ``out_path``, readable by its owner only (0700), where the revealed copy is written
    before it is recorded; stale ones a killed run left for the same output are removed first."""
    parent = out_path.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write {out_path}: folder {parent} does not exist")
    if out_path.is_dir():
        raise OutputError(f"cannot write {out_path}: it is a folder")
    prefix = f".{out_path.name}{_STAGING}"
    for stale in parent.glob(glob.escape(prefix) + "*"):
        pid = stale.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)
    try:
        return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write {out_path} ({type(exc).__name__})") from None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _place(staged: Path, out_path: Path, *, overwrite: bool) -> None:
    """Moves the staged copy to ``out_path`` in one step; without ``overwrite`` an existing file is never
    replaced (a hard link fails if the name exists)."""
    if overwrite:
        os.replace(staged, out_path)
    else:
        try:
            os.link(staged, out_path)
        except FileExistsError:
            raise OutputError(f"{out_path} exists; pass --force to replace it") from None
        except OSError:  # a file system without hard links: check, then rename
            if out_path.exists():
                raise OutputError(f"{out_path} exists; pass --force to replace it") from None
            os.replace(staged, out_path)
    with contextlib.suppress(OSError):
        fd = os.open(out_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _withdraw(store: StateStore, reversal_id: str) -> bool:
    """Removes the record of a reversal whose output could not be placed; ``False`` if that failed too."""
    try:
        withdraw_reversal(store, reversal_id)
    except Exception:
        return False
    return True


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
            for batch in reference.batches(DEFAULT_BATCH_ROWS, [ref]):
                yield batch[ref]

        return batches

    return {col: reader(ref) for col, ref in names.items() if ref in available}


_KEY_ID = re.compile(r"[0-9a-f]{8}")


def _recorded_plan(src: Source, keyset: Keyset) -> dict[str, Any] | None:
    """The plan ``protect`` sealed into a Parquet footer, opened and checked, or None when there is none.

    The footer comes back from outside (a partner's copy): it is trusted only because it opens under this
    workspace's key, and its fields are checked for type before use."""
    sealed = src.footer_metadata().get(PLAN_METADATA_KEY)
    if sealed is None:
        return None
    try:
        doc = json.loads(open_record(keyset, sealed, PLAN_METADATA_KEY))
    except (InvalidFormat, KeyAccessError, ValueError):
        raise InputError(
            f"{src.name}: the protect plan in its Parquet footer does not open under this workspace's keys "
            "(altered, or protected by another workspace)"
        ) from None
    columns = doc.get("columns") if isinstance(doc, dict) else None
    well_formed = (
        isinstance(columns, list)
        and isinstance(doc.get("policy"), str)
        and isinstance(doc.get("policy_hash"), str)
        and (doc.get("recipient") is None or isinstance(doc.get("recipient"), str))
        and all(
            isinstance(c, dict)
            and isinstance(c.get("column"), str)
            and isinstance(c.get("action"), str)
            and (c.get("key_id") is None or (isinstance(c["key_id"], str) and _KEY_ID.fullmatch(c["key_id"])))
            for c in columns
        )
    )
    if not well_formed:
        raise InputError(f"{src.name}: the protect plan in its Parquet footer is malformed")
    return dict(doc)


def _follow_record(
    src: Source,
    doc: dict[str, Any],
    policy: Policy,
    recipient: str | None,
    fpe_key_ids: Mapping[str, str] | None,
) -> tuple[str | None, dict[str, str]]:
    """(recipient, recorded fpe key ids by column) as the recorded plan says; a policy or recipient that
    contradicts it is a usage error."""
    made_with = str(doc["policy_hash"])
    if made_with != policy_hash(policy):
        raise UsageError(
            f"{src.name} was protected with policy {doc['policy']!r} ({made_with[:19]!r}), not with "
            f"{policy.name!r} ({policy_hash(policy)[:19]!r}); pass the policy it was protected with"
        )
    made_for = doc.get("recipient")
    if recipient is not None and made_for is not None and recipient != made_for:
        raise UsageError(f"{src.name} was protected for recipient {made_for!r}, not {recipient!r}")
    recorded = {
        str(c["column"]): str(c["key_id"])
        for c in doc["columns"]
        if isinstance(c, dict) and c.get("action") == "fpe" and c.get("key_id")
    }
    given = dict(fpe_key_ids or {})
    for column, kid in given.items():
        if column in recorded and recorded[column] != kid:
            raise UsageError(
                f"--fpe-key-id {column}={kid}: {src.name} records that {column!r} was protected under "
                f"{recorded[column]}"
            )
    return (recipient if recipient is not None else made_for), recorded


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
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> RevealResult:
    """Reverses ``source`` (protected by ``policy``) into the file ``output`` and records it (see the
    module docstring and :func:`ringfence.transform.reverse.plan_reversal` for the options).

    Raises a :class:`~ringfence.errors.RingfenceError` with a one-line message naming files and columns,
    never values or keys; nothing is left at ``output`` and nothing is recorded then.
    """
    why = check_reason(reason)
    check_flags(decrypt, reference is not None)
    if isinstance(output, str) and "://" in output:
        raise UsageError("reveal writes a file (Parquet, CSV, TSV or JSON lines), not a database table")
    out_path = Path(output)
    if out_path.exists() and not overwrite:
        raise OutputError(f"{output} exists; pass --force to replace it")
    src = source if isinstance(source, Source) else open_source(source)
    if "://" not in src.location and Path(src.location).resolve() == out_path.resolve():
        raise UsageError(f"the output {output} is the input; write the revealed copy elsewhere")
    rules = policy if isinstance(policy, Policy) else load_policy(policy)
    keyset = workspace.keyset()
    store = workspace.state()  # opened (and migrated) before any work: a broken store fails first
    try:
        recorded_keys: dict[str, str] = {}
        recorded = _recorded_plan(src, keyset)
        if recorded is not None:
            recipient, recorded_keys = _follow_record(src, recorded, rules, recipient, fpe_key_ids)
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
            recorded_fpe_key_ids=recorded_keys,
        )
        input_hash = _file_hash(src)
        reference_hash = _file_hash(ref_src) if ref_src is not None else None
        tally = ReversalTally()
        resolved = [c.column for c in plan.reversing if c.action == "tokenize"]
        if resolved:  # one pass over the table's tokens, then one over the reference, before writing
            try:
                plan.prepare(src.batches(batch_rows, resolved))
            except pl.exceptions.PolarsError as exc:
                raise UsageError(
                    f"reveal {src.name}: reading the tokens or the reference failed ({type(exc).__name__})"
                ) from None
        staging = _staging_dir(out_path)
        try:
            staged = staging / out_path.name
            try:
                write_table(
                    rechunk(reveal_batches(plan, src.batches(batch_rows), tally)), staged, overwrite=True
                )
            except RingfenceError as exc:
                raise type(exc)(_first_line(exc).replace(str(staging), str(out_path.parent))) from None
            except pl.exceptions.PolarsError as exc:
                raise UsageError(
                    f"reveal {src.name}: reading or writing failed ({type(exc).__name__})"
                ) from None
            staged.chmod(0o600)  # data in clear again: readable by its owner only
            record = ReversalRecord(
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                actor=_actor(),
                input=_shown(src.location, workspace.root),
                input_sha256=input_hash,
                output=_shown(str(out_path), workspace.root),
                reference=_shown(ref_src.location, workspace.root) if ref_src is not None else None,
                reference_sha256=reference_hash,
                policy_name=plan.policy_name,
                policy_hash=plan.policy_hash,
                recipient=recipient,
                columns={
                    c.column: ColumnReversal(
                        c.action or "",
                        tuple(sorted(tally.key_ids.get(c.column, set()))),
                        tally.resolved.get(c.column, 0),
                        tally.unresolved.get(c.column, 0),
                        tally.invalid.get(c.column, 0),
                    )
                    for c in plan.reversing
                },
                rows=tally.rows,
                reason=why,
            )
            # The record is written before the output appears: a run stopped at any point leaves either
            # nothing, or a record without its output (never the revealed data without its record).
            try:
                record_reversal(store, record)
            except Exception as exc:
                raise WorkspaceError(
                    f"the reversal could not be recorded in the state store ({type(exc).__name__}); "
                    f"nothing was written to {output}"
                ) from None
            try:
                _place(staged, out_path, overwrite=overwrite)
            except BaseException as exc:
                withdrawn = _withdraw(store, record.id)
                if not isinstance(exc, (OSError, RingfenceError)):
                    raise
                detail = _first_line(exc) if isinstance(exc, RingfenceError) else type(exc).__name__
                raise OutputError(
                    f"cannot write {output} ({detail}); "
                    + (
                        "the reversal record was withdrawn"
                        if withdrawn
                        else f"reversal {record.id} is recorded"
                    )
                ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        store.close()
    return RevealResult(record, plan)
