"""``ringfence reveal`` through the command line, on a synthetic platform protected before and after a key
rotation: originals restored exactly, tokens resolved through the company's own tables, each reveal
recorded with its counts and no value or key bytes in the record, refusals (no flag, no reason, tampered
ciphertext, failed recording) exit 2 leaving no output and no record; PostgreSQL state works too."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import polars as pl
import pytest

from ringfence.io.write import write_table
from ringfence.state.reversals import ReversalRecord, list_reversals
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.workspace.workspace import open_workspace
from tests.cli.helpers import key_encodings, run_cli
from tests.conftest import POSTGRES_URL

CUSTOMER_POLICY = """
ringfence_policy: 1
name: partner-customers
unlisted: drop
columns:
  customer_id: {action: tokenize, scope: global}
  phone: {action: tokenize, entity: PHONE_NUMBER}
  email: {action: encrypt, entity: EMAIL_ADDRESS}
  national_id: {action: fpe}
  device_imei: {action: fpe, entity: IMEI, scope: global}
  name: {action: mask}
  gender: keep
  city: keep
"""

TXN_POLICY = """
ringfence_policy: 1
name: partner-transactions
unlisted: drop
columns:
  txn_id: keep
  customer_id: {action: tokenize, scope: global}
  account_id: {action: fpe, alphabet: alnum}
  amount: {action: round, to: 10}
  merchant_id: keep
