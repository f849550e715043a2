"""Safe, strict YAML for policies: plain data only, no duplicate keys, bounded aliases, and line numbers.

PyYAML's safe loader still accepts things a policy must not contain, so the document is composed into
nodes (never constructed by PyYAML) and converted here:

- only maps, sequences and the scalars ``str``, ``int``, ``float``, ``bool``, ``null`` and dates; any
  other tag (``!!python/...``, ``!!binary``, ``!custom``) and merge keys (``<<``) are refused;
- a key that appears twice in one map is an error naming both lines (PyYAML keeps the last silently);
- keys are always text: a column named ``on``, ``no`` or ``null`` stays that name;
- YAML 1.1 surprises are turned off: ``yes``/``no``/``on``/``off`` stay text, ``010`` is ten, ``1:30``
  is text; only ``true``/``false`` are booleans;
- aliases are allowed but every expansion counts towards :data:`MAX_NODES`, and nesting is limited to
  :data:`MAX_DEPTH`, so an alias bomb ("billion laughs") or a self-referencing alias fails fast.

:func:`read_yaml` returns the data and a map from each key path to its 1-based line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import yaml

from ringfence.errors import UsageError

MAX_NODES = 100_000
MAX_DEPTH = 32

Path = tuple[str | int, ...]
_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?(?:0|[0-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class PolicyError(UsageError):
    """A policy document is not valid; the message names the file, the line and the key."""


def dotted(path: Path) -> str:
    """A key path for a one-line message (``columns.phone.action``); odd names are shown quoted."""
    return ".".join(str(p) if str(p).isprintable() else repr(str(p)) for p in path)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: dict[Path, int] = {}
        self.nodes = 0

    def fail(self, node: yaml.Node, path: Path, message: str) -> PolicyError:
        where = dotted(path)
        message = message.replace(_TAG, "!!")
        prefix = f"{self.source}:{node.start_mark.line + 1}: "
        return PolicyError(prefix + (f"{where}: " if where else "") + message)

    def convert(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node, path[:1], f"the document expands to more than {MAX_NODES:,} nodes (aliases?)"
            )
        if depth > MAX_DEPTH:
            raise self.fail(
                node, path[:1], f"nested deeper than {MAX_DEPTH} levels (a self-referencing alias?)"
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self.fail(node, path, f"the tag {node.tag} is not allowed in a policy")
            items = []
            for i, item in enumerate(node.value):
                self.lines.setdefault((*path, i), item.start_mark.line + 1)
                items.append(self.convert(item, (*path, i), depth + 1))
            return items
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        if node.tag != _TAG + "map":
            raise self.fail(node, path, f"the tag {node.tag} is not allowed in a policy")
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                raise self.fail(key_node, path, "merge keys (<<) are not allowed in a policy")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "a key must be plain text, not a list or a map")
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise self.fail(key_node, path, f"duplicate key {key!r} (first on line {first_line[key]})")
            first_line[key] = line
            self.lines.setdefault((*path, key), line)
            out[key] = self.convert(value_node, (*path, key), depth + 1)
        return out

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        tag, text = node.tag, str(node.value)
        if tag == _TAG + "str":
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return {"true": True, "false": False}.get(text.lower(), text)
        if tag == _TAG + "int":
            return int(text.replace("_", "")) if _INT.fullmatch(text) else text
        if tag == _TAG + "float":
            if _FLOAT.fullmatch(text):
                value = float(text.replace("_", ""))
                return value if math.isfinite(value) else text
            return text
        if tag == _TAG + "timestamp":
            return dt.date.fromisoformat(text) if _DATE.fullmatch(text) else text
        raise self.fail(node, path, f"the tag {tag} is not allowed in a policy")


def read_yaml(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """The plain data of a one-document YAML text and the line of every key path; raises
    :class:`PolicyError` (``source:line: message``) for anything outside the safe subset above."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{mark.line + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "not valid YAML"
        raise PolicyError(f"{source}:{line}not valid YAML: {problem}") from None
    except yaml.YAMLError:
        raise PolicyError(f"{source}: not valid YAML") from None
    if root is None:
        raise PolicyError(f"{source}:1: the policy is empty")
    reader = _Reader(source)
    reader.lines[()] = root.start_mark.line + 1
    return reader.convert(root, (), 0), reader.lines
