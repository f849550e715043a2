"""Benchmark: generate a synthetic platform and write all six tables to Parquet.

    python bench/bench_synth.py --rows 10000000

``run`` returns the row count, wall-clock seconds (generation and writing together, as `ringfence synth`
does it), rows per second, the time spent on the transactions table alone, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from ringfence.synth import SynthConfig, generate_platform, write_platform


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(rows: int = 10_000_000, *, customers: int | None = None, seed: int = 7) -> dict[str, Any]:
    """Generates ``rows`` transactions (one customer per 100 of them, at least 10,000) and writes the
    platform to Parquet in a temporary folder; returns the measurements."""
    n_customers = customers if customers is not None else max(10_000, rows // 100)
    config = SynthConfig(customers=n_customers, transactions=rows, seed=seed)
    rss_before = psutil.Process().memory_info().rss / 2**20
    with tempfile.TemporaryDirectory(prefix="rf-bench-synth-") as tmp:
        start = time.perf_counter()
        platform = generate_platform(config)
        built = time.perf_counter()
        results = write_platform(platform, Path(tmp))
        done = time.perf_counter()
        size_mb = sum(r.path.stat().st_size for r in results.values()) / 2**20
    seconds = done - start
    return {
        "rows": rows,
        "customers": n_customers,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "setup_seconds": round(built - start, 2),
        "write_seconds": round(done - built, 2),
        "output_mb": round(size_mb, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000_000, help="transactions to generate")
    parser.add_argument("--customers", type=int, default=None, help="customers (default rows/100)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.rows, customers=args.customers, seed=args.seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
