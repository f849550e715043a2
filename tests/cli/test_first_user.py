"""What a new user meets first, through the command line: a national-ID column mixing CN and KR holders,
keys that can be disabled and enabled again, a keyset sealed at ``init``, ``--version``, the help, and
``protect --explain`` without a recipient."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import pytest

from ringfence.keys.wrap import PASSPHRASE_ENV
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from tests.cli.helpers import run_cli

CN_RULE = "national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}"


def _policy(path: Path, rule: str) -> Path:
    path.write_text(
        f"ringfence_policy: 1\nname: ids\nunlisted: drop\ncolumns:\n  customer_id: keep\n  {rule}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def ws(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "ws"
    assert run_cli(capsys, "init", str(folder))[0] == 0
    return folder


def test_a_mixed_cn_kr_id_column_is_derived_per_value_and_unreadable_ones_are_counted(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = generate_platform(SynthConfig(customers=2_000, transactions=10, seed=11)).customers
    assert set(truth["country"].unique()) == {"CN", "KR"}  # both kinds of holder, one column
    broken = {3, 500, 1_999}  # three IDs no reader can parse
    ids = truth["national_id"].to_list()
    for i in broken:
        ids[i] = "12345"
    table = tmp_path / "customers.parquet"
    truth.with_columns(pl.Series("national_id", ids)).write_parquet(table)
    out_file = tmp_path / "out.parquet"
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(_policy(tmp_path / "p.yaml", CN_RULE)),
        "-o", str(out_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["unreadable"] == {"national_id": len(broken)}
    got = pl.read_parquet(out_file).join(truth, on="customer_id")
    readable = got.filter(~pl.col("customer_id").is_in(truth["customer_id"].gather(list(broken)).implode()))
    kr = readable.filter(pl.col("country") == "KR")
    assert kr.height > 500  # the KR holders (declared CN_RESIDENT_ID) are read as KR RRNs, not nulled
    assert (readable["national_id_birth_year"] == readable["birth_date"].dt.year()).all()
    assert (readable["national_id_gender"] == readable["gender"]).all()
    assert got.filter(pl.col("national_id_birth_year").is_null()).height == len(broken)
    # People's text says how many could not be read, naming the column, never a value.
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(tmp_path / "p.yaml"), "-o", str(out_file),
        "--force",
    )  # fmt: skip
    assert code == 0 and "3 value(s) of column national_id could not be read" in err
    assert "12345" not in err


def test_keys_disable_names_the_recorded_outputs_asks_and_enable_undoes_it(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(capsys, "-w", str(ws), "keys", "rotate", "aead", "--json")
    assert code == 0
    old = next(
        k["id"]
        for k in json.loads(run_cli(capsys, "-w", str(ws), "keys", "list", "--json")[1])["keys"]
        if k["purpose"] == "aead" and k["status"] == "enabled"
    )
    # Without --yes and without a terminal to ask on: refused, nothing changed.
    code, _, err = run_cli(capsys, "-w", str(ws), "keys", "disable", old)
    assert code == 2 and f"ringfence keys disable {old} --yes" in err
    assert "No release or reveal recorded" in err
    statuses = json.loads(run_cli(capsys, "-w", str(ws), "keys", "list", "--json")[1])["keys"]
    assert {k["id"]: k["status"] for k in statuses}[old] == "enabled"
    # On a terminal, a "no" leaves it enabled (exit 1), a "yes" disables it.
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("typer.confirm", lambda *a, **k: False)
    assert run_cli(capsys, "-w", str(ws), "keys", "disable", old)[0] == 1
    monkeypatch.setattr("typer.confirm", lambda *a, **k: True)
    code, out, err = run_cli(capsys, "-w", str(ws), "keys", "disable", old)
    assert code == 0 and f"ringfence keys enable {old}" in out
    statuses = json.loads(run_cli(capsys, "-w", str(ws), "keys", "list", "--json")[1])["keys"]
    assert {k["id"]: k["status"] for k in statuses}[old] == "disabled"
    code, out, _ = run_cli(capsys, "-w", str(ws), "keys", "enable", old, "--json")
    assert code == 0 and json.loads(out) == {"enabled": old, "status": "enabled"}
    # The primary key cannot be disabled at all.
    primary = next(k["id"] for k in statuses if k["purpose"] == "aead" and k["status"] == "primary")
    code, _, err = run_cli(capsys, "-w", str(ws), "keys", "disable", primary, "--yes")
    assert code == 2 and "rotate before disabling it" in err


def test_keys_disable_lists_the_reveals_made_with_the_key(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "customers.parquet"
    generate_platform(SynthConfig(customers=200, transactions=10, seed=3)).customers.write_parquet(table)
    policy = _policy(tmp_path / "p.yaml", "email: {action: encrypt, entity: EMAIL_ADDRESS}")
    out_file, back = tmp_path / "out.parquet", tmp_path / "back.parquet"
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(policy), "-o", str(out_file), "--json"
    )
    assert code == 0, err
    aead = json.loads(out)["key_ids"][0]
    code, _, err = run_cli(
        capsys,
        "-w",
        str(ws),
        "reveal",
        str(out_file),
        "-p",
        str(policy),
        "-o",
        str(back),
        "--decrypt",
        "--reason",
        "audit 7",
    )
    assert code == 0, err
    run_cli(capsys, "-w", str(ws), "keys", "rotate", "aead")
    code, out, err = run_cli(capsys, "-w", str(ws), "keys", "disable", aead, "--yes", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["disabled"] == aead and [u["kind"] for u in doc["used_by"]] == ["reveal"]
    assert doc["used_by"][0]["output"] == str(back.resolve())


def test_init_says_how_to_seal_and_seals_from_the_environment_or_a_prompt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(capsys, "init", str(tmp_path / "plain"))
    assert code == 0 and "the keyset is in clear" in out and "ringfence init --seal" in out
    assert json.loads((tmp_path / "plain/keys/keyset.json").read_text())["sealed"] == "plain"

    monkeypatch.setenv(PASSPHRASE_ENV, "correct horse battery")
    code, out, _ = run_cli(capsys, "init", str(tmp_path / "env"), "--json")
    assert code == 0 and json.loads(out)["keyset_sealed"] == "passphrase"
    envelope = json.loads((tmp_path / "env/keys/keyset.json").read_text())
    assert envelope["sealed"] == "passphrase" and "keyset" not in envelope
    monkeypatch.delenv(PASSPHRASE_ENV)
    code, _, err = run_cli(capsys, "-w", str(tmp_path / "env"), "keys", "list")
    assert code == 2 and PASSPHRASE_ENV in err

    # --seal without a terminal: one clear line; on a terminal: prompted, and the run's environment only.
    code, _, err = run_cli(capsys, "init", str(tmp_path / "no-tty"), "--seal")
    assert code == 2 and PASSPHRASE_ENV in err and not (tmp_path / "no-tty/ringfence.toml").exists()
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("typer.prompt", lambda *a, **k: "a long passphrase")
    code, out, _ = run_cli(capsys, "init", str(tmp_path / "prompted"), "--seal")
    assert code == 0 and "sealed with a passphrase" in out
    assert PASSPHRASE_ENV not in __import__("os").environ
    monkeypatch.setenv(PASSPHRASE_ENV, "a long passphrase")
    assert run_cli(capsys, "-w", str(tmp_path / "prompted"), "keys", "list")[0] == 0


def test_version_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    from ringfence import __version__

    assert run_cli(capsys, "--version") == (0, f"ringfence {__version__}\n", "")
    for argv in (["--version", "--json"], ["--json", "--version"]):
        code, out, _ = run_cli(capsys, *argv)
        assert code == 0 and json.loads(out) == {"version": __version__}


@pytest.mark.parametrize(
    "argv", [[], ["scan"], ["protect"], ["keys"], ["keys", "disable"], ["init"], ["ledger"], ["demo"]]
)
def test_help_shows_no_python_types(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, *argv, "--help")
    assert code == 0 and "Usage:" in out
    for artefact in ("<bool>", "<list[str]>", "{inputs}", "{input}", "<str>"):
        assert artefact not in out, artefact


def test_protect_explain_shows_the_plan_without_a_recipient(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "customers.parquet"
    generate_platform(SynthConfig(customers=100, transactions=10, seed=3)).customers.write_parquet(table)
    policy = _policy(tmp_path / "p.yaml", "phone: {action: tokenize, entity: PHONE_NUMBER}")
    code, out, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(policy), "-o", "x.parquet", "--explain"
    )
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "resolvable against a reference" in lines["phone"] and "reversible" not in out
    assert "ringfence protect --recipient" in err
    assert not Path("x.parquet").exists()


def test_card_surrogates_through_protect_and_reveal(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accounts = generate_platform(SynthConfig(customers=500, transactions=10, seed=9)).accounts
    table = tmp_path / "accounts.parquet"
    accounts.select("account_id", "card_number", "bank_account").write_parquet(table)
    policy = tmp_path / "cards.yaml"
    policy.write_text(
        "ringfence_policy: 1\nname: cards\nunlisted: drop\ncolumns:\n  account_id: keep\n"
        "  card_number: {action: fpe, entity: PAYMENT_CARD, keep_bin: true}\n"
        "  bank_account: {action: card_surrogate}\n",
        encoding="utf-8",
    )
    out_file, back = tmp_path / "out.parquet", tmp_path / "back.parquet"
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(policy), "-o", str(out_file), "--explain"
    )
    # bank accounts are not card numbers: the plan is shown, the run refuses them with a count
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(policy), "-o", str(out_file),
        "--recipient", "acme",
    )  # fmt: skip
    assert code == 2 and "are not card numbers" in err and not out_file.exists()
    policy.write_text(
        policy.read_text().replace("bank_account: {action: card_surrogate}", "bank_account: drop")
    )
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(table), "-p", str(policy), "-o", str(out_file),
        "--recipient", "acme",
    )  # fmt: skip
    assert code == 0, err
    protected = pl.read_parquet(out_file)
    assert (protected["card_number"].str.slice(0, 6) == accounts["card_number"].str.slice(0, 6)).all()
    assert (protected["card_number"] != accounts["card_number"]).sum() >= accounts.height - 1
    code, out, err = run_cli(
        capsys, "-w", str(ws), "reveal", str(out_file), "-p", str(policy), "-o", str(back), "--decrypt",
        "--reason", "chargeback 12",
    )  # fmt: skip
    assert code == 0, err
    assert "decrypted" in out and "reversed" not in out
    assert pl.read_parquet(back)["card_number"].to_list() == accounts["card_number"].to_list()


def test_protect_a_folder_with_one_policy_for_any_table_or_one_each(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ringfence.synth import ENTITIES, write_platform

    data = tmp_path / "platform"
    data.mkdir()
    write_platform(generate_platform(SynthConfig(customers=400, transactions=2_000, seed=4)), data)
    tables = sorted(p.stem for p in data.iterdir())
    found = {e for columns in ENTITIES.values() for e in columns.values() if e is not None}
    # One policy for any table: an entity rule for every entity the platform holds, the rest kept.
    rules = {e: "drop" for e in found}
    rules["PHONE_NUMBER"] = "{action: tokenize, scope: global}"
    rules["PAYMENT_CARD"] = "{action: fpe, keep_bin: true, scope: global}"
    any_table = tmp_path / "any.yaml"
    any_table.write_text(
        "ringfence_policy: 1\nname: any\nunlisted: keep\nentities:\n"
        + "".join(f"  {e}: {r}\n" for e, r in sorted(rules.items())),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "-p", str(any_table), "-o", str(out), "--json"
    )
    assert code == 0, err
    docs = json.loads(stdout)["tables"]
    assert [Path(d["output"]).stem for d in docs] == tables
    assert sorted(p.stem for p in out.iterdir()) == tables
    customers = pl.read_parquet(out / "customers.parquet")
    assert "email" not in customers.columns and customers["phone"].str.starts_with("rt1_").all()
    # One policy per table: a folder of <table>.yaml; a table without one stops the run before any work.
    policies = tmp_path / "policies"
    policies.mkdir()
    for name in tables[:-1]:
        (policies / f"{name}.yaml").write_text(any_table.read_text(), encoding="utf-8")
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", str(data), "-p", str(policies), "-o", str(tmp_path / "each")
    )
    assert code == 2 and f"no policy for table {tables[-1]}" in err
    assert not (tmp_path / "each").exists()
    (policies / f"{tables[-1]}.yaml").write_text(any_table.read_text(), encoding="utf-8")
    inputs = [str(data / "customers.parquet"), str(data / "accounts.parquet")]
    code, stdout, err = run_cli(
        capsys, "-w", str(ws), "protect", *inputs, "-p", str(policies), "-o", str(tmp_path / "each"), "--json"
    )
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "each").iterdir()) == ["accounts.parquet", "customers.parquet"]
    # Outputs are checked before any table is read: an existing one stops the run, nothing is written.
    code, _, err = run_cli(
        capsys, "-w", str(ws), "protect", *inputs, "-p", str(policies), "-o", str(tmp_path / "each")
    )
    assert code == 2 and "exists; pass --force" in err


def test_risk_checks_its_report_folder_before_measuring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "customers.parquet"
    generate_platform(SynthConfig(customers=100, transactions=10, seed=3)).customers.write_parquet(table)

    def measured(*args: object, **kwargs: object) -> None:
        raise AssertionError("the risk was measured before the report folder was checked")

    monkeypatch.setattr("ringfence.risk.table.assess", measured)
    code, _, err = run_cli(capsys, "risk", str(table), "--report", str(tmp_path / "missing" / "risk.html"))
    assert code == 2 and "folder" in err and "does not exist" in err
