"""``protect``: de-identify a table by a policy, a configuration of the runner (:mod:`.runner`).

:func:`protect` opens the input, decides each column's entity (from the policy's column rules, or by
scanning a sample when entity rules or ``unlisted: keep`` need it), builds and checks the
:class:`~ringfence.transform.plan.Plan` before reading any data, then runs it: one step (the plan's
expressions over each batch), a row-count tap, no gate, and a commit that publishes the output atomically;
a policy with a ``risk:`` section adds its generalising and suppressing steps, its meter tap and its gate
(:func:`ringfence.risk.gate.stage_for`), so an output that misses the target is never published.
Every kernel is elementwise, so the output does not depend on the batch size (apart from ``encrypt``,
which is randomized by design). A failure at any point leaves no output.

A Parquet output carries its plan record in the footer (:class:`~ringfence.transform.record.PlanRecord`:
policy name and hash, recipient, each column's action, parameters and key id; never key bytes or data),
sealed under the workspace's key: the recipient learns nothing from it, and the key holder's
``ringfence reveal`` rebuilds its reversal from it, FPE keys included, whose values cannot carry a key id.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ringfence.errors import UsageError
from ringfence.io import BATCH_ROWS
from ringfence.io.location import Location
from ringfence.io.read import Source, open_source
from ringfence.keys import Keyset
from ringfence.pipeline.commit import Commit, Gate
from ringfence.pipeline.runner import RowCount, Runner, Step, Tap
from ringfence.policy import Policy, load_policy
from ringfence.risk.gate import stage_for
from ringfence.transform.base import TransformContext
from ringfence.transform.plan import Plan, build_plan

__all__ = ["PlanStep", "ProtectSummary", "column_entities", "entities_of", "plan_for", "protect"]


@dataclass(frozen=True)
class ProtectSummary:
    """What a protect run did (ids, counts and names only: no data, no key bytes)."""

    input: str
    output: str
    rows_in: int
    rows_out: int
    plan: Plan

    def to_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "columns": self.plan.actions(),
            "columns_changed": self.plan.changed(),
            "policy_hash": self.plan.policy_hash,
            "key_ids": self.plan.key_ids(),
        }


def _needs_scan(policy: Policy, columns: list[str]) -> bool:
    """Whether resolving the policy needs the entities of columns no column rule names."""
    unnamed = [c for c in columns if c not in policy.columns]
    return bool(unnamed) and (bool(policy.entities) or policy.unlisted == "keep")


def column_entities(policy: Policy, source: Source, *, sample_rows: int = 10_000) -> dict[str, str | None]:
    """The entity of each column: the one its column rule names, else (when the policy needs it) the
    one a scan of a sample of the source finds."""

    def scanned() -> dict[str, str | None]:
        from ringfence.detect.scan import scan_source  # imported here: detection is only needed here

        return {f.name: f.entity for f in scan_source(source, sample_rows=sample_rows).columns}

    return entities_of(policy, list(source.schema().names()), scanned)


def entities_of(
    policy: Policy, columns: list[str], scanned: Callable[[], dict[str, str | None]]
) -> dict[str, str | None]:
    """The entity of each of ``columns``: its column rule's, else (only when the policy needs it) the one
    ``scanned()`` finds in a sample (any engine's)."""
    found: dict[str, str | None] = scanned() if _needs_scan(policy, columns) else {}
    for name, rule in policy.columns.items():
        if rule.entity is not None:
            found[name] = rule.entity
    return found


def plan_for(
    source: Source,
    policy: Policy,
    *,
    keyset: Keyset | None,
    recipient: str | None = None,
    as_of: dt.date | None = None,
    entities: dict[str, str | None] | None = None,
) -> Plan:
    """The checked plan of ``policy`` for ``source`` (scanning it for entities when needed)."""
    found = column_entities(policy, source) if entities is None else entities
    ctx = TransformContext(keyset=keyset, recipient=recipient, as_of=as_of)
    return build_plan(policy, dict(source.schema()), found, ctx)


# The prefix of a column a plan step carries through for a later step (never written: that step drops it).
CARRIED = "__ringfence_carried__"


class PlanStep:
    """The runner step of a plan: every output expression over each batch (``batch.select``). ``carry``
    names input columns to carry through unchanged under a hidden name (:data:`CARRIED` + name), for a
    later step that must see them as they were (the release's subject ids); that step drops them."""

    name = "plan"

    def __init__(self, plan: Plan, carry: tuple[str, ...] = ()) -> None:
        self._exprs = [*plan.exprs(), *(pl.col(c).alias(CARRIED + c) for c in carry)]

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        return batch.select(self._exprs)


def protect(
    source: str | os.PathLike[str] | Source,
    policy: str | os.PathLike[str] | Policy,
    output: str | os.PathLike[str],
    *,
    keyset: Keyset | None,
    recipient: str | None = None,
    batch_rows: int = BATCH_ROWS,
    as_of: dt.date | None = None,
    overwrite: bool = True,
    entities: dict[str, str | None] | None = None,
    on_rows: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ProtectSummary:
    """De-identify ``source`` by ``policy`` into ``output`` (see the module docstring).

    ``on_rows`` is called with the number of rows of each batch once it is transformed (from a worker
    thread), for a progress display. ``encoding`` is a CSV/TSV output's text encoding (default: the
    input's, so a GB18030 export comes back GB18030; UTF-8 for inputs that are not text).

    Raises a :class:`~ringfence.errors.RingfenceError` with a one-line message (no data values, no key
    bytes) on a bad policy, input or output; nothing is left at ``output`` then.
    """
    src = source if isinstance(source, Source) else open_source(source)
    where = Location.parse(output)
    if where.path is not None and not src.is_table:
        out_path = where.path.resolve()
        if src.location and Path(src.location).resolve() == out_path:
            raise UsageError(f"the output {output} is the input; write the protected copy elsewhere")
    rules = policy if isinstance(policy, Policy) else load_policy(policy)
    plan = plan_for(src, rules, keyset=keyset, recipient=recipient, as_of=as_of, entities=entities)
    # The plan, sealed for the key holder: the recipient sees an opaque blob.
    footer = plan.record().bound_sealer(keyset) if keyset is not None else None
    written = RowCount()
    steps: list[Step] = [PlanStep(plan)]
    taps: list[Tap] = [written]
    gates: list[Gate] = []
    stage = stage_for(rules, src.lazy().select(plan.exprs())) if rules.risk is not None else None
    if stage is not None:  # the risk section: its steps, meter and gate (ringfence.risk.gate)
        steps += stage.steps
        taps += stage.taps
        gates += stage.gates
    runner = Runner(
        src,
        steps,
        Commit(
            output,
            overwrite=overwrite,
            label="protect",
            metadata=footer,
            encoding=encoding or src.text_encoding,
            gates=gates,
        ),
        taps=taps,
        batch_rows=batch_rows,
        verb="protect",
        on_rows=on_rows,
    )
    result = runner.run()
    return ProtectSummary(src.name, str(result.written.path), result.rows_in, written.rows, plan)
