"""The measures against their definitions (a plain reference written from the literature, one class at a
time) and against pycanon on the same tables where pycanon is installed."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import polars as pl
import pytest

from ringfence.errors import UsageError
from ringfence.risk import measure
from ringfence.risk.measures import RiskResult, people
from ringfence.synth import SynthConfig, generate_platform


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


def _key(value: object) -> object:
    return "NaN" if isinstance(value, float) and math.isnan(value) else value


def _reference(frame: pl.DataFrame, qi: list[str], sa: str, subject: str | None = None) -> dict[str, float]:
    """Each measure from its definition, class by class in plain Python (the slow, obvious way): a class
    is the records with equal quasi-identifiers (a person's are the sets of their rows' values), its
    sensitive values those of all its rows; ordered values sort with a missing value last."""
    rows = frame.to_dicts()
    if subject is None:
        keys = [tuple(_key(r[q]) for q in qi) for r in rows]
        units = list(range(len(rows)))
    else:
        sets: dict[object, list[set[object]]] = {}
        for r in rows:
            for i, v in enumerate(sets.setdefault(r[subject], [set() for _ in qi])):
                v.add(_key(r[qi[i]]))
        person = {p: tuple(frozenset(v) for v in held) for p, held in sets.items()}
        keys = [person[r[subject]] for r in rows]
        units = [r[subject] for r in rows]
    members: dict[object, set[object]] = {}
    values: dict[object, list[object]] = {}
    for i, (key, r) in enumerate(zip(keys, rows, strict=True)):
        members.setdefault(key, set()).add(units[i])
        values.setdefault(key, []).append(r[sa])
    sizes = [len(m) for m in members.values()]
    dtype = frame[sa].dtype
    ordered = dtype.is_numeric() or dtype.is_temporal()
    whole = Counter(r[sa] for r in rows)
    domain = sorted(whole, key=lambda v: (v is None, v if v is not None else 0)) if ordered else list(whole)
    q = np.array([whole[v] for v in domain]) / len(rows)
    ls, hs, cs, ts = [], [], [], []
    for held in values.values():
        counts = Counter(held)
        r = sorted(counts.values(), reverse=True)
        ls.append(len(r))
        p = np.array(r) / sum(r)
        hs.append(-(p * np.log(p)).sum())
        share = np.array([counts.get(v, 0) for v in domain]) / len(held)
        if ordered:
            ts.append(np.abs(np.cumsum(share - q)).sum() / (len(domain) - 1) if len(domain) > 1 else 0.0)
        else:
            ts.append(np.abs(share - q).sum() / 2)
        cs.append(r)
    l_min = min(ls)
    c_needed = max(r[0] // sum(r[l_min - 1 :]) + 1 for r in cs) if l_min > 1 else None
    return {
        "k": min(sizes),
        "classes": len(sizes),
        "unique": sum(s == 1 for s in sizes),
        "avg": len(sizes) / len(set(units)),
        "l": l_min,
        "entropy": math.exp(min(hs)),
        "c": c_needed,
        "t": max(ts),
    }


def _assert_matches(got: RiskResult, ref: dict[str, float], sa: str) -> None:
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


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("qi", [["age"], ["age", "sex"], ["age", "sex", "zip"]])
@pytest.mark.parametrize("sa", ["amount", "status"])
def test_measures_match_their_definitions(seed: int, qi: list[str], sa: str) -> None:
    frame = _table(seed)
    ref = _reference(frame, qi, sa)
    got = measure(frame, qi, sensitive=[sa])
    _assert_matches(got, ref, sa)
    assert got.sensitive[sa].distance == ("ordered" if sa == "amount" else "equal")


def _customers(seed: int) -> pl.DataFrame:
    """Synthetic customers with every kind of column a quasi-identifier or sensitive column takes: dates,
    timestamps to the microsecond (a span beyond 32 bits), coordinates (floats, with NaN and missing
    values), booleans, categoricals, decimals."""
    platform = generate_platform(SynthConfig(customers=400, transactions=100, seed=seed))
    rng = np.random.default_rng(seed)
    frame = platform.customers
    lat = frame["home_lat"].round(0).to_numpy().copy()
    lat[rng.random(frame.height) < 0.05] = np.nan
    return frame.with_columns(
        pl.col("birth_date").dt.year().alias("birth_year"),
        pl.Series("lat", lat).fill_nan(None).fill_null(np.nan).alias("lat"),
        pl.when(pl.Series(rng.random(frame.height) < 0.05))
        .then(None)
        .otherwise(pl.col("home_lon").round(0))
        .alias("lon"),
        (pl.col("registered_at").dt.truncate("1y")).alias("registered_year"),
        pl.Series("verified", rng.random(frame.height) < 0.8),
        pl.col("city").cast(pl.Categorical).alias("city_cat"),
        pl.Series("score", rng.integers(0, 6, frame.height)).cast(pl.Decimal(10, 2)),
        pl.Series("band", rng.choice(["a", "b", "c", None], frame.height)),
        pl.Series("big", rng.choice([-(10**15), 0, 3 * 10**15], frame.height)),
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(
    "qi",
    [
        ["gender", "birth_year"],
        ["gender", "lat", "lon"],
        ["registered_year", "verified", "city_cat"],
        ["big", "gender", "band"],
        ["birth_date"],
    ],
)
@pytest.mark.parametrize("sa", ["birth_year", "band", "lon", "score", "registered_year", "verified"])
def test_every_column_type_matches_the_definitions(seed: int, qi: list[str], sa: str) -> None:
    frame = _customers(seed)
    _assert_matches(measure(frame, qi, sensitive=[sa]), _reference(frame, qi, sa), sa)


def test_many_wide_quasi_identifiers_overflowing_64_bits_still_match() -> None:
    rng = np.random.default_rng(5)
    frame = pl.DataFrame({f"q{i}": rng.integers(0, 600, 500) // 3 for i in range(9)}).with_columns(
        pl.Series("s", rng.choice(["x", "y", "z"], 500))
    )
    qi = [f"q{i}" for i in range(9)]  # 200^9 > 2^64: the key is renumbered on the way
    _assert_matches(measure(frame, qi, sensitive=["s"]), _reference(frame, qi, "s"), "s")
    wide = frame.with_columns((pl.col(q) * 10**12) for q in qi)  # spans beyond 32 bits: sorted dictionaries
    _assert_matches(measure(wide, qi, sensitive=["s"]), _reference(wide, qi, "s"), "s")


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("sa", ["amount", "status", "zip"])
def test_subject_measures_match_the_definitions_over_people(seed: int, sa: str) -> None:
    frame = _table(seed, n=300)
    for qi in (["age"], ["sex", "zip"], ["age", "sex"]):
        qi = [q for q in qi if q != sa]
        got = measure(frame, qi, sensitive=[sa], subject="person")
        _assert_matches(got, _reference(frame, qi, sa, subject="person"), sa)
        assert got.records == frame["person"].n_unique()


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


def test_population_over_people_groups_the_register_by_person_too() -> None:
    sample = pl.DataFrame({"person": [1, 1, 2, 2, 3], "city": ["a", "b", "a", "b", "a"]})
    # the register: 3 people seen in both a and b, 10 seen only in a
    register = pl.DataFrame(
        {"person": [*range(3), *range(3), *range(3, 13)], "city": ["a"] * 3 + ["b"] * 3 + ["a"] * 10}
    )
    got = measure(sample, ["city"], subject="person", population=register)
    assert got.journalist_risk_max == pytest.approx(1 / 3)
    assert got.journalist_risk_avg == pytest.approx((2 / 3 + 1 / 10) / 3)
    with pytest.raises(UsageError, match="subject column person"):
        measure(sample, ["city"], subject="person", population=register.drop("person"))
