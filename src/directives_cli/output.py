"""Writing a command's result to stdout, and ending quietly when the reader has gone.

Shared by both parsers (`cli.py`, `fastpath.py`); the only module besides them that
touches the process's streams.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from directives_cli.commands import Output

#: What a shell reports for a process ended by a closed pipe (128 + SIGPIPE), as grep does.
EXIT_PIPE = 141


def emit(output: Output, color: str) -> None:
    """Write text as is; draw renderables through a Rich console made only now, so
    machine formats never import Rich."""
    try:
        if output.text:
            sys.stdout.write(output.text)
        if output.renderables:
            from directives_cli.render.console import make_console

            console = make_console(sys.stdout, color=color)
            for renderable in output.renderables:
                console.print(renderable)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()


def quiet_broken_pipe() -> NoReturn:
    """Stop writing to a reader that has gone away, without Python's farewell noise
    ("Exception ignored ... BrokenPipeError") when the interpreter flushes at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    os._exit(EXIT_PIPE)


def is_terminal() -> bool:
    """Whether stdout is a terminal: decides the default format (table or plain)."""
    try:
        return sys.stdout.isatty()
    except ValueError:
        return False
