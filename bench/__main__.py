"""Runs the benchmarks and writes their sections into bench/RESULTS.md.

Each benchmark is a module ``bench/bench_<name>.py`` with ``run(**options) -> dict`` and optionally
``to_markdown(result: dict) -> str``. A run replaces only the sections of the benchmarks it ran, each
stamped with the machine and the date, so figures from different runs never mix without saying so.

    python -m bench                 # every benchmark, default sizes
    python -m bench synth hash      # just these
    python -m bench synth --rows 1000000
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from bench.machine import describe

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
HEADER = (
    "# ringfence benchmark results\n\n"
    "Written by `python -m bench`; each section says where and when it ran.\n"
)


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def default_markdown(result: dict[str, Any]) -> str:
    lines = ["| measure | value |", "|---|---|"]
    for key, value in result.items():
        shown = (
            f"{value:,.3f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else value
        )
        lines.append(f"| {key} | {shown} |")
    return "\n".join(lines)


def update_results(name: str, body: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    section = f"<!-- bench:{name} -->\n## {name}\n\n_{describe()}_\n\n{body.strip()}\n<!-- /bench:{name} -->"
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    text = (
        pattern.sub(lambda _: section, text)
        if pattern.search(text)
        else text.rstrip() + "\n\n" + section + "\n"
    )
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all: {', '.join(available())})")
    parser.add_argument("--rows", type=int, default=None, help="rows for benchmarks that take a size")
    parser.add_argument("--no-write", action="store_true", help="print results, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        options = {"rows": args.rows} if args.rows else {}
        print(f"== {name}", file=sys.stderr, flush=True)
        result = module.run(**options)
        print(json.dumps(result, indent=2, default=str))
        body = module.to_markdown(result) if hasattr(module, "to_markdown") else default_markdown(result)
        if not args.no_write:
            update_results(name, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
