"""What machine a benchmark ran on, for the results file."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def describe() -> str:
    """One line: CPU, cores, memory, OS, Python, the UTC date and time, and how busy the machine was (a
    figure measured while other work ran on a 2-core machine understates what the code can do)."""
    import polars as pl

    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib():.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, Polars {pl.__version__}; {now}; "
        f"1-minute load average {load:.1f} when written"
    )
