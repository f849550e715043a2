"""protect (the runner's first configuration) on synthetic platform tables: batch-size independence,
joinability, unlinkability, reversibility after rotation, no key bytes or raw identifiers in the
output, nothing left on failure."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ringfence.errors import UsageError
from ringfence.io import write as write_module
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.pipeline import commit
from ringfence.pipeline import stream as streams
from ringfence.pipeline.protect import protect
from ringfence.policy import parse_policy
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.transform.encrypt import decrypt_column
from ringfence.transform.fpe import fpe_decrypt_column

TXN_POLICY = """
ringfence_policy: 1
name: txn-partner
unlisted: fail
columns:
  txn_id: {action: fpe, scope: global}
  customer_id: {action: tokenize, scope: recipient}
  account_id: {action: tokenize, scope: global}
  merchant_id: keep
  amount: {action: noise, relative: 0.1, subject: customer_id, scope: recipient}
  currency: keep
  ts: {action: date_shift, subject: customer_id, max_days: 10}
  channel: keep
  status: keep
  memo: drop
  device_ip: {action: generalize, ip: {v4: 24, v6: 48}}
  lat: {action: generalize, geo_decimals: 1}
  lon: {action: generalize, geo_decimals: 1}
"""


ENTITY_POLICY = """
ringfence_policy: 1
name: by-entity
unlisted: keep
entities:
  PHONE_NUMBER: {action: tokenize, scope: global}
  CN_RESIDENT_ID: {action: drop}
  PERSON_NAME: {action: drop}
  EMAIL_ADDRESS: {action: encrypt}
  IMEI: {action: tokenize, scope: global}
  POSTAL_ADDRESS: {action: generalize, address: city}
  DATE_OF_BIRTH: {action: generalize, birth_year: true}
  IP_ADDRESS: {action: generalize, ip: {v4: 16}}
  GEO_COORDINATE: {action: generalize, geo_decimals: 1}
  INTERNAL_ID: {action: tokenize, scope: global}