"""

REVERSED = ["customer_id", "phone", "email", "national_id", "device_imei"]
REASON = "chargeback dispute 4711: the acquirer needs the card holder's contact"


def _records(ws: Path) -> list[ReversalRecord]:
    store = open_workspace(ws).state()
    try:
        return list_reversals(store)
    finally:
        store.close()


class Platform:
    """A workspace with customers protected before a key rotation and transactions after it."""

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str], state: str | None = None) -> None:
        self.root, self.ws = root, root / "ws"
        init = ["init", str(self.ws)] + (["--state", state] if state else [])
        assert run_cli(capsys, *init)[0] == 0, "init"
        platform = generate_platform(SynthConfig(customers=1_500, transactions=4_000, seed=7))
        self.customers = platform.customers
        self.transactions = pl.concat(list(platform.transactions()))
        self.customers_file = root / "customers.parquet"
        self.transactions_file = root / "transactions.parquet"
        self.customers.write_parquet(self.customers_file)
        self.transactions.write_parquet(self.transactions_file)
        self.customer_policy, self.txn_policy = root / "customers.yaml", root / "transactions.yaml"
        self.customer_policy.write_text(CUSTOMER_POLICY, encoding="utf-8")
        self.txn_policy.write_text(TXN_POLICY, encoding="utf-8")
        self.protected_customers = root / "partner-customers.parquet"
        self.protected_transactions = root / "partner-transactions.parquet"
        code, out, err = self.cli(
            capsys, "protect", str(self.customers_file), "--policy", str(self.customer_policy),
            "-o", str(self.protected_customers), "--recipient", "acme", "--json",
        )  # fmt: skip
        assert code == 0, err
        self.customer_doc = json.loads(out)
        keyset = open_workspace(self.ws).keyset()
        self.old_aead, self.old_hmac = keyset.primary_id("aead"), keyset.primary_id("hmac")
        assert set(self.customer_doc["key_ids"]) == {self.old_aead, self.old_hmac}
        for purpose in ("aead", "hmac"):
            assert self.cli(capsys, "keys", "rotate", purpose)[0] == 0
        self.new_aead = open_workspace(self.ws).keyset().primary_id("aead")
        self.national_key = ("--fpe-key-id", f"national_id={self.old_aead}")
        code, out, err = self.cli(
            capsys, "protect", str(self.transactions_file), "--policy", str(self.txn_policy),
            "-o", str(self.protected_transactions), "--recipient", "acme", "--json",
        )  # fmt: skip
        assert code == 0, err

    def cli(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        return run_cli(capsys, "-w", str(self.ws), *argv)

    def reveal_customers(
        self, capsys: pytest.CaptureFixture[str], output: Path, *extra: str
    ) -> tuple[int, str, str]:
        return self.cli(
            capsys, "reveal", str(self.protected_customers), "--policy", str(self.customer_policy),
            "-o", str(output), "--recipient", "acme", *extra,
        )  # fmt: skip


@pytest.fixture
def platform(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Platform:
    return Platform(tmp_path, capsys)


def test_reveal_restores_the_originals_and_records_the_reversal(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = platform
    output = tmp_path / "revealed-customers.parquet"
    code, out, err = p.reveal_customers(
        capsys, output, "--reason", REASON, "--decrypt", "--detokenize-with", str(p.customers_file),
        "--fpe-key-id", f"national_id={p.old_aead}", "--json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"reversal_id", "rows", "columns", "output", "recorded"}
    assert doc["recorded"] is True and doc["rows"] == p.customers.height
    assert Path(doc["output"]).name == output.name
    assert output.stat().st_mode & 0o777 == 0o600  # data in clear: the owner's only
    revealed = pl.read_parquet(output)
    for column in REVERSED:
        assert revealed[column].to_list() == p.customers[column].to_list(), column
        entry = doc["columns"][column]
        assert entry["status"] == "reversed"
        assert (entry["rows_resolved"], entry["rows_unresolved"]) == (p.customers.height, 0)
    assert doc["columns"]["email"]["key_ids"] == [p.old_aead]
    assert doc["columns"]["phone"]["key_ids"] == [p.old_hmac]
    # The old aead key, as the protected file's footer records it (protect wrote it there).
    assert doc["columns"]["device_imei"]["key_source"] == "recorded"
    assert doc["columns"]["device_imei"]["rows_invalid"] == 0 and "note" not in doc["columns"]["national_id"]
    assert doc["columns"]["name"]["status"] == "not reversible"
    assert revealed["name"].to_list() == pl.read_parquet(p.protected_customers)["name"].to_list()

    # Transactions protected after the rotation: tokens resolve through the company's customer table, here
    # a SQLite table whose column has another name (same global domain), the account's FPE under the new
    # primary key.
    crm = f"sqlite:///{tmp_path / 'crm.db'}?table=customers"
    write_table(p.customers.select(pl.col("customer_id").alias("cust_no")), crm)
    txn_out = tmp_path / "revealed-transactions.csv"
    txn_args = [
        "reveal", str(p.protected_transactions), "--policy", str(p.txn_policy), "-o", str(txn_out),
        "--reason", "AML review", "--recipient", "acme", "--decrypt",
        "--detokenize-with", crm, "--ref-column", "cust_no", "--json",
    ]  # fmt: skip
    # Two aead keys and no validator for an account id: without the plan protect recorded in its Parquet
    # footer (a CSV copy), the FPE key is not guessed, it is asked for.
    csv_copy = tmp_path / "protected-transactions.csv"
    pl.read_parquet(p.protected_transactions).write_csv(csv_copy)
    code, out, err = p.cli(capsys, *txn_args[:1], str(csv_copy), *txn_args[2:])
    assert code == 2 and out == "" and "--fpe-key-id account_id=KEY" in err and not txn_out.exists()
    assert p.old_aead in err and p.new_aead in err
    # The Parquet file says which key made the column, and a contradicting --fpe-key-id is refused.
    code, out, err = p.cli(capsys, *txn_args, "--fpe-key-id", f"account_id={p.old_aead}")
    assert code == 2 and p.new_aead in err and not txn_out.exists()
    code, out, err = p.cli(capsys, *txn_args)
    assert code == 0, err
    txn_doc = json.loads(out)
    assert txn_doc["columns"]["account_id"]["key_source"] == "recorded"
    back = pl.read_csv(txn_out, infer_schema=False)
    assert back["account_id"].to_list() == p.transactions["account_id"].to_list()
    known = p.transactions["customer_id"].is_in(p.customers["customer_id"].implode())
    assert txn_doc["columns"]["customer_id"]["rows_resolved"] == int(known.sum())
    assert (
        back.filter(known)["customer_id"].to_list() == p.transactions.filter(known)["customer_id"].to_list()
    )
    assert txn_doc["columns"]["amount"]["status"] == "not reversible"

    records = {r.id: r for r in _records(p.ws)}
    assert set(records) == {doc["reversal_id"], txn_doc["reversal_id"]}
    rec = records[doc["reversal_id"]]
    assert rec.reason == REASON and rec.recipient == "acme" and rec.actor
    assert rec.input == str(p.protected_customers.resolve()) and rec.output == str(output.resolve())
    assert rec.input_sha256 == hashlib.sha256(p.protected_customers.read_bytes()).hexdigest()
    assert rec.reference_sha256 == hashlib.sha256(p.customers_file.read_bytes()).hexdigest()
    assert rec.policy_hash == p.customer_doc["policy_hash"] and rec.rows == p.customers.height
    assert set(rec.columns) == set(REVERSED)
    assert rec.columns["national_id"].key_ids == (p.old_aead,) and rec.columns["national_id"].action == "fpe"
    assert rec.columns["phone"].rows_resolved == p.customers.height
    txn_rec = records[txn_doc["reversal_id"]]
    assert txn_rec.columns["customer_id"].rows_unresolved == int((~known).sum())
    assert txn_rec.reference == crm and txn_rec.reference_sha256 is None  # a table, not a file

    # No value and no key bytes in the record (the store's files, WAL included), the output or the messages.
    db_bytes = b"".join(f.read_bytes() for f in p.ws.glob("state.db*"))
    secrets = key_encodings(p.ws)
    for column in ("phone", "email", "national_id", "device_imei"):
        for value in p.customers[column].drop_nulls().head(300).to_list():
            assert value.encode() not in db_bytes, column
            assert value not in out + err, column
    for blob in (db_bytes.decode("latin-1"), output.read_bytes().decode("latin-1"), out + err):
        assert not any(s in blob for s in secrets)


def test_refusals_leave_no_output_and_no_record(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = platform
    output = p.ws / "revealed.parquet"  # inside the workspace: recorded by its relative name
    ref = ["--detokenize-with", str(p.customers_file)]
    code, out, err = p.reveal_customers(capsys, output, "--reason", REASON)
    assert code == 2 and out == ""
    assert "--decrypt" in err and "--detokenize-with" in err and len(err.strip().splitlines()) == 1
    for reason in ([], ["--reason", "   "]):
        code, _, err = p.reveal_customers(capsys, output, "--decrypt", *reason)
        assert code == 2 and "--reason" in err
    code, _, err = p.reveal_customers(capsys, output, "--reason", REASON, "--decrypt", "--columns", "name")
    assert code == 2 and "'name'" in err
    code, _, err = p.reveal_customers(capsys, output, "--reason", REASON, *ref)  # phone is recipient-scoped
    assert code == 0, err
    code, _, err = p.reveal_customers(capsys, output, "--reason", REASON, *ref)
    assert code == 2 and "--force" in err
    output.unlink()
    (record,) = _records(p.ws)
    assert record.output == "revealed.parquet" and set(record.columns) == {"customer_id", "phone"}
    # The protected Parquet file records its recipient: reveal takes it, and refuses another one.
    code, _, err = p.cli(
        capsys, "reveal", str(p.protected_customers), "--policy", str(p.customer_policy), "-o", str(output),
        "--reason", REASON, *ref,
    )  # fmt: skip
    assert code == 0, err
    assert {r.recipient for r in _records(p.ws)} == {"acme"}
    output.unlink()
    other = tmp_path / "beta.parquet"
    code, out, err = p.cli(
        capsys, "reveal", str(p.protected_customers), "--policy", str(p.customer_policy), "-o", str(other),
        "--reason", REASON, "--recipient", "beta", *ref,
    )  # fmt: skip
    assert code == 2 and out == "" and "'acme'" in err and "'beta'" in err and not other.exists()
    assert len(_records(p.ws)) == 2
    # ... and a policy other than the one that protected it (its rules could name other scopes and keys).
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        CUSTOMER_POLICY.replace("name: partner-customers", "name: partner-v2"), encoding="utf-8"
    )
    code, out, err = p.cli(
        capsys, "reveal", str(p.protected_customers), "--policy", str(edited), "-o", str(other),
        "--reason", REASON, *ref,
    )  # fmt: skip
    assert code == 2 and "'partner-customers'" in err and "'partner-v2'" in err and not other.exists()
    assert len(_records(p.ws)) == 2
    # A CSV copy carries no plan: without --recipient it cannot be read, and another recipient's domain
    # resolves none of acme's phone tokens, which is said, not silently "reversed".
    as_csv = tmp_path / "protected-customers.csv"
    pl.read_parquet(p.protected_customers).write_csv(as_csv)
    code, _, err = p.cli(
        capsys, "reveal", str(as_csv), "--policy", str(p.customer_policy), "-o", str(output),
        "--reason", REASON, *ref,
    )  # fmt: skip
    assert code == 2 and "--recipient" in err
    assert not output.exists() and len(_records(p.ws)) == 2
    code, out, err = p.cli(
        capsys, "reveal", str(as_csv), "--policy", str(p.customer_policy), "-o", str(other),
        "--reason", REASON, "--recipient", "beta", *ref, "--json",
    )  # fmt: skip
    assert code == 0, err
    phone = json.loads(out)["columns"]["phone"]
    assert (phone["rows_resolved"], phone["rows_unresolved"]) == (0, p.customers.height)
    assert "--recipient" in phone["note"]
    assert pl.read_parquet(other)["phone"].to_list() == pl.read_csv(as_csv)["phone"].to_list()
    other.unlink()
    assert len(_records(p.ws)) == 3
    # An output that cannot be written: no file, no record.
    for bad in (tmp_path / "no-such-folder" / "out.parquet", tmp_path / "out.xlsx"):
        code, _, err = p.reveal_customers(capsys, bad, "--reason", REASON, "--decrypt", *p.national_key)
        assert code == 2 and "cannot write" in err and not bad.exists()
    assert len(_records(p.ws)) == 3
    # A reference holding only some token columns resolves those and says what it lacks for the others;
    # a --ref-column naming a column the reference does not have is refused.
    ids = tmp_path / "ids.parquet"
    p.customers.select("customer_id").write_parquet(ids)
    code, out, err = p.reveal_customers(
        capsys, output, "--reason", REASON, "--detokenize-with", str(ids), "--json"
    )
    assert code == 0, err
    columns = json.loads(out)["columns"]
    assert columns["customer_id"]["rows_resolved"] == p.customers.height
    assert columns["phone"]["status"] == "not requested" and "--ref-column phone=" in columns["phone"]["note"]
    code, _, err = p.reveal_customers(
        capsys,
        tmp_path / "o.parquet",
        "--reason",
        REASON,
        "--detokenize-with",
        str(ids),
        "--ref-column",
        "phone=tel",
    )
    assert code == 2 and "'tel'" in err and not (tmp_path / "o.parquet").exists()
    assert len(_records(p.ws)) == 4


def test_rows_protected_under_another_key_past_the_sample_are_counted_and_flagged(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FF1 cannot carry its key id: a table whose later rows were protected after a rotation decrypts them
    to wrong IMEIs without an error. The count of invalid values makes that visible, with a note."""
    p = platform
    newer = tmp_path / "partner-customers-newer.parquet"
    code, _, err = p.cli(
        capsys, "protect", str(p.customers_file), "--policy", str(p.customer_policy), "-o", str(newer),
        "--recipient", "acme",
    )  # fmt: skip
    assert code == 0, err
    older = pl.read_parquet(p.protected_customers)
    mixed = tmp_path / "mixed.parquet"
    pl.concat([older, older, pl.read_parquet(newer)]).write_parquet(mixed)  # the sample sees older rows only
    output = tmp_path / "revealed.parquet"
    code, out, err = p.cli(
        capsys, "reveal", str(mixed), "--policy", str(p.customer_policy), "-o", str(output),
        "--recipient", "acme", "--reason", REASON, "--decrypt", "--columns", "device_imei", "--json",
        "--without-record",  # rows put together from two files: no plan record vouches for them
    )  # fmt: skip
    assert code == 0, err
    imei = json.loads(out)["columns"]["device_imei"]
    assert imei["key_ids"] == [p.old_aead] and imei["rows_resolved"] == 3 * p.customers.height
    revealed = pl.read_parquet(output)["device_imei"]
    wrong = int((revealed.tail(p.customers.height) != p.customers["device_imei"]).sum())
    assert wrong > 0.95 * p.customers.height  # the newer third is wrong ...
    assert 0.8 * wrong < imei["rows_invalid"] <= wrong  # ... and most of it is counted (Luhn passes 1 in 10)
    assert "not valid" in imei["note"] and "--fpe-key-id" in imei["note"]
    (record,) = _records(p.ws)
    assert record.columns["device_imei"].rows_invalid == imei["rows_invalid"]


