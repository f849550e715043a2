"""One rule per action: what happens to a column, with the parameters each action takes, validated strictly.

Every rule is a frozen pydantic model that refuses unknown keys and values of the wrong type (``"4"`` is
not a number). The ``action`` key selects the model (a discriminated union, :data:`Rule`); a bare action
name (``merchant_id: keep``) is the short form of ``{action: keep}``.

``entity`` says what the column holds (one of :data:`~ringfence.policy.entities.EntityType`). It chooses
per-entity defaults (a card keeps its last 4 digits when masked) and is checked against the action: a
national ID can be generalized to a birth year but not binned like an amount.

Rules say nothing about keys: keyed actions (``tokenize``, ``encrypt``, ``fpe``, ``date_shift``,
``noise``) use the workspace keyset's primary key of the right purpose, and ``scope: recipient`` (the
default) mixes the recipient's id in, so two recipients' copies do not link.

Each action is declared once, in :data:`REGISTRY` (:class:`Action`: its rule model, what it guarantees,
its key purpose and how reveal inverts it); :data:`ACTIONS`, :data:`RULE_TYPES`, :data:`KEY_PURPOSES` and
:data:`REVEALABLE` derive from it, the transforms register against it (one transform per action), and the
policy reference (``docs/policy.md``, :mod:`ringfence.policy.reference`) is generated from it.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ringfence.keys import KeyPurpose
from ringfence.policy.entities import NATIONAL_IDS, EntityType

Scope = Literal["global", "recipient"]
DateUnit = Literal["year", "month", "week", "day", "hour"]
DeriveField = Literal["birth_year", "birth_date", "gender", "age_band", "region"]


class RuleProblem(ValueError):
    """A rule's parameters disagree with each other; ``key`` names the offending key inside the rule."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _parse_date(value: Any) -> Any:
    """``as_of`` may be a YAML date or an ISO string (``"2026-01-31"``); anything else is left to fail."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


AsOf = Annotated[dt.date | None, BeforeValidator(_parse_date)]


class RuleBase(BaseModel):
    """What every rule has: the action (in each subclass) and, optionally, the entity the column holds."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    entity: EntityType | None = None


class Keep(RuleBase):
    """Release the column as it is. Reversible: yes (it is the data); joinable: yes."""

    action: Literal["keep"]


class Drop(RuleBase):
    """Remove the column from the output."""

    action: Literal["drop"]


class Suppress(RuleBase):
    """Keep the column but null every cell (the schema stays, the data goes)."""

    action: Literal["suppress"]


class Redact(RuleBase):
    """Replace every non-null cell with a constant text."""

    action: Literal["redact"]
    value: str = Field("[REDACTED]", max_length=64)


class Mask(RuleBase):
    """Replace every character but separators with ``char``, keeping the first/last few letters and
    digits; separators (spaces, dashes, dots...) stay in place.

    With neither ``keep_first`` nor ``keep_last`` given, the entity's defaults apply (see
    :mod:`ringfence.transform.mask`); giving either one sets the other to 0.
    """

    action: Literal["mask"]
    keep_first: int | None = Field(default=None, ge=0, le=64)
    keep_last: int | None = Field(default=None, ge=0, le=64)
    char: str = Field("*", min_length=1, max_length=1)

    @model_validator(mode="after")
    def _check(self) -> Mask:
        if self.char not in string.punctuation:
            raise RuleProblem("char", "the mask character must be one ASCII punctuation character, such as *")
        if self.entity == "PAYMENT_CARD":
            if (self.keep_first or 0) > 6:
                raise RuleProblem("keep_first", "PCI DSS allows at most the first 6 digits of a card")
            if (self.keep_last or 0) > 4:
                raise RuleProblem("keep_last", "PCI DSS allows at most the last 4 digits of a card")
        return self


class Tokenize(RuleBase):
    """Replace each value with a keyed token (``rt1_<key id>_<base32>``); equal values give equal tokens
    within one scope (joinable, not reversible)."""

    action: Literal["tokenize"]
    scope: Scope = "recipient"
    # How many of the 16 keyed-digest bytes the token keeps: 10 (80 bits, 16 base32 characters) to 16
    # (128 bits, 26 characters). Fewer bytes, shorter tokens, more collisions (1e-6 at 1e9 values for 10).
    digest_bytes: int = Field(16, ge=10, le=16)


