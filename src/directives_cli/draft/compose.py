"""Putting a draft together: the report's facts and instructions as catalogue entries."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from directives_cli.draft import categorize, chinese, english, figures, lang, meeting, words
from directives_cli.draft import sentences as cut
from directives_cli.draft.types import (
    MEETING_SPEAKER,
    Assessment,
    Instruction,
    MeetingFacts,
    Person,
)
from directives_cli.draft.yamlwrite import Entry, mapping
from directives_cli.errors import UsageError

#: How each act is said in a directive's text.
_SAID = {
    "en": {
        "requested": "requested",
        "demanded": "demanded",
        "stressed": "stressed",
        "pointed-out": "pointed out",
    },
    "zh": {"requested": "要求", "demanded": "要求", "stressed": "强调", "pointed-out": "指出"},
}
#: The one category of a draft made without --categories, in the report's language.
_UNSORTED = {
    "en": categorize.Theme(
        "unsorted",
        "Unsorted",
        "Every drafted directive, until the author sorts them into the meeting's themes.",
        "",
    ),
    "zh": categorize.Theme("unsorted", "未分类", "起草的全部指示，待作者按会议主题归类。", ""),
}


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """What `directives draft` was asked for."""

    text: str
    #: The report as the catalogue's source.file names it (relative to the YAML).
    source_file: str
    #: The report's path as the user gave it, for messages.
    report_name: str
    #: The report's file name without its suffix: the meeting id when the title has no
    #: ASCII words (a Chinese title).
    stem: str
    lang: str | None = None
    start: str | None = None
    themes: tuple[categorize.Theme, ...] = ()


def draft_report(request: DraftRequest) -> str:
    """The draft catalogue of a report, as YAML text."""
    language = request.lang or lang.detect(request.text)
    text = request.text
    spans = cut.split(text, language)
    facts = meeting.facts(text, spans, language)
    people = [p.name for p in facts.speakers]
    rules = chinese if language == "zh" else english
    found, assessed = rules.instructions(text, spans, people)
    start, end = _dates(facts, request)
    meeting_id = _meeting_id(facts, request, start, language)
    document: list[Entry] = [
        ("schema", "1"),
        ("#", f"Drafted by `directives draft` from {request.source_file}: review every entry."),
        ("meeting", _meeting(facts, request, meeting_id, start, end, people, text)),
        ("categories", [_category(t) for t in request.themes or (_UNSORTED[language],)]),
    ]
    if not found:
        document += [("#", _left_out(text, a)) for a in assessed]
    document.append(
        ("directives", _directives(text, found, assessed, meeting_id, request, language))
    )
    stats = figures.figures(text, spans, language)
    if stats:
        prefix = _prefix(meeting_id)
        document.append(
            (
                "statistics",
                [
                    [
                        ("id", f"{prefix}-ST-{n}"),
                        ("subject", f.subject),
                        ("period", f.period),
                        ("change", f.change),
                        ("quote", text[f.quote.start : f.quote.end]),
                    ]
                    for n, f in enumerate(stats, start=1)
                ],
            )
        )
    lines = mapping(document)
    lines[0] = "schema: 1"
    return "\n".join(lines) + "\n"


def _dates(facts: MeetingFacts, request: DraftRequest) -> tuple[str, str | None]:
    """(start, end) as ISO dates: the report's days in the year it gives."""
    if request.start is not None:
        first = _iso_day(request.start)
        if facts.first_day and facts.last_day and facts.last_day != facts.first_day:
            last = _day(first.year, facts.last_day)
            if last is not None and last > first:
                return first.isoformat(), last.isoformat()
        return first.isoformat(), None
    if facts.first_day is None:
        raise UsageError(
            f"{request.report_name}: found no date of the meeting (such as 'From January 24th"
            " to 25th' or '3月15日'); give its first day with --start YYYY-MM-DD"
        )
    year = facts.date_year or _title_year(facts) or _arranged_year(facts)
    if year is None:
        raise UsageError(
            f"{request.report_name}: the report gives the meeting's day but no year (not with "
            "the date, in the meeting's name, nor as the year of the work it arranges); give "
            "the first day with --start YYYY-MM-DD"
        )
    first_day = _day(year, facts.first_day)
    if first_day is None:
        raise UsageError(f"{request.report_name}: the meeting's date is not a real date")
    last_day = None
    if facts.last_day and facts.last_day != facts.first_day:
        wraps = facts.last_day < facts.first_day
        last_day = _day(year + 1 if wraps else year, facts.last_day)
    return first_day.isoformat(), last_day.isoformat() if last_day else None


def _title_year(facts: MeetingFacts) -> int | None:
    """A year in the meeting's name ("the 2024 Provincial ... Conference", "2022年全省……会议")."""
    match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", facts.title or "")
    return int(match.group(1)) if match else None


def _arranged_year(facts: MeetingFacts) -> int | None:
    """The meeting's year from the year of the work it arranges: the same year, except
    for a meeting held in November or December, which arranges the next year's work."""
    if facts.work_year is None or facts.first_day is None:
        return None
    return facts.work_year - 1 if facts.first_day[0] >= 11 else facts.work_year


