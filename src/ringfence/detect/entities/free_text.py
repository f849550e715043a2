"""Free text with personal data (备注, 메모, payment memos): prose in which validated identifiers appear.

No validator proves a column of prose personal, so this module has no stdnum face and is not in
:data:`ringfence.detect.entities.ENTITIES`; it declares the entity's spec and the spans the classifier
(:mod:`ringfence.detect.classify`) searches inside text. A span is validated by the module of each entity
whose :attr:`ringfence.detect.spec.Detection.span` names its kind before it counts.

Digit spans must stand alone: the text around them is matched as a non-digit (or an edge) and trimmed off
before validation, so a run inside a longer number, an order number or a ``2026-03-15 12:34`` does not
yield a phone. Separators inside a span are single spaces or dashes between digit groups, and the first
group may stand in brackets (``(650) 253-0000``, ``(0161) 496 0000``).
"""

from __future__ import annotations

from ringfence.detect.spec import Draft, EntitySpec, Hints, SpanKind
from ringfence.detect.vocabulary import FREE_TEXT

SPEC = EntitySpec(
    FREE_TEXT,
    label="Free text with personal data",
    # it holds direct identifiers (phones, IDs, cards) inside its sentences; in payment tables it is the
    # memo or remark of a transfer
    kind="direct",
    category="transaction",
    hints=Hints(
        en=("memo", "remark", "note", "comment", "description"),
        zh=("备注", "附言", "留言"),
        ko=("메모", "비고"),
    ),
    draft=Draft(
        "drop", why="free text holds personal data inside sentences; it cannot be released safely as a column"
    ),
)

SPANS: dict[SpanKind, str] = {
    "digits": r"(?:^|[^0-9+\-(])\+?\(?[0-9]{2,6}\)?(?:[ \-]?[0-9]{2,8}){1,4}[Xx]?(?:[^0-9\-:]|$)",
    "email": r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+",
    # not after "/", ":", "." or a letter, nor before ".digit": version numbers in user agents
    # (Presto/2.9.162, rv:1.9.6.2, Chrome/120.0.6099.109) are not addresses
    "ipv4": r"(?:^|[^0-9A-Za-z/:.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:[^0-9.]|\.[^0-9]|\.?$)",
}
# What an IPv4 span's pattern matched around the address, trimmed off before validation.
IPV4_EDGES = r"^[^0-9]+|[^0-9]+$"
# What a digit span's pattern matched around the number, trimmed off before validation.
DIGIT_EDGES = r"^[^0-9+(]+|[^0-9Xx]+$"
