"""The policy document: rules by column name and by entity type, what happens to unlisted columns, and
fingerprinting; plus its stable hash.

```yaml
ringfence_policy: 1
name: partner-analytics
unlisted: fail            # fail (default) | keep | drop: columns no rule names
columns:
  phone: {action: mask, entity: PHONE_NUMBER}
  merchant_id: keep       # short form
entities:                 # for columns a scan typed, when no column rule names them
  EMAIL_ADDRESS: {action: tokenize}
fingerprint: {enabled: true, strength: normal}
risk:                     # the release risk gate (optional; absent, nothing is measured)
  quasi_identifiers: [gender, birth_date, city]
  k: 10                   # every class of quasi-identifiers holds at least k records (people with subject)
  suppression: 0.01       # at most this share of records may be withheld to reach the target
  on_violation: generalize  # generalize | suppress | deny
```

A :class:`Policy` is frozen and valid by construction: unknown keys, wrong types, unknown actions or
entities, and rules whose parameters contradict each other are refused. Rules under ``entities`` get their
``entity`` filled in from the key, and are checked with it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ringfence.policy.entities import NATIONAL_IDS, EntityType
from ringfence.policy.rules import AnyRule, Derive, Rule, RuleProblem

Unlisted = Literal["fail", "keep", "drop"]
SCHEMA_VERSION = 1


class PolicyProblem(ValueError):
    """A problem that spans rules; ``loc`` is the path of keys to the offending place in the document."""

    def __init__(self, loc: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


MarkKind = Literal["amount", "timestamp", "number"]


class MarkColumn(BaseModel):
    """How one released column may carry fingerprint marks: ``kind`` says how its values are read
    (``amount``: a money amount, marked in its minor units, and never turned from a round amount into a
    non-round one; ``timestamp``: marked in its seconds or milliseconds; ``number``: any other numeric
    column), ``tolerance`` the largest change of one cell and ``grain`` the unit marks count in, both in
    the column's own units (currency units; seconds, ``0.001`` for milliseconds). A tolerance of 3 grains
    lets each marked cell carry two symbols, 7 grains three. Left out: an amount 0.01 and 0.01, a
    timestamp 3 seconds in grains of 1 second, a number 1 and 1."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: MarkKind
    tolerance: float | None = Field(default=None, gt=0, le=3600)
    grain: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="after")
    def _grain_within_tolerance(self) -> MarkColumn:
        if self.grain is not None and self.tolerance is not None and self.grain > self.tolerance:
            raise PolicyProblem(("grain",), "the grain must not exceed the tolerance")
        return self


class Fingerprint(BaseModel):
    """Fingerprinting of released copies (:mod:`ringfence.fingerprint`): each recipient's copy carries
    its own marks and canary records. ``columns`` names the columns that may carry marks (a list, each
    kind read from its type and name, or a mapping to :class:`MarkColumn`); left out, the release picks
    the numeric and time columns the policy keeps as they are and that hold no personal data.
    ``immutable`` names columns that are never changed (settlement-critical fields; identifiers never are).
    ``canaries`` is the number of canary records added to each release; ``strength`` the bias cut-off of
    the code (low: best against a single leaker; normal: one to three colluders; high: larger
    coalitions, with longer leaks)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    enabled: bool = False
    columns: list[str] | dict[str, MarkColumn] | None = Field(default=None, min_length=1)
    immutable: list[str] = Field(default_factory=list)
    canaries: int = Field(default=3, ge=0, le=100)
    strength: Literal["low", "normal", "high"] = "normal"

    @field_validator("columns")
    @classmethod
    def _unique(
        cls, value: list[str] | dict[str, MarkColumn] | None
    ) -> list[str] | dict[str, MarkColumn] | None:
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("a column is named twice")
        return value

    @model_validator(mode="after")
    def _disjoint(self) -> Fingerprint:
        both = sorted(set(self.columns or ()) & set(self.immutable))
        if both:
            raise PolicyProblem(
                ("fingerprint", "immutable"), f"column {both[0]!r} is both marked and immutable"
            )
        return self

    def marked(self) -> list[str]:
        """The column names ``columns`` lists (in order), or none."""
        return list(self.columns or ())

    def column(self, name: str) -> MarkColumn | None:
        """The declared kind and tolerance of ``name``, when ``columns`` is a mapping."""
        return self.columns.get(name) if isinstance(self.columns, dict) else None


class Hierarchy(BaseModel):
    """How one quasi-identifier may be generalised, when the automatic hierarchy does not suit:
    ``kind`` names a builder of :mod:`ringfence.risk.hierarchy`; ``levels`` its steps (widths of number
    bands, prefix lengths of codes, or date grains day/month/quarter/year/decade), coarsest last."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    kind: Literal["number", "date", "code", "region", "category"]
    levels: list[int | float | str] = Field(default_factory=list, max_length=16)


