"""Spreadsheet-safe text cells, reversibly: what the CSV/TSV writer does to a cell a spreadsheet would run
as a formula, and how the CSV/TSV reader undoes it.

A cell a spreadsheet evaluates begins with ``= + - @``, a tab or a carriage return (OWASP's list); the
writer prefixes an apostrophe, which a spreadsheet reads as "text follows" and does not show. Text that is
only a signed number or a phone-like run of digits (``-12.50``, ``+86 138 1234 5678``) cannot be a formula
and is written as it is. So that the prefix can be told from a value's own apostrophe, a value that
already begins with apostrophes followed by such a character (``'=x``) gets one more, as a spreadsheet
would need to show it.

The reader removes one apostrophe from a cell that begins with apostrophes followed by such a character,
the exact inverse: every value the writer writes reads back as itself (``-AB12345`` written as
``'-AB12345`` reads back ``-AB12345``, and ``'=x`` written as ``''=x`` reads back ``'=x``). A file from
elsewhere that was neutralised the same way reads back as its values too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

__all__ = [
    "neutralise_formulas",
    "neutralised",
    "restore_formulas",
    "restored",
    "restored_name",
    "text_columns",
]

_FORMULA_AFTER_QUOTES = r"^'*[=+\-@\t\r]"
_NEUTRALISED = r"^'+[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?[0-9][0-9 ().\-]*$"


def neutralised(column: pl.Expr) -> pl.Expr:
    """``column`` (text) with an apostrophe before every cell a spreadsheet would evaluate, and before
    every cell that is apostrophes followed by such a cell."""
    return (
        pl.when(column.str.contains(_FORMULA_AFTER_QUOTES) & ~column.str.contains(_PLAIN_NUMBER))
        .then(pl.lit("'") + column)
        .otherwise(column)
    )


def restored(column: pl.Expr) -> pl.Expr:
    """The inverse of :func:`neutralised`: one leading apostrophe removed where it was added."""
    return pl.when(column.str.contains(_NEUTRALISED)).then(column.str.slice(1)).otherwise(column)


def restored_name(name: str) -> str:
    """:func:`restored` for one header cell."""
    return name[1:] if re.match(_NEUTRALISED, name) else name


def text_columns(frame: pl.DataFrame) -> list[int]:
    """Positions of the text-like columns (String, Categorical, Enum)."""
    return [
        i
        for i, dtype in enumerate(frame.dtypes)
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))
    ]


def _apply(frame: pl.DataFrame, how: Callable[[pl.Expr], pl.Expr]) -> pl.DataFrame:
    text = text_columns(frame)
    if not text:
        return frame
    names = frame.columns
    # By position: a name Polars could read as a regular expression (``^a$``) selects only itself.
    return frame.with_columns(how(pl.nth(i).cast(pl.String)).alias(names[i]) for i in text)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell of ``frame`` made spreadsheet-safe (:func:`neutralised`); Categorical and Enum
    columns become text first, so their cells are checked too."""
    return _apply(frame, neutralised)


def restore_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text cell of ``frame`` as it was before :func:`neutralise_formulas`."""
    return _apply(frame, restored)
