"""One run per table for ``protect`` and ``release`` over several inputs: which policy and which output
each table gets, all checked before any table is read.

- Inputs are files, folders (their readable files) and table URIs (a URI without ``?table=``: every table
  of its schema); each table is one job.
- ``--policy`` is a policy file that applies to every table (entity rules and ``unlisted`` make one
  policy fit any table), or a folder holding ``<table>.yaml`` for each table (what ``scan FOLDER
  --draft-policy FOLDER`` writes); a table without its policy stops everything before any work.
- ``--output`` is the output file or table when there is one table; with several it is a folder
  (created when the first table is written, if its parent exists), each table written to
  ``<folder>/<table>.parquet``.
- Every output is checked first (exists without ``--force``, onto a key, the workspace's files or an
  input; two tables with one name): a mistake costs no half-finished run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ringfence.errors import OutputError, UsageError
from ringfence.io.location import Location
from ringfence.io.read import Source, open_sources
from ringfence.policy import Policy, load_policy
from ringfence.workspace import Workspace, check_output

__all__ = ["Job", "make_room", "plan_jobs"]


@dataclass(frozen=True)
class Job:
    """One table: its source, its policy (and the file it came from) and where its output goes."""

    source: Source
    name: str
    policy_file: Path
    policy: Policy
    output: str


def table_name(source: Source) -> str:
    """The name a table's policy and output are found by: a file's stem, a database table's name."""
    where = Location.parse(source.location)
    if where.table is not None:
        return where.table.table[-1]
    assert where.path is not None
    return where.path.stem


def _policy_file(policy: Path, name: str) -> Path:
    if not policy.is_dir():
        return policy
    for suffix in (".yaml", ".yml"):
        if (policy / f"{name}{suffix}").is_file():
            return policy / f"{name}{suffix}"
    raise UsageError(
        f"no policy for table {name} in {policy} (expected {name}.yaml); write one, or draft them all "
        f"with `ringfence scan INPUT... --draft-policy FOLDER`"
    )


def plan_jobs(
    inputs: list[str], policy: Path, output: str, *, workspace: Workspace, force: bool, writes: bool = True
) -> list[Job]:
    """The jobs for ``inputs`` (see the module docstring), checked; ``writes=False`` (``--explain``) skips
    the output checks."""
    sources = [source for spec in inputs for source in open_sources(spec)]
    single = len(sources) == 1 and len(inputs) == 1 and not Path(inputs[0]).is_dir()
    folder = Path(output)
    if not single and writes:
        if Location.parse(output).is_table:
            raise UsageError("with several input tables, --output is a folder (one Parquet file per table)")
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{output} is a file; with several input tables, --output is a folder")
        if not folder.parent.is_dir():
            raise OutputError(f"cannot write into {output}: folder {folder.parent} does not exist")
    jobs: list[Job] = []
    seen: dict[str, str] = {}
    loaded: dict[Path, Policy] = {}
    for source in sources:
        name = table_name(source)
        if name in seen:
            raise UsageError(
                f"two input tables are named {name} ({seen[name]}, {source.name}); run them apart"
            )
        seen[name] = source.name
        file = _policy_file(policy, name)
        if file not in loaded:
            loaded[file] = load_policy(file)
        target = output if single else str(folder / f"{name}.parquet")
        jobs.append(Job(source, name, file, loaded[file], target))
    if writes:
        for job in jobs:
            if not force and Location.parse(job.output).exists():
                raise OutputError(f"{job.output} exists; pass --force to replace it")
            check_output(job.output, workspace=workspace, inputs=[*(j.source.location for j in jobs), policy])
    return jobs


def make_room(jobs: list[Job]) -> None:
    """Creates the output folder of several tables (its parent was checked by :func:`plan_jobs`)."""
    if len(jobs) > 1:
        Path(jobs[0].output).parent.mkdir(exist_ok=True)
