"""``ringfence synth``: write a synthetic payment platform for demos, tests and benchmarks."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from ringfence.cli.options import JsonOption, mode_of
from ringfence.cli.output import emit_json, err, out, table
from ringfence.errors import UsageError


def synth(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the tables into.")],
    customers: Annotated[int, typer.Option("--customers", min=1, help="Number of customers.")] = 10_000,
    transactions: Annotated[
        int, typer.Option("--transactions", min=0, help="Number of transactions.")
    ] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same platform.")] = 7,
    locale: Annotated[str, typer.Option("--locale", help="cn, kr or mixed.")] = "mixed",
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    json_out: JsonOption = False,
) -> None:
    """Write customers, accounts, merchants, transactions, consents and recipients of a synthetic platform."""
    from ringfence.synth import SynthConfig, generate_platform, write_platform  # heavy: import on use

    mode = mode_of(ctx, json_out, None)
    if locale not in ("cn", "kr", "mixed"):
        raise UsageError(f"unknown locale {locale!r}; use cn, kr or mixed")
    if fmt not in ("parquet", "csv"):
        raise UsageError(f"unknown format {fmt!r}; use parquet or csv")
    chosen_locale: Literal["cn", "kr", "mixed"] = locale  # type: ignore[assignment]
    chosen_fmt: Literal["parquet", "csv"] = fmt  # type: ignore[assignment]
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    config = SynthConfig(customers=customers, transactions=transactions, seed=seed, locale=chosen_locale)
    with err.status("Synthesizing the platform…") if not mode.json else contextlib.nullcontext():
        results = write_platform(generate_platform(config), out_dir, format=chosen_fmt)
    seconds = time.perf_counter() - started
    tables = {
        name: {"path": str(r.path), "rows": r.rows, "columns": r.columns} for name, r in results.items()
    }
    if mode.json:
        emit_json({"out": str(out_dir), "seed": seed, "seconds": round(seconds, 3), "tables": tables})
        return
    rows = [[name, r.rows, len(r.columns), str(r.path)] for name, r in results.items()]
    out.print(
        table(
            f"Synthetic platform (seed {seed}, {seconds:.1f} s)", ["table", "rows", "columns", "file"], rows
        )
    )
