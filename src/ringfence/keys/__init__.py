"""Keys: a keyset of named keys referenced everywhere by id; raw bytes never leave this package.

See :mod:`ringfence.keys.keyset`. The keyset hands out keyed primitives bound to a key id (a PRF for a
domain, an AEAD for a label, an FF1 cipher for a domain and alphabet, a record sealer), through the
:class:`KeyResolver` protocol that transforms depend on; the cipher kernels
(:mod:`~ringfence.keys.keyed_hash`, :mod:`~ringfence.keys.ff1`, :mod:`~ringfence.keys.gcm`) live here
too. Every holder of key material refuses pickling the same way (:class:`KeyHolder`), and
:class:`Kernel` wraps a primitive as a Polars batch function. Only this package calls
:meth:`Keyset.secret` (with the :data:`SECRET_ACCESS` capability).
"""

from ringfence.keys.gcm import Aead
from ringfence.keys.holder import KeyHolder, KeyHolderError
from ringfence.keys.keyset import SECRET_ACCESS, KeyInfo, KeyPurpose, Keyset, KeyStatus
from ringfence.keys.primitives import Kernel, Prf, RecordSealer
from ringfence.keys.resolver import KeyResolver

__all__ = [
    "SECRET_ACCESS",
    "Aead",
    "Kernel",
    "KeyHolder",
    "KeyHolderError",
    "KeyInfo",
    "KeyPurpose",
    "KeyResolver",
    "KeyStatus",
    "Keyset",
    "Prf",
    "RecordSealer",
]
