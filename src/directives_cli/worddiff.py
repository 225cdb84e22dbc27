"""Words of two texts compared: what a reviewer sees change, and how alike two texts are.

`word_diff` cuts texts at word boundaries (keeping the spaces and punctuation between
words as tokens of their own), so an edit shows as whole words deleted and inserted
rather than as stray letters. `word_set` and `dice` measure how many words two texts
share, for `diff --match text`. Pure functions over strings: nothing here knows about
catalogues or output.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Literal

from directives_cli import textfold

#: What a piece of a word diff is: kept ("="), only in the old text ("-"), only in the new ("+").
Op = Literal["=", "-", "+"]
Piece = tuple[Op, str]

#: Tokens of a diff: a run of word characters, a run of whitespace, or one other character.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    """``text`` cut into tokens that join back to exactly ``text``."""
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn ``old`` into ``new``, word by word, in reading order.

    Joining the "=" and "-" pieces gives ``old``; joining "=" and "+" gives ``new``.
    Where a stretch was replaced, its deletion comes before its insertion, so the
    plain spelling reads ``[-old words-]{+new words+}`` as wdiff and git print it.
    """
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("+", "".join(b[j1:j2])))
    return _merged(pieces)


def _merged(pieces: Iterable[Piece]) -> list[Piece]:
    """Adjacent pieces of the same kind joined, so a marker opens once per stretch."""
    out: list[Piece] = []
    for op, text in pieces:
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


def marked(pieces: Iterable[Piece]) -> str:
    """A word diff spelled without colour: ``[-deleted-]`` and ``{+inserted+}``."""
    parts = []
    for op, text in pieces:
        if op == "-":
            parts.append(f"[-{text}-]")
        elif op == "+":
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(text)
    return "".join(parts)


def word_set(*texts: str) -> frozenset[str]:
    """The distinct words of the texts, folded for case (a character of a script
    written without spaces, such as Chinese, counts as a word)."""
    found: set[str] = set()
    for text in texts:
        found.update(textfold.words(text.casefold()))
    return frozenset(found)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of words two sets have in common: 2 |a & b| / (|a| + |b|), from 0 to 1."""
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))
