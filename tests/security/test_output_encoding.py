"""CSV outputs keep their input's text encoding, or take the one ``--encoding`` names (issue 15, through
the writer of issue 9): a GB18030 export comes back GB18030 from protect and from reveal, and a value an
encoding cannot hold is one line naming the encoding, never the value."""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl
import pytest

from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from tests.cli.helpers import run_cli

POLICY = (
    "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  name: keep\n  email: encrypt\n  phone: drop\n"
)


@pytest.fixture
def gb_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path, Path, pl.DataFrame]:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    customers = generate_platform(SynthConfig(customers=300, transactions=10, seed=15)).customers
    frame = customers.filter(pl.col("country") == "CN").select("name", "email", "phone", "city").head(60)
    assert frame.height >= 20 and frame["name"].str.contains(r"[\u4e00-\u9fff]").fill_null(False).sum() >= 20
    path = tmp_path / "export.csv"
    path.write_bytes(frame.write_csv().encode("gb18030"))
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return ws, path, policy, frame


def test_protect_and_reveal_write_a_gb18030_input_back_in_gb18030(
    gb_export: tuple[Path, Path, Path, pl.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, path, policy, frame = gb_export
    protected, revealed = tmp_path / "protected.csv", tmp_path / "revealed.csv"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(path), "--policy", str(policy), "-o", str(protected)
    )
    assert code == 0, err
    raw = protected.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    kept = pl.read_csv(raw.decode("gb18030").encode("utf-8"), infer_schema=False)
    assert kept["name"].to_list() == frame["name"].to_list()
    code, _, err = run_cli(
        capsys, "-w", str(ws), "reveal", str(protected), "--policy", str(policy), "--decrypt",
        "-o", str(revealed), "--reason", "ticket 15",
    )  # fmt: skip
    assert code == 0, err
    back = pl.read_csv(revealed.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    assert back.select("name", "email", "city").equals(frame.select("name", "email", "city"))


def test_encoding_chooses_another_and_utf8_sig_starts_with_a_byte_order_mark(
    gb_export: tuple[Path, Path, Path, pl.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, path, policy, frame = gb_export
    out = tmp_path / "o.csv"
    code, _, err = run_cli(
        capsys,
        "-w",
        str(ws),
        "protect",
        str(path),
        "--policy",
        str(policy),
        "-o",
        str(out),
        "--encoding",
        "utf-8-sig",
    )
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and raw.count(codecs.BOM_UTF8) == 1
    assert pl.read_csv(raw[3:], infer_schema=False)["name"].to_list() == frame["name"].to_list()


def test_a_value_the_encoding_cannot_hold_is_refused_without_quoting_it(
    gb_export: tuple[Path, Path, Path, pl.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws, path, policy, frame = gb_export
    out = tmp_path / "o.csv"
    code, _, err = run_cli(
        capsys,
        "-w",
        str(ws),
        "protect",
        str(path),
        "--policy",
        str(policy),
        "-o",
        str(out),
        "--encoding",
        "euc-kr",
    )
    assert code == 2 and "cannot be written in euc_kr" in err
    assert len(err.strip().splitlines()) == 1
    assert not any(name in err for name in frame["name"])
    assert not out.exists()
    code, _, err = run_cli(
        capsys,
        "-w",
        str(ws),
        "protect",
        str(path),
        "--policy",
        str(policy),
        "-o",
        str(out),
        "--encoding",
        "latin-9",
    )
    assert code == 2 and "--encoding is one of" in err
