"""``ringfence demo``: the whole story on synthetic data, in a fresh temporary workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ringfence.cli.options import JsonOption, mode_of
from ringfence.cli.output import emit_json, err, out
from ringfence.errors import CheckFailed


def demo(
    ctx: typer.Context,
    rows: Annotated[int, typer.Option("--rows", min=1_000, help="Transactions to synthesize.")] = 1_000_000,
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Run in this folder instead of a new temporary one.")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the synthetic platform (same seed, same data).")
    ] = 7,
    json_out: JsonOption = False,
) -> None:
    """Run the ringfence story end to end on a synthetic payment platform."""
    from ringfence.demo import DemoStep, run_demo  # heavy imports only when the command runs

    mode = mode_of(ctx, json_out, None)

    def show(step: DemoStep) -> None:
        if not mode.json:
            err.print(f"[bold]✓ {step.name}[/bold] ({step.seconds:.1f} s)")
            for sentence in step.story:
                err.print(f"  {sentence}", markup=False, highlight=False)

    result = run_demo(rows, folder=folder, seed=seed, on_step=show)
    if mode.json:
        emit_json(result.to_json())
    else:
        root = result.workspace.parent
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        err.print(
            f"Everything the demo made ({size / 2**20:,.0f} MiB: synthetic data, workspace, releases, "
            f"reports) is in {root}, and nothing outside it; delete that folder when you are done.",
            markup=False,
            highlight=False,
        )
        out.print(f"Workspace: {result.workspace}", markup=False)
        for name, path in result.pages.items():
            out.print(f"{name[0].upper()}{name[1:]}: {path}", markup=False)
    if result.failed:  # exit 1, as promised when a check fails
        raise CheckFailed(f"the demo's checks failed: {', '.join(result.failed)}")
