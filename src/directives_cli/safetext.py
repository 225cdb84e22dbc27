"""Text that did not come from the tool, made safe to print: the one escaping rule.

A catalogue, a file name, an option's value or an environment variable is written by
someone else. Printed raw, an ESC sequence can clear the screen, retitle the window, set
the clipboard or fake a hyperlink; a C1 code does the same in one byte; a bidi override
makes text read differently from what it says ("Trojan Source"); a newline splits a
one-line message or a `FILE:LINE:COLUMN: message` line in two, so it can forge a line.

`plain` escapes its fields with :func:`escape_field`, and every message on stderr (errors,
notes) and every `validate` line escapes the outside text it quotes with :func:`shown`,
which is the same escaping, cut to a readable length. This module sits at the bottom of
the import graph (it imports nothing of the package), so `errors`, `paths`, the loader and
the renderers all reach it; `render.escape` builds the terminal views on it.

The escapes are Python's own spelling (``\\x1b``, ``\\u202e``, ``\\U000e0041``), so a
reader recognises them and `render.escape.unescape_field` can reverse them exactly.
"""

from __future__ import annotations

import re

#: Characters never shown raw, beyond C0: DEL and C1 (controls); Arabic letter mark, the
#: bidi marks, embeddings, overrides and isolates (reorder text); the line and paragraph
#: separators (split lines for `str.splitlines` and many tools); zero-width and invisible
#: format characters that hide or smuggle text (ZWSP, word joiner and invisible operators,
#: deprecated format controls, BOM, interlinear annotation, Mongolian vowel separator,
#: Unicode tag characters); and lone surrogates, which cannot be encoded for output at all.
#: ZWJ/ZWNJ (U+200C/D) stay: scripts and emoji need them and they reorder nothing.
DANGEROUS_BEYOND_C0 = (
    "\x7f-\x9f"
    "\u061c\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f"
)
#: Every character never shown raw (a regex class body): C0, then the rest above.
DANGEROUS = "\x00-\x1f" + DANGEROUS_BEYOND_C0

_FIELD = re.compile(f"[{DANGEROUS}\\\\]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"}

#: How many characters of an outside value a message quotes: enough to recognise any real
#: name, path or term; a 131 KB argument is not repeated back in full.
SHOWN_LENGTH = 200


def escape_char(char: str) -> str:
    """The visible spelling of one character: ``\\t``, ``\\x1b``, ``\\u202e``, ``\\U000e0041``."""
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _replace(match: re.Match[str]) -> str:
    return escape_char(match.group())


def escape_field(text: str) -> str:
    """Text for one field of a line-oriented format (plain, ids): reversible, one line.

    Backslashes are doubled as well, so the escaping is exact: `unescape_field` gives back
    the original, and a tab in a value can never be mistaken for the tab that separates
    fields.
    """
    return _FIELD.sub(_replace, text)


def shown(value: object, limit: int = SHOWN_LENGTH, *, repr_spelled: bool = False) -> str:
    """An outside value (a name, path, term, option value) as a message quotes it: escaped
    as `plain` escapes a field, and cut to ``limit`` characters with the full length said,
    so one line stays one readable line whatever the value holds.

    ``repr_spelled`` is for text a library already spelt with `repr` (Click quotes the
    value it refuses that way): its backslashes are escapes already, so they are kept as
    they are, and only what `repr` left raw is escaped, in the same spelling.
    """
    text = value if isinstance(value, str) else str(value)
    escape = _escape_raw if repr_spelled else escape_field
    if len(text) <= limit:
        return escape(text)
    return f"{escape(text[:limit])}… ({len(text)} characters)"


_RAW = re.compile(f"[{DANGEROUS}]")


def _escape_raw(text: str) -> str:
    return _RAW.sub(_replace, text)


def quoted(value: object) -> str:
    """:func:`shown` between single quotes, as messages name a value: 'Chen Gan'."""
    return f"'{shown(value)}'"
