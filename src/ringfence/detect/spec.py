"""What the project knows about one entity type, declared once: :class:`EntitySpec`.

Each entity module of :mod:`ringfence.detect.entities` declares its ``SPEC`` beside its validators, and
:data:`ringfence.detect.entities.SPECS` collects them, one per name of the vocabulary. Every table that
used to list entities is derived from the specs: the classifier's bars, gates, precedence and free-text
spans (:mod:`ringfence.detect.classify`), the header hints (:mod:`ringfence.detect.headers`), the
report's labels and risk tiers (:mod:`ringfence.report.entities`), the policy draft's defaults
(:mod:`ringfence.policy.draft`) and the mask defaults (:mod:`ringfence.transform.mask`). The risk
stage reads :attr:`EntitySpec.kind`, the govern stage :attr:`EntitySpec.category`.

Guarantees (``tests/detect/test_specs.py``): every vocabulary name has exactly one spec; hints are in the
normalised form :func:`ringfence.detect.headers.normalise` gives, English ones ASCII, Chinese ones with a
Han character, Korean ones with a Hangul syllable, Japanese ones with a kanji or kana, European ones in
Latin letters; bars lie in (0, 1]; gate patterns compile;
precedences are distinct; each draft default loads as a policy rule of an existing action.
A spec is frozen; its mappings are read-only views.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import polars as pl

from ringfence.detect.vocabulary import EntityType

# direct: the value alone singles out a person, their account or their device (a name, an ID number, a
# card, a phone); quasi: it singles someone out only together with other values (a birth date, a place).
Kind = Literal["direct", "quasi"]
# What the data is about, in the terms privacy laws group personal data by.
Category = Literal["identity", "contact", "financial_account", "transaction", "location", "device"]
# strong: a checksum or strict structure proves a value; weak: only its shape suggests the entity.
Tier = Literal["strong", "weak"]
# The kinds of span the classifier searches inside free text (:mod:`ringfence.detect.entities.free_text`).
SpanKind = Literal["digits", "email", "ipv4"]


@dataclass(frozen=True)
class Hints:
    """Words a column header holds when it names the entity, per language, after normalisation (lower
    case, NFKC, separators removed). Latin hints of up to 3 letters must be a whole word of the header.
    ``ja`` holds Japanese words (kanji or kana), ``eu`` the words of European languages other than
    English (``telefon``, ``adresse``, ``nom``), accents kept."""

    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()
    ko: tuple[str, ...] = ()
    ja: tuple[str, ...] = ()
    eu: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return self.en + self.zh + self.ko + self.ja + self.eu


@dataclass(frozen=True)
class Detection:
    """How the column classifier recognises the entity from a column's values.

    ``bar`` is the share of non-empty values that must validate (a matching header lowers it, a business
    header raises it); ``gate`` a cheap regular expression every valid value matches, so the validator
    runs only on values that pass it; ``precedence`` breaks ties between entities that both clear their
    bar (lower wins: the more specific entity); ``needs_hint`` entities are found only under a matching
    header (values that cannot prove themselves); ``span`` is the kind of span that finds the entity
    inside free text, if any.
    """

    tier: Tier
    bar: float
    gate: str
    precedence: int
    needs_hint: bool = False
    span: SpanKind | None = None


@dataclass(frozen=True)
class Draft:
    """The rule a drafted policy gives a column of the entity, and the reason the draft says."""

    action: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    why: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def rule(self) -> dict[str, Any]:
        """The rule as a policy names it: ``{"action": ..., **params}`` (a fresh dict)."""
        return {"action": self.action, **self.params}


@dataclass(frozen=True)
class EntitySpec:
    """One entity type: how it is found, named, classed and protected by default.

    ``country`` is the country every value belongs to (a national ID); ``country_of`` instead reads each
    value's ISO country, and a column's country is the most common one. ``detection`` is None for an
    entity found only inside prose (``FREE_TEXT_PII``). ``mask`` is ``(keep_first, keep_last)`` when a
    mask rule without either is to keep some characters. ``high_risk`` marks the identifiers whose leak
    harms most and lasts longest (national IDs, passports, cards and accounts); reports colour them.
    """

    entity: EntityType
    label: str
    kind: Kind
    category: Category
    hints: Hints
    draft: Draft
    detection: Detection | None = None
    country: str | None = None
    country_of: Callable[[pl.Expr], pl.Expr] | None = None
    mask: tuple[int, int] | None = None
    high_risk: bool = False


__all__ = ["Category", "Detection", "Draft", "EntitySpec", "Hints", "Kind", "SpanKind", "Tier"]
