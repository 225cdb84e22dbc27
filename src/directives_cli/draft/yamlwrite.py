"""Writing a draft as schema-1 YAML text, byte for byte the same for the same draft.

Written by hand, not by a YAML library: the draft carries comments for the author
(suggested categories, left-out assessments), and every string is written double-quoted
in JSON's escapes, which YAML reads back exactly, so no value is ever retyped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

#: What YAML refuses raw or reads as a line break inside a double-quoted scalar.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")

#: One entry: (key, value) where value is text, a list of text, a list of entries (a
#: nested mapping) or a list of lists of entries (a list of mappings); a key starting
#: with "#" makes the value a comment line.
Entry = tuple[str, object]


def quoted(text: str) -> str:
    """A string as a YAML double-quoted scalar."""
    dumped = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def comment(text: str) -> str:
    """A one-line comment: line breaks folded, control characters shown escaped."""
    flat = " ".join(text.split())
    return "# " + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in flat)


def mapping(entries: Sequence[Entry], indent: int = 0) -> list[str]:
    """The lines of a block mapping."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in entries:
        if key.startswith("#"):
            lines.append(pad + comment(str(value)))
        elif isinstance(value, str):
            lines.append(f"{pad}{key}: {quoted(value)}")
        elif isinstance(value, list) and value and isinstance(value[0], list):
            lines.append(f"{pad}{key}:")
            for item in value:
                lines.extend(_item(item, indent + 2))
        elif isinstance(value, list) and value and isinstance(value[0], tuple):
            lines.append(f"{pad}{key}:")
            lines.extend(mapping(value, indent + 2))
        elif isinstance(value, list) and sum(len(v) for v in value) > 60:
            lines.append(f"{pad}{key}:")
            lines.extend(f"{pad}  - {quoted(v)}" for v in value)
        elif isinstance(value, list):
            lines.append(f"{pad}{key}: [{', '.join(quoted(v) for v in value)}]")
        else:
            raise TypeError(f"cannot write {type(value).__name__} for {key}")
    return lines


def _item(entries: Sequence[Entry], indent: int) -> list[str]:
    """A list item that is a mapping: "- " before its first key, comments before that."""
    comments = [e for e in entries if e[0].startswith("#")]
    rest = [e for e in entries if not e[0].startswith("#")]
    lines = [" " * indent + comment(str(v)) for _, v in comments]
    body = mapping(rest, indent + 2)
    if body:
        body[0] = " " * indent + "- " + body[0].lstrip()
    return lines + body
