"""Text handling shared by the entity modules, in a scalar form and a Polars form that agree.

Every module normalises a value the same way before it looks at it: Unicode NFKC (full-width digits and
letters become ASCII, an ideographic space becomes a space), then separators are deleted. The Polars form
runs NFKC only on values that hold a non-ASCII character (NFKC leaves ASCII unchanged), which keeps whole
columns of ASCII values cheap.

Patterns are written once and used by both engines: Python's ``re`` (``fullmatch``) for single values and
Rust's ``regex`` (through Polars, anchored with ``^(?:...)$``) for columns. They use only the syntax the
two engines read the same way: explicit ASCII classes such as ``[0-9]`` (``\\d`` and ``\\s`` are Unicode
classes that differ between them), no look-around, no back-references, and values are stripped of
surrounding white space first (Python's ``$`` also matches before a final newline).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources

import polars as pl

# Characters that separate groups of digits in identifiers as people write them: white space (NFKC has
# already turned no-break and ideographic spaces into spaces), hyphen and dash look-alikes, and the
# invisible characters copy-and-paste leaves behind.
WHITESPACE = " \t\r\n\x0b\x0c"
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
ID_SEPARATORS = WHITESPACE + INVISIBLE + DASHES


def nfkc(value: str) -> str:
    """``value`` in Unicode normal form KC (unchanged when it is ASCII)."""
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def nfkc_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`nfkc` of every value of a string column.

    Only values holding a character NFKC could change (:func:`nfkc_unstable_ranges`) are normalised:
    a column of Chinese or Korean text is mostly in NFKC already, and normalising it costs more than
    every other check of an address.
    """
    return pl.when(col.str.contains(_nfkc_unstable_class())).then(col.str.normalize("NFKC")).otherwise(col)


def nfkc_unstable_ranges() -> list[tuple[int, int]]:
    """The code point ranges of the characters that can make a string change under NFKC.

    A string is in NFKC when each of its characters is (NFKC leaves it alone), none has a non-zero
    combining class (no reordering), and none can be the second of a canonical composition pair (the
    Unicode quick-check "maybe" characters: combining marks and Hangul medial and final jamo). This lists
    every other character, from the running Python's ``unicodedata``; ``data/nfkc_unstable.txt`` holds
    the list (computing it takes half a second) and a test checks the two agree.
    """
    unstable: set[int] = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T jamo
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch:
            unstable.add(cp)
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            unstable.add(int(parts[1], 16))
    ranges: list[tuple[int, int]] = []
    for cp in sorted(unstable):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


@cache
def _nfkc_unstable_class() -> str:
    """A Rust-regex character class of :func:`nfkc_unstable_ranges`, read from the data file."""
    parts = []
    for line in data_lines("nfkc_unstable.txt"):
        low, _, high = line.partition("-")
        parts.append(f"\\x{{{low}}}-\\x{{{high or low}}}")
    return "[" + "".join(parts) + "]"


def delete(value: str, chars: str) -> str:
    """``value`` without any of the characters in ``chars``."""
    return value.translate(_deletion_table(chars))


@cache
def _deletion_table(chars: str) -> dict[int, None]:
    return dict.fromkeys(map(ord, chars))


def delete_expr(col: pl.Expr, chars: str) -> pl.Expr:
    """Polars: :func:`delete` on every value of a string column."""
    return col.str.replace_many(list(chars), [""] * len(chars))


