"""Scan speed of this checkout against a baseline checkout, interleaved on the same machine.

    python -m bench.scan_ab /path/to/baseline/src [--rounds 3] [--rows 300000]

On a shared machine wall seconds say more about the neighbours than about the code, so each measure of
:mod:`bench.bench_scan` runs in a fresh process for the baseline and for this checkout in turn, round
after round, and the section written into RESULTS.md compares CPU seconds (and cells/s) of the two in
the same rounds: (a) classification of the synthetic customers table from its 10,000-row sample,
(b) ``--full`` validation of that table, (c) each entity's column validator alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[3])
from bench import bench_scan as b
from ringfence.detect import entities
what, path = sys.argv[1], sys.argv[2]
if what == "validators":
    kinds = {k: v for k, v in b.VALIDATOR_KINDS.items() if k in entities.ENTITIES}
    b.VALIDATOR_KINDS.clear(); b.VALIDATOR_KINDS.update(kinds)
    print(json.dumps(b._validators(200_000)))
elif what == "full":
    print(json.dumps(b._full(path)))
else:
    cpu = time.process_time()
    result = b._classify(path)
    result["cpu_seconds"] = time.process_time() - cpu
    print(json.dumps(result))
"""
MEASURES = ("classify", "full", "validators")


def _child(src: str, what: str, path: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=src)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, what, path, str(HERE.parent)], env=env, capture_output=True, text=True
    )
    if done.returncode:
        return {"error": done.stderr[-500:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(baseline: str, rounds: int = 3, rows: int = 300_000) -> dict[str, Any]:
    from bench import bench_scan

    table = str(bench_scan.write_customers(rows))
    sources = {"baseline": baseline, "this": str(HERE.parent / "src")}
    result: dict[str, Any] = {"rows": rows, "rounds": rounds, "load": [], "runs": {}}
    for _ in range(rounds):
        for name, src in sources.items():
            for what in MEASURES:
                result["runs"].setdefault(name, {}).setdefault(what, []).append(_child(src, what, table))
                result["load"].append(round(os.getloadavg()[0], 1))
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs if key in r)


def to_markdown(result: dict[str, Any]) -> str:
    base, this = result["runs"]["baseline"], result["runs"]["this"]
    lines = [
        f"Synthetic customers table, {result['rows']:,} rows; {result['rounds']} rounds, baseline and this "
        f"checkout alternating, each measure in a fresh process; 1-minute load average during the runs "
        f"{min(result['load'])}-{max(result['load'])} on 2 cores shared with other sessions (wall times are "
        "the neighbours' as much as ours: compare CPU seconds). Medians over the rounds.",
        "",
        "| measure | baseline CPU s | this CPU s | ratio |",
        "|---|---|---|---|",
    ]
    for what, key in (
        ("classify the 10,000-row sample", "cpu_seconds"),
        ("`--full`, all columns", "cpu_seconds"),
    ):
        runs = "classify" if what.startswith("classify") else "full"
        b, t = _median(base[runs], key), _median(this[runs], key)
        lines.append(f"| {what} | {b:.3f} | {t:.3f} | {t / b:.2f}× |")
    lines += ["", "| validator (200,000 values) | baseline CPU s | this CPU s | ratio |", "|---|---|---|---|"]
    for entity in this["validators"][0]:
        b_runs = [r[entity] for r in base["validators"] if entity in r]
        t_runs = [r[entity] for r in this["validators"] if entity in r]
        t = _median(t_runs, "cpu_seconds")
        if b_runs:
            b = _median(b_runs, "cpu_seconds")
            lines.append(f"| {entity} | {b:.3f} | {t:.3f} | {t / b:.2f}× |")
        else:
            lines.append(f"| {entity} | — | {t:.3f} | new |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench.__main__ import update_results

    parser = argparse.ArgumentParser(prog="python -m bench.scan_ab", description=__doc__.splitlines()[0])
    parser.add_argument("baseline", help="the baseline checkout's src folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args(argv)
    result = run(args.baseline, args.rounds, args.rows)
    print(json.dumps(result, indent=1))
    update_results("scan_ab", to_markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
