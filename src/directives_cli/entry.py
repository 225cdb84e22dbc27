"""Running `directives`: choose a parser, and turn every outcome into the contract's
exit status and at most one line on stderr.

This is the one place that knows exit statuses. It imports neither Typer nor Rich itself:
the fast path answers common calls without them, and `cli.py` (Typer) is imported only
for the rest.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from directives_cli.errors import DirectivesError
from directives_cli.exits import ExitStatus
from directives_cli.optspec import wants_debug

if TYPE_CHECKING:
    from directives_cli.outcome import Output


def run(argv: Sequence[str] | None = None, *, fast: bool = True) -> NoReturn:
    """Run the CLI and exit with the contract's status, whatever happens inside.

    ``fast=False`` always parses with Typer; tests use it to compare the two paths.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    _tolerate_narrow_encodings()
    try:
        status = _dispatch(args, fast)
    except DirectivesError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", ExitStatus.INTERRUPTED)
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, no traceback
        known = _parser_error(error)
        if known is not None:
            _fail(*known)
        if wants_debug(args):
            raise
        _fail(
            f"unexpected {type(error).__name__}: {error} (run again with --debug for a traceback)",
            ExitStatus.INTERNAL,
        )
    raise SystemExit(status)


def _dispatch(args: list[str], fast: bool) -> int:
    """Parse ``args`` (the fast path first, where allowed), write the command's output,
    and return its status; a parser that ended on its own (help) gives its status."""
    from directives_cli.output import emit

    answer: tuple[Output, str] | int | None = None
    if fast:
        from directives_cli import fastpath

        answer = fastpath.dispatch(args)
    if answer is None:
        from directives_cli.cli import main_command

        answer = main_command(args)
    if isinstance(answer, int):
        return answer
    output, color = answer
    emit(output, color)
    return output.status


def _tolerate_narrow_encodings() -> None:
    """On a stdout that cannot encode some text (PYTHONIOENCODING=ascii, a C locale),
    print escapes instead of failing: JSON stays valid, since `\\u201c` is JSON too."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _parser_error(error: Exception) -> tuple[str, int] | None:
    """Typer's (Click's) own errors as (message, status), or None for anything else."""
    if "typer" not in sys.modules:
        return None
    from typer import Abort, TyperException

    if isinstance(error, Abort):
        return "aborted", ExitStatus.INTERRUPTED
    # Click's own errors (usage, bad parameter, no such option) derive from Typer's public
    # TyperException, which carries their exit_code.
    if isinstance(error, TyperException):
        return _usage_message(error), error.exit_code
    return None


def _usage_message(error: Exception) -> str:
    """Click's message on one line, with a pointer to the help of the command that failed."""
    format_message = getattr(error, "format_message", None)
    text = format_message() if callable(format_message) else str(error)
    message = " ".join(str(text).split())
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"directives: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)