def _day(year: int, month_day: tuple[int, int]) -> datetime.date | None:
    try:
        return datetime.date(year, *month_day)
    except ValueError:
        return None


def _iso_day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--start: expected a date YYYY-MM-DD, found {value!r}") from None


def _meeting_id(facts: MeetingFacts, request: DraftRequest, start: str, language: str) -> str:
    """A slug: the title's words and the year, else the report's file name."""
    year = start[:4]
    title_slug = words.slug(facts.title or "") if language == "en" else ""
    if title_slug:
        parts = [p for p in title_slug.split("-") if p not in ("the", "of", "and", "on", "for")]
        return "-".join([*parts[:6], *([] if year in parts else [year])])
    stem = words.slug(request.stem)
    return stem if stem else f"meeting-{start}"


def _prefix(meeting_id: str) -> str:
    """Directive ids start with the meeting's initials and year, so drafts of several
    meetings loaded together keep unique ids."""
    parts = meeting_id.split("-")
    initials = "".join(p[0] for p in parts if p and not p.isdigit()).upper()
    digits = "".join(p for p in parts if p.isdigit())
    return (initials + digits[2:4]) or "D"


def _meeting(
    facts: MeetingFacts,
    request: DraftRequest,
    meeting_id: str,
    start: str,
    end: str | None,
    people: list[str],
    text: str,
) -> list[Entry]:
    title = facts.title or facts.headline or text.strip().splitlines()[0][:120]
    entries: list[Entry] = [("id", meeting_id), ("title", title)]
    if facts.headline and facts.headline != title:
        entries.append(("published_title", facts.headline))
    entries.append(("start", start))
    if end:
        entries.append(("end", end))
    if facts.location:
        entries.append(("location", facts.location))
    else:
        entries.append(("#", "The report names no place: write it here."))
        entries.append(("location", "not stated in the report"))
    speakers = _speakers(facts.speakers, people)
    if speakers:
        entries.append(("speakers", speakers))
    if facts.attendees:
        entries.append(("attendees", list(facts.attendees)))
    source = [("title", facts.headline or title), ("file", request.source_file)]
    entries.append(("source", source))
    return entries


def _speakers(known: tuple[Person, ...], people: list[str]) -> list[list[Entry]]:
    """The speakers with roles, then anyone else who issued directives."""
    named = {p.name for p in known}
    everyone = [*known, *(Person(n) for n in dict.fromkeys(people) if n not in named)]
    return [[("name", p.name), *([("role", p.role)] if p.role else [])] for p in everyone]


def _category(theme: categorize.Theme) -> list[Entry]:
    return [("id", theme.id), ("title", theme.title), ("description", theme.description)]


def _directives(
    text: str,
    found: list[Instruction],
    assessed: list[Assessment],
    meeting_id: str,
    request: DraftRequest,
    language: str,
) -> list[list[Entry]]:
    prefix = _prefix(meeting_id)
    items = [
        _directive(text, item, f"{prefix}-{n}", request, language)
        for n, item in enumerate(found, start=1)
    ]
    for assessment in reversed(assessed):
        note = ("#", _left_out(text, assessment))
        at = next(
            (n for n, d in enumerate(found) if d.span.start > assessment.span.start), len(found)
        )
        if at < len(items):
            items[at] = [note, *items[at]]
        elif items:
            items.append([note])  # comment lines only, after the last directive
    return items


def _left_out(text: str, assessment: Assessment) -> str:
    """The comment that keeps an assessment in view of the author."""
    return (
        "Left out, check it: this 'pointed out' sentence has no should/must/need to/要/应,"
        " so it reads as an assessment, not an instruction: "
        + text[assessment.span.start : assessment.span.end]
    )


def _directive(
    text: str, item: Instruction, ident: str, request: DraftRequest, language: str
) -> list[Entry]:
    clause = text[item.span.start : item.span.end]
    speaker = item.person or MEETING_SPEAKER[language]
    said = _SAID[language][item.act]
    if language == "zh":
        who = f"{item.addressee}{item.modal}" if item.addressee else ""
        body = f"{speaker}{said}：{who}{clause}。"
    else:
        who = f"{item.addressee} {item.modal or 'should'} " if item.addressee else ""
        body = f"{speaker[:1].upper()}{speaker[1:]} {said}: {who}{clause}."
    entries: list[Entry] = []
    category = "unsorted"
    if request.themes:
        choice = categorize.choose(f"{clause} {item.addressee}", request.themes, language)
        category = choice.id
        reason = ", ".join(choice.shared) if choice.shared else "no word in common"
        entries.append(("#", f"category suggested by shared words ({reason}): check it"))
    entries += [
        ("id", ident),
        ("category", category),
        ("title", words.title(clause, language)),
        ("text", body),
        ("speaker", speaker),
        ("act", item.act),
        ("quote", clause),
    ]
    if item.addressee:
        entries.append(("addressees", [item.addressee]))
    tags = words.tags(clause, language)
    if tags:
        entries.append(("tags", [words.slug(t) or t for t in tags]))
    return entries
