"""Partial masking: every character but the first/last few letters and digits becomes a mask character,
except separators, which stay in place, so ``6222 0212 3456 7890`` becomes ``**** **** **** 7890``.

Separators are ASCII punctuation and spaces plus the common non-ASCII ones (no-break space, middle dots,
the General Punctuation block, CJK and full-width punctuation). Every other character (letters and digits
of any script, symbols, emoji) counts as content and is masked unless kept: what is not known to be a
separator is treated as data.

Guarantees:

- the output has as many characters as the input, separators in the same places, and its content
  characters are exactly the kept ones (the mask character is never a letter or digit), so a masked value
  never contains a removed character;
- a value with no more content characters than would be kept is masked completely (a short value is never
  shown whole);
- null stays null; non-string columns are masked as their decimal text; the output is a string column.

Reversible: no. Joinable: no. Equal inputs give equal outputs, but different inputs collide, so masked
values are for display; use ``tokenize`` to join.

Defaults per entity, when the rule gives neither ``keep_first`` nor ``keep_last``:

==================  ===============  ========================================================
entity              kept             why
==================  ===============  ========================================================
PAYMENT_CARD        last 4           PCI DSS: at most the BIN and the last 4 may be shown
PHONE_NUMBER        first 3, last 4  the common ``138****5678`` / ``010-****-5678`` display (the
                                     first 3 digits are the country code when one is written)
EMAIL_ADDRESS       first 1          of the local part; the domain (from the last ``@``) is kept,
                                     ``j***@example.com``; a value without ``@`` is masked whole
IBAN, BANK_ACCOUNT  last 4           enough for a person to recognise their account
PERSON_NAME         first 1          the family name in CN/KR order (``张*``, ``김**``)
CN_RESIDENT_ID,     none             every part (region, birth date, sequence, gender) is personal;
KR_RRN, others                       use ``derive`` to release birth year or gender on purpose
==================  ===============  ========================================================

The kernel works on the column's UTF-8 buffers with NumPy (one pass per slice of rows, no row loop).
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from ringfence.detect.entities import SPECS
from ringfence.errors import UsageError
from ringfence.keys.columns import (
    Column,
    build_array,
    decode_utf8,
    encode_utf8,
    map_slices,
    read_column,
    to_arrow,
)
from ringfence.transform.base import TransformContext, TransformSpec, text

# What a mask rule that names an entity but neither keep_first nor keep_last keeps: declared once, in each
# entity's spec (detect/entities/*.py).
DEFAULT_KEEP: dict[str, tuple[int, int]] = {name: s.mask for name, s in SPECS.items() if s.mask is not None}
# Non-ASCII separators (inclusive ranges): no-break space, middle dot, General Punctuation, CJK symbols
# and punctuation, katakana middle dot, full-width punctuation.
_SEPARATOR_RANGES = (
    (0xA0, 0xA0),
    (0xB7, 0xB7),
    (0x2000, 0x206F),
    (0x3000, 0x303F),
    (0x30FB, 0x30FB),
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
)
_ASCII_CONTENT = np.zeros(128, dtype=np.bool_)
_ASCII_CONTENT[[*range(48, 58), *range(65, 91), *range(97, 123)]] = True

CodePoints = npt.NDArray[np.int32]


def is_content(cps: CodePoints) -> npt.NDArray[np.bool_]:
    """Whether each code point is content (masked unless kept) rather than a separator."""
    ascii_cp = cps < 128
    out = np.where(ascii_cp, _ASCII_CONTENT[np.where(ascii_cp, cps, 0)], True)
    for low, high in _SEPARATOR_RANGES:
        out &= ~((cps >= low) & (cps <= high))
    return out


def _is_content_char(ch: str) -> bool:
    return bool(is_content(np.array([ord(ch)], dtype=np.int32))[0])


def mask_value(
    value: str | None, keep_first: int, keep_last: int, char: str = "*", email: bool = False
) -> str | None:
    """The scalar reference of the column kernel, for single values and tests."""
    if value is None:
        return None
    local, domain = value, ""
    if email:
        cut = value.rfind("@")
        if cut < 0:
            keep_first = keep_last = 0
        else:
            local, domain = value[:cut], value[cut:]
    content = [i for i, ch in enumerate(local) if _is_content_char(ch)]
    kept: set[int] = set()
    if len(content) > keep_first + keep_last:
        kept = set(content[:keep_first]) | set(content[len(content) - keep_last :])
    masked = "".join(char if i in set(content) - kept else ch for i, ch in enumerate(local))
    return masked + domain


def _last_at_per_row(cps: npt.NDArray[Any], char_off: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Index of each row's last ``@``, or -1 where a row has none."""
    rows = len(char_off) - 1
    last = np.full(rows, -1, dtype=np.int64)
    at = np.flatnonzero(cps == 64)
    if len(at):
        at_rows = np.searchsorted(char_off, at, side="right") - 1
        final = np.ones(len(at), dtype=np.bool_)
        final[:-1] = at_rows[1:] != at_rows[:-1]
        last[at_rows[final]] = at[final]
    return last


