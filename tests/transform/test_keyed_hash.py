"""Keyed digests and tokens: the CMAC standard's vectors, the key derivation as documented, one value
equal to the column kernel on every value whatever the slicing, nulls, domains and the token format."""

from __future__ import annotations

import base64
import copy
import hmac
import pickle
import random
import re

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from ringfence.errors import UsageError
from ringfence.keys import columns as _strings
from ringfence.keys.columns import read_column
from ringfence.keys.keyed_hash import (
    DIGEST_SIZE,
    Cmac,
    KeyedDigest,
    _base32,
    keyed_digest,
    token_strings,
)

KEY = bytes.fromhex("5f1c9a0e7d3b2a4c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5")
DOMAIN = b"global|phone"
TOKEN = re.compile(r"^rt1_[0-9a-f]{8}_[a-z2-7]+$")

# RFC 4493 §4 (AES-128-CMAC) examples 1-4.
RFC4493_KEY = "2b7e151628aed2a6abf7158809cf4f3c"
RFC4493_MSG = (
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
)
RFC4493 = [
    (0, "bb1d6929e95937287fa37d129b756746"),
    (16, "070a16b46b4d4144f79bdd9dd04a287c"),
    (40, "dfa66747de9ae63030ca32611497c827"),
    (64, "51f0bebf7e3b9d92fc49741779363cfe"),
]


def _phones(count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    forms = ["+86 1{}", "1{}", "+86-1{}", "0086 1{}"]
    return [rng.choice(forms).format(rng.randrange(10**9, 10**10)) for _ in range(count)]


def _mixed(count: int, seed: int = 9) -> list[str | None]:
    """Values of every length class CMAC distinguishes: empty, partial and complete blocks, many blocks."""
    rng = random.Random(seed)
    pieces = [
        "",
        "a",
        "가",
        "€",
        "𝔘",
        "0123456789abcdef",
        "x" * 31,
        "y" * 32,
        "z" * 33,
        "김민준 서울특별시 강남구 ",
    ]
    out: list[str | None] = []
    for _ in range(count):
        if rng.random() < 0.05:
            out.append(None)
        else:
            out.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))))
    return out


@pytest.mark.parametrize(("length", "tag"), RFC4493)
def test_rfc4493_vectors(length: int, tag: str) -> None:
    engine = Cmac(bytes.fromhex(RFC4493_KEY))
    message = bytes.fromhex(RFC4493_MSG)[:length]
    assert engine.one(message).hex() == tag
    rows = engine.rows(read_column(pa.array([message], pa.binary()), "test"))
    assert rows[0].tobytes().hex() == tag


def test_whole_rfc4493_set_as_one_column() -> None:
    engine = Cmac(bytes.fromhex(RFC4493_KEY))
    messages = [bytes.fromhex(RFC4493_MSG)[:n] for n, _ in RFC4493]
    rows = engine.rows(read_column(pa.array(messages[::-1], pa.binary()), "test"))
    assert [r.tobytes().hex() for r in rows] == [tag for _, tag in RFC4493][::-1]


def test_digest_is_cmac_under_the_documented_derived_key() -> None:
    derived = hmac.digest(KEY, b"ringfence keyed-digest v1\x00" + DOMAIN, "sha256")
    mac = cmac.CMAC(algorithms.AES(derived))
    mac.update(b"+86 13912345678")
    expected = mac.finalize()
    assert KeyedDigest(KEY, DOMAIN).digest_one("+86 13912345678") == expected
    assert keyed_digest(KEY, DOMAIN, pa.array(["+86 13912345678"])).to_pylist() == [expected]


def test_column_equals_one_value_on_every_value() -> None:
    values = _mixed(4000)
    engine = KeyedDigest(KEY, DOMAIN)
    out = engine.digest(pa.array(values), threads=1)
    assert out.type == pa.binary(DIGEST_SIZE)
    assert out.to_pylist() == [None if v is None else engine.digest_one(v) for v in values]


def test_long_free_text_values_agree_too() -> None:
    rng = random.Random(2)
    words = ["고객", "주소", "서울특별시", "card", "6222021234567890", "电话", "+86 139 1234 5678", "note"]
    values = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 400))) for _ in range(300)]
    assert any(len(v.encode()) > 512 for v in values)
    assert any(len(v.encode()) <= 512 for v in values)
    engine = KeyedDigest(KEY, b"global|free_text")
    assert engine.digest(pa.array(values)).to_pylist() == [engine.digest_one(v) for v in values]


