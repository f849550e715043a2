"""Shape rules of the package, checked on every test run: one-way layers and no row loops in kernels."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "ringfence"
# Calls that walk a table row by row in Python; kernels must work on whole columns.
ROW_LOOPS = {"iter_rows", "itertuples", "iterrows", "map_elements", "map_rows", "apply"}


def test_no_row_by_row_calls_in_the_package() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            is_method_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if is_method_call and node.func.attr in ROW_LOOPS:  # type: ignore[attr-defined]
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.func.attr}(")  # type: ignore[attr-defined]
    assert offenders == [], "row-by-row calls in the package:\n" + "\n".join(offenders)


def test_import_layers_go_one_way() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    proc = subprocess.run([exe], capture_output=True, text=True, cwd=PACKAGE.parents[1], timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