class Encrypt(RuleBase):
    """Replace each value with an AEAD ciphertext (randomized; reversible with the key)."""

    action: Literal["encrypt"]


class Fpe(RuleBase):
    """Format-preserving encryption (FF1): the output has the input's length and alphabet.

    With ``keep_bin: true`` (card numbers of 13 to 19 digits), the first 6 digits (the BIN) are kept,
    the digits between them and the check digit are encrypted, and the check digit is recomputed so that
    a valid card stays Luhn-valid: a surrogate that test systems and partners' validators accept, and
    that reveal decrypts exactly. Keeping the last 4 digits too is not possible here: the check digit is
    one of them, so a 16-digit card would keep only 5 free digits (100,000 values), below FF1's floor of
    1,000,000 values; use ``card_surrogate`` (keyed, one-way) for that.
    """

    action: Literal["fpe"]
    alphabet: str = Field("digits", min_length=2, max_length=256)
    scope: Scope = "recipient"
    keep_bin: bool = False

    @model_validator(mode="after")
    def _check(self) -> Fpe:
        if self.keep_bin and self.alphabet != "digits":
            raise RuleProblem("keep_bin", "keep_bin works on card numbers: use it with alphabet: digits")
        if self.keep_bin and self.entity not in (None, "PAYMENT_CARD"):
            raise RuleProblem("keep_bin", f"keep_bin keeps a card's BIN; {self.entity} is not a card")
        if self.alphabet not in ("digits", "alnum"):
            if len(set(self.alphabet)) != len(self.alphabet):
                raise RuleProblem("alphabet", "a custom alphabet must not repeat a character")
            if any(ch.isspace() for ch in self.alphabet):
                raise RuleProblem("alphabet", "a custom alphabet must not contain whitespace")
        return self


class CardSurrogate(RuleBase):
    """A card number that still looks like one: the first 6 digits (the BIN) and the last 4 are kept,
    the digits between them are keyed (the same card gives the same surrogate within a scope), and one of
    them is set so that the number passes the Luhn check. One-way: FF1 cannot encrypt the few digits left
    (5 of a 16-digit card, 100,000 values, below FF1's floor of 1,000,000), so nothing decrypts it; cards
    sharing BIN and last 4 may share a surrogate. For a surrogate reveal can decrypt, use ``fpe`` with
    ``keep_bin: true`` (the BIN kept, the last 4 not)."""

    action: Literal["card_surrogate"]
    scope: Scope = "recipient"

    @model_validator(mode="after")
    def _check(self) -> CardSurrogate:
        if self.entity not in (None, "PAYMENT_CARD"):
            raise RuleProblem("entity", f"card_surrogate applies to PAYMENT_CARD columns, not {self.entity}")
        return self


