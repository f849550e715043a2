"""Rule packs: one YAML file per jurisdiction under ``packs/``, loaded into strict pydantic models.

A pack is data, not code. It names the articles it cites (``citations``), the countries it treats as
domestic (the countries of the controllers it governs, too) or adequate, the purposes it knows and the
legal basis each one stands on, which categories identify a person and which it counts as sensitive, the
cross-border mechanisms it accepts, and the rules: ``denials`` (a matching one refuses the transfer) and
``parts`` (each part of a transfer that needs a ground when it applies, such as the provision itself, the
crossing of a border, sensitive data or credit information; the first ground whose ``when`` matches
grants the part, with the consents it needs).

What loading guarantees (a broken pack fails at load, naming the pack, never at decision time):

- Unknown keys, wrong types and unknown names are refused: every citation a rule names exists, every
  country is an ISO 3166-1 alpha-2 code of ``packs/countries.txt``, every category, role, consent kind,
  mechanism and purpose basis is one of the known vocabulary.
- A rule may look at ``pseudonymised`` only together with ``statistical: true``: pseudonymised output
  changes nothing for any other purpose, by construction.
- Packs are read once per process (``yaml.safe_load``) and shared read-only.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ringfence.errors import UsageError
from ringfence.transfer.model import JURISDICTIONS, Category, Citation, ConsentKind, Role

__all__ = ["FACTS", "Ground", "Note", "Pack", "Part", "Rule", "Unknown", "When", "countries", "load_pack"]

Basis = Literal["consent", "contract", "legal_obligation", "legitimate_interest"]
Unknown = Literal["controller", "recipient", "country", "role", "purpose", "category", "mechanism"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    """Conditions on the facts of a request; every condition given must hold (a list means any of)."""

    role: tuple[Role, ...] | None = None
    within_purpose: tuple[bool, ...] | None = None  # the purpose is one of the recipient's purposes
    affiliate: tuple[bool, ...] | None = None
    cross_border: tuple[bool, ...] | None = None  # the recipient's country is not domestic
    adequate: tuple[bool, ...] | None = None  # ... and is recognised as adequate by this pack
    mechanism: tuple[str | None, ...] | None = None
    basis: tuple[Basis, ...] | None = None  # the legal basis the pack gives the purpose
    statistical: tuple[bool, ...] | None = None  # statistics, research or archiving
    pseudonymised: tuple[bool, ...] | None = None
    identifying: tuple[bool, ...] | None = None  # an identifying category is released recognisably
    sensitive: tuple[bool, ...] | None = None  # a category this law counts as sensitive is released
    credit_information: tuple[bool, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _listify(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v if isinstance(v, list | tuple) else [v] for k, v in data.items()}
        return data

    @model_validator(mode="after")
    def _pseudonymised_only_for_statistics(self) -> When:
        if self.pseudonymised is not None and self.statistical != (True,):
            raise ValueError("a rule on pseudonymised must also require statistical: true")
        return self

    def matches(self, facts: dict[str, object]) -> bool:
        return all(facts[name] in allowed for name in FACTS if (allowed := getattr(self, name)) is not None)


FACTS: tuple[str, ...] = tuple(When.model_fields)


class Note(_Strict):
    """A reason with its article."""

    cite: str
    why: str


class Rule(Note):
    """A denial: when it matches, the transfer is refused; ``explain_as`` names the role the transfer
    really has, and the reasons then say what that role would need."""

    when: When
    explain_as: Role | None = None


class Ground(Note):
    """A ground for one part: ``basis`` is the short name in the legal basis line."""

    when: When = Field(default_factory=When)
    basis: str
    consent: frozenset[ConsentKind] = frozenset()
    also: tuple[Note, ...] = ()


class Part(_Strict):
    """A part of a transfer that needs a ground whenever ``applies`` matches."""

    applies: When = Field(default_factory=When)
    missing: Note
    grounds: tuple[Ground, ...]


class Purpose(_Strict):
    basis: Basis
    statistical: bool = False


class Pack(_Strict):
    jurisdiction: Literal["KR", "CN", "EU"]
    citations: dict[str, Citation]
    domestic: frozenset[str]
    adequate: frozenset[str] = frozenset()
    unknown: dict[Unknown, str]
    purposes: dict[str, Purpose]
    identifying: frozenset[Category]
    sensitive: dict[Category, str] = {}
    mechanisms: frozenset[str] = frozenset()
    denials: tuple[Rule, ...] = ()
    parts: dict[str, Part]
    notes: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Pack:
        missing_unknown = set(get_args(Unknown)) - set(self.unknown)
        if missing_unknown:
            raise ValueError(f"unknown: no article for {sorted(missing_unknown)}")
        for name in ("domestic", "adequate"):
            bad = getattr(self, name) - countries()
            if bad:
                raise ValueError(f"{name}: not ISO 3166-1 alpha-2: {sorted(bad)}")
        for cite in self.cited():
            if cite not in self.citations:
                raise ValueError(f"citation {cite!r} is used but not declared")
        for when in self._whens():
            strange = set(when.mechanism or ()) - self.mechanisms - {None}
            if strange:
                raise ValueError(f"mechanism {sorted(map(str, strange))} unknown")
        return self

    def _notes(self) -> list[Note]:
        found: list[Note] = [*self.denials, *self.notes]
        for part in self.parts.values():
            found.append(part.missing)
            for ground in part.grounds:
                found += [ground, *ground.also]
        return found

    def cited(self) -> list[str]:
        """Every citation key the pack's rules and tables name (with repeats)."""
        return [n.cite for n in self._notes()] + list(self.unknown.values()) + list(self.sensitive.values())

    def _whens(self) -> list[When]:
        whens = [r.when for r in (*self.denials, *self.notes)]
        for part in self.parts.values():
            whens += [part.applies, *(g.when for g in part.grounds)]
        return whens

    @property
    def controllers(self) -> frozenset[str]:
        """The controller countries this pack governs: its domestic countries, or the jurisdiction's own
        name ("EU": established in the Union, member state not given)."""
        return self.domestic | {self.jurisdiction}

    def cite(self, key: str) -> Citation:
        return self.citations[key]


@cache
def countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (249), from ``packs/countries.txt``."""
    text = resources.files("ringfence.transfer").joinpath("packs/countries.txt").read_text("utf-8")
    return frozenset(code for line in text.splitlines() if not line.startswith("#") for code in line.split())


@cache
def load_pack(jurisdiction: str) -> Pack:
    """The rule pack of a jurisdiction; :class:`UsageError` for a jurisdiction without one or a bad pack."""
    if jurisdiction not in JURISDICTIONS:
        raise UsageError(f"no transfer rule pack for jurisdiction {jurisdiction!r}")
    name = f"packs/{jurisdiction.lower()}.yaml"
    text = resources.files("ringfence.transfer").joinpath(name).read_text("utf-8")
    try:
        pack = Pack.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()
        raise UsageError(f"transfer rule pack {name} is invalid: {' '.join(first[:3])}") from None
    if pack.jurisdiction != jurisdiction:
        raise UsageError(f"transfer rule pack {name} declares jurisdiction {pack.jurisdiction}")
    return pack
