"""Cutting a report into sentences, each a Span of the original text.

Spans rather than strings: a directive's quote must be the report's exact words, so
every later step points into the text instead of copying pieces of it.
"""

from __future__ import annotations

import re

from directives_cli.draft.types import Span

_EN_END = re.compile(r"(?<=[.!?])[\"'”’)]*(?=\s+[\"“(]?[A-Z0-9])|\n\s*\n|\n")
_ZH_END = re.compile(r"(?<=[。！？])[”’」』）)]*|\n")


def split(text: str, lang: str) -> list[Span]:
    """The sentences of ``text``, trimmed of surrounding whitespace, in order."""
    pattern = _ZH_END if lang == "zh" else _EN_END
    spans: list[Span] = []
    start = 0
    for match in pattern.finditer(text):
        _add(text, start, match.end(), spans)
        start = match.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[Span]) -> None:
    """Append the trimmed span unless it holds nothing."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


def trim(text: str, span: Span, strip: str = " ,;:.，；：。、") -> Span:
    """A span without the whitespace and punctuation at its ends."""
    start, end = span.start, span.end
    while start < end and (text[start].isspace() or text[start] in strip):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in strip):
        end -= 1
    return Span(start, end)


def split_at(text: str, span: Span, pattern: re.Pattern[str]) -> list[Span]:
    """The pieces of a span between the matches of a pattern, each trimmed."""
    pieces, start = [], span.start
    for match in pattern.finditer(text, span.start, span.end):
        pieces.append(Span(start, match.start()))
        start = match.end()
    pieces.append(Span(start, span.end))
    return [trim(text, p) for p in pieces]


def without_leading(text: str, span: Span, leading: re.Pattern[str]) -> Span:
    """A clause without what ``leading`` matches at its start (a modal, "and", "we
    must") and without the punctuation around it: each language gives its own pattern."""
    span = trim(text, span)
    match = leading.match(text, span.start, span.end)
    if match and match.end() > span.start:
        span = Span(match.end(), span.end)
    return trim(text, span)


def unique(text: str, span: Span, limit: Span) -> Span:
    """The span, widened a word at a time within ``limit`` until it occurs once in
    the text (a quote that occurs twice cannot tell the reader where it stands)."""
    current = span
    while text.count(text[current.start : current.end]) > 1:
        wider = _widen(text, current, limit)
        if wider == current:
            return span
        current = wider
    return current


def _widen(text: str, span: Span, limit: Span) -> Span:
    """One more word (or, in Chinese, character) to the right, else to the left."""
    if span.end < limit.end:
        end = span.end + 1
        while end < limit.end and text[end - 1].isascii() and text[end].isalnum():
            end += 1
        return trim(text, Span(span.start, end), " ") if end > span.end else span
    if span.start > limit.start:
        start = span.start - 1
        while start > limit.start and text[start].isascii() and text[start - 1].isalnum():
            start -= 1
        return Span(start, span.end)
    return span
