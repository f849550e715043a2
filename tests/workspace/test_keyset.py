"""The keyset: ids not bytes, rotation, disabling, sealing, and no leaks through repr, pickle or errors."""

from __future__ import annotations

import base64
import json
import os
import pickle
import stat
from pathlib import Path

import pytest

from ringfence.errors import KeyAccessError
from ringfence.keys import SECRET_ACCESS, Keyset


def _all_secret_bytes(ks: Keyset) -> list[bytes]:
    return [ks.secret(k.key_id, SECRET_ACCESS) for k in ks.all_keys() if k.status != "disabled"]


def test_generate_has_one_primary_per_purpose() -> None:
    ks = Keyset.generate()
    purposes = sorted(k.purpose for k in ks.all_keys() if k.status == "primary")
    assert purposes == ["aead", "hmac", "signing"]
    assert len({k.key_id for k in ks.all_keys()}) == 3
    assert all(len(ks.secret(k.key_id, SECRET_ACCESS)) == 32 for k in ks.all_keys())


def test_saved_file_is_private_and_round_trips(tmp_path: Path) -> None:
    ks = Keyset.generate()
    path = tmp_path / "keyset.json"
    ks.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Keyset.load(path)
    assert [k.key_id for k in again.all_keys()] == [k.key_id for k in ks.all_keys()]
    assert _all_secret_bytes(again) == _all_secret_bytes(ks)


def test_repr_pickle_and_errors_never_show_key_bytes() -> None:
    ks = Keyset.generate()
    text = repr(ks)
    for secret in _all_secret_bytes(ks):
        assert secret.hex() not in text
        assert base64.b64encode(secret).decode() not in text
    with pytest.raises(TypeError):
        pickle.dumps(ks)
    with pytest.raises(KeyAccessError) as info:
        ks.secret(ks.primary_id("hmac"), access=object())  # type: ignore[arg-type]
    assert "SECRET_ACCESS" in str(info.value)


def test_rotation_keeps_old_keys_usable_and_disable_stops_them() -> None:
    ks = Keyset.generate()
    old = ks.primary_id("hmac")
    old_bytes = ks.secret(old, SECRET_ACCESS)
    new = ks.rotate("hmac")
    assert new != old and ks.primary_id("hmac") == new
    assert ks.info(old).status == "enabled"
    assert ks.secret(old, SECRET_ACCESS) == old_bytes
    with pytest.raises(KeyAccessError, match="primary"):
        ks.disable(new)
    ks.disable(old)
    with pytest.raises(KeyAccessError, match="disabled"):
        ks.secret(old, SECRET_ACCESS)


def test_signatures_verify_with_the_public_key() -> None:
    ks = Keyset.generate()
    kid, signature = ks.sign(b"ledger checkpoint 42")
    ks.public_key(kid).verify(signature, b"ledger checkpoint 42")  # raises if wrong


def test_passphrase_sealed_keyset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ks = Keyset.generate()
    path = tmp_path / "keyset.json"
    monkeypatch.setenv("RINGFENCE_KEYSET_PASSPHRASE", "correct horse battery staple")
    ks.save(path)
    raw = path.read_bytes()
    for secret in _all_secret_bytes(ks):
        assert base64.b64encode(secret) not in raw
    assert json.loads(raw)["sealed"] == "passphrase"
    assert _all_secret_bytes(Keyset.load(path)) == _all_secret_bytes(ks)
    monkeypatch.setenv("RINGFENCE_KEYSET_PASSPHRASE", "wrong")
    with pytest.raises(KeyAccessError, match="wrong passphrase"):
        Keyset.load(path)
    monkeypatch.delenv("RINGFENCE_KEYSET_PASSPHRASE")
    with pytest.raises(KeyAccessError, match="RINGFENCE_KEYSET_PASSPHRASE"):
        Keyset.load(path)


def test_kek_sealed_keyset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ks = Keyset.generate()
    path = tmp_path / "keyset.json"
    monkeypatch.setenv("RINGFENCE_KEK", base64.b64encode(os.urandom(32)).decode())
    ks.save(path)
    assert json.loads(path.read_bytes())["sealed"] == "kek"
    assert _all_secret_bytes(Keyset.load(path)) == _all_secret_bytes(ks)
    monkeypatch.setenv("RINGFENCE_KEK", "bm90IDMyIGJ5dGVz")
    with pytest.raises(KeyAccessError, match="32 bytes"):
        Keyset.load(path)


def test_damaged_keyset_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keyset.json"
    path.write_text("{not json")
    with pytest.raises(KeyAccessError, match="damaged"):
        Keyset.load(path)
    with pytest.raises(KeyAccessError, match="missing"):
        Keyset.load(tmp_path / "absent.json")


def test_primitives_are_bound_to_a_key_id_and_refuse_pickling() -> None:
    import copy

    import polars as pl

    from ringfence.errors import InvalidFormat, UsageError
    from ringfence.keys import KeyHolderError, KeyResolver
    from ringfence.keys.ff1 import DIGITS

    ks = Keyset.generate()
    resolver: KeyResolver = ks  # the keyset is the local resolver
    hmac_id, aead_id = ks.primary_id("hmac"), ks.primary_id("aead")
    prf = resolver.prf(hmac_id, "global|tokenize|entity:PHONE_NUMBER")
    assert prf.key_id == hmac_id and hmac_id in repr(prf)
    assert prf.tokens(pl.Series(["13812345678"]))[0].startswith(f"rt1_{hmac_id}_")
    assert resolver.aead(aead_id, b"label").key_id == aead_id
    assert resolver.record_sealer(aead_id).key_id == aead_id
    ff1 = resolver.ff1(aead_id, "global|card", DIGITS)
    assert ff1.decrypt(ff1.encrypt("6222021234567890")) == "6222021234567890"
    with pytest.raises(UsageError, match="not an aead key"):
        resolver.ff1(hmac_id, "global|card", DIGITS)
    sealer = resolver.record_sealer(aead_id)
    sealed = sealer.seal(b"{}", b"a")
    assert sealer.open(sealed, b"a") == b"{}"
    with pytest.raises(InvalidFormat):
        sealer.open(sealed, b"b")
    for held in (ks, prf, ff1, sealer, resolver.aead(aead_id, b"label")):
        for attempt in (pickle.dumps, copy.copy, copy.deepcopy):
            with pytest.raises(KeyHolderError):
                attempt(held)
        raw = _all_secret_bytes(ks)
        assert not any(secret.hex() in repr(held) for secret in raw)


def test_subkeys_for_distinct_uses_differ_from_the_key() -> None:
    from ringfence.keys.primitives import derive_subkey

    key = bytes(range(32))
    nonce_key, seal_key = (
        derive_subkey(key, b"ringfence record nonce v2"),
        derive_subkey(key, b"ringfence record seal v2"),
    )
    assert len({key, nonce_key, seal_key}) == 3
