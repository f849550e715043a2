"""The risk stage of a governed run: a :class:`RiskMeter` tap, a :class:`RiskGate` gate, and the steps
that generalise and suppress, configured from a policy's ``risk:`` section by :func:`risk_stage`.

- :class:`RiskMeter` observes every output chunk exactly as it is written (the runner's taps see the
  chunks after every step) and keeps only the columns the measures need; at the end it measures them.
  It never changes data.
- :class:`RiskGate` asks the meter, after the last chunk and before anything is published, and refuses
  with reasons (counts and targets, never values) when k, l or t misses the target or more records were
  suppressed than the budget allows; the commit then leaves nothing
  (:class:`ringfence.pipeline.commit.Refused`, exit code 1).
- With ``on_violation: suppress`` a :class:`Suppress` step withholds the records (rows, or every row of
  a person with ``subject``) of the classes below k in a preview of the output; with ``generalize`` the
  :mod:`ringfence.risk.search` result's :class:`Generalize` step recodes the quasi-identifiers first.
  Both steps are elementwise over rows (an anti-join against a fixed key table, per-row expressions),
  so their output does not depend on the batch size. ``deny`` adds no step: the gate refuses.

The gate and the meter are structural :class:`ringfence.pipeline.runner.Tap` and
:class:`ringfence.pipeline.commit.Gate` (this package sits below the pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ringfence.policy.model import Policy, Risk
from ringfence.risk.measures import RiskResult, class_sizes, measure, people

__all__ = [
    "RiskGate",
    "RiskMeter",
    "RiskStage",
    "Suppress",
    "outliers",
    "risk_stage",
    "stage_for",
    "target_reasons",
]

_SIZE = "__size"


def _needed(risk: Risk) -> list[str]:
    return list(
        dict.fromkeys([*risk.quasi_identifiers, *risk.sensitive, *([risk.subject] if risk.subject else [])])
    )


@dataclass
class RiskMeter:
    """A tap: the needed columns of every chunk written; :meth:`result` measures them once."""

    risk: Risk
    _chunks: list[pl.DataFrame] = field(default_factory=list, repr=False)
    _result: RiskResult | None = field(default=None, repr=False)

    def observe(self, chunk: pl.DataFrame) -> None:
        self._chunks.append(chunk.select(_needed(self.risk)))
        self._result = None

    def result(self) -> RiskResult:
        if self._result is None:
            frame = pl.concat(self._chunks, how="vertical") if self._chunks else pl.DataFrame()
            if not self._chunks:
                frame = pl.DataFrame({c: [] for c in _needed(self.risk)})
            self._result = measure(
                frame, self.risk.quasi_identifiers, sensitive=self.risk.sensitive, subject=self.risk.subject
            )
        return self._result


def target_reasons(risk: Risk, result: RiskResult) -> list[str]:
    """Why ``result`` misses the target of ``risk`` (empty when it meets it). An empty output meets it."""
    if result.records == 0:
        return []
    reasons = []
    unit = "people" if risk.subject else "records"
    if result.k_anonymity < risk.k:
        reasons.append(
            f"k-anonymity {result.k_anonymity} is below {risk.k} "
            f"({result.unique_rows} {unit} unique on {', '.join(risk.quasi_identifiers)})"
        )
    for column, found in result.sensitive.items():
        if risk.l is not None and found.l_distinct < risk.l:
            reasons.append(f"l-diversity of {column} is {found.l_distinct}, below {risk.l}")
        if risk.t is not None and found.t_closeness > risk.t:
            reasons.append(f"t-closeness of {column} is {found.t_closeness:.3f}, above {risk.t}")
    return reasons


class Suppress:
    """A step: withholds the records whose key (the quasi-identifiers, or the subject) is in ``keys``."""

    name = "risk-suppress"

    def __init__(self, keys: pl.DataFrame) -> None:
        self.keys = keys
        self.rows = 0  # rows withheld so far

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        if self.keys.height == 0:
            return batch
        kept = batch.join(
            self.keys, on=self.keys.columns, how="anti", nulls_equal=True, maintain_order="left"
        )
        self.rows += batch.height - kept.height
        return kept


def outliers(preview: pl.LazyFrame, risk: Risk) -> pl.DataFrame:
    """The keys of the records in classes smaller than k: quasi-identifier tuples, or subjects."""
    qi = risk.quasi_identifiers
    if risk.subject is None:
        return class_sizes(preview, qi).filter(pl.col(_SIZE) < risk.k).select(qi).collect()
    person = people(preview, qi, risk.subject)
    small = class_sizes(person, qi).filter(pl.col(_SIZE) < risk.k).select(qi)
    return person.join(small, on=qi, how="semi", nulls_equal=True).select(risk.subject).collect()


@dataclass
class RiskGate:
    """A gate: refuses when the meter's measures miss the target or suppression exceeded the budget."""

    risk: Risk
    meter: RiskMeter
    suppressed: int = 0  # records withheld, set by the stage before the gate is asked
    records_in: int = 0
    name: str = "risk gate"

    def check(self) -> list[str]:
        reasons = target_reasons(self.risk, self.meter.result())
        budget = self.risk.suppression * self.records_in
        if self.suppressed > budget:
            share = self.suppressed / self.records_in if self.records_in else 0.0
            reasons.append(
                f"{self.suppressed} records ({share:.2%}) would be suppressed, over the budget of "
                f"{self.risk.suppression:.2%}"
            )
        return reasons


