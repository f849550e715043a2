"""``ringfence risk``: the re-identification risk of a table over its quasi-identifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ringfence.cli.options import (
    EngineOption,
    JsonOption,
    SparkMasterOption,
    check_side_outputs,
    engine_of,
    mode_of,
)
from ringfence.cli.output import emit_json, err, out, table
from ringfence.errors import CheckFailed, UsageError


def _names(value: str | None) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()] if value else []


def _search(input: str, found: Any, k: int, suppression: float) -> Any:
    """The least-loss generalisation reaching ``k`` (None when none does within the budget)."""
    from ringfence.errors import CheckFailed as Missed
    from ringfence.io.read import open_source
    from ringfence.policy.model import Risk
    from ringfence.risk.search import search_generalization

    result = found.result
    target = Risk(
        quasi_identifiers=result.quasi_identifiers, subject=result.subject, k=k, suppression=suppression
    )
    try:
        return search_generalization(open_source(input).lazy(), target)
    except Missed:
        return None


def risk(
    ctx: typer.Context,
    input: Annotated[str, typer.Argument(help="A file or table URI (postgresql://…?table=t).")],
    qi: Annotated[
        str | None,
        typer.Option("--qi", help="Quasi-identifiers, comma-separated (proposed from a scan if omitted)."),
    ] = None,
    sensitive: Annotated[
        str | None, typer.Option("--sensitive", help="Sensitive columns for l-diversity and t-closeness.")
    ] = None,
    subject: Annotated[
        str | None, typer.Option("--subject", help="The person column: measure over people, not rows.")
    ] = None,
    population: Annotated[
        str | None, typer.Option("--population", help="A population table for journalist risk.")
    ] = None,
    k: Annotated[
        int | None,
        typer.Option(
            "--k", min=1, help="Target k: below it, show the generalisation that reaches it, and exit 1."
        ),
    ] = None,
    suppression: Annotated[
        float, typer.Option("--suppression", min=0.0, max=1.0, help="Share of records that may be withheld.")
    ] = 0.01,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML risk page here.")
    ] = None,
    engine: EngineOption = "local",
    spark_master: SparkMasterOption = "local[*]",
    json_out: JsonOption = False,
) -> None:
    """Measure k-anonymity, l-diversity, t-closeness and re-identification risk.

    With --engine spark, INPUT is a path Spark reads; the rows are grouped on the cluster and the same
    measures derived from the counts (--population and the --k search run on the local engine only)."""
    from ringfence.risk.table import assess

    mode = mode_of(ctx, json_out, None)
    engine = engine_of(engine)
    check_side_outputs(mode, [report], [input, population])
    if engine == "spark":
        if population is not None or k is not None:
            raise UsageError("--population and --k run on the local engine only; run without --engine spark")
        from ringfence.spark.risk import assess as spark_assess

        found = spark_assess(
            input, _names(qi) or None, sensitive=_names(sensitive), subject=subject, master=spark_master
        )
    else:
        found = assess(
            input, _names(qi) or None, sensitive=_names(sensitive), subject=subject, population=population
        )
    result = found.result
    search = None
    if k is not None and result.k_anonymity < k:
        search = _search(input, found, k, suppression)
    if report is not None:
        from ringfence.report.risk_page import write_risk_report

        write_risk_report(found, report, search)
    if mode.json:
        doc = found.to_json()
        if search is not None:
            doc["generalization"] = search.to_json()
        emit_json(doc)
    else:
        for proposal in found.proposed:
            err.print(f"proposed quasi-identifier {proposal.reason}", markup=False)
        unit = "people" if result.subject else "rows"
        rows: list[list[Any]] = [
            ["records", f"{result.records:,} {unit}"],
            ["k-anonymity", result.k_anonymity],
            ["equivalence classes", f"{result.equivalence_classes:,}"],
            [f"unique {unit}", f"{result.unique_rows:,}"],
            [
                "prosecutor risk max / avg",
                f"{result.prosecutor_risk_max:.4f} / {result.prosecutor_risk_avg:.4f}",
            ],
            ["marketer risk", f"{result.marketer_risk:.4f}"],
        ]
        if result.journalist_risk_max is not None:
            rows.append(
                [
                    "journalist risk max / avg",
                    f"{result.journalist_risk_max:.4f} / {result.journalist_risk_avg:.4f}",
                ]
            )
        for col, s in result.sensitive.items():
            rows.append([f"{col}: l distinct / entropy", f"{s.l_distinct} / {s.l_entropy:.2f}"])
            rows.append(
                [
                    f"{col}: recursive (c,l)",
                    f"({s.recursive_c:g}, {s.l_distinct})" if s.recursive_c else "none (l < 2)",
                ]
            )
            rows.append([f"{col}: t-closeness ({s.distance})", f"{s.t_closeness:.4f}"])
        out.print(
            table(f"{found.input} over {', '.join(result.quasi_identifiers)}", ["measure", "value"], rows)
        )
        if search is not None:
            levels = [[c["column"], c["as"], f"{c['loss']:.0%}"] for c in search.levels_json()]
            title = f"reaches k = {k} withholding {search.check.suppressed:,} {unit}"
            out.print(table(title, ["column", "generalised to", "loss"], levels))
        if report is not None:
            out.print(f"Report: {report}", markup=False)
    if k is not None and result.k_anonymity < k:
        raise CheckFailed(f"k-anonymity {result.k_anonymity} is below the target {k}")
