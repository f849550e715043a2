"""CSV outputs keep their input's text encoding, or take the one ``--encoding`` names (issue 15, through
the writer of issue 9): a GB18030 export comes back GB18030 from protect and from reveal, and a value an
encoding cannot hold is one line naming the encoding, never the value."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from tests.cli.helpers import run_cli

POLICY = (
    "ringfence_policy: 1\nname: p\nunlisted: keep\ncolumns:\n  name: keep\n  email: encrypt\n  phone: drop\n"
)


@dataclass
class Export:
    """A GB18030 CSV export of Chinese customers, a workspace and a policy keeping their names."""

    ws: Path
    path: Path
    policy: Path
    frame: pl.DataFrame

    def cli(
        self, capsys: pytest.CaptureFixture[str], command: str, src: Path, out: Path, *extra: str
    ) -> tuple[int, str]:
        code, _, err = run_cli(
            capsys,
            "-w",
            str(self.ws),
            command,
            str(src),
            "--policy",
            str(self.policy),
            "-o",
            str(out),
            *extra,
        )
        return code, err


@pytest.fixture
def export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Export:
    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    customers = generate_platform(SynthConfig(customers=300, transactions=10, seed=15)).customers
    frame = customers.filter(pl.col("country") == "CN").select("name", "email", "phone", "city").head(60)
    assert frame["name"].str.contains(r"[\u4e00-\u9fff]").fill_null(False).sum() >= 20
    path = tmp_path / "export.csv"
    path.write_bytes(frame.write_csv().encode("gb18030"))
    policy = tmp_path / "p.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    return Export(ws, path, policy, frame)


def _gb18030(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    return pl.read_csv(raw.decode("gb18030").encode("utf-8"), infer_schema=False)


def test_protect_and_reveal_write_a_gb18030_input_back_in_gb18030(
    export: Export, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    protected, revealed = tmp_path / "protected.csv", tmp_path / "revealed.csv"
    code, err = export.cli(capsys, "protect", export.path, protected)
    assert code == 0, err
    assert _gb18030(protected)["name"].to_list() == export.frame["name"].to_list()
    code, err = export.cli(capsys, "reveal", protected, revealed, "--decrypt", "--reason", "ticket 15")
    assert code == 0, err
    columns = ["name", "email", "city"]
    assert _gb18030(revealed).select(columns).equals(export.frame.select(columns))


def test_encoding_chooses_another_and_utf8_sig_starts_with_a_byte_order_mark(
    export: Export, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o.csv"
    code, err = export.cli(capsys, "protect", export.path, out, "--encoding", "utf-8-sig")
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and raw.count(codecs.BOM_UTF8) == 1
    assert pl.read_csv(raw[3:], infer_schema=False)["name"].to_list() == export.frame["name"].to_list()


def test_a_value_the_encoding_cannot_hold_is_refused_without_quoting_it(
    export: Export, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o.csv"
    code, err = export.cli(capsys, "protect", export.path, out, "--encoding", "euc-kr")
    assert code == 2 and "cannot be written in euc_kr" in err
    assert len(err.strip().splitlines()) == 1
    assert not any(name in err for name in export.frame["name"])
    assert not out.exists()
    code, err = export.cli(capsys, "protect", export.path, out, "--encoding", "latin-9")
    assert code == 2 and "--encoding is one of" in err


def test_an_encoding_with_a_byte_order_mark_writes_it_once_however_many_batches(tmp_path: Path) -> None:
    from ringfence.io.read import open_source
    from ringfence.io.write import write_table

    frame = pl.DataFrame({"name": ["张伟", "김민준", "x"] * 4})
    path = tmp_path / "u.csv"
    write_table((frame.slice(i, 3) for i in range(0, frame.height, 3)), path, encoding="utf-16")
    assert path.read_bytes().count(codecs.BOM_UTF16_LE) == 1
    source = open_source(path)
    assert source.text_encoding == "utf-16" and source.read_all().equals(frame)