def staged_single_spaces(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Staged: the frame with runs of spaces in ``column`` made single (a regex only where a run is)."""
    text = pl.col(column)
    runs = text.str.contains("  ", literal=True)
    return frame.with_columns(
        pl.when(runs).then(text.str.replace_all(" {2,}", " ")).otherwise(text).alias(column)
    )


def strip(value: str) -> str:
    """``value`` without surrounding ASCII white space (the same set in both engines)."""
    return value.strip(WHITESPACE)


def strip_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`strip` of every value."""
    return col.str.strip_chars(WHITESPACE)


def as_text(col: pl.Expr) -> pl.Expr:
    """The column as strings: typed columns (integers, dates, categoricals) are compared by their text.

    A CSV reader may have typed a phone or ID column as integers and a Parquet file stores birth dates as
    dates; the entity checks read the text form. Binary columns must be decoded by the reader first.
    """
    return col.cast(pl.String)


def _null_or_zero(col: pl.Expr) -> pl.Expr:
    """0 where the input is not null, null where it is."""
    return as_text(col).str.len_bytes() * 0


def with_nulls(col: pl.Expr, result: pl.Expr) -> pl.Expr:
    """``result`` with nulls where the input ``col`` is null and False where ``result`` is null.

    Written with arithmetic rather than ``when/then``: Polars 2.1 can panic on a ``when/then`` around
    branches that were themselves evaluated under a mask when the input is a literal Series.
    """
    return named_as(col, (result.fill_null(False).cast(pl.UInt32) + _null_or_zero(col)).cast(pl.Boolean))


def score_with_nulls(col: pl.Expr, score: pl.Expr) -> pl.Expr:
    """A Float64 score with nulls where the input is null and 0.0 where ``score`` is null."""
    return named_as(col, score.fill_null(0.0).cast(pl.Float64) + _null_or_zero(col))


def named_as(col: pl.Expr, result: pl.Expr) -> pl.Expr:
    """``result`` under the input's output name, so a check can stand in for its column in a select."""
    if isinstance(col, pl.Series):  # a Series passed where an expression is expected
        return result.alias(col.name)
    name = col.meta.output_name(raise_if_undetermined=False)
    return result.alias(name) if name else result


def first_of(cases: list[tuple[pl.Expr, pl.Expr]]) -> pl.Expr:
    """Polars: per row, the value of the first case whose condition holds (null when none does).

    Equivalent to a ``when/then/when/then`` chain, written as a coalesce of single ``when/then``s: in
    Polars 2.1 a chain whose branches hold nulls can panic when the input is a literal Series.
    """
    return pl.coalesce([pl.when(cond.fill_null(False)).then(value) for cond, value in cases])


# The name of the input column inside a staged frame (see :func:`staged`).
VALUE = "v"


def staged(
    col: pl.Expr, build: Callable[[pl.Series], pl.DataFrame], out: pl.Expr, dtype: pl.DataType
) -> pl.Expr:
    """Polars: ``out`` evaluated over the frame ``build`` makes from the column's text, batch by batch.

    Polars expressions have no names for intermediate results, and an eager ``select`` evaluates a
    subexpression again each time the tree repeats it (a compacted text read by five checks is compacted
    five times; a struct from ``extract_groups`` is re-extracted for every field). A staged check instead
    materialises each intermediate once as a column of a frame (``build(series)``: the text under
    :data:`VALUE` plus computed columns, added with ``with_columns`` in stages) and reads ``out`` from
    it. The input expression is read once, as text.
    """
    source = pl.lit(col) if isinstance(col, pl.Series) else col

    def kernel(series: pl.Series) -> pl.Series:
        return build(series.rename(VALUE)).select(out.alias(VALUE)).to_series()

    return named_as(col, as_text(source).map_batches(kernel, return_dtype=dtype, is_elementwise=True))


def value_frame(series: pl.Series) -> pl.DataFrame:
    """The one-column frame a :func:`staged` build starts from."""
    return series.rename(VALUE).to_frame()


def compact_frame(series: pl.Series, shape_re: str, separators: str) -> pl.DataFrame:
    """Staged start of an ID check: the value frame with ``plain`` (already matches ``shape_re`` as
    written) and ``number`` (the value itself if plain, else NFKC-normalised without ``separators``).
    Most values are already compact, so only the others are cleaned."""
    raw = pl.col(VALUE)
    frame = value_frame(series).with_columns(plain=raw.str.contains(shape_re))
    return frame.with_columns(
        number=pl.when(pl.col("plain")).then(raw).otherwise(delete_expr(nfkc_expr(raw), separators))
    )


def anchored(pattern: str) -> str:
    """The pattern as a whole-string regex for Polars (Rust ``regex``)."""
    return f"^(?:{pattern})$"


def fullmatcher(pattern: str) -> Callable[[str], re.Match[str] | None]:
    """The pattern's ``fullmatch`` for single values (Python ``re``)."""
    return re.compile(pattern).fullmatch


def data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of a data file shipped in ``entities/data``."""
    text = resources.files("ringfence.detect.entities").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