class Risk(BaseModel):
    """The risk target a release must meet (read by :mod:`ringfence.risk.gate`).

    ``suppression`` is the share of records (rows, or people with ``subject``) that may be withheld to
    reach it; ``on_violation`` says what happens when the output misses it: ``generalize`` searches the
    least-loss generalisation of the quasi-identifiers (plus suppression within the budget), ``suppress``
    only withholds the records of too-small classes, ``deny`` refuses the release.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    quasi_identifiers: list[str] = Field(min_length=1)
    subject: str | None = None
    sensitive: list[str] = Field(default_factory=list)
    k: int = Field(default=10, ge=1)
    l: int | None = Field(default=None, ge=2)  # noqa: E741 - the literature's name
    t: float | None = Field(default=None, gt=0, le=1)
    suppression: float = Field(default=0.01, ge=0, le=1)
    on_violation: Literal["generalize", "suppress", "deny"] = "deny"
    hierarchies: dict[str, Hierarchy] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Risk:
        named = [*self.quasi_identifiers, *self.sensitive]
        if len(set(named)) != len(named):
            raise PolicyProblem(("risk",), "a column is named twice among quasi-identifiers and sensitive")
        if (self.l is not None or self.t is not None) and not self.sensitive:
            raise PolicyProblem(("risk", "sensitive"), "l and t need the sensitive columns they are about")
        stray = [c for c in self.hierarchies if c not in self.quasi_identifiers]
        if stray:
            raise PolicyProblem(
                ("risk", "hierarchies", stray[0]), "a hierarchy for a column that is not a quasi-identifier"
            )
        return self


class Policy(BaseModel):
    """A whole policy document (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    ringfence_policy: Literal[1]
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    description: str | None = Field(default=None, max_length=2000)
    unlisted: Unlisted = "fail"
    # The column holding each row's data subject (the platform's own person key): what a release filters
    # by consent and commits to in the ledger ("who got my data"); ``release --subject`` overrides it.
    subject: str | None = Field(default=None, min_length=1, max_length=256)
    columns: dict[str, AnyRule] = Field(default_factory=dict)
    entities: dict[EntityType, AnyRule] = Field(default_factory=dict)
    fingerprint: Fingerprint = Field(default_factory=Fingerprint)
    risk: Risk | None = None

    @field_validator("columns")
    @classmethod
    def _column_names(cls, value: dict[str, Rule]) -> dict[str, Rule]:
        for name, rule in value.items():
            if not name.strip() or len(name) > 256 or "\x00" in name:
                raise PolicyProblem(("columns", name), "a column name must be 1-256 characters, not blank")
            if isinstance(rule, Derive) and rule.entity is None:
                raise PolicyProblem(
                    ("columns", name, "entity"),
                    f"derive needs entity: {' or '.join(NATIONAL_IDS)} (the ID the fields are read from)",
                )
            subject = getattr(rule, "subject", None)
            if subject == name:
                raise PolicyProblem(
                    ("columns", name, "subject"), "the subject must be another column (e.g. a customer id)"
                )
        return value

    @model_validator(mode="after")
    def _fill_entities(self) -> Policy:
        filled = {entity: _with_entity(rule, entity) for entity, rule in self.entities.items()}
        object.__setattr__(self, "entities", filled)
        return self


def _with_entity(rule: Rule, entity: str) -> Rule:
    """``rule`` with ``entity`` filled in and re-validated; a different entity in the rule is an error."""
    if rule.entity is not None and rule.entity != entity:
        raise PolicyProblem(("entities", entity, "entity"), f"the rule under {entity} names {rule.entity}")
    doc = rule.model_dump(exclude_unset=True) | {"action": rule.action, "entity": entity}
    try:
        return type(rule).model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, RuleProblem):
            key = (cause.key,) if cause.key else ()
            raise PolicyProblem(("entities", entity, *key), cause.message) from None
        raise PolicyProblem(("entities", entity), first["msg"]) from None


# Fingerprint fields added after policies were first hashed, with their defaults.
_FINGERPRINT_ADDED: dict[str, object] = {"immutable": [], "canaries": 3}


def canonical_json(policy: Policy) -> str:
    """The policy as compact JSON with sorted keys and every default filled in: equal policies (however
    their YAML is laid out, ordered or abbreviated) give equal text. A policy without a ``risk`` section
    or ``subject`` gives the text it gave before they existed (so its hash is unchanged)."""
    doc = policy.model_dump(mode="json")
    for added in ("risk", "subject"):  # sections added later: absent, they leave the hash as it was
        if doc.get(added) is None:
            doc.pop(added, None)
    fingerprint = doc["fingerprint"]
    for name, default in _FINGERPRINT_ADDED.items():  # fields added later: at their default, no change
        if fingerprint.get(name) == default:
            fingerprint.pop(name)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def policy_hash(policy: Policy) -> str:
    """``sha256:<hex>`` of :func:`canonical_json`: stable across reformatting, changed by any rule change."""
    return "sha256:" + hashlib.sha256(canonical_json(policy).encode("utf-8")).hexdigest()
