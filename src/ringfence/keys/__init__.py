"""Keys: a keyset of named keys referenced everywhere by id; raw bytes never leave this package's API.

See :mod:`ringfence.keys.keyset`. Code that truly needs key bytes (a cipher kernel) asks for them through
:func:`ringfence.keys.keyset.Keyset.secret` with the explicit :data:`SECRET_ACCESS` capability.
"""

from ringfence.keys.keyset import SECRET_ACCESS, KeyInfo, KeyPurpose, Keyset, KeyStatus

__all__ = ["SECRET_ACCESS", "KeyInfo", "KeyPurpose", "KeyStatus", "Keyset"]