def test_tampered_ciphertext_exits_2_naming_the_column(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = platform
    protected = pl.read_parquet(p.protected_customers)
    value = protected["email"][17]
    altered = value[:-4] + ("x" if value[-4] != "x" else "y") + value[-3:]
    tampered = tmp_path / "tampered.parquet"
    protected.with_columns(pl.col("email").replace(value, altered)).write_parquet(tampered)
    output = tmp_path / "revealed.parquet"
    code, out, err = p.cli(
        capsys, "reveal", str(tampered), "--policy", str(p.customer_policy), "-o", str(output),
        "--recipient", "acme", "--reason", REASON, "--decrypt", *p.national_key, "--json",
        "--without-record",  # rewritten without its footer: the ciphertexts still authenticate themselves
    )  # fmt: skip
    assert code == 2 and out == ""
    assert "'email'" in err and "fail authentication" in err
    assert altered not in err and p.customers["email"][17] not in err
    # It was on record before the first value was decrypted, and the record says it was aborted.
    assert not output.exists() and [r.state for r in _records(p.ws)] == ["aborted"]
    assert not list(tmp_path.glob(".revealed*"))  # no temporary file left behind either


def test_a_failed_record_leaves_no_output(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ringfence.pipeline.reveal as pipeline

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "record_reversal", broken)
    output = platform.root / "revealed.parquet"
    code, out, err = platform.reveal_customers(
        capsys, output, "--reason", REASON, "--decrypt", *platform.national_key, "--json"
    )
    assert code == 2 and out == ""
    assert "could not be recorded" in err and "nothing was written" in err
    assert not output.exists() and _records(platform.ws) == []


def test_the_record_comes_before_the_output_and_an_interrupt_leaves_neither(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ringfence.pipeline.commit as commit
    import ringfence.pipeline.reveal as pipeline

    output = tmp_path / "revealed.parquet"
    recording = pipeline.record_reversal
    seen: list[bool] = []

    def interrupted(*args: object, **kwargs: object) -> str:
        seen.append(output.exists())
        raise KeyboardInterrupt  # Ctrl-C (or a kill) while the record is being written

    monkeypatch.setattr(pipeline, "record_reversal", interrupted)
    code, out, _ = platform.reveal_customers(
        capsys, output, "--reason", REASON, "--decrypt", "--columns", "email"
    )
    assert code == 130 and out == "" and seen == [False]
    assert not output.exists() and _records(platform.ws) == []
    assert not list(tmp_path.glob(".revealed*"))  # the staged copy in clear is gone too

    # The reversal is on record (started) before anything is staged; the output appears only once its
    # record is complete, readable by its owner only.
    completing = pipeline.complete_reversal

    def started(store: object, record: ReversalRecord) -> str:
        assert record.state == "started" and not list(tmp_path.glob(".revealed.parquet.reveal-*"))
        return recording(store, record)  # type: ignore[arg-type]

    def checked(store: object, record: ReversalRecord) -> None:
        seen.append(output.exists())
        staged = list(tmp_path.glob(".revealed.parquet.reveal-*/revealed.parquet"))
        assert len(staged) == 1 and staged[0].stat().st_mode & 0o777 == 0o600
        assert staged[0].parent.stat().st_mode & 0o777 == 0o700
        assert [r.state for r in _records(platform.ws)] == ["started"]
        completing(store, record)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "record_reversal", started)
    monkeypatch.setattr(pipeline, "complete_reversal", checked)
    code, out, err = platform.reveal_customers(
        capsys, output, "--reason", REASON, "--decrypt", "--columns", "email", "--json"
    )
    assert code == 0, err
    assert seen == [False, False] and output.exists()
    assert [r.state for r in _records(platform.ws)] == ["revealed"]

    # Moving the recorded copy into place fails: the record is withdrawn, nothing is left.
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "record_reversal", recording)
    monkeypatch.setattr(pipeline, "complete_reversal", completing)
    monkeypatch.setattr(commit, "place", full)
    again = tmp_path / "again.parquet"
    code, out, err = platform.reveal_customers(
        capsys, again, "--reason", REASON, "--decrypt", "--columns", "email"
    )
    assert code == 2 and "cannot write" in err and "withdrawn" in err
    assert not again.exists() and sorted(r.state for r in _records(platform.ws)) == ["aborted", "revealed"]
    assert not list(tmp_path.glob(".again*"))


