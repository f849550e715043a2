"""Every message a user sees names a real command and real flags.

The messages are collected from the source: every string literal (f-strings with their placeholders as
``X``, adjacent literals joined) outside docstrings, in every module of the package: errors, hints,
notes and drafted policies' comments alike. Each ``ringfence CMD [SUB] ... --flag`` in them is walked
down the Typer application: the command path must exist and each flag after it must be one of that
command's options (or the root's). A bare ``--flag`` must be an option of some command, and ``CMD --flag``
(``release --recipient``) an option of that command.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ringfence
from ringfence.cli.app import command

PACKAGE = Path(ringfence.__file__).parent


def _docstrings(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def messages() -> Iterator[tuple[str, str]]:
    """(where, text) of every string literal outside docstrings."""
    for file in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                text = node.value
            else:
                continue
            yield f"{file.relative_to(PACKAGE)}:{node.lineno}", text


def _tree() -> Any:
    return command()


def _options(cmd: Any) -> set[str]:
    names = {"--help", "-h"}
    for param in cmd.params:
        if param.param_type_name == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


ROOT = _tree()
COMMANDS: dict[str, Any] = dict(ROOT.commands)


def _all_options(cmd: Any) -> set[str]:
    found = _options(cmd)
    for sub in getattr(cmd, "commands", {}).values():
        found |= _all_options(sub)
    return found


EVERY_OPTION = _all_options(ROOT)
_INVOCATION = re.compile(r"ringfence((?: [a-z][a-z0-9-]*)+)([^`;\n)]*)")
_NAMED_FLAG = re.compile(r"\b([a-z]+) (--[a-z][a-z-]*)")
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")


def problems_in(text: str) -> list[str]:
    """What is wrong with the commands and flags ``text`` names (empty when all are real)."""
    found: list[str] = []
    for match in _INVOCATION.finditer(text):
        words, rest = match.group(1).split(), match.group(2)
        if words[0] not in COMMANDS:
            # "a ringfence workspace": a noun, unless it is written as a command (quoted, or with flags)
            quoted = text[: match.start()].endswith("`")
            if quoted or (words[1:2] and words[1].startswith("-")) or rest.strip().startswith("--"):
                found.append(f"no command `ringfence {words[0]}`")
            continue
        cmd, used = ROOT, ["ringfence"]
        for word in words:
            subs = getattr(cmd, "commands", None)
            if subs is None or word not in subs:
                if subs is not None and cmd is not ROOT:
                    found.append(f"no command `{' '.join([*used, word])}`")
                break
            cmd = subs[word]
            used.append(word)
        else:
            if getattr(cmd, "commands", None) is not None and rest.strip().startswith("--"):
                found.append(f"`{' '.join(used)}` is a group: name one of its commands")
        allowed = _options(cmd) | _options(ROOT)
        for flag in _FLAG.findall(rest):
            if flag not in allowed:
                found.append(f"`{' '.join(used)}` has no option {flag}")
    for name, flag in _NAMED_FLAG.findall(text):
        named = COMMANDS.get(name)
        leaf = named is not None and getattr(named, "commands", None) is None
        if leaf and flag not in _options(named) | _options(ROOT):
            found.append(f"`ringfence {name}` has no option {flag}")
    for flag in _FLAG.findall(text):
        if flag not in EVERY_OPTION:
            found.append(f"no command has the option {flag}")
    return found


def test_the_collector_finds_the_messages_it_checks() -> None:
    """The collection is not empty and holds known messages (so the check below cannot pass on nothing)."""
    texts = [t for _, t in messages()]
    assert len(texts) > 1_000
    assert any("pass --force to replace it" in t for t in texts)
    assert any("ringfence keys disable X --yes" in t for t in texts)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("see `ringfence risks --report`", "no command `ringfence risks`"),
        ("needs a recipient (release --recipients)", "`ringfence release` has no option --recipients"),
        ("run `ringfence keys drop X`", "no command `ringfence keys drop`"),
        ("pass --forse to replace it", "no command has the option --forse"),
        ("use `ringfence scan INPUT --draft FILE`", "`ringfence scan` has no option --draft"),
    ],
)
def test_the_check_catches_a_wrong_command_or_flag(text: str, wrong: str) -> None:
    assert wrong in problems_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "create one with `ringfence init DIR` and pass --workspace DIR",
        "no ringfence workspace here",
        "`ringfence keys disable X --yes`",
        "`ringfence scan INPUT --draft-policy FILE`",
        "with `ringfence release --recipient ID` or `ringfence protect --recipient ID`",
    ],
)
def test_real_commands_pass(text: str) -> None:
    assert problems_in(text) == []


def test_every_message_names_real_commands_and_flags() -> None:
    wrong = [f"{where}: {problem}" for where, text in messages() for problem in problems_in(text)]
    assert wrong == []