"""


@pytest.fixture(scope="module")
def platform_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("platform")
    platform = generate_platform(SynthConfig(customers=1_500, transactions=12_000, seed=11))
    files = {"transactions": folder / "transactions.parquet", "customers": folder / "customers.parquet"}
    pl.concat(list(platform.transactions())).write_parquet(files["transactions"])
    platform.customers.write_parquet(files["customers"])
    return files


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _key_texts(keyset: Keyset) -> list[bytes]:
    texts: list[bytes] = []
    for info in keyset.all_keys():
        raw = keyset.secret(info.key_id, SECRET_ACCESS)
        texts += [raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")]
    return texts


def test_output_is_byte_identical_whatever_the_batch_size(
    platform_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(streams, "OUTPUT_CHUNK_ROWS", 5_000)  # several row groups, unaligned with 1_000s
    monkeypatch.setattr(write_module, "PARQUET_ROW_GROUP_ROWS", 5_000)
    keyset = Keyset.generate()
    policy = parse_policy(TXN_POLICY)
    small, large = tmp_path / "small.parquet", tmp_path / "large.parquet"
    s1 = protect(
        platform_files["transactions"], policy, small, keyset=keyset, recipient="acme", batch_rows=999
    )
    s2 = protect(
        platform_files["transactions"], policy, large, keyset=keyset, recipient="acme", batch_rows=1_000_000
    )
    assert s1.rows_in == s1.rows_out == s2.rows_out == 12_000
    assert pl.read_parquet(small).equals(pl.read_parquet(large))
    assert _digest(small) == _digest(large)
    assert pq.ParquetFile(small).metadata.num_row_groups == 3
    assert s1.to_json()["key_ids"] == sorted({keyset.primary_id("hmac"), keyset.primary_id("aead")})
    assert "memo" not in pl.read_parquet(small).columns


def test_tokens_join_within_a_recipient_and_unlink_across(
    platform_files: dict[str, Path], tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    policy = parse_policy(TXN_POLICY)
    raw = pl.read_parquet(platform_files["transactions"])
    a = pl.read_parquet(
        protect(
            platform_files["transactions"], policy, tmp_path / "a.parquet", keyset=keyset, recipient="acme"
        ).output
    )
    b = pl.read_parquet(
        protect(
            platform_files["transactions"], policy, tmp_path / "b.parquet", keyset=keyset, recipient="bravo"
        ).output
    )
    # joinable: one token per customer, the same customers grouped together
    pairs = pl.DataFrame({"raw": raw["customer_id"], "tok": a["customer_id"]}).unique()
    assert pairs["raw"].n_unique() == pairs["tok"].n_unique() == pairs.height
    # unlinkable: the two recipients share no customer token; the global account tokens are shared
    assert not set(a["customer_id"].to_list()) & set(b["customer_id"].to_list())
    assert a["account_id"].equals(b["account_id"])
    assert not set(raw["customer_id"].to_list()) & set(a["customer_id"].to_list())


def test_fpe_and_encrypt_columns_reverse_after_rotation(
    platform_files: dict[str, Path], tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    policy = parse_policy(
        "ringfence_policy: 1\nname: rev\nunlisted: drop\ncolumns:\n"
        "  txn_id: {action: fpe, scope: global}\n  account_id: {action: encrypt}\n"
    )
    summary = protect(platform_files["transactions"], policy, tmp_path / "r.parquet", keyset=keyset)
    fpe_key = next(c.key_id for c in summary.plan.columns if c.column == "txn_id")
    assert fpe_key is not None
    keyset.rotate("aead")
    keyset.rotate("hmac")
    out = pl.read_parquet(summary.output)
    raw = pl.read_parquet(platform_files["transactions"], columns=["txn_id", "account_id"])
    assert out.columns == ["txn_id", "account_id"]
    assert (out["txn_id"] != raw["txn_id"]).all()
    assert fpe_decrypt_column(keyset, out["txn_id"], column="txn_id", key_id=fpe_key).equals(raw["txn_id"])
    assert decrypt_column(keyset, out["account_id"]).equals(raw["account_id"])


def test_entity_rules_use_a_scan_and_no_raw_identifier_survives(
    platform_files: dict[str, Path], tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    policy = parse_policy(ENTITY_POLICY)
    summary = protect(platform_files["customers"], policy, tmp_path / "c.parquet", keyset=keyset)
    assert summary.plan.actions()["phone"] == "tokenize"
    raw = pl.read_parquet(platform_files["customers"])
    data = Path(summary.output).read_bytes()
    out = pl.read_parquet(summary.output)
    assert "national_id" not in out.columns and "name" not in out.columns
    for column in ("phone", "email", "national_id", "device_imei"):
        for value in raw[column].drop_nulls().head(200).to_list():
            assert value.encode() not in data, column
    for secret in _key_texts(keyset):
        assert secret not in data


def test_failures_leave_no_output_and_one_line(platform_files: dict[str, Path], tmp_path: Path) -> None:
    keyset = Keyset.generate()
    short_fpe = parse_policy(
        "ringfence_policy: 1\nname: bad\nunlisted: drop\ncolumns:\n"
        "  merchant_id: {action: fpe, scope: global}\n"
        "  channel: {action: fpe, alphabet: alnum, scope: global}\n"
    )
    dest = tmp_path / "bad.parquet"
    with pytest.raises(UsageError) as info:
        protect(platform_files["transactions"], short_fpe, dest, keyset=keyset, batch_rows=1_000)
    message = str(info.value)
    assert "\n" not in message and "'channel'" in message
    assert not dest.exists() and not list(tmp_path.iterdir())
    for secret in _key_texts(keyset):
        assert secret.decode("latin-1") not in message
    with pytest.raises(UsageError, match="is the input"):
        protect(platform_files["transactions"], short_fpe, platform_files["transactions"], keyset=keyset)


def test_row_groups_and_batches_do_not_change_the_output(
    platform_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same table stored in many small row groups, one large one, or past the read-range limit (read
    by the streaming fallback) protects to the same bytes, whatever the batch size."""
    from ringfence.io import read

    monkeypatch.setattr(streams, "OUTPUT_CHUNK_ROWS", 5_000)
    table = pq.read_table(platform_files["transactions"])
    pieces = tmp_path / "pieces.parquet"
    pq.write_table(table, pieces, row_group_size=700)
    assert pq.ParquetFile(pieces).metadata.num_row_groups == 18
    keyset = Keyset.generate()
    policy = parse_policy(TXN_POLICY)
    digests = set()
    for name, source, batch_rows in [
        ("a", platform_files["transactions"], 1_000_000),
        ("b", pieces, 999),
        ("c", pieces, 2_500),
    ]:
        summary = protect(
            source,
            policy,
            tmp_path / f"{name}.parquet",
            keyset=keyset,
            recipient="acme",
            batch_rows=batch_rows,
        )
        assert summary.rows_in == summary.rows_out == 12_000
        digests.add(_digest(tmp_path / f"{name}.parquet"))
    monkeypatch.setattr(read, "PARQUET_RANGE_ROWS", 500)  # every row group too large: streamed instead
    protect(
        platform_files["transactions"],
        policy,
        tmp_path / "d.parquet",
        keyset=keyset,
        recipient="acme",
        batch_rows=400,
    )
    digests.add(_digest(tmp_path / "d.parquet"))
    assert len(digests) == 1


