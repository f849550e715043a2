"""Options commands share: ``--json``, ``--workspace`` (before or after the command name), ``--force``,
``--encoding`` (a CSV/TSV output's text encoding)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from ringfence.cli.output import Mode
from ringfence.errors import UsageError, WorkspaceError
from ringfence.state.store import StateStore
from ringfence.workspace import Workspace, check_output, find_workspace

T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine output on stdout, nothing else.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="Text encoding of a CSV/TSV output: utf-8, utf-8-sig (with a byte-order mark, for Excel), "
        "gb18030 or euc-kr. Default: the input's.",
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local (Polars, this machine) or spark (the same plan on Apache Spark; needs the spark extra).",
    ),
]
SparkMasterOption = Annotated[
    str, typer.Option("--spark-master", help="The Spark master URL for --engine spark.")
]
WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="Workspace folder (else RINGFENCE_HOME, else cwd and parents)."),
]


def encoding_of(name: str | None) -> str | None:
    """``--encoding`` checked against the encodings an output may be asked for."""
    from ringfence.io.write import OUTPUT_ENCODINGS

    if name is None:
        return None
    wanted = name.strip().lower().replace("_", "-")
    if wanted not in OUTPUT_ENCODINGS:
        raise UsageError(f"--encoding is one of {', '.join(OUTPUT_ENCODINGS)}, not {name!r}")
    return wanted


def engine_of(engine: str) -> str:
    """The ``--engine`` asked for, or a usage error naming the two there are."""
    if engine not in ("local", "spark"):
        raise UsageError(f"unknown engine {engine!r}; use local or spark")
    return engine


def mode_of(ctx: typer.Context, json_out: bool, workspace: Path | None) -> Mode:
    """Merges the command's own options with those given before the command name."""
    root = ctx.obj if isinstance(ctx.obj, dict) else {}
    return Mode(
        json=json_out or bool(root.get("json")),
        workspace=str(workspace) if workspace else root.get("workspace"),
    )


def with_state(mode: Mode, work: Callable[[StateStore], T]) -> T:
    """``work`` done on the workspace's state store, closed afterwards whatever happens."""
    store = workspace_of(mode).state()
    try:
        return work(store)
    finally:
        store.close()


def workspace_of(mode: Mode) -> Workspace:
    """The workspace the command works in (a clear exit-2 error if there is none)."""
    return find_workspace(mode.workspace)


def check_side_outputs(mode: Mode, outputs: list[Path | None], inputs: list[str | None]) -> None:
    """Refuses reports and drafts (written even by commands that need no workspace) that would land in
    the key folder of the workspace in reach, onto its files, or onto an input."""
    try:
        ws: Workspace | None = find_workspace(mode.workspace)
    except WorkspaceError:
        ws = None
    for output in outputs:
        if output is not None:
            check_output(output, workspace=ws, inputs=inputs)