def test_output_does_not_depend_on_slicing_threads_or_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    values = pa.array(_mixed(300, seed=4))
    engine = KeyedDigest(KEY, DOMAIN)
    whole = engine.digest(values, threads=1)
    tokens = engine.tokens(values, 0xA1B2C3D4, threads=1)
    for size in (1, 97, 4096):
        monkeypatch.setattr(_strings, "SLICE_BYTES", size)
        for threads in (1, 2):
            assert engine.digest(values, threads=threads).equals(whole)
            assert engine.tokens(values, 0xA1B2C3D4, threads=threads).equals(tokens)
    assert engine.digest(values.slice(123, 150)).equals(whole.slice(123, 150))
    chunked = pa.chunked_array([values.slice(0, 10), values.slice(10)])
    assert engine.digest(chunked).equals(whole)


def test_input_kinds_agree() -> None:
    values = _phones(200)
    engine = KeyedDigest(KEY, DOMAIN)
    expected = [engine.digest_one(v) for v in values]
    for arr in (
        pa.array(values, pa.string()),
        pa.array(values, pa.large_string()),
        pa.array(values, pa.string_view()),
        pa.array([v.encode() for v in values], pa.binary()),
        pa.array([v.encode() for v in values], pa.large_binary()),
    ):
        assert engine.digest(arr).to_pylist() == expected
    series = engine.digest(pl.Series("phone", values))
    assert isinstance(series, pl.Series)
    assert series.name == "phone"
    assert series.dtype == pl.Binary
    assert series.to_list() == expected
    assert engine.digest(pa.array([], pa.string())).to_pylist() == []
    with pytest.raises(UsageError):
        engine.digest(pa.array([1.5, 2.5]))


def test_nulls_stay_null_and_empty_is_a_value() -> None:
    out = keyed_digest(KEY, DOMAIN, pa.array([None, "", None]))
    assert out.null_count == 2
    assert out.to_pylist()[1] == KeyedDigest(KEY, DOMAIN).digest_one("")
    tokens = token_strings(KEY, 1, DOMAIN, pl.Series("p", [None, "1", None]))
    assert tokens.null_count() == 2


def test_domains_and_keys_separate() -> None:
    values = pa.array(_phones(500))
    base = keyed_digest(KEY, b"global|phone", values).to_pylist()
    other_domain = keyed_digest(KEY, b"recipient:acme|phone", values).to_pylist()
    other_key = keyed_digest(bytes(reversed(KEY)), b"global|phone", values).to_pylist()
    assert not set(base) & set(other_domain)
    assert not set(base) & set(other_key)
    assert len(set(base)) == len(set(values.to_pylist()))
    assert keyed_digest(KEY, "global|phone", values).to_pylist() == base


def test_token_format_and_scalar_agreement() -> None:
    values = _phones(300)
    engine = KeyedDigest(KEY, DOMAIN)
    tokens = engine.tokens(pl.Series("phone", values), 0x0BADF00D)
    assert tokens.dtype == pl.String
    assert tokens.name == "phone"
    assert all(TOKEN.match(t) for t in tokens)
    assert all(t.startswith("rt1_0badf00d_") and len(t) == len("rt1_0badf00d_") + 26 for t in tokens)
    assert tokens.to_list() == [engine.token_one(v, 0x0BADF00D) for v in values]
    first = values[0]
    payload = base64.b32encode(engine.digest_one(first)).decode().rstrip("=").lower()
    assert engine.token_one(first, "0badf00d") == "rt1_0badf00d_" + payload
    short = token_strings(KEY, 7, DOMAIN, pa.array(values), n_bytes=10)
    assert short.to_pylist()[0] == "rt1_00000007_" + payload[:16]


@pytest.mark.parametrize("width", [1, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16])
def test_base32_matches_rfc4648(width: int) -> None:
    rows = np.random.default_rng(width).integers(0, 256, (64, width)).astype(np.uint8)
    got = [bytes(r).decode() for r in _base32(rows)]
    assert got == [base64.b32encode(bytes(r)).decode().rstrip("=").lower() for r in rows]


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(UsageError):
        KeyedDigest(b"too short", DOMAIN)
    engine = KeyedDigest(KEY, DOMAIN)
    for key_id in (-1, 2**32, "ABCDEF12", "12345", True):
        with pytest.raises(UsageError):
            engine.token_one("x", key_id)
    for n_bytes in (9, 17):
        with pytest.raises(UsageError):
            engine.tokens(pa.array(["x"]), 1, n_bytes)


def test_key_material_never_shows_and_never_travels() -> None:
    engine = KeyedDigest(KEY, DOMAIN)
    assert KEY.hex() not in repr(engine)
    for holder in (engine, Cmac(bytes(16))):
        for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
            with pytest.raises(UsageError):
                attempt(holder)
