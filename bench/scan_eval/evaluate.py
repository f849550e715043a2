"""Column-level scoring of scan findings against ``labels.json``.

A column is one decision. It is a true positive when the expected entity is found exactly (for
``FREE_TEXT_PII`` the reported ``contains`` must also include every expected entity). A wrong entity is
both a false negative (for the expected one) and a false positive (for the one reported). A decoy (expected
``None``) that gets any entity is a false positive and is listed by name; so is every other mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FREE_TEXT = "FREE_TEXT_PII"


@dataclass(frozen=True)
class Prediction:
    """What a detector said about one column."""

    entity: str | None
    contains: tuple[str, ...] = ()


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


# Decides whether a prediction is right for a labelled column: (label, prediction) -> correct.
Judge = Callable[[Mapping[str, Any], Prediction], bool]


def strict(label: Mapping[str, Any], got: Prediction) -> bool:
    """Exactly the expected entity; free text must also contain every expected entity."""
    if got.entity != label["entity"]:
        return False
    return got.entity != FREE_TEXT or set(label["contains"]) <= set(got.contains)


@dataclass
class Score:
    overall: Tally = field(default_factory=Tally)
    per_entity: dict[str, Tally] = field(default_factory=dict)
    decoys_flagged: list[dict[str, Any]] = field(default_factory=list)
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, str]] = field(default_factory=list)
    columns: int = 0
    personal: int = 0
    decoys: int = 0

    def _entity(self, name: str) -> Tally:
        return self.per_entity.setdefault(name, Tally())

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "personal_columns": self.personal,
            "decoy_columns": self.decoys,
            **self.overall.to_json(),
            "per_entity": {k: self.per_entity[k].to_json() for k in sorted(self.per_entity)},
            "decoys_flagged": self.decoys_flagged,
            "misclassified": self.mistakes,
            "missing_columns": self.missing,
        }


def score(
    labels: Mapping[str, Any],
    predictions: Mapping[str, Mapping[str, Prediction]],
    judge: Judge = strict,
    tables: Sequence[str] | None = None,
) -> Score:
    """Scores ``predictions`` (table file → column → prediction) against the labels document.

    A labelled column the detector did not report counts as "no entity" and is also listed in
    ``missing``; ``tables`` limits the scoring to those files.
    """
    result = Score()
    for table in labels["tables"]:
        if tables is not None and table["file"] not in tables:
            continue
        found = predictions.get(table["file"], {})
        for label in table["columns"]:
            result.columns += 1
            expected = label["entity"]
            if expected is None:
                result.decoys += 1
            else:
                result.personal += 1
            got = found.get(label["name"])
            if got is None:
                result.missing.append({"table": table["file"], "column": label["name"]})
                got = Prediction(None)
            if expected is None and got.entity is None:
                continue
            if expected is not None and judge(label, got):
                result.overall.tp += 1
                result._entity(expected).tp += 1
                continue
            record = {
                "table": table["file"],
                "column": label["name"],
                "kind": label["kind"],
                "expected": expected,
                "got": got.entity,
            }
            if FREE_TEXT in (expected, got.entity):
                record["contains_expected"] = list(label["contains"])
                record["contains_got"] = list(got.contains)
            if expected is not None:
                result.overall.fn += 1
                result._entity(expected).fn += 1
            if got.entity is not None:
                result.overall.fp += 1
                result._entity(got.entity).fp += 1
            if expected is None:
                result.decoys_flagged.append(record)
            result.mistakes.append(record)
    return result
