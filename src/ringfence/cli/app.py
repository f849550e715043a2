"""The Typer application and the one place that turns errors into exit codes (DESIGN.md §2).

Exit codes: 0 ok; 1 a check the user asked for failed (:class:`~ringfence.errors.CheckFailed`); 2 bad input
or usage, with one line on stderr; a panic of the Rust engines (Polars' ``PanicException`` is a
``BaseException``, not an ``Exception``) is bad input too. A traceback is shown only with
``RINGFENCE_DEBUG=1``.

What native code writes to the process's stderr itself (a Rust panic message, which can quote the value it
stopped on, and its backtrace; an allocator's failure) never reaches the user: the console entry point
(:func:`main`) points file descriptor 2 at the null device and gives Python's ``sys.stderr`` its own copy
of the real stderr (:func:`native_stderr_silenced`); ``RINGFENCE_DEBUG=1`` keeps it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from ringfence import __version__
from ringfence.cli import commands
from ringfence.errors import RingfenceError

app = typer.Typer(
    name="ringfence",
    help="Keep payment customers' data inside the fence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"ringfence {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Workspace folder (else RINGFENCE_HOME or cwd).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine output on stdout, nothing else.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Options given before the command apply to it (they may also be given after it)."""
    ctx.obj = {"workspace": str(workspace) if workspace else None, "json": json_out}


commands.register(app)


def _click_errors(name: str) -> tuple[type[BaseException], ...]:
    """The click exception class ``name`` from click and from the copy of click that newer Typer vendors
    (Typer ≥ 0.20 ships its own and no longer installs click)."""
    found: list[type[BaseException]] = []
    for module in ("click.exceptions", "typer._click.exceptions"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


_NO_ARGS = _click_errors("NoArgsIsHelpError")
_USAGE = _click_errors("UsageError")
_EXIT = _click_errors("Exit")
_ABORT = _click_errors("Abort")


def _debug() -> bool:
    return os.environ.get("RINGFENCE_DEBUG", "") not in ("", "0")


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"ringfence: {message}\n")
    sys.stderr.flush()
    return code


def run(argv: list[str] | None = None) -> int:
    """Runs the command line and returns its exit code (never raises for a user's mistake)."""
    try:
        result = app(args=argv, prog_name="ringfence", standalone_mode=False)
    except RingfenceError as exc:
        if _debug():
            traceback.print_exc()
        return _fail(f"error: {exc}", exc.exit_code)
    except _NO_ARGS as exc:
        ctx = getattr(exc, "ctx", None)
        sys.stderr.write((ctx.get_help() if ctx else "") + "\n")
        return 2
    except _USAGE as exc:
        ctx = getattr(exc, "ctx", None)
        hint = f" (see `{ctx.command_path} --help`)" if ctx else ""
        return _fail(f"usage error: {exc.format_message()}{hint}", 2)  # type: ignore[attr-defined]
    except _EXIT as exc:
        return int(getattr(exc, "exit_code", 0))
    except _ABORT:
        return _fail("aborted", 130)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        return 0
    except Exception as exc:  # an error we did not foresee: say what kind, never the data inside it
        if _debug():
            traceback.print_exc()
        return _fail(
            f"error: unexpected {type(exc).__name__}; set RINGFENCE_DEBUG=1 to see where it happened", 2
        )
    except BaseException as exc:  # a Rust panic inside Polars or PyArrow arrives as a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        if _debug():
            traceback.print_exc()
        return _fail(
            "error: the data engine stopped on this input (a value out of its range, or a damaged file); "
            "set RINGFENCE_DEBUG=1 to see where it happened",
            2,
        )
    return result if isinstance(result, int) else 0


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Within the block, writes to file descriptor 2 by native code are discarded while ``sys.stderr``
    (every message of ours) still reaches the real stderr; nothing changes with ``RINGFENCE_DEBUG=1`` or
    when stderr is not a file descriptor."""
    if _debug():
        yield
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    previous = sys.stderr
    own = os.fdopen(real, "w", encoding=previous.encoding, errors="backslashreplace", buffering=1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    sys.stderr = own
    try:
        yield
    finally:
        own.flush()
        sys.stderr = previous
        os.dup2(real, 2)
        own.close()


def main() -> None:
    """Console-script entry point."""
    with native_stderr_silenced():
        code = run(sys.argv[1:])
    sys.exit(code)