class IpPrefix(BaseModel):
    """How much of an IP address to keep: the network prefix length, in bits."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    v4: Literal[8, 16, 24] = 24
    v6: Literal[16, 32, 48, 64] = 48


def _given(setting: object) -> bool:
    """A mode is given when set: ``0`` decimals is a setting, ``birth_year: false`` is not."""
    return setting is not None and setting is not False


_GENERALIZE_MODES = ("bins", "width", "date", "geo_decimals", "age_band", "birth_year", "ip", "address")
# Which entities each mode makes sense for (None: the rule names no entity).
_MODE_ENTITIES: dict[str, tuple[str | None, ...]] = {
    "date": (None, "DATE_OF_BIRTH"),
    "geo_decimals": (None, "GEO_COORDINATE"),
    "age_band": (None, "DATE_OF_BIRTH", *NATIONAL_IDS),
    "birth_year": (None, "DATE_OF_BIRTH", *NATIONAL_IDS),
    "ip": (None, "IP_ADDRESS"),
    "address": (None, "POSTAL_ADDRESS"),
    "bins": (None,),
    "width": (None,),
}


class Generalize(RuleBase):
    """Coarsen values: exactly one of ``bins``, ``width``, ``date``, ``geo_decimals``, ``age_band``,
    ``birth_year``, ``ip`` or ``address``."""

    action: Literal["generalize"]
    bins: list[float] | None = Field(default=None, min_length=1, max_length=100)
    width: float | None = Field(default=None, gt=0)
    date: DateUnit | None = None
    geo_decimals: int | None = Field(default=None, ge=0, le=4)
    age_band: int | None = Field(default=None, ge=1, le=50)
    birth_year: bool = False
    ip: IpPrefix | None = None
    address: Literal["province", "city"] | None = None
    as_of: AsOf = None

    @property
    def mode(self) -> str:
        """The one generalization this rule asks for."""
        return next(m for m in _GENERALIZE_MODES if _given(getattr(self, m)))

    @model_validator(mode="after")
    def _check(self) -> Generalize:
        given = [m for m in _GENERALIZE_MODES if _given(getattr(self, m))]
        if len(given) != 1:
            named = ", ".join(given) if given else "none"
            raise RuleProblem(None, f"give exactly one of {', '.join(_GENERALIZE_MODES)} (given: {named})")
        mode = given[0]
        if self.bins is not None and any(b >= a for b, a in zip(self.bins, self.bins[1:], strict=False)):
            raise RuleProblem("bins", "bin edges must be strictly increasing")
        if self.as_of is not None and mode != "age_band":
            raise RuleProblem("as_of", "as_of is only used with age_band")
        if self.entity not in _MODE_ENTITIES[mode]:
            raise RuleProblem("entity", f"{mode} does not apply to {self.entity} columns")
        return self


class DateShift(RuleBase):
    """Move every date of one subject by the same keyed number of days in ``[-max_days, max_days]``."""

    action: Literal["date_shift"]
    subject: str = Field(min_length=1)
    max_days: int = Field(30, ge=1, le=3650)
    scope: Scope = "recipient"

    @model_validator(mode="after")
    def _check(self) -> DateShift:
        if self.entity not in (None, "DATE_OF_BIRTH"):
            raise RuleProblem("entity", f"date_shift does not apply to {self.entity} columns")
        return self


class Round(RuleBase):
    """Round numbers to the nearest multiple of ``to`` (halves away from zero)."""

    action: Literal["round"]
    to: float = Field(gt=0)


class Noise(RuleBase):
    """Multiply numbers by a keyed factor in ``[1 - relative, 1 + relative]``, the same for the same
    value (and subject, when ``subject`` names a column)."""

    action: Literal["noise"]
    relative: float = Field(0.05, gt=0, le=0.5)
    subject: str | None = Field(default=None, min_length=1)
    scope: Scope = "recipient"


class Derive(RuleBase):
    """Replace a national ID with the fields named (``<column>_<field>`` columns); the ID is not emitted."""

    action: Literal["derive"]
    fields: list[DeriveField] = Field(min_length=1)
    age_band: int = Field(10, ge=1, le=50)
    region_digits: Literal[2, 4, 6] = 2
    as_of: AsOf = None

    @model_validator(mode="after")
    def _check(self) -> Derive:
        if self.entity is not None and self.entity not in NATIONAL_IDS:
            raise RuleProblem("entity", f"derive reads {' or '.join(NATIONAL_IDS)}, not {self.entity}")
        if len(set(self.fields)) != len(self.fields):
            raise RuleProblem("fields", "a field is named twice")
        if self.entity == "KR_RRN" and "region" in self.fields:
            raise RuleProblem(
                "fields", "KR_RRN has no region: its digits are random for numbers issued since October 2020"
            )
        return self


Rule: TypeAlias = (
    Keep
    | Drop
    | Suppress
    | Redact
    | Mask
    | Tokenize
    | Encrypt
    | Fpe
    | CardSurrogate
    | Generalize
    | DateShift
    | Round
    | Noise
    | Derive
)
Inverse = Literal["identity", "decrypt", "match"]
# How a value comes back, in words a user cannot misread: a ciphertext is *decryptable* by the key holder;
# a token is not decryptable but *resolvable against a reference* (reveal re-tokenizes a table holding the
# originals and matches); anything else is one-way.
COMES_BACK: dict[Inverse | None, str] = {
    "identity": "kept as is",
    "decrypt": "decryptable",
    "match": "resolvable against a reference",
    None: "no (one-way)",
}


@dataclass(frozen=True)
class Action:
    """One action, declared once: its rule model (whose ``action`` literal is its name and whose
    docstring describes it), a YAML example for the reference, and what it guarantees.

    - ``reversible``: the input can be recovered from the output (by the key holder, for keyed actions);
    - ``joinable``: equal inputs give equal outputs (``joinable_unless``: a parameter that, when set,
      makes it not joinable);
    - ``key_purpose``: the keyset purpose whose key the action uses (the plan records its id), or None;
    - ``inverse``: how reveal gets values back: ``identity`` (kept), ``decrypt`` (with the key),
      ``match`` (re-tokenize a reference and join), or None (one-way).
    """

    rule: type[RuleBase]
    example: str
    reversible: bool = False
    joinable: bool = False
    joinable_unless: str | None = None
    key_purpose: KeyPurpose | None = None
    inverse: Inverse | None = None

    @property
    def comes_back(self) -> str:
        """How an output value comes back to its input: :data:`COMES_BACK` of :attr:`inverse`."""
        return COMES_BACK[self.inverse]

    @property
    def name(self) -> str:
        """The action's name, from its rule model's ``action`` literal."""
        return str(get_args(self.rule.model_fields["action"].annotation)[0])


REGISTRY: tuple[Action, ...] = (
    Action(Keep, "merchant_id: keep", reversible=True, joinable=True, inverse="identity"),
    Action(Drop, "internal_note: drop"),
    Action(Redact, "remark: {action: redact}"),
    Action(
        Mask,
        "phone: {action: mask, entity: PHONE_NUMBER}",
    ),
    Action(
        Tokenize,
        "customer_id: {action: tokenize, scope: global}",
        joinable=True,
        key_purpose="hmac",
        inverse="match",
    ),
    Action(
        Encrypt,
        "email: {action: encrypt, entity: EMAIL_ADDRESS}",
        reversible=True,
        key_purpose="aead",
        inverse="decrypt",
    ),
    Action(
        Fpe,
        "card_number: {action: fpe, entity: PAYMENT_CARD, keep_bin: true}",
        reversible=True,
        joinable=True,
        key_purpose="aead",
        inverse="decrypt",
    ),
    Action(
        CardSurrogate,
        "card_number: {action: card_surrogate, entity: PAYMENT_CARD}",
        joinable=True,
        key_purpose="hmac",
    ),
    Action(
        Generalize,
        "paid_at: {action: generalize, date: month}",
        joinable=True,
    ),
    Action(
        DateShift,
        "paid_on: {action: date_shift, subject: customer_id, max_days: 30}",
        key_purpose="hmac",
    ),
    Action(
        Round,
        "amount: {action: round, to: 100}",
        joinable=True,
    ),
    Action(
        Noise,
        "amount: {action: noise, relative: 0.05}",
        joinable=True,
        joinable_unless="subject",
        key_purpose="hmac",
    ),
    Action(
        Derive,
        "national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}",
        joinable=True,
    ),
    Action(Suppress, "birth_place: {action: suppress}"),
)
ACTION_SPECS: dict[str, Action] = {a.name: a for a in REGISTRY}
ACTIONS: tuple[str, ...] = tuple(ACTION_SPECS)
RULE_TYPES: dict[str, type[RuleBase]] = {a.name: a.rule for a in REGISTRY}
KEY_PURPOSES: dict[str, KeyPurpose] = {a.name: a.key_purpose for a in REGISTRY if a.key_purpose}
REVEALABLE: tuple[str, ...] = tuple(a.name for a in REGISTRY if a.inverse in ("decrypt", "match"))


def _short_form(value: Any) -> Any:
    """``keep`` is ``{action: keep}``."""
    return {"action": value} if isinstance(value, str) else value


AnyRule = Annotated[Annotated[Rule, Field(discriminator="action")], BeforeValidator(_short_form)]
