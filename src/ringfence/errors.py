"""The exception hierarchy of ringfence.

Every error the command line reports to a person derives from :class:`RingfenceError` and carries an
``exit_code`` (DESIGN.md §2): 2 for bad input or usage, 1 for a check that was asked for and failed.

Messages name files, columns, keys and line numbers, never a data value and never key material: an error
message ends up in logs, tickets and chat, so it must be safe to paste anywhere. A column name comes from
the data's owner and may itself be a value (a headerless export): :func:`shown_column` quotes a name only
when it does not look like one.
"""

from __future__ import annotations

import re

# Text that is surely a value, never a name: an e-mail address, nine digits in a row, or a line break.
SURELY_A_VALUE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+|[0-9]{9}|[\r\n]")


def shown_column(name: str) -> str:
    """``name`` quoted for a message, or a placeholder when the name looks like a personal value."""
    if SURELY_A_VALUE.search(name) or len(name) > 128:
        return "<a column whose name looks like a value>"
    return repr(name)


class RingfenceError(Exception):
    """Base of every error ringfence raises on purpose."""

    exit_code: int = 2


class UsageError(RingfenceError):
    """The command was called wrongly (a missing option, a bad combination, an unknown name)."""


class InputError(RingfenceError):
    """An input file, folder or table cannot be read as data (missing, empty, binary, truncated...)."""


class WorkspaceError(RingfenceError):
    """No workspace was found, or the workspace on disk is damaged or of an unknown version."""


class KeyAccessError(RingfenceError):
    """A key id is unknown, disabled, or the keyset cannot be opened. Never carries key bytes."""


class OutputError(RingfenceError):
    """An output cannot be written (exists and would be overwritten, unwritable place, unknown format)."""


class CheckFailed(RingfenceError):
    """A check the user asked for did not pass: a denied transfer, a tampered ledger, a risk gate."""

    exit_code = 1


class ValidationError(RingfenceError, ValueError):
    """A value is not a valid instance of an entity type. Never carries the value itself."""


class InvalidFormat(ValidationError):
    """The value has characters or a shape the entity type never has."""


class InvalidLength(InvalidFormat):
    """The value has a length the entity type never has."""


class InvalidChecksum(ValidationError):
    """The value's check digit does not match."""


class InvalidComponent(ValidationError):
    """A part of the value (a region code, a birth date, a country) is not valid."""
