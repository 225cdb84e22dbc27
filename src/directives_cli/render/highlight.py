"""Find where search terms occur in text, to highlight them and pick a snippet.

Pure string work with no Rich, so it is cheap to test; :mod:`.table` turns the spans into
styles. Terms arrive as the search found them in the text (see `Hit.terms`), so matching
here is deliberately simple: case-insensitive, at the start of a word, running to the
word's end ("reform" lights up "reforming"). Scripts written without spaces between words
(Chinese, Japanese, Korean, Thai...) have no word starts to anchor on, so there a term
matches anywhere; which scripts those are is :mod:`.textfold`'s table, the one the
index splits them by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from directives_cli.textfold import starts_spaceless

#: About how long a search result's snippet is, in characters.
SNIPPET_LENGTH = 120
#: How much of the snippet comes before the match it is built around.
SNIPPET_LEAD = 30
#: How far the snippet may move to start or end on a word boundary.
_WORD_SLACK = 15
ELLIPSIS = "…"


def terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``terms``; None when there is nothing to match.

    Longer terms come first so a phrase wins over a word inside it.
    """
    cleaned = {" ".join(term.split()) for term in terms}
    ordered = sorted((t for t in cleaned if t), key=lambda t: (-len(t), t))
    if not ordered:
        return None
    return re.compile("|".join(_term_regex(term) for term in ordered), re.IGNORECASE)


def _term_regex(term: str) -> str:
    body = r"\s+".join(re.escape(word) for word in term.split(" "))
    if starts_spaceless(term):
        return body
    return rf"(?<!\w){body}\w*"


def snippet(texts: Iterable[str], pattern: re.Pattern[str] | None) -> str:
    """About SNIPPET_LENGTH characters of the first text with the most distinct terms.

    Whitespace runs are folded to one space so a snippet reads as one line. When no
    text contains a term (the match was in the title or tags), the first text's opening
    is the most useful thing to show.
    """
    flats = [" ".join(text.split()) for text in texts]
    chosen, chosen_start, chosen_count = (flats[0] if flats else ""), 0, 0
    for flat in flats:
        start, count = _best_window(flat, pattern)
        if count > chosen_count:
            chosen, chosen_start, chosen_count = flat, start, count
    return _clip(chosen, chosen_start)


def _best_window(text: str, pattern: re.Pattern[str] | None) -> tuple[int, int]:
    """The window start whose SNIPPET_LENGTH characters hold the most distinct terms."""
    if pattern is None:
        return 0, 0
    spans = [(m.start(), m.end(), m.group().casefold()) for m in pattern.finditer(text)][:50]
    best_start, best_count = 0, 0
    for anchor, _, _ in spans:
        start = max(0, anchor - SNIPPET_LEAD)
        end = start + SNIPPET_LENGTH
        count = len({word for s, e, word in spans if s >= start and e <= end})
        if count > best_count:
            best_start, best_count = start, count
    return best_start, best_count


def _clip(text: str, start: int) -> str:
    """``text`` from ``start`` for about SNIPPET_LENGTH characters, cut at word boundaries."""
    end = start + SNIPPET_LENGTH
    if start > 0:
        space = text.find(" ", start, start + _WORD_SLACK)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", end - _WORD_SLACK, end)
        end = space if space != -1 else end
    head = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) else ""
    return f"{head}{text[start:end].strip()}{tail}"
