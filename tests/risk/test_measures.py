"""The measures against their definitions (a plain reference written from the literature, one class at a
time) and against pycanon on the same tables where pycanon is installed."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.risk import measure
from ringfence.risk.measures import people


def _table(seed: int, n: int = 400) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "age": rng.integers(20, 26, n),
            "sex": rng.choice(["F", "M"], n),
            "zip": pl.Series(rng.choice(["100", "101", "102", ""], n)).replace("", None),
            "amount": rng.integers(0, 9, n),
            "status": rng.choice(["ok", "fail", "refund"], n, p=[0.7, 0.2, 0.1]),
            "person": rng.integers(0, n // 3, n),
        }
    )


def _classes(frame: pl.DataFrame, qi: list[str]) -> list[pl.DataFrame]:
    return list(frame.partition_by(qi, maintain_order=True))


def _reference(frame: pl.DataFrame, qi: list[str], sa: str) -> dict[str, float]:
    """Each measure from its definition, class by class (the slow, obvious way)."""
    classes = _classes(frame, qi)
    sizes = [c.height for c in classes]
    whole = frame[sa].value_counts().sort(sa)
    values = whole[sa].to_list()
    q = (whole["count"] / frame.height).to_numpy()
    ls, hs, cs, ts = [], [], [], []
    for c in classes:
        counts = c[sa].value_counts()
        r = sorted(counts["count"].to_list(), reverse=True)
        ls.append(len(r))
        p = np.array(r) / sum(r)
        hs.append(-(p * np.log(p)).sum())
        by_value = dict(zip(counts[sa].to_list(), counts["count"].to_list(), strict=True))
        share = np.array([by_value.get(v, 0) for v in values]) / c.height
        if frame[sa].dtype.is_numeric():
            ts.append(np.abs(np.cumsum(share - q)).sum() / (len(values) - 1))
        else:
            ts.append(np.abs(share - q).sum() / 2)
        cs.append(r)
    l_min = min(ls)
    c_needed = max(math.floor(r[0] / sum(r[l_min - 1 :])) + 1 for r in cs) if l_min > 1 else None
    return {
        "k": min(sizes),
        "classes": len(sizes),
        "unique": sum(s == 1 for s in sizes),
        "avg": len(sizes) / frame.height,
        "l": l_min,
        "entropy": math.exp(min(hs)),
        "c": c_needed,
        "t": max(ts),
    }


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("qi", [["age"], ["age", "sex"], ["age", "sex", "zip"]])
@pytest.mark.parametrize("sa", ["amount", "status"])
def test_measures_match_their_definitions(seed: int, qi: list[str], sa: str) -> None:
    frame = _table(seed)
    ref = _reference(frame, qi, sa)
    got = measure(frame, qi, sensitive=[sa])
    s = got.sensitive[sa]
    assert got.k_anonymity == ref["k"]
    assert got.equivalence_classes == ref["classes"]
    assert got.unique_rows == ref["unique"]
    assert got.prosecutor_risk_max == pytest.approx(1 / ref["k"])
    assert got.prosecutor_risk_avg == pytest.approx(ref["avg"])
    assert s.l_distinct == ref["l"]
    assert s.l_entropy == pytest.approx(ref["entropy"])
    assert s.recursive_c == ref["c"]
    assert s.t_closeness == pytest.approx(ref["t"])
    assert s.distance == ("ordered" if sa == "amount" else "equal")


def test_sizes_histogram_and_json_carry_no_values() -> None:
    frame = _table(1)
    doc = measure(frame, ["age", "sex"], sensitive=["status"]).to_json()
    assert sum(h["size"] * h["classes"] for h in doc["class_sizes"]) == frame.height
    text = str(doc)
    assert "refund" not in text and "fail'" not in text
    assert set(doc) >= {
        "rows", "quasi_identifiers", "k_anonymity", "equivalence_classes", "unique_rows",
        "prosecutor_risk_max", "prosecutor_risk_avg", "l_diversity", "t_closeness",
    }  # fmt: skip


def test_subject_measures_people_by_the_sets_of_their_values() -> None:
    frame = pl.DataFrame(
        {
            "person": [1, 1, 2, 2, 3, 4],
            "city": ["a", "b", "b", "a", "a", "a"],
            "s": ["x", "y", "x", "x", "y", "z"],
        }
    )
    got = measure(frame, ["city"], subject="person", sensitive=["s"])
    # people 1 and 2 both hold {a, b}; 3 and 4 hold {a}: two classes of two people
    assert (got.records, got.k_anonymity, got.equivalence_classes) == (4, 2, 2)
    assert got.rows == 6
    # class {a,b} has the rows of people 1 and 2: x, y, x, x -> 2 distinct values; class {a}: y, z
    assert got.sensitive["s"].l_distinct == 2
    assert people(frame.lazy(), ["city"], "person").collect().height == 4


def test_population_gives_journalist_and_marketer_risk() -> None:
    sample = pl.DataFrame({"g": ["a", "a", "b"]})
    population = pl.DataFrame({"g": ["a"] * 10 + ["b"] * 4})
    got = measure(sample, ["g"], population=population)
    assert got.journalist_risk_max == pytest.approx(1 / 4)
    assert got.journalist_risk_avg == pytest.approx((2 / 10 + 1 / 4) / 3)
    assert got.marketer_risk == got.journalist_risk_avg
    assert got.prosecutor_risk_max == 1.0


def test_unknown_columns_are_named_without_values() -> None:
    with pytest.raises(UsageError, match="quasi-identifier nope"):
        measure(_table(0), ["nope"])
    with pytest.raises(UsageError, match="at least one"):
        measure(_table(0), [])


@pytest.mark.parametrize("seed", range(3))
def test_k_l_and_classes_agree_with_pycanon(seed: int) -> None:
    anonymity = pytest.importorskip("pycanon.anonymity")
    frame = _table(seed).drop_nulls()
    qi = ["age", "sex", "zip"]
    pdf = frame.to_pandas()
    got = measure(frame, qi, sensitive=["amount"])
    assert got.k_anonymity == anonymity.k_anonymity(pdf, qi)
    assert got.sensitive["amount"].l_distinct == anonymity.l_diversity(pdf, qi, ["amount"])
    entropy_l = got.sensitive["amount"].l_entropy  # pycanon truncates exp(H) computed in a rounding way
    assert anonymity.entropy_l_diversity(pdf, qi, ["amount"]) in {
        math.floor(entropy_l - 1e-9),
        math.floor(entropy_l),
    }
    assert got.sensitive["amount"].t_closeness == pytest.approx(anonymity.t_closeness(pdf, qi, ["amount"]))
    from pycanon.anonymity.utils.aux_anonymity import get_equiv_class

    assert got.equivalence_classes == len(get_equiv_class(pdf, qi))
