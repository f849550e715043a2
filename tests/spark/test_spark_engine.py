"""The same plan on Spark (local mode): every value and the row order equal the local engine's on the same
input and keys; keys travel sealed and never appear in what Spark serialises or logs; what the Spark engine
cannot do yet is refused, never skipped."""

from __future__ import annotations

import base64
import json
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import KeyAccessError, OutputError, UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.keys.handle import SealedKeys
from ringfence.keys.wrap import KEK_ENV
from ringfence.pipeline.protect import protect as local_protect
from ringfence.policy import parse_policy
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform

if os.environ.get("RINGFENCE_REQUIRE_SPARK"):
    import pyspark  # noqa: F401  (CI: a missing pyspark fails instead of skipping)
else:
    pytest.importorskip("pyspark")

from ringfence.spark import ApplyPlan, protect, session

pytestmark = pytest.mark.spark

POLICY = """
ringfence_policy: 1
name: spark-customers
unlisted: keep
columns:
  customer_id: {action: tokenize, scope: global}
  phone: {action: tokenize, scope: recipient, entity: PHONE_NUMBER}
  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}
  email: {action: mask, entity: EMAIL_ADDRESS}
  name: redact
  registered_at: {action: date_shift, subject: customer_id, max_days: 10}
  device_imei: {action: fpe, scope: global, entity: IMEI}
  birth_date: {action: generalize, date: year}
  address: redact
  last_login_ip: drop
  home_lat: drop
  home_lon: drop
"""