@dataclass
class RiskStage:
    """What a run adds for its risk section: steps before writing, the meter tap, the gate."""

    steps: list[Any]
    meter: RiskMeter
    gate: RiskGate
    search: Any = None  # the generalisation chosen (a ringfence.risk.search.SearchResult), if any

    @property
    def taps(self) -> list[RiskMeter]:
        return [self.meter]

    @property
    def gates(self) -> list[RiskGate]:
        return [self.gate]

    def summary(self) -> dict[str, Any]:
        """What a release records: the achieved measures and what was withheld (counts only)."""
        result = self.meter.result()
        doc: dict[str, Any] = {
            "k_anonymity": result.k_anonymity,
            "l_diversity": {c: s.l_distinct for c, s in result.sensitive.items()},
            "t_closeness": {c: round(s.t_closeness, 6) for c, s in result.sensitive.items()},
            "rows_suppressed": self.gate.suppressed,
        }
        if self.search is not None:
            doc["generalization"] = self.search.levels_json()
        return doc


def risk_stage(risk: Risk, preview: pl.LazyFrame) -> RiskStage:
    """The risk stage of a run whose output ``preview`` is (the source through the run's other steps,
    lazily): decides suppression and generalisation up front from it, so the steps are fixed before the
    first batch (see the module docstring)."""
    meter = RiskMeter(risk)
    needed = preview.select(_needed(risk))
    records = int(
        needed.select(pl.col(risk.subject).n_unique() if risk.subject else pl.len()).collect().item()
    )
    gate = RiskGate(risk, meter, records_in=records)
    steps: list[Any] = []
    search = None
    if risk.on_violation == "generalize":
        from ringfence.risk.search import search_generalization

        search = search_generalization(needed, risk)
        step = search.step()
        steps.append(step)
        needed = step.lazy(needed)
    if risk.on_violation in ("generalize", "suppress"):
        keys = outliers(needed, risk)
        gate.suppressed = keys.height if risk.subject else _rows_of(needed, keys)
        steps.append(Suppress(keys))
    return RiskStage(steps, meter, gate, search)


def _rows_of(frame: pl.LazyFrame, keys: pl.DataFrame) -> int:
    if keys.height == 0:
        return 0
    hit = frame.join(keys.lazy(), on=keys.columns, how="semi", nulls_equal=True)
    return int(hit.select(pl.len()).collect().item())


def stage_for(policy: Policy, preview: pl.LazyFrame) -> RiskStage | None:
    """The risk stage a run of ``policy`` adds (None without a ``risk:`` section): what a release calls
    with the lazy output of its other steps, before its runner starts; the stage's ``steps`` go after
    them, its ``taps`` and ``gates`` to the runner and the commit, and :meth:`RiskStage.summary` into the
    release record once the run has passed the gate."""
    return risk_stage(policy.risk, preview) if policy.risk is not None else None
