"""Loading a policy file: safe YAML, strict validation, and errors that name the file, line and key.

Every problem is reported as one line, ``policy.yaml:12: columns.phone.action: unknown action 'maks'
(expected one of keep, drop, ...)``; when a document has several, the first by line leads and the
others follow on the same line, by line (up to ten), with a close spelling suggested for an unknown
action or key. Messages quote keys, action and entity names from the policy, never data.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from ringfence.errors import InputError
from ringfence.policy._yaml import Path, PolicyError, dotted, read_yaml
from ringfence.policy.entities import ENTITY_TYPES
from ringfence.policy.model import Fingerprint, Policy, PolicyProblem
from ringfence.policy.rules import ACTIONS, RULE_TYPES, IpPrefix, RuleProblem

MAX_POLICY_BYTES = 1 << 20

__all__ = ["MAX_POLICY_BYTES", "PolicyError", "PolicyFileError", "load_policy", "parse_policy"]


class PolicyFileError(InputError):
    """A policy file cannot be read (missing, unreadable, too large, not UTF-8)."""


def load_policy(path: str | os.PathLike[str]) -> Policy:
    """Reads and validates a policy file (UTF-8, at most 1 MiB); see :func:`parse_policy`."""
    file = FsPath(path)
    try:
        with file.open("rb") as fh:
            data = fh.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError:
        raise PolicyFileError(f"policy file {file} does not exist") from None
    except IsADirectoryError:
        raise PolicyFileError(f"policy file {file} is a folder") from None
    except OSError as exc:
        raise PolicyFileError(f"policy file {file} cannot be read ({exc.strerror})") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyFileError(f"policy file {file} is larger than {MAX_POLICY_BYTES // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(f"policy file {file} is not UTF-8 text (byte {exc.start})") from None
    return parse_policy(text, str(file))


def parse_policy(text: str, source_name: str = "<policy>") -> Policy:
    """A :class:`Policy` from YAML text; raises :class:`PolicyError` (a ``UsageError``) naming
    ``source_name``, the line and the key of the first problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise PolicyError(f"{source_name}: the policy is larger than {MAX_POLICY_BYTES // 1024} KiB")
    data, lines = read_yaml(text, source_name)
    if not isinstance(data, dict):
        raise PolicyError(f"{source_name}:1: a policy is a map of keys (ringfence_policy, name, columns...)")
    try:
        return Policy.model_validate(data)
    except PydanticValidationError as exc:
        problems = sorted(
            (_line(lines, path), path, message)
            for path, message in (_explain(error, data) for error in exc.errors())
        )
        raise PolicyError(_problem_list(source_name, problems)) from None


MAX_PROBLEMS_SHOWN = 10


def _problem_list(source_name: str, problems: list[tuple[int, Path, str]]) -> str:
    """Every problem (up to :data:`MAX_PROBLEMS_SHOWN`), by line, on one line: ``file:LINE: key:
    message; line N: key: message``, and where to read what each action takes."""
    shown = []
    for n, (line, path, message) in enumerate(problems[:MAX_PROBLEMS_SHOWN]):
        where = dotted(path)
        shown.append(
            ("" if n else f"{source_name}:") + f"{line}: " + (f"{where}: " if where else "") + message
        )
    text = shown[0] + "".join(f"; line {s}" for s in shown[1:])
    if len(problems) > 1:
        hidden = len(problems) - len(shown)
        text += f" (and {hidden} more)" if hidden else ""
        text += f"; {len(problems)} problems: fix them all (docs/policy.md lists each action's keys)"
    return text


def _suggest(given: object, known: Iterable[str]) -> str:
    """`` (did you mean 'mask'?)`` when ``given`` is close to one of ``known``, else nothing."""
    close = difflib.get_close_matches(str(given), list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _line(lines: dict[Path, int], path: Path) -> int:
    """The line of the deepest known prefix of ``path`` (a short-form rule has no ``action`` key)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def _strip_tag(loc: tuple[str | int, ...], data: dict[str, Any]) -> tuple[Path, str | None]:
    """Pydantic puts the union tag (the action) into locations under a rule; it is not a key."""
    if len(loc) > 2 and loc[0] in ("columns", "entities") and loc[2] in ACTIONS:
        rule = data.get(str(loc[0]), {}).get(loc[1])
        if not (isinstance(rule, dict) and loc[2] in rule):
            return (*loc[:2], *loc[3:]), str(loc[2])
    return loc, None


def _model_at(path: Path, action: str | None) -> type[BaseModel] | None:
    if not path:
        return Policy
    if path == ("fingerprint",):
        return Fingerprint
    if action is not None and len(path) == 2:
        return RULE_TYPES[action]
    if action == "generalize" and len(path) == 3 and path[2] == "ip":
        return IpPrefix
    return None


def _explain(error: Any, data: dict[str, Any]) -> tuple[Path, str]:
    """The key path and a one-line message for one pydantic error (never quoting a data value)."""
    kind: str = error["type"]
    raw_loc = tuple(error["loc"])
    ctx: dict[str, Any] = error.get("ctx") or {}
    if raw_loc and raw_loc[-1] == "[key]":
        path: Path = raw_loc[:-1]
        if path[:1] == ("entities",):
            return path, f"unknown entity {path[-1]!r} (expected one of {', '.join(ENTITY_TYPES)})"
        return path, "a column name must be text"
    path, action = _strip_tag(raw_loc, data)
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        return (*path, "action"), (
            f"unknown action {tag!r} (expected one of {', '.join(ACTIONS)}){_suggest(tag, ACTIONS)}"
        )
    if kind == "union_tag_not_found":
        return path, f"a rule needs an action (one of {', '.join(ACTIONS)})"
    if kind == "model_attributes_type":
        return path, "expected an action name or a map of rule keys"
    if kind == "extra_forbidden":
        model = _model_at(path[:-1], action)
        known = f" (expected one of {', '.join(model.model_fields)})" if model is not None else ""
        near = _suggest(path[-1], model.model_fields) if model is not None else ""
        return path, f"unknown key {path[-1]!r}{known}{near}"
    if kind == "missing":
        return path, "this key is required"
    if kind == "literal_error" and path[-1:] == ("entity",):
        return path, f"unknown entity {error['input']!r} (expected one of {', '.join(ENTITY_TYPES)})"
    cause = ctx.get("error")
    if isinstance(cause, PolicyProblem):
        return cause.loc, cause.message
    if isinstance(cause, RuleProblem):
        return ((*path, cause.key) if cause.key else path), cause.message
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    return path, message[:1].lower() + message[1:]
