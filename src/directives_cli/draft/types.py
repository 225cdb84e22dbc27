"""The plain data a draft is made of, shared by the drafting modules."""

from __future__ import annotations

from dataclasses import dataclass

#: How the meeting itself is named as a speaker, by language.
MEETING_SPEAKER: dict[str, str] = {"en": "the conference", "zh": "会议"}


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the report: ``text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Instruction:
    """One drafted directive before titles, tags and ids are given to it."""

    #: The clause the directive comes from, without modal or enumerator words.
    span: Span
    #: A person's name, or None for the meeting itself.
    person: str | None
    act: str
    #: Who must act, as the report names them ("" when it names nobody).
    addressee: str = ""
    #: The modal word the report used ("should", "要"), for the directive's text.
    modal: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """A "pointed out" sentence with no should/must/要: kept for the author as a comment."""

    span: Span
    person: str | None


@dataclass(frozen=True, slots=True)
class Person:
    """A speaker and the role the report gives them."""

    name: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """A statistic: a subject whose count changed by a figure, in a period."""

    subject: str
    period: str
    change: str
    quote: Span


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """What the report says about the meeting itself."""

    title: str | None = None
    headline: str | None = None
    location: str | None = None
    #: (month, day) of the first and last day, as the report gives them.
    first_day: tuple[int, int] | None = None
    last_day: tuple[int, int] | None = None
    #: A year written with the date itself ("2019年3月15日").
    date_year: int | None = None
    #: The year of the work the meeting arranges ("key work in 2019").
    work_year: int | None = None
    speakers: tuple[Person, ...] = ()
    attendees: tuple[str, ...] = ()
