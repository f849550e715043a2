"""Protection of the keyset file at rest: plain (file mode 0600), passphrase, or key-encryption key.

- ``RINGFENCE_KEYSET_PASSPHRASE``: the keyset is sealed with AES-256-GCM under a key derived from the
  passphrase with scrypt (n=2**15, r=8, p=1, a fresh 16-byte salt per write).
- ``RINGFENCE_KEK``: a base64 32-byte key-encryption key (as a KMS or secret manager would hand out); the
  keyset is sealed with AES-256-GCM under it.

The envelope records which method sealed it, so opening needs the same variable; a wrong passphrase or
key gives one clear error without any detail an attacker could use.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ringfence.errors import KeyAccessError

PASSPHRASE_ENV = "RINGFENCE_KEYSET_PASSPHRASE"  # noqa: S105 (the name of a variable, not a secret)
KEK_ENV = "RINGFENCE_KEK"
_AAD = b"ringfence keyset v1"
SEALS = ("passphrase", "kek")  # the sealed methods, as an envelope names them


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _kek_from_env() -> bytes:
    raw = os.environ.get(KEK_ENV, "")
    try:
        kek = _unb64(raw)
    except ValueError:
        raise KeyAccessError(f"{KEK_ENV} is not valid base64") from None
    if len(kek) != 32:
        raise KeyAccessError(f"{KEK_ENV} must hold 32 bytes (base64), not {len(kek)}")
    return kek


def _scrypt(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def seal(payload: dict[str, Any], *, method: str | None = None) -> dict[str, Any]:
    """Wraps the keyset document per the environment; returns it unchanged (``plain``) when none is set.

    ``method`` (``passphrase`` or ``kek``: how the file was sealed before) keeps that seal, and needs its
    variable: a keyset is never silently re-sealed another way.
    """
    plaintext = json.dumps(payload, sort_keys=True).encode("utf-8")
    if method is None:
        method = (
            "kek" if os.environ.get(KEK_ENV) else "passphrase" if os.environ.get(PASSPHRASE_ENV) else None
        )
    if method is None:
        return {"sealed": "plain", "keyset": payload}
    variable = KEK_ENV if method == "kek" else PASSPHRASE_ENV
    if not os.environ.get(variable):
        raise KeyAccessError(f"the keyset is sealed with a {method}; set {variable} to save it")
    extra: dict[str, str] = {}
    if method == "kek":
        key = _kek_from_env()
    else:
        salt = secrets.token_bytes(16)
        key, extra = _scrypt(os.environ[PASSPHRASE_ENV], salt), {"salt": _b64(salt)}
    nonce = secrets.token_bytes(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _AAD)
    return {"sealed": method, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext), **extra}


def unseal(envelope: dict[str, Any]) -> dict[str, Any]:
    """Opens a sealed keyset document, using the environment variable its method needs."""
    method = envelope.get("sealed")
    if method == "plain":
        keyset = envelope.get("keyset")
        if not isinstance(keyset, dict):
            raise KeyAccessError("the keyset file is damaged")
        return keyset
    if method == "kek":
        if not os.environ.get(KEK_ENV):
            raise KeyAccessError(f"the keyset is sealed with a key-encryption key; set {KEK_ENV}")
        key = _kek_from_env()
    elif method == "passphrase":
        if not os.environ.get(PASSPHRASE_ENV):
            raise KeyAccessError(f"the keyset is sealed with a passphrase; set {PASSPHRASE_ENV}")
        key = _scrypt(os.environ[PASSPHRASE_ENV], _unb64(str(envelope.get("salt", ""))))
    else:
        raise KeyAccessError("the keyset file is damaged or of an unknown kind")
    try:
        plaintext = AESGCM(key).decrypt(
            _unb64(str(envelope["nonce"])), _unb64(str(envelope["ciphertext"])), _AAD
        )
    except (InvalidTag, KeyError, ValueError):
        raise KeyAccessError(
            "the keyset cannot be opened: wrong passphrase or key, or a damaged file"
        ) from None
    result = json.loads(plaintext)
    if not isinstance(result, dict):
        raise KeyAccessError("the keyset file is damaged")
    return result