def test_read_ahead_keeps_order_passes_errors_on_and_stops_its_thread() -> None:
    import threading

    frames = [pl.DataFrame({"n": [i]}) for i in range(50)]
    assert [f["n"][0] for f in streams.ahead(iter(frames), depth=2)] == list(range(50))

    def failing() -> Iterator[pl.DataFrame]:
        yield frames[0]
        raise UsageError("the input broke")

    with pytest.raises(UsageError, match="the input broke"):
        list(streams.ahead(failing()))

    produced: list[int] = []

    def endless() -> Iterator[pl.DataFrame]:
        for i in range(10**9):
            produced.append(i)
            yield pl.DataFrame({"n": [i]})

    before = threading.active_count()
    stream = streams.ahead(endless(), depth=2)
    assert next(stream)["n"][0] == 0
    stream.close()
    assert threading.active_count() == before, threading.enumerate()
    assert len(produced) <= 5  # bounded: at most the queue and one item in hand

    nested = streams.ahead(f.with_columns(pl.col("n") * 2) for f in streams.ahead(endless()))
    assert next(nested)["n"][0] == 0
    assert threading.active_count() == before + 2
    nested.close()  # closing the outer read-ahead stops the inner one too
    assert threading.active_count() == before, threading.enumerate()


def test_a_failed_write_stops_the_reading_and_transforming_threads(
    platform_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from ringfence.errors import OutputError

    def write_one_then_fail(frames: Iterator[pl.DataFrame], *args: object, **kwargs: object) -> None:
        next(iter(frames))
        raise OutputError("the disk is full")

    monkeypatch.setattr(commit, "write_table", write_one_then_fail)
    monkeypatch.setattr(streams, "OUTPUT_CHUNK_ROWS", 1_000)  # more chunks than the queues hold
    before = threading.active_count()
    try:
        protect(
            platform_files["transactions"],
            parse_policy(TXN_POLICY),
            tmp_path / "out.parquet",
            keyset=Keyset.generate(),
            recipient="acme",
            batch_rows=500,
        )
    except OutputError as exc:  # checked while the error (and all it refers to) is still held
        assert "disk is full" in str(exc)
        assert threading.active_count() == before, threading.enumerate()
    else:
        pytest.fail("the failed write was not reported")
