"""Statistics: sentences that report a figure ("decreased by 45%", "下降20%")."""

from __future__ import annotations

import re

from directives_cli.draft.types import Figure, Span

_EN_CHANGE = re.compile(
    r"(?P<verb>decreased|declined|dropped|fell|reduced|increased|rose|grew|went up|went down"
    r"|was down|were down|was up|were up)\s+(?:by\s+)?(?P<nums>\d+(?:\.\d+)?\s?%"
    r"(?:(?:,\s*|\s+and\s+|,\s+and\s+)\d+(?:\.\d+)?\s?%)*)(?P<resp>\s+respectively)?",
    re.IGNORECASE,
)
_EN_DOWN = re.compile(r"decreas|declin|drop|fell|reduc|down", re.IGNORECASE)
_EN_LEAD = re.compile(
    r"(?:(?:in particular|in \d{4}|among them|of these|meanwhile|last year|also|and|while)"
    r"\s*,?\s*)+",
    re.IGNORECASE,
)
_EN_SUBJECTS = re.compile(r",\s+(?:and\s+)?|\s+and\s+(?=the\b)")
_ZH_CHANGE = re.compile(
    r"(?:同比)?(?:分别)?(?P<verb>下降|减少|降低|增长|上升|增加|提高)(?:了)?"
    r"(?P<nums>\d+(?:\.\d+)?(?:%|％|个百分点)(?:(?:和|、|，)\d+(?:\.\d+)?(?:%|％|个百分点))*)"
)
_ZH_DOWN = re.compile("下降|减少|降低")
_ZH_LEAD = re.compile(r"(?:\d{4}年|其中|去年|全年|同时)[，,]?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s?(?:%|％|个百分点)")
_YEAR_EN = re.compile(r"\b((?:19|20)\d{2})\b")
_YEAR_ZH = re.compile(r"((?:19|20)\d{2})年")


def figures(text: str, sentences: list[Span], lang: str) -> list[Figure]:
    """One Figure per reported number, paired with its subject when the sentence says
    "respectively"; the period is the year the sentence (or the one before) names."""
    found: list[Figure] = []
    change = _ZH_CHANGE if lang == "zh" else _EN_CHANGE
    for index, sentence in enumerate(sentences):
        raw = text[sentence.start : sentence.end]
        after = 0
        for match in change.finditer(raw):
            period = _period(text, sentences, index, lang)
            if period is not None:
                found.extend(_from_match(raw, match, sentence.start, after, period, lang))
            after = match.end()
    return found


def _period(text: str, sentences: list[Span], index: int, lang: str) -> str | None:
    pattern = _YEAR_ZH if lang == "zh" else _YEAR_EN
    for at in (index, index - 1):
        if at >= 0:
            match = pattern.search(text, sentences[at].start, sentences[at].end)
            if match:
                return match.group(1)
    return None


def _from_match(
    raw: str, match: re.Match[str], offset: int, after: int, period: str, lang: str
) -> list[Figure]:
    """The figures of one change: subject(s) before the verb, one per number. The
    subject starts after the previous change of the sentence (``after``), and in
    Chinese at the comma-piece before the verb (the piece before, when the verb opens
    its own: "……死亡800人，同比下降15%")."""
    start = max(after, *(raw.rfind(c, 0, match.start()) + 1 for c in ";；。"))
    if lang == "zh":
        comma = raw.rfind("，", start, match.start())
        if comma != -1 and not raw[comma + 1 : match.start()].strip():
            comma = raw.rfind("，", start, comma)
        start = max(start, comma + 1)
    while start < match.start() and (raw[start].isspace() or raw[start] in ",，;；"):
        start += 1
    lead = (_ZH_LEAD if lang == "zh" else _EN_LEAD).match(raw, start, match.start())
    subject_text = raw[lead.end() if lead else start : match.start()].strip(" ，,")
    subject_text = re.sub(r"(?:\s+all|\s+both|，?同比)$", "", subject_text)
    numbers = _NUMBER.findall(match.group("nums"))
    down = (_ZH_DOWN if lang == "zh" else _EN_DOWN).search(match.group("verb"))
    subjects = _subjects(subject_text, len(numbers), lang)
    quote = Span(offset + start, offset + match.end())
    return [
        Figure(subject, period, f"{'-' if down else '+'}{number.replace(' ', '')}", quote)
        for subject, number in zip(subjects, numbers, strict=True)
    ]


def _subjects(text: str, count: int, lang: str) -> list[str]:
    """The subjects a list of numbers pairs with, or the whole subject for each."""
    if count > 1:
        parts = re.split("[、和]", text) if lang == "zh" else _EN_SUBJECTS.split(text)
        parts = [p.strip(" ，,") for p in parts if p.strip(" ，,")]
        if len(parts) == count:
            return parts
    return [text] * count
