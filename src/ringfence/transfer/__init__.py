"""Transfer rules as data: may this release go to this recipient, for this purpose, and on what basis.

The face the release pipeline calls: :func:`decide` takes a :class:`TransferRequest` and answers a
:class:`Decision` (allowed or denied, the legal basis, the consent kinds every released subject must hold,
the reasons each with its :class:`Citation`, the categories the law counts as sensitive); :func:`purposes`
lists a jurisdiction's purpose vocabulary. The rules live in one YAML pack per jurisdiction under
``packs/`` (KR: PIPA and the Credit Information Act; CN: PIPL; EU: GDPR), loaded by :mod:`.pack` and
applied by :mod:`.decide`, which fails closed on anything a pack does not know.

This side rail imports only :mod:`ringfence.errors`; it knows nothing of consent records or the ledger.
"""

from ringfence.transfer import model
from ringfence.transfer.decide import decide, purposes
from ringfence.transfer.model import *  # noqa: F403

__all__ = ["decide", "purposes"]
__all__ += model.__all__
