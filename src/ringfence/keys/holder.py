"""The one way ringfence refuses to pickle or copy an object that holds keys.

Anything that holds key material or a way to it (a keyset, a cipher, a keyed kernel) derives from
:class:`KeyHolder`: pickling or copying it raises :class:`KeyHolderError` (both a
:class:`~ringfence.errors.UsageError` and a :class:`TypeError`), so a plan, a task or a Polars expression
that captured one cannot carry key bytes to a file, a log or another process (DESIGN §3). Move key ids
instead and resolve them where the work runs.
"""

from __future__ import annotations

from typing import ClassVar, NoReturn

from ringfence.errors import UsageError

__all__ = ["KeyHolder", "KeyHolderError"]


class KeyHolderError(UsageError, TypeError):
    """An object holding key material was pickled or copied."""


class KeyHolder:
    """Base of objects that hold key material: they refuse pickling and copying. ``refusal`` may name
    what to do instead."""

    __slots__ = ()
    refusal: ClassVar[str] = "pass key ids and resolve them where the work runs"

    def _refuse(self) -> NoReturn:
        raise KeyHolderError(
            f"{type(self).__name__} holds key material and cannot be pickled or copied; {self.refusal}"
        )

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        self._refuse()

    def __reduce__(self) -> NoReturn:
        self._refuse()

    def __getstate__(self) -> NoReturn:
        self._refuse()