def _mask_slice(col: Column, keep_first: int, keep_last: int, char: int, email: bool) -> pa.Array:
    """Masks one slice of rows: content characters are ranked within their row by a running count, and
    those outside the kept ranks are replaced."""
    is_ascii = not bool((col.data >= 0x80).any())
    cps: npt.NDArray[Any]
    if is_ascii:
        char_off, cps = col.offsets, col.data
        folded = cps | np.uint8(0x20)  # ASCII letters to lower case; digits are unchanged by it
        counted = ((cps - np.uint8(48)) < 10) | ((folded - np.uint8(97)) < 26)  # uint8 arithmetic wraps
    else:
        char_off, cps = decode_utf8(col.offsets, col.data)
        counted = is_content(cps)
    lengths = np.diff(char_off)
    # ranks fit 32 bits in any slice map_slices makes (half a megabyte): half the memory traffic of 64
    rank: type[np.signedinteger[Any]] = np.int32 if len(cps) < np.iinfo(np.int32).max else np.int64
    first = np.full(len(lengths), keep_first, dtype=rank)
    last = np.full(len(lengths), keep_last, dtype=rank)
    if email:
        last_at = _last_at_per_row(cps, char_off)
        no_at = last_at < 0
        first[no_at] = 0  # not an address: masked whole
        last[no_at] = 0
        # the domain (from the last @) is neither counted nor masked
        domain_start = np.where(no_at, char_off[1:], last_at)
        counted &= np.arange(len(cps), dtype=np.int64) < np.repeat(domain_start, lengths)
    padded = np.zeros(len(cps) + 1, dtype=rank)
    np.cumsum(counted, dtype=rank, out=padded[1:])
    running = padded[1:]
    before, after = padded[char_off[:-1]], padded[char_off[1:]]
    partial = after - before > first + last
    # a content character is kept when its rank in the row (running - before) is <= first or > count - last
    low = np.repeat(np.where(partial, before + first, rank(-1)), lengths)
    high = np.repeat(np.where(partial, after - last, np.iinfo(rank).max), lengths)
    replace = counted & (running > low) & (running <= high)
    if is_ascii and char < 128:
        out = np.where(replace, np.uint8(char), cps)
        return build_array(col.offsets, out, col.valid, "string")
    offsets, data = encode_utf8(char_off, np.where(replace, np.int32(char), cps).astype(np.int32))
    return build_array(offsets, data, col.valid, "string")


class _MaskKernel:
    """The batch function Polars calls; holds only the mask parameters (safe to pickle)."""

    def __init__(self, keep_first: int, keep_last: int, char: str, email: bool) -> None:
        self.args = (keep_first, keep_last, ord(char), email)

    def __call__(self, values: pl.Series) -> pl.Series:
        col = read_column(to_arrow(values.cast(pl.String)), f"mask of column {values.name!r}")
        if len(col) == 0:
            return pl.Series(values.name, [], dtype=pl.String)
        parts = map_slices(lambda part: _mask_slice(part, *self.args), col)
        return pl.Series(values.name, pa.chunked_array(parts, type=pa.large_string()))


def mask_expr(
    value: pl.Expr, keep_first: int, keep_last: int, char: str = "*", email: bool = False
) -> pl.Expr:
    """Masked strings of a string expression (see the module docstring); ``email`` keeps the domain."""
    return value.map_batches(
        _MaskKernel(keep_first, keep_last, char, email), return_dtype=pl.String, is_elementwise=True
    )


class Mask(TransformSpec):
    """Partial masking (see the module docstring). Reversible: no. Joinable: no."""

    name = "mask"

    def __init__(
        self,
        keep_first: int | None = None,
        keep_last: int | None = None,
        char: str = "*",
        entity: str | None = None,
    ) -> None:
        if len(char) != 1 or char not in string.punctuation:
            raise UsageError("the mask character must be one ASCII punctuation character, such as *")
        if keep_first is None and keep_last is None:
            keep_first, keep_last = DEFAULT_KEEP.get(entity or "", (0, 0))
        self.keep_first = keep_first or 0
        self.keep_last = keep_last or 0
        self.char = char
        self.entity = entity

    def params(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "keep_first": self.keep_first,
            "keep_last": self.keep_last,
            "char": self.char,
        }

    def expr(self, column: str, ctx: TransformContext) -> list[pl.Expr]:
        value = text(column, ctx.dtype(column))
        email = self.entity == "EMAIL_ADDRESS"
        return [mask_expr(value, self.keep_first, self.keep_last, self.char, email).alias(column)]
