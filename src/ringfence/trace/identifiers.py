"""Identifiers as trace compares them: one normal form per entity kind, and its keyed 64-bit digest.

A person's phone, ID number, e-mail or name is written many ways; a leak rewrites them again. Before
anything is digested, a value is brought to one form, by whole-column Polars expressions of the entity
modules (:mod:`ringfence.detect.entities`):

- phone numbers: E.164 (``+8613812345678``; :func:`ringfence.detect.entities.phone.e164_expr`, checked
  against ``phonenumbers``);
- national IDs, passports, cards, bank accounts, IBANs, device numbers: the entity's compact form
  (separators removed, NFKC, upper case), valid values only;
- e-mail addresses: compact, lower case, valid values only;
- names: NFKC, case-folded, spaces collapsed (none between CJK characters).

The digest is the keyset's PRF (AES-CMAC under a subkey of one ``hmac`` key, :class:`ringfence.keys.Prf`)
in a domain of its own per kind (:func:`domain`), so reference digests join with nothing else ringfence
makes (tokens, the ledger's subject index), and only the key holder can digest a candidate value.
:data:`STRONG` kinds single out one person; a name does not (many people share one), so names are
stored and reported but do not on their own make a leaked row ours.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from ringfence.detect.classify import ColumnFinding
from ringfence.detect.entities import ENTITIES, SPECS
from ringfence.detect.entities import phone as phone_module
from ringfence.keys import Prf

__all__ = [
    "KINDS",
    "STRONG",
    "Digests",
    "digest_normal",
    "digest_values",
    "domain",
    "kinds_of",
    "normalise",
]

Digests = npt.NDArray[np.uint64]
DOMAIN_PREFIX = "ringfence:reference:v1"  # the keyed-digest domain of references (not a command)

# Direct identifiers (their specs' kind) that one person holds alone; a name, an address, an IP address or
# free text is shared by many, so only names are kept, and only as weak evidence.
_SHARED = frozenset({"PERSON_NAME", "POSTAL_ADDRESS", "IP_ADDRESS", "FREE_TEXT_PII"})
STRONG: tuple[str, ...] = tuple(e for e, s in SPECS.items() if s.kind == "direct" and e not in _SHARED)
KINDS: tuple[str, ...] = ("PERSON_NAME", *STRONG)


def kinds_of(finding: ColumnFinding) -> list[str]:
    """The identifier kinds a scanned column holds: its entity, and the other national ID of a mixed
    column (CN resident IDs beside KR RRNs)."""
    found = [finding.entity, *(str(a["entity"]) for a in finding.also)]
    return [k for k in found if k in KINDS]


def domain(kind: str) -> str:
    """The keyed-digest domain of one identifier kind."""
    return f"{DOMAIN_PREFIX}|{kind}"


def normalise(values: pl.Series, kind: str) -> pl.Series:
    """The normal form of every value of ``kind`` (see the module docstring); null where invalid."""
    col = pl.col(values.name)
    frame = values.to_frame()
    if kind == "PHONE_NUMBER":
        return frame.select(phone_module.e164_expr(col)).to_series()
    module = ENTITIES[kind]
    if kind == "PERSON_NAME":
        name = module.compact_expr(col).str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
        return frame.select(pl.when(name.str.len_chars() > 0).then(name)).to_series()
    compact = module.compact_expr(col)
    if kind != "EMAIL_ADDRESS":
        compact = compact.str.to_uppercase()
    return frame.select(pl.when(module.valid_expr(col)).then(compact)).to_series()


def digest_normal(prf: Prf, normal: pl.Series) -> Digests:
    """Keyed 64-bit digests of values already in normal form, one per non-null value, in order."""
    normal = normal.drop_nulls()
    if not normal.len():
        return np.zeros(0, dtype=np.uint64)
    return prf.uint64(normal).to_numpy().astype(np.uint64, copy=False)


def digest_values(prf: Prf, values: pl.Series, kind: str) -> Digests:
    """Keyed 64-bit digests of the normalised values of ``kind`` (nulls and invalid values dropped)."""
    return digest_normal(prf, normalise(values, kind))
