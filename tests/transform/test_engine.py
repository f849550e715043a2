"""The protect engine on synthetic platform tables: batch-size independence, joinability, unlinkability,
reversibility after rotation, no key bytes or raw identifiers in the output, nothing left on failure."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from ringfence.errors import UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.policy import parse_policy
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.transform import engine
from ringfence.transform.encrypt import decrypt_column
from ringfence.transform.engine import protect
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
    monkeypatch.setattr(engine, "OUTPUT_CHUNK_ROWS", 5_000)  # several row groups, unaligned with 1_000s
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
