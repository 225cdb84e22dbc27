"""The Rich console the terminal views are drawn on, configured for untrusted data.

Created on demand (never at import), for one output stream, so the CLI decides where
views go and tests can draw into a StringIO at a pinned width and colour system.
"""

from __future__ import annotations

import errno
import os
from typing import Literal, TextIO

from rich.console import Console

from directives_cli.render import MIN_WIDTH, Color

__all__ = ["MIN_WIDTH", "make_console"]


def make_console(file: TextIO, *, color: str = Color.AUTO) -> Console:
    """A console writing to ``file``; ``color`` is ``auto``, ``always`` or ``never``.

    auto leaves detection to Rich, which honours NO_COLOR, FORCE_COLOR, TERM=dumb and
    whether ``file`` is a terminal. always colours even into a pipe (for `less -R`), and
    beats NO_COLOR and TERM=dumb because a flag on the command line is the more specific
    wish. never emits no escape code at all: no colour, no bold, nothing.
    Markup, emoji codes and Rich's syntax highlighting are off: catalogue text is drawn as
    written.
    """
    if color == Color.AUTO:
        console = _console(file, color_system="auto")
    elif color == Color.NEVER:
        console = _console(file, color_system=None, no_color=True)
    elif color == Color.ALWAYS:
        console = _console(file, color_system="auto", no_color=False, force_terminal=True)
        if console.color_system is None:  # Rich found TERM=dumb; the flag still wins
            console = _console(file, color_system="standard", no_color=False, force_terminal=True)
    else:
        raise ValueError(f"color must be one of {', '.join(Color)}, not {color!r}")
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


class _Console(Console):
    """A console that leaves a closed pipe to the writer (`output.emit`): Rich's own
    handler exits with status 1, which the contract keeps for "not found"."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def _console(
    file: TextIO,
    *,
    color_system: Literal["auto", "standard"] | None,
    no_color: bool | None = None,
    force_terminal: bool | None = None,
) -> Console:
    return _Console(
        file=file,
        color_system=color_system,
        no_color=no_color,
        force_terminal=force_terminal,
        markup=False,
        emoji=False,
        highlight=False,
    )
