"""Rust panics inside Polars are bad input at the CLI's edge (exit 2, one line, no traceback), and byte-fuzzed
Parquet files never crash the process (audit, issue 9). The fuzz run is seeded and bounded by its
subprocess's timeout (no wall-clock assertion: the machine running it may be shared)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from tests.cli.helpers import run_cli


def _crafted(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.parquet"
    if kind == "date32_max":
        column = pa.array([2**31 - 1], pa.date32())
    elif kind == "timestamp_2_62_ms":
        column = pa.array([2**62], pa.timestamp("ms"))
    else:
        column = pa.array([1], pa.timestamp("ms", tz="Mars/Olympus"))
    pq.write_table(pa.table({"when": column, "name": ["x"]}), path)
    return path


@pytest.mark.parametrize("kind", ["date32_max", "timestamp_2_62_ms", "mars_time_zone"])
@pytest.mark.parametrize("command", ["scan", "protect"])
def test_values_polars_panics_on_are_exit_2_in_one_line(
    kind: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _crafted(tmp_path, kind)
    if command == "scan":
        argv = ["scan", str(path), "--json"]
    else:
        ws = tmp_path / "ws"
        assert run_cli(capsys, "init", str(ws))[0] == 0
        policy = tmp_path / "p.yaml"
        policy.write_text("ringfence_policy: 1\nname: p\nunlisted: keep\n", encoding="utf-8")
        argv = ["-w", str(ws), "protect", str(path), "--policy", str(policy), "-o", str(tmp_path / "o.csv")]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "o.csv").exists()


def test_a_footer_declaring_far_more_data_than_the_file_holds_is_refused(tmp_path: Path) -> None:
    from ringfence.errors import InputError
    from ringfence.io.read import open_source

    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"x": pa.array([0] * 10_000_000, pa.int64())}), path, compression="zstd")
    source = open_source(path)  # a legitimately compressible file still opens
    assert source.count_rows() == 10_000_000
    data = bytearray(path.read_bytes())
    meta = pq.read_metadata(path)
    declared = meta.row_group(0).total_byte_size
    footer_len = int.from_bytes(data[-8:-4], "little")
    footer = bytes(data[-8 - footer_len : -8])
    assert footer.count(_varint(declared)) >= 1
    with pytest.raises(InputError, match="declares"):
        _patch(path, data, footer, declared, open_source)


def _varint(n: int) -> bytes:
    zz = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        byte = zz & 0x7F
        zz >>= 7
        if zz:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _patch(path: Path, data: bytearray, footer: bytes, declared: int, open_source: object) -> None:
    old, new = _varint(declared), _varint(2**60)
    patched = footer.replace(old, new)
    data = data[: -8 - len(footer)] + patched + len(patched).to_bytes(4, "little") + b"PAR1"
    path.write_bytes(bytes(data))
    open_source(path)  # type: ignore[operator]


_FUZZ = """
import contextlib, io, json, sys
from ringfence.cli.app import run
results = []
for name in sys.argv[1:]:
    with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
        code = run(["scan", name, "--json"])
    results.append([name, code, err.getvalue()])
print(json.dumps(results))
"""


def test_byte_fuzzed_parquet_never_escapes_as_a_traceback_or_a_crash(tmp_path: Path) -> None:
    base = tmp_path / "base.parquet"
    generate_platform(SynthConfig(customers=200, transactions=10, seed=3)).customers.write_parquet(base)
    data = base.read_bytes()
    rng = random.Random(20261203)
    names = []
    for i in range(50):
        fuzzed = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            fuzzed[rng.randrange(len(fuzzed))] = rng.randrange(256)
        path = tmp_path / f"f{i}.parquet"
        path.write_bytes(bytes(fuzzed))
        names.append(str(path))
    done = subprocess.run(
        [sys.executable, "-c", _FUZZ, *names], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]  # a SIGABRT (an unbounded allocation) fails here
    for name, code, err in json.loads(done.stdout):
        assert code in (0, 2), (name, err)
        assert "Traceback" not in err and "unexpected" not in err, (name, err)


@pytest.mark.parametrize("kind", ["date32_max", "mars_time_zone"])
def test_a_panic_message_never_reaches_stderr_of_the_command(kind: str, tmp_path: Path) -> None:
    """Rust prints a panic's message (which can quote the value it stopped on) and its backtrace to the
    process's stderr itself, before Python sees the exception: only our one line may get there."""
    path = _crafted(tmp_path, kind)
    env = {k: v for k, v in os.environ.items() if k != "RINGFENCE_DEBUG"}
    env["RUST_BACKTRACE"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "ringfence", "scan", str(path), "--json"],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr[:2000]
    assert done.stderr.startswith("ringfence: error:")
    assert "panicked" not in done.stderr and "Mars" not in done.stderr
