"""The keyset: every secret ringfence uses, each with an id, a purpose and a status.

Keys are referenced by id everywhere (policies, tokens, ledger entries, plans); only this class holds the
bytes. It refuses to be pickled, its ``repr`` lists ids and statuses only, and the one door to raw bytes,
:meth:`Keyset.secret`, needs the :data:`SECRET_ACCESS` capability so that every use is easy to find.

Purposes:
- ``hmac``: 32-byte keys for keyed tokens (HMAC-SHA256 / keyed PRF);
- ``aead``: 32-byte AES-256 keys for encryption (AES-GCM) and format-preserving encryption (FF1);
- ``signing``: Ed25519 keys that sign ledger checkpoints.

The keyset hands out keyed primitives bound to a key id (it implements
:class:`~ringfence.keys.resolver.KeyResolver`): :meth:`Keyset.prf` for a domain, :meth:`Keyset.aead` for a
label, :meth:`Keyset.ff1` for a domain and alphabet, :meth:`Keyset.record_sealer`; each derives its own
subkey where its use needs one, so one key's bytes never serve two constructions.

Each purpose has exactly one primary key, used for new work. Rotation adds a new primary and keeps older
keys enabled, so tokens and ciphertexts made under them (which carry their key id) still resolve.
Disabling a key stops every use of it; the primary cannot be disabled.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ringfence.errors import KeyAccessError, UsageError
from ringfence.io.atomic import write_bytes_atomic
from ringfence.keys import wrap
from ringfence.keys.ff1 import FF1, Alphabet
from ringfence.keys.gcm import Aead
from ringfence.keys.holder import KeyHolder
from ringfence.keys.primitives import Prf, RecordSealer

KeyPurpose = Literal["hmac", "aead", "signing"]
KeyStatus = Literal["primary", "enabled", "disabled"]
PURPOSES: tuple[KeyPurpose, ...] = ("hmac", "aead", "signing")
FORMAT_VERSION = 1
_FF1_KDF_LABEL = b"ringfence fpe v1\x00"  # FF1 key = HMAC-SHA256(aead key, label || domain)
RECORD_VERSION = b"v2"  # the subkeys of sealed records (v1 sealed under the aead key itself)


class _SecretAccess:
    """A capability: passing it to :meth:`Keyset.secret` says "I need raw key bytes, on purpose"."""

    def __repr__(self) -> str:
        return "SECRET_ACCESS"


SECRET_ACCESS = _SecretAccess()


@dataclass(frozen=True)
class KeyInfo:
    """What may be known about a key without its bytes."""

    key_id: str
    purpose: KeyPurpose
    status: KeyStatus
    created_at: str


class Keyset(KeyHolder):
    """A set of keys by id. Construct with :meth:`generate` or :meth:`load`."""

    __slots__ = ("_infos", "_material", "_sealed_with")
    refusal = "pass key ids and load the keyset where it is needed"

    def __init__(self, infos: list[KeyInfo], material: dict[str, bytes], *, partial: bool = False) -> None:
        self._infos = {info.key_id: info for info in infos}
        self._material = dict(material)
        self._sealed_with: str | None = None  # how the file it was loaded from was sealed
        for purpose in PURPOSES:
            primaries = [i for i in infos if i.purpose == purpose and i.status == "primary"]
            if len(primaries) > 1 or (not primaries and not partial):
                raise KeyAccessError(f"the keyset must have exactly one primary {purpose} key")

    # ------------------------------------------------------------------ making, loading, saving

    @classmethod
    def generate(cls) -> Keyset:
        """A fresh keyset with one primary key of each purpose."""
        infos: list[KeyInfo] = []
        material: dict[str, bytes] = {}
        for purpose in PURPOSES:
            info, secret = _new_key(purpose, "primary", set(material))
            infos.append(info)
            material[info.key_id] = secret
        return cls(infos, material)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Keyset:
        """Reads a keyset file (sealed per :mod:`ringfence.keys.wrap`)."""
        file = Path(path)
        try:
            envelope = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyAccessError(f"keyset file {file} is missing") from None
        except (OSError, ValueError):
            raise KeyAccessError(f"keyset file {file} cannot be read or is damaged") from None
        if not isinstance(envelope, dict):
            raise KeyAccessError(f"keyset file {file} is damaged")
        keyset = cls._from_document(wrap.unseal(envelope), f"keyset file {file}")
        keyset._sealed_with = str(envelope.get("sealed"))
        return keyset

    @classmethod
    def _from_document(cls, doc: dict[str, Any], what: str, *, partial: bool = False) -> Keyset:
        if doc.get("version") != FORMAT_VERSION:
            raise KeyAccessError(f"{what} has an unknown format version")
        try:
            infos = [KeyInfo(k["id"], k["purpose"], k["status"], k["created_at"]) for k in doc["keys"]]
            material = {k["id"]: base64.b64decode(k["material"], validate=True) for k in doc["keys"]}
        except (KeyError, TypeError, ValueError):
            raise KeyAccessError(f"{what} is damaged") from None
        return cls(infos, material, partial=partial)

    def _document(self, key_ids: list[str] | None = None) -> dict[str, Any]:
        """The keyset's document (bytes included: only for sealing), of ``key_ids`` when given."""
        chosen = [self.info(k) for k in key_ids] if key_ids is not None else list(self._infos.values())
        return {
            "version": FORMAT_VERSION,
            "keys": [
                {
                    "id": i.key_id,
                    "purpose": i.purpose,
                    "status": i.status,
                    "created_at": i.created_at,
                    "material": base64.b64encode(self._material[i.key_id]).decode("ascii"),
                }
                for i in chosen
            ],
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the keyset atomically with file mode 0600, sealed per the environment.

        A keyset loaded from a passphrase- or KEK-sealed file is sealed the same way again (never silently
        moved from a passphrase to ``RINGFENCE_KEK`` or back); a plain one takes the environment's seal.
        """
        doc = self._document()
        keep = self._sealed_with if self._sealed_with in wrap.SEALS else None
        data = json.dumps(wrap.seal(doc, method=keep), indent=1, sort_keys=True).encode("utf-8")
        write_bytes_atomic(path, data, mode=0o600)

    # ------------------------------------------------------------------ looking at keys

    def all_keys(self) -> list[KeyInfo]:
        """Every key's id, purpose, status and creation time (never bytes)."""
        return list(self._infos.values())

    def info(self, key_id: str) -> KeyInfo:
        try:
            return self._infos[key_id]
        except KeyError:
            raise KeyAccessError(f"unknown key id {key_id!r}") from None

    def primary_id(self, purpose: KeyPurpose) -> str:
        """The id of the key used for new work of ``purpose``."""
        for info in self._infos.values():
            if info.purpose == purpose and info.status == "primary":
                return info.key_id
        raise KeyAccessError(f"these keys hold no primary {purpose} key")

    # ------------------------------------------------------------------ rotation

    def rotate(self, purpose: KeyPurpose) -> str:
        """Adds a new primary key for ``purpose``; the old primary stays enabled. Returns the new id."""
        if purpose not in PURPOSES:
            raise KeyAccessError(f"unknown key purpose {purpose!r}")
        old = self.primary_id(purpose)
        self._infos[old] = _with_status(self._infos[old], "enabled")
        info, secret = _new_key(purpose, "primary", set(self._infos))
        self._infos[info.key_id] = info
        self._material[info.key_id] = secret
        return info.key_id

    def disable(self, key_id: str) -> None:
        """Stops every use of a key (it stays in the file so that its id is never reused)."""
        info = self.info(key_id)
        if info.status == "primary":
            raise KeyAccessError(
                f"key {key_id} is the primary {info.purpose} key; rotate before disabling it"
            )
        self._infos[key_id] = _with_status(info, "disabled")

    # ------------------------------------------------------------------ using keys

    def secret(self, key_id: str, access: _SecretAccess) -> bytes:
        """Raw bytes of an enabled key, for a cipher kernel. Requires ``SECRET_ACCESS``."""
        if access is not SECRET_ACCESS:
            raise KeyAccessError("raw key bytes need the SECRET_ACCESS capability")
        info = self.info(key_id)
        if info.status == "disabled":
            raise KeyAccessError(f"key {key_id} is disabled")
        return self._material[key_id]

    def prf(self, key_id: str, domain: str) -> Prf:
        """The keyed digest of ``domain`` under the ``hmac`` key ``key_id`` (tokens, keyed uniforms)."""
        return Prf(self._bytes_for(key_id, "hmac", "tokens and keyed values use hmac keys"), key_id, domain)

    def aead(self, key_id: str, label: bytes) -> Aead:
        """AES-256-GCM under the ``aead`` key ``key_id``, bound to ``label`` (the associated data)."""
        return Aead(self._bytes_for(key_id, "aead", "encrypt uses aead keys"), key_id, label)

    def ff1(self, key_id: str, domain: str, alphabet: Alphabet) -> FF1:
        """FF1 over ``alphabet`` under ``HMAC-SHA256(aead key, "ringfence fpe v1" 0x00 || domain)``."""
        secret = self._bytes_for(key_id, "aead", "fpe derives its keys from aead keys")
        return FF1(hmac.digest(secret, _FF1_KDF_LABEL + domain.encode(), "sha256"), alphabet)

    def record_sealer(self, key_id: str) -> RecordSealer:
        """Deterministic record sealing under subkeys of the ``aead`` key ``key_id`` (HKDF, v2)."""
        return RecordSealer(
            self._bytes_for(key_id, "aead", "sealed records use aead keys"), key_id, RECORD_VERSION
        )

    def _bytes_for(self, key_id: str, purpose: KeyPurpose, use: str) -> bytes:
        if self.info(key_id).purpose != purpose:
            raise UsageError(f"key {key_id} is not an {purpose} key; {use}")
        return self.secret(key_id, SECRET_ACCESS)

    def sign(self, message: bytes, key_id: str | None = None) -> tuple[str, bytes]:
        """Signs ``message`` with the primary (or the given) Ed25519 key; returns (key id, signature)."""
        kid = key_id or self.primary_id("signing")
        if self.info(kid).purpose != "signing":
            raise KeyAccessError(f"key {kid} is not a signing key")
        private = Ed25519PrivateKey.from_private_bytes(self.secret(kid, SECRET_ACCESS))
        return kid, private.sign(message)

    def public_key(self, key_id: str) -> Ed25519PublicKey:
        """The public half of a signing key (safe to publish) for verifying signatures."""
        if self.info(key_id).purpose != "signing":
            raise KeyAccessError(f"key {key_id} is not a signing key")
        return Ed25519PrivateKey.from_private_bytes(self._material[key_id]).public_key()

    # ------------------------------------------------------------------ never leak

    def __repr__(self) -> str:
        listed = ", ".join(f"{i.key_id}:{i.purpose}:{i.status}" for i in self._infos.values())
        return f"Keyset({listed})"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _with_status(info: KeyInfo, status: KeyStatus) -> KeyInfo:
    return KeyInfo(info.key_id, info.purpose, status, info.created_at)


def _new_key(purpose: KeyPurpose, status: KeyStatus, taken: set[str]) -> tuple[KeyInfo, bytes]:
    key_id = secrets.token_hex(4)
    while key_id in taken:
        key_id = secrets.token_hex(4)
    secret = secrets.token_bytes(32)
    if purpose == "signing":
        from cryptography.hazmat.primitives import serialization

        secret = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
    return KeyInfo(key_id, purpose, status, _now()), secret