KEK = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def _kek(monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver's KEK (the suite's conftest clears it before every test); the executors got theirs
    from the environment Spark was started in (the ``spark`` fixture)."""
    monkeypatch.setenv(KEK_ENV, KEK)


@pytest.fixture(scope="module")
def event_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark-events")


@pytest.fixture(scope="module")
def spark(event_log: Path) -> Iterator[object]:
    os.environ[KEK_ENV] = KEK
    active = session("local[2]")
    active.stop()  # a fresh session with its event log where the test reads it
    from pyspark.sql import SparkSession

    built = (
        SparkSession.builder.master("local[2]")
        .appName("ringfence-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.eventLog.enabled", "true")
        .config("spark.eventLog.dir", event_log.as_uri())
        .config("spark.sql.files.maxPartitionBytes", str(64 * 1024))  # several partitions from a small file
        .getOrCreate()
    )
    yield built
    built.stop()
    os.environ.pop(KEK_ENV, None)


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    platform = generate_platform(SynthConfig(customers=6_000, transactions=10, seed=11, locale="cn"))
    path = tmp_path_factory.mktemp("spark") / "customers.parquet"
    platform.customers.write_parquet(path, row_group_size=1_000)
    return path


def _spark_output(folder: Path) -> pl.DataFrame:
    parts = sorted(folder.glob("part-*.parquet"))
    assert len(parts) > 1, "the test needs several partitions"
    return pl.concat([pl.read_parquet(p) for p in parts])


def _key_texts(keyset: Keyset) -> list[bytes]:
    raw = [keyset.secret(i.key_id, SECRET_ACCESS) for i in keyset.all_keys()]
    return [b for b in raw] + [b.hex().encode() for b in raw] + [base64.b64encode(b) for b in raw]


def test_spark_output_equals_the_local_engine_value_for_value_and_in_order(
    spark: object, customers: Path, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    policy = parse_policy(POLICY)
    local_protect(customers, policy, tmp_path / "local.parquet", keyset=keyset, recipient="acme")
    summary = protect(
        str(customers), policy, str(tmp_path / "spark"), keyset=keyset, recipient="acme", spark=spark
    )
    local = pl.read_parquet(tmp_path / "local.parquet")
    remote = _spark_output(tmp_path / "spark")
    assert summary.rows_out == local.height == 6_000
    assert remote.columns == local.columns
    # Same values, same order; the protected columns really changed.
    assert remote.equals(local), "the Spark engine's output differs from the local engine's"
    source = pl.read_parquet(customers)
    assert not (remote["phone"] == source["phone"]).any()
    assert remote["phone"].str.starts_with("rt1_").all()
    assert summary.to_json()["engine"] == "spark"


def test_key_bytes_appear_nowhere_in_the_serialised_function_or_the_event_log(
    spark: object, customers: Path, tmp_path: Path, event_log: Path
) -> None:
    from ringfence.spark.engine import protect_frame

    keyset = Keyset.generate()
    policy = parse_policy(POLICY)
    frame, plan = protect_frame(
        spark.read.parquet(str(customers)),  # type: ignore[attr-defined]
        policy,
        keyset=keyset,
        recipient="acme",
    )
    frame.write.parquet(str(tmp_path / "out"))
    secrets = [*_key_texts(keyset), KEK.encode(), bytes(range(32))]
    # What Spark ships to executors: the function, pickled (cloudpickle, as Spark does).
    from pyspark import cloudpickle

    shipped = cloudpickle.dumps(_apply_of(plan, policy, keyset))
    assert not [s for s in secrets if s in shipped]
    logs = b"".join(p.read_bytes() for p in event_log.rglob("*") if p.is_file())
    assert logs, "Spark wrote no event log"
    assert not [s for s in secrets if s in logs], "key bytes in Spark's event log"


def _apply_of(plan: object, policy: object, keyset: Keyset) -> ApplyPlan:
    from ringfence.transform.spec import PlanSpec

    spec = PlanSpec.of(plan, policy)  # type: ignore[arg-type]
    return ApplyPlan(spec, SealedKeys.of(keyset, spec.key_ids.values()))


def test_sealed_keys_hold_only_the_pinned_keys_and_need_the_kek(monkeypatch: pytest.MonkeyPatch) -> None:
    keyset = Keyset.generate()
    hmac_id = keyset.primary_id("hmac")
    monkeypatch.setenv(KEK_ENV, KEK)
    handle = SealedKeys.of(keyset, [hmac_id])
    assert pickle.loads(pickle.dumps(handle)) == handle
    opened = SealedKeys(handle.key_ids, handle.envelope).open()
    assert [i.key_id for i in opened.all_keys()] == [hmac_id]
    values = pl.Series(["x", "y"])
    assert opened.prf(hmac_id, "d").digest(values).equals(keyset.prf(hmac_id, "d").digest(values))
    with pytest.raises(KeyAccessError):
        opened.primary_id("aead")  # not given: the job cannot use it
    envelope = json.loads(handle.envelope)
    assert envelope["sealed"] == "kek" and "keyset" not in envelope
    # Another process with another KEK cannot open it.
    other = SealedKeys(handle.key_ids, handle.envelope)
    monkeypatch.setenv(KEK_ENV, base64.b64encode(bytes(32)).decode())
    import ringfence.keys.handle as handle_module

    handle_module._OPENED.clear()
    with pytest.raises(KeyAccessError, match="cannot be opened"):
        other.open()
    monkeypatch.delenv(KEK_ENV)
    with pytest.raises(KeyAccessError, match=KEK_ENV):
        SealedKeys.of(keyset, [hmac_id])


def test_what_the_spark_engine_cannot_do_is_refused(spark: object, customers: Path, tmp_path: Path) -> None:
    keyset = Keyset.generate()
    with_risk = parse_policy(POLICY + "risk: {quasi_identifiers: [city], k: 5}\n")
    with pytest.raises(UsageError, match="risk section"):
        protect(str(customers), with_risk, str(tmp_path / "r"), keyset=keyset, recipient="a", spark=spark)
    assert not (tmp_path / "r").exists()
    (tmp_path / "exists").mkdir()
    with pytest.raises(OutputError, match="exists"):
        protect(str(customers), parse_policy(POLICY), str(tmp_path / "exists"), keyset=keyset, spark=spark)
    assert not list(tmp_path.glob(".*spark-*")), "a staging folder was left behind"


def test_protect_engine_spark_through_the_cli(
    spark: object, customers: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.helpers import key_encodings, run_cli

    ws = tmp_path / "ws"
    assert run_cli(capsys, "init", str(ws))[0] == 0
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "protected"
    args = ["protect", str(customers), "-p", str(policy), "-o", str(out), "--recipient", "acme"]
    code, stdout, stderr = run_cli(capsys, *args, "--engine", "spark", "--workspace", str(ws), "--json")
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert doc["engine"] == "spark" and doc["rows_out"] == 6_000 and doc["columns"]["phone"] == "tokenize"
    assert _spark_output(out).height == 6_000
    assert not [k for k in key_encodings(ws) if k in stdout + stderr]
    # Bad input: one line, exit 2, nothing written.
    missing = tmp_path / "missing.parquet"
    code, _, stderr = run_cli(
        capsys,
        "protect",
        str(missing),
        "-p",
        str(policy),
        "-o",
        str(tmp_path / "o2"),
        "--engine",
        "spark",
        "--workspace",
        str(ws),
    )
    assert code == 2 and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert not (tmp_path / "o2").exists()


def test_scan_on_spark_finds_what_the_local_scan_finds(
    spark: object, customers: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.helpers import run_cli

    from ringfence.detect.scan import scan as local_scan
    from ringfence.spark.scan import scan as spark_scan

    local = {c.name: c.entity for c in local_scan([str(customers)]).tables[0].columns}
    found = spark_scan([str(customers)], spark=spark).tables[0]  # type: ignore[arg-type]
    assert found.rows == 6_000 and found.sampled_rows == 6_000
    assert {c.name: c.entity for c in found.columns} == local
    assert local["phone"] == "PHONE_NUMBER" and local["national_id"] == "CN_RESIDENT_ID"
    # A sample smaller than the table is drawn from all of it, the same rows each time.
    small = spark_scan([str(customers)], sample_rows=1_000, spark=spark).tables[0]  # type: ignore[arg-type]
    assert small.sampled_rows == 1_000 and small.rows == 6_000
    assert {c.name: c.entity for c in small.columns}["phone"] == "PHONE_NUMBER"
    code, stdout, stderr = run_cli(capsys, "scan", str(customers), "--engine", "spark", "--json")
    assert code == 0, stderr
    assert {c["name"]: c["entity"] for c in json.loads(stdout)["tables"][0]["columns"]} == local
    code, _, stderr = run_cli(capsys, "scan", str(customers), "--engine", "spark", "--full")
    assert code == 2 and "local engine only" in stderr


@pytest.fixture(scope="module")
def transactions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    platform = generate_platform(SynthConfig(customers=3_000, transactions=30_000, seed=12, locale="mixed"))
    path = tmp_path_factory.mktemp("spark-risk") / "transactions.parquet"
    frame = pl.concat(list(platform.transactions()))
    # a missing value among the quasi-identifiers: a value of its own, on both engines
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 97 == 0).then(None).otherwise(pl.col("channel")).alias("channel")
    )
    frame.write_parquet(path, row_group_size=5_000)
    return path


@pytest.mark.parametrize("subject", [None, "customer_id"])
def test_risk_on_spark_gives_the_local_engine_s_numbers(
    spark: object, transactions: Path, subject: str | None
) -> None:
    from ringfence.risk.measures import measure
    from ringfence.spark.risk import risk

    qi, sensitive = ["channel", "currency", "status"], ["amount", "merchant_id", "ts"]
    local = measure(pl.scan_parquet(transactions), qi, sensitive=sensitive, subject=subject).to_json()
    remote = risk(str(transactions), qi, sensitive=sensitive, subject=subject, spark=spark).to_json()  # type: ignore[arg-type]
    assert remote == local
    assert local["records"] == (
        30_000 if subject is None else pl.read_parquet(transactions)["customer_id"].n_unique()
    )
    assert local["equivalence_classes"] > 1 and local["t_closeness"]["amount"] > 0


def test_risk_engine_spark_through_the_cli(
    spark: object, transactions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli.helpers import run_cli

    args = ["risk", str(transactions), "--qi", "channel,currency", "--sensitive", "status", "--json"]
    code, local, _ = run_cli(capsys, *args)
    assert code == 0
    code, remote, stderr = run_cli(capsys, *args, "--engine", "spark")
    assert code == 0, stderr
    assert json.loads(remote) == json.loads(local)
    code, _, stderr = run_cli(capsys, *args, "--engine", "spark", "--k", "5")
    assert code == 2 and "local engine only" in stderr
