"""Quotes and the source text they come from: one rule for "this quote is in the source".

`validate` (through the loader) asks whether each quote occurs in its source; `show`
(through the query module) finds where, to set it in its sentence. Both must agree on
what counts as the same words, so both use this module: whitespace runs fold to one
space and typographic quotes stand for straight ones (`QUOTE_EQUIVALENTS`).
"""

from __future__ import annotations

import re

from directives_cli.model import QuoteContext

#: Typographic quotes and the straight quote each stands for when a quote is looked for
#: in its source.
QUOTE_EQUIVALENTS = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}
_TYPOGRAPHIC = str.maketrans(QUOTE_EQUIVALENTS)

#: Characters of source context kept on each side of a quote, at most.
CONTEXT_CHARS = 400


# ---- does the quote occur? -----------------------------------------------------------------


def fold(text: str) -> str:
    """Text as quotes are compared: typographic quotes plain, whitespace runs single."""
    if not text.isascii():
        text = text.translate(_TYPOGRAPHIC)
    return " ".join(text.split())


class QuoteFinder:
    """Answers "is this quote in the source?" without scanning the source each time.

    `quote in source` scans, so checking every quote of a large meeting costs quotes
    x source length: minutes at 100,000 directives. Three tries, cheapest first:

    1. just after the previous quote found: authors (and generators) mostly follow
       the source's order;
    2. an index, built once a large source has had _MISSES_BEFORE_INDEX quotes that
       were not there: every _STEP-th window of _GRAM characters, with its first and
       last position. A quote at position p holds, within its first _STEP characters,
       the window at the next multiple of _STEP (and another every _STEP characters
       after), so a lookup names the positions to confirm;
    3. the plain scan, which decides whenever the others find nothing (a quote that
       is absent, shorter than a window, or made only of very common windows).

    The answer is therefore always exactly `quote in source`; only its cost varies.
    """

    __slots__ = ("cursor", "first", "last", "misses", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor = 0
        self.misses = 0
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def __contains__(self, quote: str) -> bool:
        start = max(0, self.cursor - _BEHIND)
        at = self.text.find(quote, start, self.cursor + _AHEAD + len(quote))
        if at == -1:
            at = self._far(quote)
            if at == -1:
                return False
        self.cursor = at + len(quote)
        return True

    def _far(self, quote: str) -> int:
        """Where a quote that is not near the last one is, or -1."""
        self.misses += 1
        if self.misses == _MISSES_BEFORE_INDEX and len(self.text) >= _INDEX_FROM:
            self._build()
        if self.last:
            at = self._probe(quote)
            if at != -1:
                return at
        return self.text.find(quote)

    def position(self, quote: str) -> int:
        """Where ``quote`` occurs exactly as written, found through the window index
        (built on first use for a large source), or -1 when the index cannot tell."""
        if not self.last and len(self.text) >= _INDEX_FROM:
            self._build()
        return self._probe(quote) if self.last else -1

    def _build(self) -> None:
        """Index the windows: two dicts built in C, one keeping each window's first
        position and one its last, so a window seen twice still leads to both."""
        text = self.text
        starts = range(0, len(text) - _GRAM + 1, _STEP)
        windows = [text[at : at + _GRAM] for at in starts]
        self.last = dict(zip(windows, starts, strict=True))
        self.first = dict(zip(reversed(windows), reversed(starts), strict=True))

    def _probe(self, quote: str) -> int:
        """A confirmed position of the quote found through the index, or -1."""
        first, last, text = self.first, self.last, self.text
        for offset in range(len(quote) - _GRAM + 1):
            window = quote[offset : offset + _GRAM]
            at = last.get(window)
            if at is None:
                continue
            if at >= offset and text.startswith(quote, at - offset):
                return at - offset
            at = first[window]
            if at >= offset and text.startswith(quote, at - offset):
                return at - offset
        return -1


_GRAM = 24
_STEP = 16
#: Where to look first, around the end of the previous quote found.
_BEHIND, _AHEAD = 256, 1024
#: Below this many characters a plain scan per quote is cheaper than an index.
_INDEX_FROM = 64 * 1024
#: A few quotes are cheaper to scan for than to index the source for.
_MISSES_BEFORE_INDEX = 16


# ---- where, in its sentence -----------------------------------------------------------------


def _quote_classes() -> dict[str, str]:
    """Each quote character mapped to a regex class of every character that stands for
    it, from the same table `fold` uses, so `show` finds exactly what `validate` accepts."""
    groups: dict[str, str] = {}
    for typographic, plain in QUOTE_EQUIVALENTS.items():
        groups[plain] = groups.get(plain, plain) + typographic
    return {c: f"[{re.escape(group)}]" for group in groups.values() for c in group}


#: Typographic and straight quotes that stand for each other when finding a quote.
_QUOTE_CLASSES = _quote_classes()
_CLOSERS = "\"'\u201d\u2019)]"
_TERMINATORS = ".!?\u3002\uff01\uff1f"
# A sentence ends at . ! ? (and any closing quotes or brackets) followed by whitespace or
# the end, at a CJK full stop, or at a blank line.
_SENTENCE_END = re.compile(
    rf"[.!?][{re.escape(_CLOSERS)}]*(?=\s|$)"
    rf"|[\u3002\uff01\uff1f][{re.escape(_CLOSERS)}]*"
    r"|\n[ \t]*\n"
)


def quote_pattern(quote: str) -> re.Pattern[str] | None:
    """A pattern that finds ``quote`` in a source, with whitespace runs and typographic
    quotes folded (`fold`'s rule for "the quote occurs in the source")."""
    words = quote.split()
    if not words:
        return None
    return re.compile(
        r"\s+".join("".join(_QUOTE_CLASSES.get(c) or re.escape(c) for c in w) for w in words)
    )


def quote_context(text: str, quote: str, cap: int = CONTEXT_CHARS) -> QuoteContext | None:
    """``quote`` located in ``text`` and widened to its sentence(s), in the source's own
    characters: at most ``cap`` characters each side, cut at a clause ("; ") or a word."""
    pattern = quote_pattern(quote)
    found = pattern.search(text) if pattern is not None else None
    if found is None:
        return None
    return _context_at(text, *found.span(), cap)


class ContextFinder:
    """`quote_context` for many quotes of one source, without scanning the whole source
    for each (minutes at 100,000 directives): it looks first around where the previous
    quote was found, since catalogues mostly follow the source's order (as `QuoteFinder`
    relies on too), then through `QuoteFinder`'s window index of a large source, and
    scans the whole text only when neither finds the quote. A quote that occurs once
    (what a catalogue's quotes are written to do) gets exactly `quote_context`'s answer;
    one that occurs several times may get the sentence of a later occurrence."""

    __slots__ = ("cursor", "finder", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor = 0
        self.finder = QuoteFinder(text)

    def context(self, quote: str, cap: int = CONTEXT_CHARS) -> QuoteContext | None:
        """The quote set in its sentence(s), or None when the source does not hold it.
        A quote written exactly as the source has it (the usual case) is found as a
        plain substring; only one that differs in spacing or quote marks needs the
        pattern, whose compiling costs more than the search."""
        text = self.text
        start = max(0, self.cursor - _BEHIND)
        at = text.find(quote, start, self.cursor + len(quote) + _AHEAD) if quote else -1
        if at == -1 and quote:
            at = self.finder.position(quote)
        if at != -1:
            span = (at, at + len(quote))
        else:
            pattern = quote_pattern(quote)
            found = pattern.search(text) if pattern is not None else None
            if found is None:
                return None
            span = found.span()
        self.cursor = span[1]
        return _context_at(text, *span, cap)


def _context_at(text: str, start: int, end: int, cap: int) -> QuoteContext:
    first = _sentence_start(text, start, cap)
    last = max(_sentence_end(text, start, end, cap), end)
    return QuoteContext(
        before=_trim_before(text[first:start], cap),
        quote=text[start:end],
        after=_trim_after(text[end:last], cap),
    )


def _sentence_start(text: str, start: int, cap: int) -> int:
    low = max(0, start - 4 * cap)
    first = low
    for match in _SENTENCE_END.finditer(text, low, start):
        first = match.end()
    while first < start and text[first].isspace():
        first += 1
    return first


def _sentence_end(text: str, start: int, end: int, cap: int) -> int:
    high = min(len(text), end + 4 * cap)
    # A quote that itself ends its sentence ("... line." or "... line.”") ends the context.
    tail = end
    while tail > start and text[tail - 1] in _CLOSERS:
        tail -= 1
    if tail > start and text[tail - 1] in _TERMINATORS:
        tail -= 1
    match = _SENTENCE_END.search(text, tail, high)
    if match is None:
        return high
    return match.start() if match.group().startswith("\n") else match.end()


def _trim_before(before: str, cap: int) -> str:
    if len(before) <= cap:
        return before
    kept = before[-cap:]
    clause = kept.find("; ")
    if clause >= 0:
        return kept[clause + 2 :].lstrip()
    space = re.search(r"\s", kept)
    return kept[space.end() :].lstrip() if space else kept


def _trim_after(after: str, cap: int) -> str:
    if len(after) <= cap:
        return after
    kept = after[:cap]
    clause = kept.rfind("; ")
    if clause >= 0:
        return kept[: clause + 1]
    space = max(kept.rfind(" "), kept.rfind("\n"))
    return kept[:space].rstrip() if space > 0 else kept
