"""The ledger on SQLite: append rate, verify of 100,000 entries, and a subject lookup across 10,000
releases of 1M subjects each.

    python -m bench ledger              # writes its section of bench/RESULTS.md
    python bench/bench_ledger.py        # prints the numbers only

- append: entries/s through ``Ledger.append``, one transaction (and one SQLite commit) each, without
  subjects and with 10 subject ids; and the time of one append of a 1M-subject release.
- verify: ``Ledger.verify()`` over 100,000 entries (every leaf, the chain, the subject commitments and
  a signed head recomputed), and ``checkpoint()`` / ``verify_against()`` at that size.
- subject lookup: 10,000 release entries whose subject index holds, for the probe's bucket, exactly the
  row a 1M-subject release would hold there (about 244 digests, uniform in the bucket's range; the
  probe in every 50th release). A lookup reads one row per release and nothing else, so this is the
  lookup's whole work at that scale; the other 4,095 buckets of each release (about 55 GB in all) are
  not written, and the entries' subject commitments therefore do not verify in this store.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ringfence.keys import Keyset
from ringfence.ledger import Entry, Ledger
from ringfence.ledger import subjects as subject_index
from ringfence.state import open_store


def _release(i: int) -> Entry:
    return Entry(
        "release",
        {
            "release_id": f"rel-{i}",
            "recipient": "acme",
            "country": "US",
            "purpose": "analytics",
            "legal_basis": "consent",
            "categories": ["contact"],
            "rows_out": 1000,
        },
    )


def _append(tmp: Path, n: int) -> dict[str, Any]:
    ledger = Ledger(open_store(f"sqlite:///{tmp}/append.db"), Keyset.generate())
    ids = pl.Series([f"cust-{j}" for j in range(10)])
    ledger.append(_release(0), ids)  # warm up
    t = time.perf_counter()
    for i in range(n):
        ledger.append(_release(i))
    plain = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for i in range(n):
        ledger.append(_release(i), ids)
    with_ids = n / (time.perf_counter() - t)
    big = pl.Series([f"cust-{j}" for j in range(1_000_000)])
    t = time.perf_counter()
    ledger.append(_release(-1), big)
    return {
        "append entries/s (no subjects)": round(plain),
        "append entries/s (10 subjects each)": round(with_ids),
        "append of one 1M-subject release (s)": round(time.perf_counter() - t, 3),
    }


def _verify(tmp: Path, n: int) -> dict[str, Any]:
    ledger = Ledger(open_store(f"sqlite:///{tmp}/verify.db"), Keyset.generate())
    ids = pl.Series(["a", "b", "c"])
    t = time.perf_counter()
    for i in range(n):
        ledger.append(_release(i), ids if i % 10 == 0 else None)
    fill = time.perf_counter() - t
    t = time.perf_counter()
    head = ledger.checkpoint()
    signed = time.perf_counter() - t
    ledger.append(_release(n))
    t = time.perf_counter()
    report = ledger.verify()
    verify = time.perf_counter() - t
    assert report.ok and report.size == n + 1
    t = time.perf_counter()
    assert ledger.verify_against(head).ok
    against = time.perf_counter() - t
    return {
        "verify: entries": n + 1,
        "verify: fill (s)": round(fill, 1),
        "verify (s)": round(verify, 2),
        "checkpoint (s)": round(signed, 2),
        "verify_against (s)": round(against, 2),
    }


def _lookup(tmp: Path, releases: int, per_release: int, repeat: int = 5) -> dict[str, Any]:
    keys = Keyset.generate()
    store = open_store(f"sqlite:///{tmp}/lookup.db")
    ledger = Ledger(store, keys)
    probe = "probe-subject"
    prf = keys.prf(keys.primary_id("hmac"), subject_index.DOMAIN)
    word = int(subject_index.digests(prf, pl.Series([probe]))[0])
    level = subject_index.level_for(per_release)
    prefix = word >> (64 - level)
    low = np.uint64(prefix << (64 - level))
    rng = np.random.default_rng(1)
    for i in range(releases):
        ledger.append(_release(i), pl.Series([f"placeholder-{i}"]))
    expected = 0
    with store.transaction():
        store.execute("DELETE FROM ledger_subjects")
        for i in range(releases):
            count = int(rng.binomial(per_release, 1.0 / (1 << level)))
            words = low + rng.integers(0, 1 << (64 - level), size=count, dtype=np.uint64)
            if i % 50 == 0:
                words = np.append(words, np.uint64(word))
                expected += 1
            words = np.unique(words)
            node = (1 << level) | prefix  # the node of this bucket in a release of per_release subjects
            store.execute(
                "INSERT INTO ledger_subjects (bucket, idx, n, digests) VALUES (?, ?, ?, ?)",
                (node, i, len(words), subject_index.pack(words)),
            )
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        found = ledger.subject(probe)
        times.append(time.perf_counter() - t)
    assert len(found) == expected
    return {
        "lookup: releases": releases,
        "lookup: subjects per release": per_release,
        "lookup: releases found": len(found),
        "lookup median (s)": round(statistics.median(times), 3),
        "lookup max (s)": round(max(times), 3),
    }


def run(rows: int | None = None, **_: Any) -> dict[str, Any]:
    """``rows`` scales the verify size (default 100,000 entries)."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        result = _append(tmp, 2000)
        result |= _verify(tmp, rows or 100_000)
        result |= _lookup(tmp, 10_000, 1_000_000)
    return result


if __name__ == "__main__":
    import json

    json.dump(run(), sys.stdout, indent=2)
    print()


def to_markdown(result: dict[str, Any]) -> str:
    from bench.__main__ import default_markdown

    return (
        default_markdown(result)
        + "\n\nAppend is one transaction and one SQLite commit (synchronous FULL, WAL) per entry; with 10 "
        "subject ids each, the keyed digests and the subject row add to it. The lookup store holds, for "
        "each of the 10,000 releases, the one row a 1M-subject release has in the probe's bucket (the only "
        "row a lookup reads); the other 4,095 buckets of each release (about 55 GB) are not written. "
        "`verify` recomputes every entry, the chain, the subject commitments and the signed head."
    )
