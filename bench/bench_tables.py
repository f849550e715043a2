"""``protect`` on tables ringfence did not shape for itself, beside the bare copy of each in the same run.

    python -m bench tables                       # the three tables of bench/tables.py, 2 rounds
    python -m bench tables --rows 200000         # smaller tables (every table gets this many rows)

For each table of :mod:`bench.tables` (Faker-made: issue 13's CN payments, a wide KR customer table, a
string-heavy application log) the policy ``ringfence scan --draft-policy`` drafts is made from a scan of
the file (its column rules; the ``risk:`` section the command adds for a single table is left out: it
generalises to k = 10 and is a separate stage, measured by ``python -m bench risk``), and these runs are
timed, each in a fresh process:

- the floor: Polars ``scan_parquet(...).sink_parquet(...)`` of the same file (zstd);
- the bare copy: ringfence's reader, read-ahead, re-chunking and writer, no plan;
- ``protect`` with every column ``keep``: what protect costs over the floor when it changes nothing;
- ``protect`` with each rule of the draft alone (the other columns kept);
- ``protect`` with the drafted policy.

With ``BENCH_BASE=<source tree>`` (and ``BENCH_BASE_LABEL``), the keep-only and drafted runs are also
timed with that tree's ``ringfence``, in the same rounds: before and after a change, under one load.

Rounds alternate the runs (floor, keep, each action, draft; then again), and each run's best wall time
and best CPU time (process CPU, all threads) over the rounds is reported with its peak RSS and the
1-minute load average before it: on a shared 2-core machine the wall figures carry the other work, the
CPU figures much less, and only ratios to the floor measured in the same run mean anything.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_protect import _in_child
from bench.tables import TABLES, ensure

ROUNDS = 2
TARGET_RATIO = 1.5
TARGET_KEEP_RATIO = 1.1
TARGET_ROWS_PER_SECOND = 1_500_000
TARGET_RSS_MIB = 2048


def _usage() -> tuple[float, float]:
    self = resource.getrusage(resource.RUSAGE_SELF)
    return self.ru_utime + self.ru_stime, self.ru_maxrss / 1024


def _floor(path: str, policy: str | None = None) -> dict[str, Any]:
    import polars as pl

    with tempfile.TemporaryDirectory() as folder:
        start, (cpu, _) = time.perf_counter(), _usage()
        pl.scan_parquet(path).sink_parquet(Path(folder) / "copy.parquet", compression="zstd")
        seconds = time.perf_counter() - start
        used, peak = _usage()
    return {"seconds": seconds, "cpu_seconds": used - cpu, "peak_rss_mib": peak}


def _bare(path: str, policy: str | None = None) -> dict[str, Any]:
    """ringfence's own reader and writer, no plan (``bench.bench_protect``'s bare streaming copy)."""
    from bench.bench_protect import _bare as bare

    return dict(bare(path))


def _protect(path: str, policy: str | None = None) -> dict[str, Any]:
    from ringfence.keys import Keyset
    from ringfence.pipeline.protect import protect
    from ringfence.policy import parse_policy

    assert policy is not None
    rules, keyset = parse_policy(policy), Keyset.generate()
    with tempfile.TemporaryDirectory() as folder:
        start, (cpu, _) = time.perf_counter(), _usage()
        summary = protect(path, rules, Path(folder) / "out.parquet", keyset=keyset, recipient="bench")
        seconds = time.perf_counter() - start
        used, peak = _usage()
    return {"seconds": seconds, "cpu_seconds": used - cpu, "peak_rss_mib": peak, "rows": summary.rows_out}


class _Run:
    """A picklable ``func(path, policy)`` for the child process; with ``base``, the ``ringfence`` of that
    source tree is imported instead of the installed one (a before/after comparison in one run)."""

    def __init__(self, func: Any, policy: str | None, base: str | None = None) -> None:
        self.func, self.policy, self.base = func, policy, base

    def __call__(self, path: str) -> dict[str, Any]:
        if self.base is not None:
            sys.path.insert(0, str(Path(self.base) / "src"))
        result: dict[str, Any] = self.func(path, self.policy)
        return result


def drafted(path: Path) -> str:
    """The column rules ``ringfence scan --draft-policy`` drafts for ``path`` (no ``risk:`` section)."""
    from ringfence.detect.scan import scan_source
    from ringfence.io.read import open_source
    from ringfence.policy import draft_policy

    found = scan_source(open_source(path))
    return draft_policy([(c.name, c.entity) for c in found.columns], name=path.stem)


_RULE = re.compile(r"^  (?P<column>[^#\s][^:]*): (?P<rule>.+)$", re.M)


def variants(draft: str) -> dict[str, str]:
    """``keep`` (every column kept), each non-keep rule alone, and the draft itself."""
    rules = {m["column"]: m["rule"] for m in _RULE.finditer(draft)}
    head = "ringfence_policy: 1\nname: bench\nunlisted: fail\ncolumns:\n"

    def policy(active: dict[str, str]) -> str:
        return head + "".join(f"  {c}: {active.get(c, 'keep')}\n" for c in rules)

    out = {"keep": policy({})}
    for column, rule in rules.items():
        if rule != "keep":
            action = rule.split("action: ", 1)[1].split(",")[0].split("}")[0] if "action:" in rule else rule
            out[f"{column} ({action})"] = policy({column: rule})
    out["drafted policy"] = policy(rules)
    return out


def measure(name: str, rows: int | None = None, rounds: int = ROUNDS) -> dict[str, Any]:
    path = ensure(name, rows)
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    policies = variants(drafted(path))
    runs: dict[str, _Run] = {"floor": _Run(_floor, None), "bare copy": _Run(_bare, None)}
    runs.update({label: _Run(_protect, text) for label, text in policies.items()})
    base = os.environ.get("BENCH_BASE")  # a source tree to compare with (e.g. main, exported)
    if base:
        for label in ("keep", "drafted policy"):
            runs[f"{label}, before ({os.environ.get('BENCH_BASE_LABEL', 'base')})"] = _Run(
                _protect, policies[label], base
            )
    best: dict[str, dict[str, Any]] = {}
    for _ in range(rounds):
        for label, run in runs.items():
            load = round(os.getloadavg()[0], 1)
            result = _in_child(run, path)
            assert result is not None
            mine = best.setdefault(
                label, {"seconds": 1e9, "cpu_seconds": 1e9, "peak_rss_mib": 0.0, "load": []}
            )
            mine["seconds"] = min(mine["seconds"], result["seconds"])
            mine["cpu_seconds"] = min(mine["cpu_seconds"], result["cpu_seconds"])
            mine["peak_rss_mib"] = max(mine["peak_rss_mib"], result["peak_rss_mib"])
            mine["load"].append(load)
            mine["scheduling"] = result.get("scheduling", "normal")
    floor = best["floor"]
    for mine in best.values():
        mine["rows_per_second"] = int(meta.num_rows / mine["seconds"])
        mine["ratio"] = round(mine["seconds"] / floor["seconds"], 2)
        mine["cpu_ratio"] = round(mine["cpu_seconds"] / floor["cpu_seconds"], 2)
        mine["seconds"], mine["cpu_seconds"] = round(mine["seconds"], 2), round(mine["cpu_seconds"], 2)
        mine["peak_rss_mib"] = round(mine["peak_rss_mib"])
    return {
        "table": name,
        "rows": meta.num_rows,
        "columns": meta.num_columns,
        "bytes": path.stat().st_size,
        "policy": policies["drafted policy"],
        "runs": best,
    }


def run(rows: int | None = None, rounds: int = ROUNDS, tables: str | None = None) -> dict[str, Any]:
    """Measures every table (or the comma-separated ``tables``)."""
    names = tables.split(",") if tables else list(TABLES)
    return {"rounds": rounds, "tables": [measure(name, rows, rounds) for name in names]}


def _yes(flag: bool) -> str:
    return "meets" if flag else "misses"


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        "Tables made with Faker (`bench/tables.py`), Parquet zstd; the policy is the column rules "
        "`ringfence scan --draft-policy` drafts for each (without the `risk:` section). Each run in a fresh "
        f"process, best of {result['rounds']} alternating rounds; CPU seconds are the process's, all "
        "threads; × floor compares with Polars `scan_parquet → sink_parquet` of the same file in the same "
        "run. The machine is shared: wall times carry the load shown; CPU ratios are the steadier figure. "
        f"Scheduling: {result['tables'][0]['runs']['floor'].get('scheduling', 'normal')} "
        "(`BENCH_REALTIME=1`: round-robin real-time, so the measured process has the cores it asks for).",
    ]
    for table in result["tables"]:
        runs = table["runs"]
        lines += [
            "",
            f"### {table['table']}: {table['rows']:,} rows × {table['columns']} columns, "
            f"{table['bytes'] / 2**20:,.0f} MiB",
            "",
            "| run | wall s | CPU s | rows/s | × floor (wall) | × floor (CPU) | peak RSS MiB | load |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for label, r in runs.items():
            shown = f"**{label}**" if label.startswith("drafted policy") else label
            lines.append(
                f"| {shown} | {r['seconds']} | {r['cpu_seconds']} | {r['rows_per_second']:,} | "
                f"{r['ratio']}× | {r['cpu_ratio']}× | {r['peak_rss_mib']:,} | "
                f"{'/'.join(str(x) for x in r['load'])} |"
            )
        d, k = runs["drafted policy"], runs["keep"]
        actions = {
            label: r["cpu_seconds"] - k["cpu_seconds"]
            for label, r in runs.items()
            if label not in ("floor", "bare copy", "keep")
            and not label.startswith("drafted policy")
            and "before" not in label
        }
        costly = sorted(actions.items(), key=lambda item: -item[1])[:3]
        lines += [
            "",
            f"Targets: drafted ≤ {TARGET_RATIO}× the floor: {_yes(d['ratio'] <= TARGET_RATIO)} wall "
            f"({d['ratio']}×), {_yes(d['cpu_ratio'] <= TARGET_RATIO)} CPU ({d['cpu_ratio']}×); "
            f"≥ {TARGET_ROWS_PER_SECOND:,} rows/s: {_yes(d['rows_per_second'] >= TARGET_ROWS_PER_SECOND)}; "
            f"peak ≤ {TARGET_RSS_MIB:,} MiB: {_yes(d['peak_rss_mib'] <= TARGET_RSS_MIB)}; keep-only ≤ "
            f"{TARGET_KEEP_RATIO}× the floor: {_yes(k['ratio'] <= TARGET_KEEP_RATIO)} wall ({k['ratio']}×), "
            f"{_yes(k['cpu_ratio'] <= TARGET_KEEP_RATIO)} CPU ({k['cpu_ratio']}×).",
            "",
            "CPU each action adds to keep-only, most first: "
            + ", ".join(f"{label} {cost:+.2f} s" for label, cost in costly)
            + f"; keep-only itself is {k['cpu_seconds'] - runs['floor']['cpu_seconds']:+.2f} s CPU against "
            "the floor.",
        ]
    return "\n".join(lines)
