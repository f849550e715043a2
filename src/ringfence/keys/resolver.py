"""What a plan needs from keys: the :class:`KeyResolver` protocol.

A plan picks key ids once (the primary of each purpose, or ids pinned by the caller) and asks a resolver
for primitives bound to them; it never sees key bytes. The local :class:`~ringfence.keys.Keyset`
implements this protocol; a Spark executor will provide another (a broadcast handle), so transforms
depend on the protocol, never on the keyset class.
"""

from __future__ import annotations

from typing import Protocol

from ringfence.keys.ff1 import FF1, Alphabet
from ringfence.keys.gcm import Aead
from ringfence.keys.keyset import KeyPurpose
from ringfence.keys.primitives import Prf, RecordSealer

__all__ = ["KeyResolver"]


class KeyResolver(Protocol):
    """Key ids for new work, and keyed primitives by key id (each refuses pickling)."""

    def primary_id(self, purpose: KeyPurpose) -> str:
        """The id of the key used for new work of ``purpose``."""
        ...

    def prf(self, key_id: str, domain: str) -> Prf:
        """The keyed digest (tokens, keyed uniforms) of ``domain`` under the ``hmac`` key ``key_id``."""
        ...

    def aead(self, key_id: str, label: bytes) -> Aead:
        """AES-GCM under the ``aead`` key ``key_id``, bound to ``label`` (the associated data)."""
        ...

    def ff1(self, key_id: str, domain: str, alphabet: Alphabet) -> FF1:
        """FF1 over ``alphabet`` under the key derived for ``domain`` from the ``aead`` key ``key_id``."""
        ...

    def record_sealer(self, key_id: str) -> RecordSealer:
        """Deterministic sealing of records under subkeys of the ``aead`` key ``key_id``."""
        ...
