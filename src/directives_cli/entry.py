"""Running `directives`: choose a parser, and turn every outcome into the contract's
exit status and at most one line on stderr.

This is the one place that knows exit statuses. It imports neither Typer nor Rich itself:
the fast path answers common calls without them, and `cli.py` (Typer) is imported only
for the rest.
"""

from __future__ import annotations

import errno
import signal
import sys
from collections.abc import Callable, Sequence

from directives_cli.errors import DirectivesError
from directives_cli.exits import ExitStatus
from directives_cli.optspec import wants_debug
from directives_cli.plain import TYPE_CHECKING
from directives_cli.safetext import shown

if TYPE_CHECKING:
    from typing import Any, NoReturn

    from directives_cli.outcome import Output


def run(
    argv: Sequence[str] | None = None,
    *,
    fast: bool = True,
    interrupt_handler: Callable[[int, Any], object] | None = None,
) -> NoReturn:
    """Run the CLI and exit with the contract's status, whatever happens inside.

    ``fast=False`` always parses with Typer; tests use it to compare the two paths.
    ``interrupt_handler`` is `__main__`'s immediate exit on SIGINT: while the command
    runs, Ctrl-C is Python's KeyboardInterrupt instead, so cleanups (a temporary index
    file) run before the one line and status 130; once the status is known, the
    immediate handler is back, so a late Ctrl-C cannot print a traceback either.
    """
    if interrupt_handler is not None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _run(argv, fast)
    except KeyboardInterrupt:
        _fail("interrupted", ExitStatus.INTERRUPTED)
    finally:
        if interrupt_handler is not None:
            signal.signal(signal.SIGINT, interrupt_handler)


def _run(argv: Sequence[str] | None, fast: bool) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    _tolerate_narrow_encodings()
    try:
        status = _dispatch(args, fast)
    except DirectivesError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", ExitStatus.INTERRUPTED)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, no traceback
        known = _parser_error(error) or _output_error(error)
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
        if answer == 0 and sys.stdout is None:  # help or --version into a closed stdout
            raise OSError(errno.EBADF, "standard output is closed")
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


def _output_error(error: Exception) -> tuple[str, int] | None:
    """A write to stdout that failed outside `output.emit` (Click writing help, our
    `--version`) as (message, status), or None for any other error."""
    from directives_cli.output import abandon_stdout, stdout_failed

    closed = sys.stdout is None and isinstance(error, (OSError, AttributeError))
    full = isinstance(error, OSError) and error.errno in _FULL
    if not (closed or full or (isinstance(error, OSError) and stdout_failed())):
        return None
    abandon_stdout()
    reason = "standard output is closed"
    if isinstance(error, OSError) and not closed:
        reason = error.strerror or str(error)
    return f"cannot write output: {reason}", ExitStatus.OUTPUT


#: The errors of a device that cannot take more: only writes end with these.
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _quiet_broken_pipe() -> NoReturn:
    from directives_cli.output import quiet_broken_pipe

    quiet_broken_pipe()


#: How much of Click's own message (which quotes the value given) an error line keeps.
CLICK_MESSAGE_LENGTH = 400


def _usage_message(error: Exception) -> str:
    """Click's message in the tool's own voice, on one line, with the outside text in it
    escaped and cut as every message's is, and a pointer to the help of the command."""
    phrase = " ".join(_click_phrase(error).split())
    message = shown(phrase, CLICK_MESSAGE_LENGTH, repr_spelled=True)
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _click_phrase(error: Exception) -> str:
    """What Click found, rephrased as the tool's own messages are: lower case, no final
    full stop, `no such option: --frmat (did you mean --format?)`."""
    # By class name: Typer ships its own copy of Click, whose classes are not click's.
    kinds = {cls.__name__ for cls in type(error).__mro__}
    if "NoSuchOption" in kinds:
        close = getattr(error, "possibilities", None) or []
        hint = f" (did you mean {close[0]}?)" if close else ""
        name = getattr(error, "option_name", "")
        return f"no such option: {shown(name, repr_spelled=False)}{hint}"
    if "BadParameter" in kinds and "MissingParameter" not in kinds:
        name = _param_name(error)
        where = f" for {name}" if name else ""
        return f"invalid value{where}: {_lower(str(getattr(error, 'message', error)))}"
    format_message = getattr(error, "format_message", None)
    return _lower(str(format_message() if callable(format_message) else error))


def _param_name(error: Exception) -> str:
    """The option's long name (--format), or an argument's metavar (TERM...)."""
    hint = getattr(error, "param_hint", None)
    if isinstance(hint, str):
        return hint
    param = getattr(error, "param", None)
    if param is None:
        return ""
    options = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if getattr(param, "param_type_name", "") == "option" and options:
        return str(options[0])
    return str(param.human_readable_name)


def _lower(text: str) -> str:
    """A sentence of Click's as a clause of ours: "Missing option." -> "missing option"."""
    text = text.strip().removesuffix(".")
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def _fail(message: str, code: int) -> NoReturn:
    from directives_cli.output import say

    say(f"directives: error: {message}")
    raise SystemExit(code)
