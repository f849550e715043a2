"""Trace end to end: a 10,000-row leak against 1,000 releases, and a 1M-row leak against a large reference.

    python -m bench.trace_speed                 # writes its section of bench/RESULTS.md
    python -m bench.trace_speed --no-write      # prints the numbers only
    python -m bench.trace_speed --reference 30000000

- **1,000 releases**: a workspace whose ledger holds 1,000 ``release`` entries, each with its recipient's
  mark record (``"fingerprint"``: amount and timestamp columns, as the release step writes them), and a
  leak of 10,000 transactions from one recipient's marked copy (``MarkStep``), shuffled, its headers
  renamed in Korean and Chinese, amounts written as text (``1,234.50``), timestamps in another format,
  as CSV. Timed: ``trace()`` whole (read, align, reference check, ``attribute`` over the 1,000 records,
  verdict, ledger entry).
- **1M-row leak**: a reference made by ``reference add`` from 1M synthetic customers (timed: rows/s), then
  padded in the state store with random digests so the phone and e-mail digests number ``--reference``
  per kind (the reference of that many subjects; the other kinds stay at 1M). The leak: 500,000 genuine
  customers and 500,000 invented ones (the generator with another seed), phones re-spaced and e-mails
  upper-cased, as Parquet. Timed: ``trace()`` whole, and its parts (loading the digests, normalising and
  digesting the leak's identifiers, the sorted-array lookups). The loading part grows linearly with the
  reference (one BLOB per kind read and copied); the lookups as ``log N`` (``np.searchsorted``); the
  leak's digests do not depend on it at all. The scaling to 100M subjects is stated from the parts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ringfence.fingerprint import MarkedColumn, MarkRecord, MarkStep
from ringfence.ledger import Entry
from ringfence.synth import SynthConfig, generate_platform
from ringfence.trace import add_reference, trace
from ringfence.trace.align import align
from ringfence.trace.reference import load_digests
from ringfence.trace.run import _reference_hits
from ringfence.workspace import init_workspace

RELEASED = ["txn_id", "customer_id", "amount", "currency", "ts", "channel", "status"]
COLUMNS = [
    MarkedColumn(name="amount", kind="amount", tolerance=0.01),
    MarkedColumn(name="ts", kind="timestamp", tolerance=1),
]


def _amount_text(col: str) -> pl.Expr:
    whole = pl.col(col).floor().cast(pl.Int64)
    cents = ((pl.col(col) - pl.col(col).floor()) * 100).round().cast(pl.Int64)
    grouped = whole.cast(pl.String).str.reverse().str.replace_all(r"(\d{3})(\d)", "$1,$2").str.reverse()
    return grouped + pl.lit(".") + cents.cast(pl.String).str.zfill(2)


def releases_bench(tmp: Path, releases: int = 1_000, rows: int = 10_000) -> dict[str, Any]:
    ws = init_workspace(tmp / "releases", jurisdiction="KR")
    keys = ws.keyset()
    store = ws.state()
    try:
        ledger = ws.ledger(store, keys)
        kid = keys.primary_id("hmac")
        platform = generate_platform(SynthConfig(customers=5_000, transactions=rows * 3, seed=41))
        txns = pl.concat(list(platform.transactions())).select(RELEASED)
        probe = MarkRecord(
            recipient="probe",
            release_id=None,
            key_id=kid,
            domain="transactions",
            columns=COLUMNS,
            rate=0.096,
            cutoff=0.1,
        )
        step = MarkStep(probe, keys)
        step(txns)  # the embedder fixes each column's rate from the data, as a release does
        records = [
            probe.model_copy(
                update={
                    "recipient": f"partner-{i:04d}",
                    "release_id": f"rel-{i:04d}",
                    "columns": step.columns(),
                }
            )
            for i in range(releases)
        ]
        for r in records:
            fields = {"release_id": r.release_id, "recipient": r.recipient, "columns": RELEASED}
            fields |= {"key_ids": [kid], "fingerprint": r.model_dump(mode="json")}
            ledger.append(Entry("release", fields))
        leaker = records[len(records) * 417 // 1000]
        leak = (
            MarkStep(leaker, keys)(txns)
            .sample(rows, seed=1, shuffle=True)
            .select(
                pl.col("ts").dt.strftime("%Y/%m/%d %H:%M:%S").alias("거래일시"),
                _amount_text("amount").alias("金额"),
                pl.col("currency").alias("币种"),
                pl.col("status").alias("상태"),
            )
        )
        path = tmp / "leak-10k.csv"
        leak.write_csv(path)
        started = time.perf_counter()
        result = trace([path], keys=keys, store=store, ledger=ledger)
        seconds = time.perf_counter() - started
    finally:
        store.close()
    named = [s.recipient for s in result.suspects]
    return {
        "releases": releases,
        "leak_rows": rows,
        "seconds": round(seconds, 2),
        "verdict": result.verdict,
        "named": named,
        "right_recipient": named == [leaker.recipient],
        "recipients_scored": len(result.scored),
        "bound_of_named": result.suspects[0].false_accusation_bound if result.suspects else None,
    }


def _offered(genuine: pl.DataFrame, invented: pl.DataFrame) -> pl.DataFrame:
    cols = ["name", "phone", "email", "national_id"]
    mixed = pl.concat([genuine.select(cols), invented.select(cols)]).sample(
        fraction=1.0, shuffle=True, seed=2
    )
    return mixed.with_columns(pl.col("phone").str.replace_all("-", " "), pl.col("email").str.to_uppercase())


def reference_bench(
    tmp: Path, subjects: int, customers: int = 1_000_000, rows: int = 1_000_000
) -> dict[str, Any]:
    ws = init_workspace(tmp / "reference", jurisdiction="KR")
    keys = ws.keyset()
    own = generate_platform(SynthConfig(customers=customers, transactions=10, seed=51)).customers
    own_path = tmp / "customers.parquet"
    own.write_parquet(own_path)
    store = ws.state()
    try:
        started = time.perf_counter()
        added = add_reference(store, keys, own_path)
        add_seconds = time.perf_counter() - started
        # pad the reference's phone and e-mail digests to ``subjects`` each, in place: one sorted array
        # per kind, as a reference of that many subjects would store it
        rng = np.random.default_rng(5)
        for kind in ("PHONE_NUMBER", "EMAIL_ADDRESS"):
            (blob,) = store.query(
                "SELECT digests FROM reference_digests WHERE name = ? AND kind = ?", (added.name, kind)
            )[0]
            words = np.frombuffer(bytes(blob), dtype="<u8").astype(np.uint64)
            extra = rng.integers(0, 2**64 - 1, max(0, subjects - len(words)), dtype=np.uint64, endpoint=True)
            words = np.unique(np.concatenate([words, extra]))
            store.execute(
                "UPDATE reference_digests SET n = ?, digests = ? WHERE name = ? AND kind = ?",
                (len(words), words.astype("<u8").tobytes(), added.name, kind),
            )
            del words, extra
        half = rows // 2
        invented = generate_platform(SynthConfig(customers=half, transactions=10, seed=52)).customers
        leak = _offered(own.sample(half, seed=3), invented)
        path = tmp / "leak-1m.parquet"
        leak.write_parquet(path)
        del own, invented
        ledger = ws.ledger(store, keys)
        started = time.perf_counter()
        result = trace([path], keys=keys, store=store, ledger=ledger)
        seconds = time.perf_counter() - started
        # the parts, measured again one by one
        t = time.perf_counter()
        groups = load_digests(store)
        load = time.perf_counter() - t
        frame = pl.read_parquet(path)
        t = time.perf_counter()
        alignment = align(frame, [])
        align_s = time.perf_counter() - t
        t = time.perf_counter()
        _reference_hits(frame, alignment, groups, keys)
        hits_s = time.perf_counter() - t
        sizes = {k: len(v) for k, v in groups[0].by_kind.items()}
        del groups
    finally:
        store.close()
    return {
        "reference_add_rows": customers,
        "reference_add_seconds": round(add_seconds, 2),
        "reference_add_rows_per_s": round(customers / add_seconds),
        "digests_per_kind": sizes,
        "leak_rows": rows,
        "seconds": round(seconds, 2),
        "load_digests_s": round(load, 2),
        "align_s": round(align_s, 2),
        "normalise_digest_lookup_s": round(hits_s, 2),
        "matched_rows": result.matched_rows,
        "match_rate_ci99": [round(x, 4) for x in result.interval],
        "verdict": result.verdict,
    }


def run(
    subjects: int = 20_000_000, customers: int = 1_000_000, rows: int = 1_000_000, releases: int = 1_000
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="rf-trace-bench-") as tmp:
        first = releases_bench(Path(tmp), releases)
        second = reference_bench(Path(tmp), subjects, customers, rows)
    return {"releases": first, "reference": second}


def to_markdown(result: dict[str, Any]) -> str:
    a, b = result["releases"], result["reference"]
    per_kind = b["digests_per_kind"]
    big = max(per_kind.values())
    load_per_100m = b["load_digests_s"] * 100_000_000 / (2 * big) if big else 0.0
    fixed = b["seconds"] - b["load_digests_s"]
    load_200m = 2 * load_per_100m
    chance = b["matched_rows"] - b["leak_rows"] // 2
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(per_kind.items()))
    return "\n".join(
        [
            "Measured on the shared 2-core development machine while other helpers ran their work: absolute "
            "times are upper bounds of a quiet machine's.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| 10,000-row leak vs {a['releases']:,} releases (marks), whole trace | {a['seconds']} s |",
            f"| ... verdict, named | {a['verdict']}, {', '.join(a['named']) or 'no one'} "
            f"(right recipient: {a['right_recipient']}, bound {a['bound_of_named']}) |",
            f"| ... recipients scored | {a['recipients_scored']:,} |",
            f"| reference add, {b['reference_add_rows']:,} customers | {b['reference_add_seconds']} s "
            f"({b['reference_add_rows_per_s']:,} rows/s) |",
            f"| reference digests per kind | {kinds} |",
            f"| {b['leak_rows']:,}-row leak vs that reference, whole trace | {b['seconds']} s |",
            f"| ... loading the digests | {b['load_digests_s']} s |",
            f"| ... aligning (profiles from a sample) | {b['align_s']} s |",
            f"| ... normalising, digesting, looking up the leak's identifiers | "
            f"{b['normalise_digest_lookup_s']} s |",
            f"| ... matched rows (500,000 genuine), 99% interval, verdict | {b['matched_rows']:,}, "
            f"{b['match_rate_ci99']}, {b['verdict']} |",
            "",
            "Scaling to a 100M-subject reference: only loading the digests grows with the reference, "
            f"linearly ({b['load_digests_s']} s for {2 * big:,} digests here, so about {load_200m:.0f} s "
            "for 100M phone and 100M e-mail digests, 1.6 GB read from the store); the lookups grow by log N "
            "(27 halvings instead of 25); normalising and digesting the leak's identifiers "
            f"({b['normalise_digest_lookup_s']} s here, the largest part) does not depend on it. Estimated "
            f"whole trace of the 1M-row leak at 100M subjects on this machine: about "
            f"{fixed + load_200m:.0f} s. Of the invented half, {chance:,} "
            "rows matched by chance (the generator draws device numbers from a small space, so two of an "
            "invented person's identifiers can both equal real ones).",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.trace_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=20_000_000, help="phone and e-mail digests")
    parser.add_argument("--customers", type=int, default=1_000_000, help="rows of the reference table")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large leak")
    parser.add_argument("--releases", type=int, default=1_000, help="release entries with mark records")
    parser.add_argument("--no-write", action="store_true", help="print results, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    result = run(args.reference, args.customers, args.rows, args.releases)
    print(json.dumps(result, indent=2, default=str))
    if not args.no_write:
        from bench.__main__ import update_results

        update_results("trace_speed", to_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
