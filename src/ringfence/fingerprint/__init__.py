"""Fingerprints of released copies: marks, canaries, and naming whose copy leaked.

Every release to a recipient carries that recipient's codeword of a collusion-resistant binary symmetric
Tardos code (:mod:`~ringfence.fingerprint.code`), embedded by a runner step after the plan
(:mod:`~ringfence.fingerprint.embed`) in cells of the markable columns that a keyed PRF selects, each
recognised by its own coarse value (:mod:`~ringfence.fingerprint.cells`), plus a few canary rows
(:mod:`~ringfence.fingerprint.canary`). The release's :class:`MarkRecord` (in its ledger entry) and the
keys reproduce everything; no copy of released data is kept. :func:`attribute` reads an aligned leak and
scores every candidate recipient with a computed false-accusation bound
(:mod:`~ringfence.fingerprint.detect`).

The seam the trace stage calls: :class:`MarkRecord`, :class:`Accusation`, :func:`attribute`,
:func:`canary_hits`.
"""

from ringfence.fingerprint.detect import attribute, canary_hits
from ringfence.fingerprint.embed import MarkStep
from ringfence.fingerprint.record import Accusation, CanaryRecord, MarkedColumn, MarkRecord

__all__ = ["Accusation", "CanaryRecord", "MarkRecord", "MarkStep", "MarkedColumn", "attribute", "canary_hits"]
