"""The consent filter: a runner step that keeps only the rows whose subject holds a valid consent, and
counts what it withheld; and the subject collector, the same step without the filter.

What it guarantees:

- Columnar: one ``is_in`` over each batch's subject column against the consenting subjects (a hash
  semi-join), never a Python loop over rows.
- Fail closed: a row whose subject is missing (null or empty) is withheld; so is a subject not in the
  consenting set.
- It remembers the distinct subjects it let through (for the ledger's "who got my data"), and counts the
  rows and the distinct subjects it withheld; never a value in a message.
"""

from __future__ import annotations

import polars as pl

from ringfence.errors import UsageError

__all__ = ["ConsentFilter", "SubjectCollector"]


class SubjectCollector:
    """A step that lets every row through and remembers the distinct subjects of ``subject``."""

    name = "subjects"

    def __init__(self, subject: str) -> None:
        self.subject = subject
        self._kept: list[pl.Series] = []
        self.rows_withheld = 0
        self._withheld: list[pl.Series] = []

    def _key(self, batch: pl.DataFrame) -> pl.Series:
        if self.subject not in batch.columns:
            raise UsageError(f"the subject column {self.subject!r} is not in the table")
        key = batch[self.subject].cast(pl.String).str.strip_chars()
        return key.replace("", None)

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        self._kept.append(self._key(batch).drop_nulls().unique())
        return batch

    def subjects(self) -> pl.Series:
        """The distinct subjects let through, sorted."""
        if not self._kept:
            return pl.Series(self.subject, [], dtype=pl.String)
        return pl.concat(self._kept).unique().sort().alias(self.subject)

    @property
    def subjects_withheld(self) -> int:
        """Distinct subjects (with an id) whose rows were withheld."""
        if not self._withheld:
            return 0
        return int(pl.concat(self._withheld).n_unique())


class ConsentFilter(SubjectCollector):
    """Keeps the rows whose subject is in ``allowed`` (see the module docstring)."""

    name = "consent"

    def __init__(self, subject: str, allowed: pl.Series) -> None:
        super().__init__(subject)
        self._allowed = allowed.cast(pl.String).drop_nulls().unique().implode()

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        key = self._key(batch)
        keep = key.is_in(self._allowed).fill_null(False)
        kept = batch.filter(keep)
        self._kept.append(key.filter(keep).unique())
        self._withheld.append(key.filter(~keep).drop_nulls().unique())
        self.rows_withheld += batch.height - kept.height
        return kept
