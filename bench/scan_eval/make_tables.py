"""Writes the labelled evaluation tables for ``ringfence scan`` and their ``labels.json``.

    python -m bench.scan_eval.make_tables [--out bench/data/scan_eval] [--seed 20260315]

The tables are deterministic (same seed, same bytes) and regenerate in seconds, so only this generator and
the specification in :mod:`bench.scan_eval.tables` are committed. ``labels.json`` maps every table to every
column's expected entity (``null`` for a decoy) and, for ``FREE_TEXT_PII``, the entities it contains.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bench.scan_eval import tables as spec
from bench.scan_eval.tables import TABLES, Table

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "data" / "scan_eval"
DEFAULT_SEED = 20260315
LABELS = "labels.json"


def spec_digest() -> str:
    """A digest of the generator's source: tables on disk made by other code are regenerated."""
    h = hashlib.sha256()
    for name in ("values.py", "tables.py", "make_tables.py"):
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:16]


def with_junk(
    series: pl.Series, rng: np.random.Generator, share: float, tokens: tuple[str, ...]
) -> pl.Series:
    """Replaces a ``share`` of cells by placeholders (text) or nulls (typed columns)."""
    n = len(series)
    hit = pl.Series(rng.random(n) < share)
    if series.dtype == pl.String and tokens:
        junk = pl.Series(list(tokens), dtype=pl.String).gather(rng.integers(0, len(tokens), n))
        return pl.select(pl.when(pl.lit(hit)).then(pl.lit(junk)).otherwise(pl.lit(series))).to_series()
    return pl.select(pl.when(pl.lit(hit)).then(None).otherwise(pl.lit(series))).to_series()


def build(table: Table, index: int, seed: int, rows: int | None = None) -> tuple[pl.DataFrame, list[float]]:
    """The table's data frame and each column's junk share."""
    n = rows or table.rows
    columns: dict[str, pl.Series] = {}
    shares: list[float] = []
    for j, (header, kind) in enumerate(table.columns):
        rng = np.random.default_rng([seed, index, j])
        values = spec.label(kind).gen(rng, n)
        share = float(rng.uniform(*table.junk_share))
        columns[header] = with_junk(values, rng, share, tuple(table.junk)).alias(header)
        shares.append(round(share, 4))
    return pl.DataFrame(columns), shares


def write(frame: pl.DataFrame, table: Table, path: Path) -> None:
    """Writes the frame in the table's format and encoding."""
    if table.fmt == "parquet":
        frame.write_parquet(path)
    elif table.fmt == "jsonl":
        frame.write_ndjson(path)
    elif table.encoding in ("utf-8", "utf-8-sig"):
        frame.write_csv(path, separator=table.separator, include_bom=table.encoding == "utf-8-sig")
    else:
        text = frame.write_csv(separator=table.separator)
        path.write_bytes(text.encode(table.encoding))  # strict: a value the encoding lacks is a spec bug


def column_label(
    header: str, kind: str, entity: str | None, contains: Sequence[str], share: float
) -> dict[str, Any]:
    """One column's entry of ``labels.json`` (set 1 and set 2 alike)."""
    return {
        "name": header,
        "kind": kind,
        "entity": entity,
        "contains": list(contains),
        "decoy": entity is None,
        "junk_share": share,
    }


def labels_for(table: Table, shares: list[float], rows: int) -> dict[str, Any]:
    columns = []
    for (header, kind), share in zip(table.columns, shares, strict=True):
        k = spec.label(kind)
        columns.append(column_label(header, kind, k.entity, k.contains, share))
    return {
        "file": table.file,
        "format": table.fmt,
        "encoding": table.encoding,
        "separator": table.separator,
        "rows": rows,
        "columns": columns,
    }


def generate(out: Path = DEFAULT_OUT, *, seed: int = DEFAULT_SEED, rows: int | None = None) -> dict[str, Any]:
    """Writes every table and ``labels.json`` into ``out``; returns the labels document."""
    out.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"seed": seed, "spec": spec_digest(), "rows_override": rows, "tables": []}
    for index, table in enumerate(TABLES):
        frame, shares = build(table, index, seed, rows)
        write(frame, table, out / table.file)
        doc["tables"].append(labels_for(table, shares, frame.height))
    (out / LABELS).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc


def ensure(out: Path = DEFAULT_OUT, *, seed: int = DEFAULT_SEED, rows: int | None = None) -> dict[str, Any]:
    """The labels of the tables in ``out``, regenerating them when missing or made by other code."""
    path = out / LABELS
    if path.exists():
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        fresh = (
            doc.get("spec") == spec_digest() and doc.get("seed") == seed and doc.get("rows_override") == rows
        )
        if fresh and all((out / t["file"]).exists() for t in doc["tables"]):
            return doc
    return generate(out, seed=seed, rows=rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scan_eval.make_tables", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--rows", type=int, default=None, help="rows per table (default: each table's own)")
    args = parser.parse_args(argv)
    doc = generate(args.out, seed=args.seed, rows=args.rows)
    print(summary(doc, args.out))
    return 0


def summary(doc: dict[str, Any], out: Path) -> str:
    """One line on a generated set: tables, labelled columns, decoys, where."""
    columns = [c for t in doc["tables"] for c in t["columns"]]
    decoys = sum(c["decoy"] for c in columns)
    return f"{len(doc['tables'])} tables, {len(columns)} columns ({decoys} decoys) in {out}"


if __name__ == "__main__":
    raise SystemExit(main())
