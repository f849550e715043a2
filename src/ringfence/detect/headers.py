"""Header hints: what a column's name says about its entity, in English, Chinese and Korean.

A header is only a hint. Names lie (``ref``, ``c7``, ``备注``) and look-alikes share words (``order_no`` is
not a passport number), so a hint raises the confidence of what the values already show, and decides only
between entities the values cannot tell apart (a bank account number and any other run of digits).
Headers are normalised first: lower case, NFKC, separators (``_ - . space``) removed. Each entity's hint
words are declared in its spec (:class:`ringfence.detect.spec.Hints`); the words that say a column is not
personal (:data:`NOT_PERSONAL`) belong to no entity and live here.
"""

from __future__ import annotations

import re
import unicodedata

from ringfence.detect.entities import SPECS

# Substrings that suggest each entity (each spec's Hints: English, Chinese, Korean), checked after
# normalisation.
HINTS: dict[str, tuple[str, ...]] = {spec.entity: spec.hints.words for spec in SPECS.values()}

# Words that say a column is NOT personal data even when its values look like an identifier.
NOT_PERSONAL: tuple[str, ...] = (
    "order",
    "txn",
    "trade",
    "transaction",
    "serial",
    "ref",
    "merchant",
    "mcc",
    "amount",
    "price",
    "sku",
    "订单",
    "交易",
    "流水",
    "商户",
    "金额",
    "주문",
    "거래",
    "가맹점",
    "금액",
)

_SEPARATORS = re.compile(r"[\s_\-./:()\[\]#]+")


def normalise(header: str) -> str:
    """Lower-case NFKC form of a header with separators removed (``Phone_No.`` → ``phoneno``)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", header).lower())


def _matches(name: str, word: str) -> bool:
    # Short Latin hints (ip, tel, pan, lat) must be a whole token of the original header, not a substring
    # of a longer word ("tip", "hotel", "company", "translate").
    return word in name if len(word) > 3 or not word.isascii() else False


def _tokens(header: str) -> set[str]:
    text = unicodedata.normalize("NFKC", header)
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()
    return {t for t in re.split(r"[^0-9a-z\u3131-\uD7A3\u4E00-\u9FFF]+", text) if t}


def hinted_entities(header: str) -> set[str]:
    """The entities whose hint words the header holds."""
    name = normalise(header)
    tokens = _tokens(header)
    found = set()
    for entity, words in HINTS.items():
        for word in words:
            if _matches(name, word) or (word.isascii() and len(word) <= 3 and word in tokens):
                found.add(entity)
                break
    return found


def says_not_personal(header: str) -> bool:
    """True when the header names a business identifier or amount (``order_no``, ``交易流水号``)."""
    name = normalise(header)
    tokens = _tokens(header)
    return any(
        word in name if (len(word) > 3 or not word.isascii()) else word in tokens for word in NOT_PERSONAL
    )
