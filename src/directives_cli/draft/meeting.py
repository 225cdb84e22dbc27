"""The meeting's own facts: title, headline, dates, place, speakers and attendees."""

from __future__ import annotations

import re

from directives_cli.draft.types import MeetingFacts, Person, Span

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?\b"
_EN_DATES = re.compile(
    rf"\b{_MONTH}\s+{_DAY}(?:,?\s+(\d{{4}}))?(?:\s*(?:to|-|–|—|and|through)\s*(?:{_MONTH}\s+)?"
    rf"{_DAY}\b)?(?:,?\s+(\d{{4}}))?"
)
_EN_DATES_DAY_FIRST = re.compile(
    rf"\b{_DAY}(?:\s*(?:to|-|–|—|and)\s*{_DAY})?\s+{_MONTH}(?:,?\s+(\d{{4}}))?"
)
_ZH_DATES = re.compile(
    r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:\s*(?:至|到|—|－|-|~|～)\s*(?:(\d{1,2})月)?(\d{1,2})日)?"
)
_EN_WORK_YEAR = re.compile(
    r"\b(?:mobili[sz]|deploy|arrang|plan|outlin|set out|lay out|laid out|key (?:work|tasks)"
    r"|main tasks|priorities)\w*\b[^.;]{0,80}?\b((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_ZH_WORK_YEAR = re.compile(r"(?:部署|安排|谋划)[^。；]{0,20}?((?:19|20)\d{2})年")
_EN_HELD = re.compile(r"\b(?:was|were)\s+(?:held|convened|opened)\b", re.IGNORECASE)
_TITLE_WORD = re.compile(r"[A-Z0-9][\w'’-]*|of|and|on|for|the|in")
_EN_PLACE = re.compile(
    r"\b(?:held|convened|opened)\s+(?:[^.]{0,40}?\s)?in\s+(?P<place>[A-Z][\w'’-]*"
    r"(?:(?:,\s+|\s+)[A-Z][\w'’-]*)*)"
)
_EN_SPEAKER = re.compile(
    r"(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}),\s+(?P<role>[^.;]{3,200}?),\s+"
    r"(?:attended|presided|chaired|addressed|delivered|made|spoke|gave|stressed|emphasi[sz]ed"
    r"|pointed out|demanded|requested|required)"
)
_EN_SPEAKER_AFTER_ROLE = re.compile(
    r"^(?P<role>(?:[A-Z][\w'’-]*\s+){1,6}?)(?P<name>[A-Z][a-z]+ [A-Z][a-z]+)\s+"
    r"(?:attended|presided|chaired|addressed|delivered|made|spoke|gave)"
)
_EN_SPEECH = re.compile(r"\b(?:delivered|speech|presided|chaired|addressed|spoke)\b")
_EN_ATTENDED = re.compile(r"^(?P<who>.+?)\s+attended\s+the\s+(?:meeting|conference)", re.DOTALL)
_EN_ATTENDEE_SPLIT = re.compile(
    r",\s+(?:and\s+)?(?=(?:the|representatives|heads|leaders|officials|members|those)\b)"
    r"|\s+and\s+(?=the\s+(?:heads|leaders|representatives|main|responsible)\b)",
    re.IGNORECASE,
)
_ZH_HELD = re.compile(
    r"(?P<title>[^，。；]*?(?:会议|大会|座谈会|推进会|联席会|论坛))(?:[^，。；]{0,20}?)?"
    r"(?:在(?P<place>[^，。；]{2,20}?))?(?:隆重|胜利)?(?:召开|举行)"
)
_ZH_SPEAKS = re.compile(r"出席(?:会议)?并(?:发表|作)?讲话|主持会议|出席会议并作|讲话")
_ZH_ATTENDED = re.compile(r"^(?P<who>[^。]+?)(?:参加|出席)(?:了)?(?:会议|本次会议)")


def facts(text: str, sentences: list[Span], lang: str) -> MeetingFacts:
    """The meeting facts the report states; None or () for what it does not say."""
    headline = _headline(text)
    body = [s for s in sentences if headline is None or s.start >= len(headline)]
    if lang == "zh":
        return _zh_facts(text, body, headline)
    return _en_facts(text, body, headline)


def _headline(text: str) -> str | None:
    """The first line, when a blank line or more text follows it: the report's headline."""
    stripped = text.lstrip("\ufeff")
    first, newline, rest = stripped.partition("\n")
    if not newline or not rest.strip() or len(first) > 200 or not first.strip():
        return None
    return first.strip()


def _en_facts(text: str, sentences: list[Span], headline: str | None) -> MeetingFacts:
    raws = [text[s.start : s.end] for s in sentences]
    held = next((r for r in raws if _EN_HELD.search(r)), headline or "")
    first, last, year = _en_dates(held) or _en_dates(" ".join(raws[:3])) or (None, None, None)
    place = _EN_PLACE.search(held)
    return MeetingFacts(
        title=_en_title(held) or (headline and _en_title(headline)),
        headline=headline,
        location=place.group("place") if place else None,
        first_day=first,
        last_day=last,
        date_year=year,
        work_year=_work_year(_EN_WORK_YEAR, text),
        speakers=_en_speakers(raws),
        attendees=_en_attendees(raws),
    )


def _en_title(sentence: str) -> str | None:
    """The capitalised words just before "was held": the meeting's name."""
    match = _EN_HELD.search(sentence)
    if match is None:
        return None
    words = sentence[: match.start()].split()
    taken: list[str] = []
    for word in reversed(words):
        if not _TITLE_WORD.fullmatch(word.strip(",")) or word.endswith(","):
            break
        taken.insert(0, word)
    while taken and taken[0].lower() in ("the", "of", "and", "on", "for", "in"):
        taken.pop(0)
    return " ".join(taken) or None


def _en_dates(
    sentence: str,
) -> tuple[tuple[int, int], tuple[int, int] | None, int | None] | None:
    """((month, day), (month, day) or None, year or None) of the first date written."""
    match = _EN_DATES.search(sentence)
    if match:
        month = _MONTHS.index(match.group(1).lower()) + 1
        first = (month, int(match.group(2)))
        year = match.group(3) or match.group(6)
        last = None
        if match.group(5):
            end_month = _MONTHS.index(match.group(4).lower()) + 1 if match.group(4) else month
            last = (end_month, int(match.group(5)))
        return first, last, int(year) if year else None
    match = _EN_DATES_DAY_FIRST.search(sentence)
    if match:
        month = _MONTHS.index(match.group(3).lower()) + 1
        last = (month, int(match.group(2))) if match.group(2) else None
        return (month, int(match.group(1))), last, int(match.group(4)) if match.group(4) else None
    return None


def _work_year(pattern: re.Pattern[str], text: str) -> int | None:
    """The year of the work the meeting arranges, the latest such year named."""
    years = [int(m.group(1)) for m in pattern.finditer(text)]
    return max(years) if years else None


def _en_speakers(raws: list[str]) -> tuple[Person, ...]:
    found: dict[str, Person] = {}
    for raw in raws:
        for match in [*_EN_SPEAKER.finditer(raw), *_EN_SPEAKER_AFTER_ROLE.finditer(raw)]:
            name = match.group("name")
            found.setdefault(name, Person(name, match.group("role").strip()))
    return tuple(found.values())


def _en_attendees(raws: list[str]) -> tuple[str, ...]:
    for raw in raws:
        match = _EN_ATTENDED.match(raw)
        if match and not _EN_SPEECH.search(raw):
            who = match.group("who")
            parts = [p.strip(" ,") for p in _EN_ATTENDEE_SPLIT.split(who)]
            return tuple(p for p in parts if p)
    return ()


def _zh_facts(text: str, sentences: list[Span], headline: str | None) -> MeetingFacts:
    raws = [text[s.start : s.end] for s in sentences]
    held_raw = next((r for r in raws if _ZH_HELD.search(r)), headline or "")
    held = _ZH_HELD.search(held_raw)
    dates = _zh_dates(held_raw) or _zh_dates(" ".join(raws[:3]))
    first, last, year = dates or (None, None, None)
    title = _zh_title(held.group("title")) if held else None
    if title is None and headline:
        found = _ZH_HELD.search(headline)
        title = _zh_title(found.group("title")) if found else headline
    return MeetingFacts(
        title=title,
        headline=headline,
        location=held.group("place") if held and held.group("place") else None,
        first_day=first,
        last_day=last,
        date_year=year,
        work_year=_work_year(_ZH_WORK_YEAR, text),
        speakers=_zh_speakers(raws),
        attendees=_zh_attendees(raws),
    )


def _zh_title(title: str) -> str | None:
    """The meeting's name: what precedes 在/召开, without a leading date."""
    title = _ZH_DATES.sub("", title).strip("，, ")
    return title or None


def _zh_dates(
    sentence: str,
) -> tuple[tuple[int, int], tuple[int, int] | None, int | None] | None:
    match = _ZH_DATES.search(sentence)
    if match is None:
        return None
    month = int(match.group(2))
    first = (month, int(match.group(3)))
    last = None
    if match.group(5):
        last = (int(match.group(4) or month), int(match.group(5)))
    return first, last, int(match.group(1)) if match.group(1) else None


def _zh_speakers(raws: list[str]) -> tuple[Person, ...]:
    from directives_cli.draft.chinese import person_name

    found: dict[str, Person] = {}
    for raw in raws:
        for speaks in _ZH_SPEAKS.finditer(raw):
            clause = raw[: speaks.start()].rsplit("，", 1)[-1]
            name = person_name(clause)
            if name is None or name in found:
                continue
            before, _, after = clause.partition(name)
            role = (before or after).strip("，、 ")
            found[name] = Person(name, role or None)
    return tuple(found.values())


def _zh_attendees(raws: list[str]) -> tuple[str, ...]:
    for raw in raws:
        match = _ZH_ATTENDED.match(raw)
        if match and not _ZH_SPEAKS.search(raw):
            who = re.sub(r"在[^，。、]{0,10}会场$", "", match.group("who"))
            parts = re.split(r"[，；]|以及|、(?![^（(]*[）)])", who)
            return tuple(p.strip() for p in parts if p.strip())
    return ()
