"""The least-loss generalisation that reaches a risk target: a lattice search with predictive tagging in
the manner of ARX's Flash (Kohlmayer et al. 2012), plus suppression of the remaining outliers.

A *node* gives each quasi-identifier a level of its :class:`~ringfence.risk.hierarchy.Hierarchy`; the
lattice orders nodes by "every level at least as high". With suppression of records in classes below
k, k-anonymity within a budget is monotone along the lattice (coarser levels merge classes, so fewer
records fall below k), and so are distinct l-diversity and t-closeness here, where the meter checks
them after suppression. The search therefore:

- walks paths upward from the lowest untagged node (one level more on one column per step, the column
  that keeps the loss lowest first) and binary-searches each path for its lowest node that meets the
  target, checking a node with one Polars group-by over the data;
- tags every generalisation of a node that meets the target as meeting it, and every specialisation of
  one that misses it as missing it, without checking them (the lattice is small, the data is large);
- chooses, among the nodes that meet the target and have no lower node that does, the one with the least
  *discernibility* (Bayardo & Agrawal 2005: ``Σ |E|²`` over the classes kept, plus ``n`` for each
  suppressed record), ties broken by the sum of the per-column losses (a column's level over its height).

Nothing here loops over rows or classes; the loops are over lattice nodes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ringfence.errors import CheckFailed
from ringfence.policy.model import Risk
from ringfence.risk.hierarchy import Hierarchy, auto_hierarchy, from_policy
from ringfence.risk.measures import measure, people

__all__ = ["Generalize", "SearchResult", "hierarchies_for", "search_generalization"]

Node = tuple[int, ...]
_SIZE = "__size"


class Generalize:
    """A step: each quasi-identifier at its chosen level (per-row expressions)."""

    name = "risk-generalize"

    def __init__(self, hierarchies: list[Hierarchy], node: Node) -> None:
        self.exprs = [h.expr(level) for h, level in zip(hierarchies, node, strict=True) if level > 0]

    def lazy(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.with_columns(self.exprs) if self.exprs else frame

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        return batch.with_columns(self.exprs) if self.exprs else batch


@dataclass(frozen=True)
class Check:
    """What checking one node found."""

    meets: bool
    suppressed: int
    discernibility: float


@dataclass
class SearchResult:
    """The generalisation chosen and what it costs."""

    hierarchies: list[Hierarchy]
    node: Node
    check: Check
    records: int
    nodes: int  # the lattice's size
    checked: int  # nodes checked against the data (the rest were tagged)
    frontier: list[Node] = field(default_factory=list)

    def step(self) -> Generalize:
        return Generalize(self.hierarchies, self.node)

    def column_loss(self) -> dict[str, float]:
        return {h.column: level / h.height for h, level in zip(self.hierarchies, self.node, strict=True)}

    def levels_json(self) -> list[dict[str, Any]]:
        return [
            {
                "column": h.column,
                "level": level,
                "height": h.height,
                "as": h.describe(level),
                "loss": round(level / h.height, 4),
            }
            for h, level in zip(self.hierarchies, self.node, strict=True)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": self.levels_json(),
            "records": self.records,
            "suppressed": self.check.suppressed,
            "discernibility": self.check.discernibility,
            "lattice_nodes": self.nodes,
            "nodes_checked": self.checked,
        }


def hierarchies_for(frame: pl.DataFrame, risk: Risk) -> list[Hierarchy]:
    """Each quasi-identifier's hierarchy: the policy's, else the automatic one."""
    out = []
    for column in risk.quasi_identifiers:
        rule = risk.hierarchies.get(column)
        dtype = frame.schema[column]
        out.append(from_policy(column, rule, dtype) if rule else auto_hierarchy(column, frame[column]))
    return out


class _Lattice:
    def __init__(self, data: pl.DataFrame, risk: Risk, hierarchies: list[Hierarchy]) -> None:
        self.data, self.risk, self.h = data, risk, hierarchies
        self.qi = risk.quasi_identifiers
        self.records = data.select(pl.col(risk.subject).n_unique()).item() if risk.subject else data.height
        self.budget = risk.suppression * self.records
        self.tags: dict[Node, bool] = {}
        self.checks: dict[Node, Check] = {}

    def check(self, node: Node) -> Check:
        risk, qi = self.risk, self.qi
        frame = Generalize(self.h, node).lazy(self.data.lazy())
        units = people(frame, qi, risk.subject) if risk.subject else frame
        sizes = units.group_by(qi).agg(pl.len().alias(_SIZE))
        stats = sizes.select(
            pl.col(_SIZE).filter(pl.col(_SIZE) < risk.k).sum().alias("small"),
            (pl.col(_SIZE).filter(pl.col(_SIZE) >= risk.k) ** 2).sum().alias("dm"),
        ).collect()
        small, dm = int(stats["small"][0] or 0), float(stats["dm"][0] or 0)
        meets = small <= self.budget
        if meets and (risk.l is not None or risk.t is not None):
            from ringfence.risk.gate import Suppress, outliers, target_reasons

            kept = Suppress(outliers(frame, risk))(frame.collect())
            found = measure(kept, qi, sensitive=risk.sensitive, subject=risk.subject)
            meets = not target_reasons(risk, found)
        result = Check(meets, small, dm + small * self.records)
        self.checks[node] = result
        return result

    def tag(self, node: Node, meets: bool) -> None:
        """Tags ``node``, and predictively its generalisations (meets) or specialisations (misses)."""
        for other in self.nodes:
            if other in self.tags:
                continue
            if (meets and all(o >= n for o, n in zip(other, node, strict=True))) or (
                not meets and all(o <= n for o, n in zip(other, node, strict=True))
            ):
                self.tags[other] = meets

    def meets(self, node: Node) -> bool:
        if node not in self.tags:
            self.tag(node, self.check(node).meets)
        return self.tags[node]

    def path(self, start: Node) -> list[Node]:
        """Upward from ``start``: one level more on the column whose step loses least, while untagged."""
        path, node = [start], start
        while True:
            ups = [
                (*node[:i], node[i] + 1, *node[i + 1 :])
                for i in range(len(node))
                if node[i] < self.h[i].height
            ]
            ups = [u for u in ups if u not in self.tags] or ups
            if not ups:
                return path
            node = min(ups, key=lambda u: sum(lv / h.height for lv, h in zip(u, self.h, strict=True)))
            path.append(node)

    def run(self) -> None:
        self.nodes = sorted(
            itertools.product(*(range(h.height + 1) for h in self.h)), key=lambda n: (sum(n), n)
        )
        for start in self.nodes:
            if start in self.tags:
                continue
            path = self.path(start)
            lo, hi = 0, len(path) - 1  # binary search for the lowest node of the path that meets
            while lo <= hi:
                mid = (lo + hi) // 2
                if self.meets(path[mid]):
                    hi = mid - 1
                else:
                    lo = mid + 1


def search_generalization(frame: pl.LazyFrame | pl.DataFrame, risk: Risk) -> SearchResult:
    """The least-loss node that meets ``risk``'s target over ``frame`` (see the module docstring).

    Raises :class:`~ringfence.errors.CheckFailed` when not even withholding every quasi-identifier meets
    it within the suppression budget (l or t beyond what the sensitive columns allow).
    """
    columns = list(
        dict.fromkeys([*risk.quasi_identifiers, *risk.sensitive, *([risk.subject] if risk.subject else [])])
    )
    data = frame.lazy().select(columns).collect()
    hierarchies = hierarchies_for(data, risk)
    lattice = _Lattice(data, risk, hierarchies)
    lattice.run()
    meeting = [n for n, c in lattice.checks.items() if c.meets]
    frontier = [
        n
        for n in meeting
        if not any(m != n and all(a <= b for a, b in zip(m, n, strict=True)) for m in meeting)
    ]
    if not frontier:
        raise CheckFailed(
            f"no generalisation of {', '.join(risk.quasi_identifiers)} reaches the risk target within the "
            f"suppression budget of {risk.suppression:.2%}"
        )
    best = min(
        frontier,
        key=lambda n: (
            lattice.checks[n].discernibility,
            sum(lv / h.height for lv, h in zip(n, hierarchies, strict=True)),
        ),
    )
    return SearchResult(
        hierarchies,
        best,
        lattice.checks[best],
        lattice.records,
        len(lattice.nodes),
        len(lattice.checks),
        frontier,
    )
