"""The risk stage in a run: the meter sees exactly what is written, the gate refuses a missed target and
leaves nothing, suppression and generalisation reach it within the budget, the search prunes."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ringfence.errors import CheckFailed
from ringfence.io.read import open_source
from ringfence.pipeline.commit import Commit, Refused
from ringfence.pipeline.protect import protect
from ringfence.pipeline.runner import RowCount, Runner
from ringfence.policy import parse_policy
from ringfence.policy.model import Risk
from ringfence.risk import measure
from ringfence.risk.gate import RiskMeter, risk_stage
from ringfence.risk.hierarchy import auto_hierarchy
from ringfence.risk.search import _Lattice, search_generalization


def _people(n: int = 3000, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "gender": rng.choice(["F", "M"], n),
            "birth_year": rng.integers(1950, 2005, n),
            "postal": pl.Series(rng.integers(10000, 99999, n)).cast(pl.String),
            "segment": rng.choice(["a", "b", "c"], n),
        }
    )


@pytest.fixture
def people_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.parquet"
    _people().write_parquet(path)
    return path


def _policy(on_violation: str, k: int = 10, budget: float = 0.01) -> str:
    return (
        "ringfence_policy: 1\nname: risky\nunlisted: keep\ncolumns:\n  customer_id: drop\n"
        f"risk: {{quasi_identifiers: [gender, birth_year, postal], k: {k}, suppression: {budget}, "
        f"on_violation: {on_violation}}}\n"
    )


def test_a_missed_target_is_refused_and_nothing_is_written(people_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    with pytest.raises(Refused, match="k-anonymity 1 is below 10") as refused:
        protect(people_file, parse_policy(_policy("deny")), out, keyset=None)
    assert refused.value.gate == "risk gate"
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["people.parquet"]


def test_suppression_over_the_budget_is_refused(people_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    with pytest.raises(Refused, match="over the budget"):
        protect(people_file, parse_policy(_policy("suppress")), out, keyset=None)
    assert not out.exists()


def test_generalize_reaches_k_within_the_budget_and_the_output_shows_it(
    people_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.parquet"
    summary = protect(people_file, parse_policy(_policy("generalize")), out, keyset=None, batch_rows=700)
    written = pl.read_parquet(out)
    assert written.height == summary.rows_out >= 3000 * 0.99
    assert measure(written, ["gender", "birth_year", "postal"]).k_anonymity >= 10
    assert written.schema["birth_year"] == pl.Int64  # a band keeps the column's type


def test_the_meter_observes_exactly_the_chunks_written(people_file: Path, tmp_path: Path) -> None:
    risk = Risk(quasi_identifiers=["gender", "birth_year"], k=1)
    meter, count = RiskMeter(risk), RowCount()
    src = open_source(people_file)
    stage = risk_stage(risk, src.lazy())
    Runner(
        src,
        [],
        Commit(tmp_path / "o.parquet", gates=stage.gates),
        taps=[meter, count, *stage.taps],
        batch_rows=333,
    ).run()
    assert meter.result().rows == count.rows == 3000
    assert (
        meter.result().k_anonymity
        == measure(pl.read_parquet(people_file), ["gender", "birth_year"]).k_anonymity
    )


def test_subject_suppression_withholds_whole_people(tmp_path: Path) -> None:
    rows = pl.DataFrame({"p": [1, 1, 2, 2, 3, 3, 4], "city": ["a", "b", "a", "b", "a", "b", "z"]})
    risk = Risk(quasi_identifiers=["city"], subject="p", k=2, suppression=0.5, on_violation="suppress")
    stage = risk_stage(risk, rows.lazy())
    out = rows
    for step in stage.steps:
        out = step(out)
    stage.meter.observe(out)
    assert stage.gate.suppressed == 1 and out["p"].unique().sort().to_list() == [1, 2, 3]
    assert stage.gate.check() == [] and stage.summary()["k_anonymity"] == 3


def test_search_prunes_and_finds_the_least_discernibility() -> None:
    frame = _people()
    risk = Risk(quasi_identifiers=["gender", "birth_year", "postal"], k=10, on_violation="generalize")
    found = search_generalization(frame, risk)
    assert found.checked < found.nodes  # predictive tagging spared checks
    assert found.check.suppressed <= 0.01 * frame.height
    # checked exhaustively: the minimal nodes that meet the target, and the least discernibility among them
    brute = _Lattice(frame, risk, found.hierarchies)
    checks = {
        node: brute.check(node)
        for node in itertools.product(*(range(h.height + 1) for h in found.hierarchies))
    }
    meeting = [n for n, c in checks.items() if c.meets]
    minimal = [
        n
        for n in meeting
        if not any(m != n and all(a <= b for a, b in zip(m, n, strict=True)) for m in meeting)
    ]
    assert sorted(found.frontier) == sorted(minimal)
    assert found.check.discernibility == min(checks[n].discernibility for n in minimal)


def test_search_with_l_and_an_impossible_target() -> None:
    frame = _people()
    risk = Risk(
        quasi_identifiers=["gender", "birth_year"], sensitive=["segment"], k=5, l=3, on_violation="generalize"
    )
    found = search_generalization(frame, risk)
    kept = found.step()(frame)
    assert measure(kept, risk.quasi_identifiers, sensitive=["segment"]).sensitive["segment"].l_distinct >= 3
    with pytest.raises(CheckFailed, match="no generalisation"):
        search_generalization(
            frame, Risk(quasi_identifiers=["gender"], sensitive=["segment"], l=4, suppression=0.0)
        )


def test_automatic_hierarchies() -> None:
    import datetime as dt

    dates = auto_hierarchy("birth_date", pl.Series([dt.date(1987, 5, 3)]))
    years = pl.DataFrame({"birth_date": [dt.date(1987, 5, 3)]}).select(dates.expr(2))
    assert dates.kind == "date" and years["birth_date"].to_list() == [dt.date(1987, 1, 1)]
    region = auto_hierarchy("region_code", pl.Series(["110105", "310101"]))
    assert region.kind == "region"
    got = (
        pl.DataFrame({"region_code": ["110105"]})
        .select(
            region.expr(1),
        )["region_code"]
        .to_list()
    )
    assert got == ["1101**"]
    assert auto_hierarchy("age", pl.Series([20, 70])).steps == (5, 10, 20)
    assert auto_hierarchy("gender", pl.Series(["F", "M"])).kind == "category"


def test_a_policy_hierarchy_replaces_the_automatic_one() -> None:
    policy = parse_policy(
        "ringfence_policy: 1\nname: h\nunlisted: keep\n"
        "risk:\n  quasi_identifiers: [birth_year, postal]\n  k: 5\n  on_violation: generalize\n"
        "  hierarchies:\n    birth_year: {kind: number, levels: [25]}\n"
        "    postal: {kind: code, levels: [1]}\n"
    )
    assert policy.risk is not None
    found = search_generalization(_people(), policy.risk)
    by_column = {c["column"]: c for c in found.levels_json()}
    assert by_column["birth_year"]["height"] == 2 and by_column["postal"]["height"] == 2
    out = found.step()(_people())
    if by_column["birth_year"]["level"] == 1:
        assert set(out["birth_year"].unique().to_list()) <= {1950, 1975, 2000}
