"""Keys for another process: :class:`SealedKeys`, the handle a Spark executor resolves keys through.

What it guarantees:

- It carries only the keys a job needs (the ids a :class:`~ringfence.transform.spec.PlanSpec` pins), sealed
  with AES-256-GCM under the key-encryption key in ``RINGFENCE_KEK`` (:mod:`ringfence.keys.wrap`). The
  handle itself is plain, picklable data: key ids and ciphertext. Spark may serialise it into a closure or
  a broadcast, write it to its event log or show it in its UI: what they show is ciphertext, never key
  bytes. Building one without ``RINGFENCE_KEK`` is refused (a clear-text keyset never leaves the driver).
- :meth:`SealedKeys.open` unseals it where it runs, with the ``RINGFENCE_KEK`` of that process's
  environment (an executor gets it from the cluster's secret store, as the driver does), and keeps the
  opened keys in that process's memory, once per handle; the opened keys refuse pickling like any keyset.
- A disabled key is refused when the handle is built; the opened keys hold no other key than the pinned
  ones, so a job cannot use a key it was not given (least privilege), and its ``primary_id`` names the
  pinned primary of a purpose only when that key was the primary when the handle was built.
- A wrong or missing ``RINGFENCE_KEK`` on the executor gives one clear :class:`KeyAccessError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ringfence.errors import KeyAccessError
from ringfence.keys import wrap
from ringfence.keys.keyset import Keyset

__all__ = ["SealedKeys"]

_OPENED: dict[str, Keyset] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class SealedKeys:
    """Pinned keys sealed under ``RINGFENCE_KEK`` (see the module docstring)."""

    key_ids: tuple[str, ...]
    envelope: str  # JSON of the sealed envelope: method, nonce, ciphertext

    @classmethod
    def of(cls, keyset: Keyset, key_ids: Iterable[str]) -> SealedKeys:
        """A handle to ``key_ids`` of ``keyset``, sealed under ``RINGFENCE_KEK``."""
        if not os.environ.get(wrap.KEK_ENV):
            raise KeyAccessError(
                f"keys travel to other processes only sealed: set {wrap.KEK_ENV} (the key-encryption key "
                "the executors also get from their environment)"
            )
        ids = sorted(set(key_ids))
        for key_id in ids:
            if keyset.info(key_id).status == "disabled":
                raise KeyAccessError(f"key {key_id} is disabled")
        sealed = wrap.seal(keyset._document(ids), method="kek")
        return cls(tuple(ids), json.dumps(sealed, sort_keys=True))

    @property
    def handle_id(self) -> str:
        """A digest of the sealed envelope: names the handle in caches, says nothing of the keys."""
        return hashlib.sha256(self.envelope.encode("ascii")).hexdigest()[:16]

    def open(self) -> Keyset:
        """The pinned keys, unsealed with this process's ``RINGFENCE_KEK`` (once per process)."""
        handle = self.handle_id
        with _LOCK:
            opened = _OPENED.get(handle)
            if opened is None:
                try:
                    envelope = json.loads(self.envelope)
                except ValueError:
                    raise KeyAccessError("the sealed keys are damaged") from None
                if not isinstance(envelope, dict) or envelope.get("sealed") != "kek":
                    raise KeyAccessError(
                        "the sealed keys are damaged or not sealed with a key-encryption key"
                    )
                opened = Keyset._from_document(wrap.unseal(envelope), "the sealed keys", partial=True)
                _OPENED[handle] = opened
        return opened

    def __repr__(self) -> str:
        return f"SealedKeys({', '.join(self.key_ids)})"
