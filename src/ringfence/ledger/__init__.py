"""The ledger: an append-only, hash-chained record of every release, denial and reveal, in an RFC 9162
Merkle tree whose signed heads are C2SP checkpoints an auditor can keep and check with no ringfence code.

- :class:`Ledger` (:mod:`~ringfence.ledger.ledger`): append, entries, subject lookup, verify,
  checkpoint, verify_against.
- :mod:`~ringfence.ledger.merkle`: RFC 9162 hashing and proofs; :mod:`~ringfence.ledger.note`: C2SP
  signed notes, checkpoints and cosignatures; :mod:`~ringfence.ledger.subjects`: the subject index.
"""

from ringfence.ledger.ledger import Ledger
from ringfence.ledger.model import AppendedEntry, Disclosure, Entry, StoredEntry, VerifyReport

__all__ = ["AppendedEntry", "Disclosure", "Entry", "Ledger", "StoredEntry", "VerifyReport"]
