"""Protect before and after a change, alternating on one input in fresh processes (the A/B the runner
issue's closing note quotes).

    git worktree add --detach /tmp/base <commit>
    python scripts/ab_protect.py /tmp/base . bench/data/protect/transactions_20000000_10col.parquet

Each tree's own ``bench.bench_protect._protect`` runs with that tree's ``src`` first on the path; three
rounds, before then after, each printed as JSON with the 1-minute load average.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CODE = "import json, sys; from bench.bench_protect import _protect; print(json.dumps(_protect(sys.argv[1])))"


def main(before: str, after: str, data: str, rounds: int = 3) -> int:
    path = str(Path(data).resolve())
    results: dict[str, list[dict[str, object]]] = {"before": [], "after": []}
    for _ in range(rounds):
        for name, tree in (("before", before), ("after", after)):
            root = Path(tree).resolve()
            env = dict(os.environ, PYTHONPATH=f"{root / 'src'}:{root}")
            done = subprocess.run(
                [sys.executable, "-c", CODE, path], cwd=root, env=env, capture_output=True, text=True
            )
            if done.returncode:
                print(name, done.stderr[-2000:], file=sys.stderr)
                return 1
            result = json.loads(done.stdout.strip().splitlines()[-1]) | {"load": os.getloadavg()[0]}
            results[name].append(result)
            print(name, json.dumps(result), flush=True)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