def test_a_killed_runs_staging_folder_is_swept_and_only_its_own(tmp_path: Path) -> None:
    from ringfence.pipeline.commit import staging_dir

    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    own = tmp_path / f".out[1].parquet.reveal-{dead}-abc"
    other = tmp_path / f".out1.parquet.reveal-{dead}-abc"  # another output's, matched by an unescaped [1]
    for folder in (own, other):
        folder.mkdir()
        (folder / "data").write_text("left by a killed run")
    staging = staging_dir(tmp_path / "out[1].parquet", "reveal")
    assert not own.exists() and other.exists()
    assert staging.is_dir() and staging.stat().st_mode & 0o777 == 0o700


def test_the_recorded_actor_is_the_account_not_an_environment_variable(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import pwd

    for name in ("USER", "LOGNAME", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "the-ceo")  # anyone can set these
    output = tmp_path / "revealed.parquet"
    code, _, err = platform.reveal_customers(
        capsys, output, "--reason", REASON, "--decrypt", "--columns", "email"
    )
    assert code == 0, err
    (record,) = _records(platform.ws)
    assert record.actor == pwd.getpwuid(os.geteuid()).pw_name != "the-ceo"


def test_reveal_works_where_the_file_system_has_no_hard_links(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ringfence.pipeline.commit as commit

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # e.g. a FAT or SMB mount

    monkeypatch.setattr(commit.os, "link", no_links)
    output = tmp_path / "revealed.parquet"
    code, out, err = platform.reveal_customers(
        capsys, output, "--reason", REASON, "--decrypt", "--columns", "email", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["columns"]["email"]["status"] == "reversed"
    assert pl.read_parquet(output)["email"].to_list() == platform.customers["email"].to_list()
    assert len(_records(platform.ws)) == 1 and not list(tmp_path.glob(".revealed*"))


@pytest.mark.db
def test_reveal_records_in_a_postgresql_state_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = f"rf_test_{uuid.uuid4().hex[:10]}"
    p = Platform(tmp_path, capsys, state=f"{POSTGRES_URL}?schema={schema}")
    try:
        output = tmp_path / "revealed.jsonl"
        code, out, err = p.reveal_customers(
            capsys, output, "--reason", REASON, "--decrypt", "--columns", "email", "--json"
        )
        assert code == 0, err
        doc = json.loads(out)
        back = pl.read_ndjson(output)
        assert back["email"].to_list() == p.customers["email"].to_list()
        assert back["phone"].str.starts_with("rt1_").all()  # not asked for: still tokens
        (record,) = _records(p.ws)
        assert record.id == doc["reversal_id"] and record.columns["email"].rows_resolved == p.customers.height
        assert set(record.columns) == {"email"}
    finally:
        store = open_workspace(p.ws).state()
        store.execute(f'DROP SCHEMA "{schema}" CASCADE')
        store.close()


def test_a_footer_that_does_not_open_stops_the_reveal(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The protected file comes back from outside: a plan in its footer that was altered, written in clear
    by someone else, or sealed by another workspace is not followed (exit 2, no output, no record)."""
    import pyarrow.parquet as pq

    p = platform
    table = pq.read_table(p.protected_customers)
    footer_kv = pq.read_metadata(p.protected_customers).metadata
    sealed = footer_kv[b"ringfence.protect"].decode()
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    crafted = json.dumps(
        {"policy": "partner-customers", "policy_hash": "x", "recipient": "beta", "columns": []}
    )
    other_ws = tmp_path / "other-ws"
    assert p.cli(capsys, "init", str(other_ws))[0] == 0
    foreign = tmp_path / "foreign.parquet"
    code, _, err = p.cli(
        capsys, "-w", str(other_ws), "protect", str(p.customers_file), "--policy", str(p.customer_policy),
        "-o", str(foreign), "--recipient", "acme",
    )  # fmt: skip
    assert code == 0, err
    for name, footer in (("altered", flipped), ("crafted", crafted), ("foreign", None)):
        path = foreign if footer is None else tmp_path / f"{name}.parquet"
        if footer is not None:
            metadata = {**(table.schema.metadata or {}), b"ringfence.protect": footer.encode()}
            pq.write_table(table.replace_schema_metadata(metadata), path)
        output = tmp_path / f"revealed-{name}.parquet"
        code, out, err = p.cli(
            capsys, "reveal", str(path), "--policy", str(p.customer_policy), "-o", str(output),
            "--reason", REASON, "--decrypt", *p.national_key,
        )  # fmt: skip
        assert code == 2 and out == "" and "does not open" in err, name
        assert not output.exists() and _records(p.ws) == [], name


def test_a_record_copied_onto_other_data_or_a_removed_one_stops_the_reveal(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sealed record vouches for its own file's data pages: the same footer on altered data is refused;
    a Parquet file whose record was removed is refused unless --without-record says there is none."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = platform
    table = pq.read_table(p.protected_customers)
    footer = pq.read_metadata(p.protected_customers).metadata
    kept = {k: v for k, v in footer.items() if k != b"ARROW:schema"}
    altered = table.set_column(
        table.schema.get_field_index("email"), "email", pa.chunked_array([table["email"].to_pylist()[::-1]])
    )
    swapped = tmp_path / "swapped.parquet"
    pq.write_table(altered.replace_schema_metadata(kept), swapped)
    assert pq.read_metadata(swapped).metadata[b"ringfence.protect"] == footer[b"ringfence.protect"]
    stripped = tmp_path / "stripped.parquet"
    pq.write_table(table.replace_schema_metadata({}), stripped)
    for path, needle in ((swapped, "belongs to another file"), (stripped, "carries no plan record")):
        output = tmp_path / f"revealed-{path.stem}.parquet"
        code, out, err = p.cli(
            capsys, "reveal", str(path), "--policy", str(p.customer_policy), "-o", str(output),
            "--recipient", "acme", "--reason", REASON, "--decrypt", *p.national_key,
        )  # fmt: skip
        assert code == 2 and out == "" and needle in err, err
        assert not output.exists() and _records(p.ws) == []
