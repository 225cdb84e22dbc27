"""Make catalogue text safe to show: every dangerous character becomes a visible escape.

A catalogue is data written by someone else. Printed raw, an ESC sequence can clear the
screen, retitle the window, set the clipboard or fake a hyperlink; a C1 code does the same
in one byte; a bidi override makes text read differently from what it says ("Trojan
Source"); a line or paragraph separator splits a record that scripts expect on one line.
Every view meant for a terminal or a line-oriented pipe (table, plain, show, markdown)
passes its text through this module. The escaping itself (which characters, how they are
spelt) is `directives_cli.safetext`'s, the one rule that stderr messages follow too.

The escapes are Python's own spelling (``\\x1b``, ``\\u202e``, ``\\U000e0041``), so a
reader recognises them and :func:`unescape_field` can reverse them exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from directives_cli.safetext import (
    DANGEROUS,
    DANGEROUS_BEYOND_C0,
    escape_char,
    escape_field,
)

__all__ = [
    "DANGEROUS",
    "DANGEROUS_BEYOND_C0",
    "escape_char",
    "escape_field",
    "unescape_field",
    "visible",
]


class LazyPattern:
    """A regular expression compiled on its first use. Each class of the characters above
    takes about a millisecond to compile, and most calls (JSON of plain text, a table)
    use one of them or none; compiling them all at import made every call pay for all."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        """`re.Pattern.sub`, compiling the pattern the first time."""
        if self._compiled is None:
            self._compiled = re.compile(self._source, self._flags)
        return self._compiled.sub(repl, text)


_VISIBLE = LazyPattern(f"[{DANGEROUS}]")
_VISIBLE_KEEP_NEWLINES = LazyPattern(f"[\x00-\x09\x0b-\x1f{DANGEROUS_BEYOND_C0}]")
_ESCAPE = LazyPattern(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)

_SHORT_BACK = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _replace(match: re.Match[str]) -> str:
    return escape_char(match.group())


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Text for a terminal view: dangerous characters escaped, backslashes left alone.

    Backslashes stay as written because a person reading a table wants `C:\\temp`, not
    `C:\\\\temp`; the escapes only need to be visible, not reversible. ``keep_newlines``
    lets a long body (a directive's full text in a panel) keep its line breaks, which are
    harmless to a terminal; every other control character is still escaped.
    """
    pattern = _VISIBLE_KEEP_NEWLINES if keep_newlines else _VISIBLE
    return pattern.sub(_replace, text)


def _unreplace(match: re.Match[str]) -> str:
    token = match.group()
    kind = token[1]
    if kind in _SHORT_BACK:
        return _SHORT_BACK[kind]
    if len(token) > 2:
        return chr(int(token[2:], 16))
    return token


def unescape_field(text: str) -> str:
    """The inverse of :func:`escape_field`, for scripts that read `plain` back exactly."""
    return _ESCAPE.sub(_unreplace, text)
