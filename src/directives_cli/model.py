"""The catalogue as plain, frozen data: what a loaded schema-1 file means.

Nothing here reads files, prints or knows about the command line, so every other
module (loader, query, render) can share these types without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The speech acts a directive may carry, in the order the contract lists them.
ACTS: tuple[str, ...] = ("pointed-out", "requested", "demanded", "stressed")

#: Directive fields in output order: the keys every machine format publishes.
#: ``meeting`` is the id of the meeting the directive belongs to.
DIRECTIVE_FIELDS: tuple[str, ...] = (
    "id",
    "meeting",
    "category",
    "title",
    "text",
    "speaker",
    "act",
    "quote",
    "addressees",
    "tags",
    "note",
)
#: Fields added after the first release: published after every other key (a search's
#: ``score`` and ``matched`` included), so no column a script cuts by position moves.
ADDED_FIELDS: tuple[str, ...] = ("note",)


@dataclass(frozen=True, slots=True)
class Source:
    """The report a meeting's quotes are checked against."""

    title: str | None = None
    #: As written in the catalogue: relative to the catalogue file.
    file: str | None = None
    #: The text of ``file`` when it was found and read, else None.
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Speaker:
    """A person who addressed the meeting."""

    name: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting: the subject of one catalogue file."""

    id: str
    title: str
    start: str
    location: str
    published_title: str | None = None
    end: str | None = None
    organiser: str | None = None
    speakers: tuple[Speaker, ...] = ()
    guided_by: tuple[str, ...] = ()
    #: What the source says the meeting "implemented the spirit of".
    implemented: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    source: Source | None = None
    #: An editor's note: never the source's words.
    note: str | None = None

    def record(self) -> dict[str, object]:
        """The meeting as the machine formats publish it (and the index stores it):
        plain JSON-able values, keys in output order, the source's text left out."""
        source = self.source
        return {
            "id": self.id,
            "title": self.title,
            "published_title": self.published_title,
            "start": self.start,
            "end": self.end,
            "location": self.location,
            "organiser": self.organiser,
            "speakers": [{"name": s.name, "role": s.role} for s in self.speakers],
            "guided_by": list(self.guided_by),
            "implemented": list(self.implemented),
            "attendees": list(self.attendees),
            "source": None if source is None else {"title": source.title, "file": source.file},
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Category:
    """A theme of the meeting that directives are grouped under."""

    id: str
    title: str
    description: str
    meeting: str
    #: An editor's note: never the source's words.
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Directive:
    """One instruction the meeting issued, traceable to the source's words."""

    id: str
    meeting: str
    category: str
    title: str
    text: str
    speaker: str
    act: str
    quote: str
    addressees: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    #: An editor's note: never the source's words, so kept apart from text and quote.
    note: str | None = None

    def record(self) -> dict[str, str | list[str] | None]:
        """The directive as the machine formats publish it, keys in contract order."""
        return {
            "id": self.id,
            "meeting": self.meeting,
            "category": self.category,
            "title": self.title,
            "text": self.text,
            "speaker": self.speaker,
            "act": self.act,
            "quote": self.quote,
            "addressees": list(self.addressees),
            "tags": list(self.tags),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Statistic:
    """A figure the meeting reported, as the source gives it."""

    id: str
    meeting: str
    subject: str
    period: str
    change: str
    quote: str
    #: An editor's note: never the source's words.
    note: str | None = None

    def record(self) -> dict[str, str | None]:
        """The statistic as the machine formats publish it."""
        return {
            "id": self.id,
            "meeting": self.meeting,
            "subject": self.subject,
            "period": self.period,
            "change": self.change,
            "quote": self.quote,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Document:
    """One catalogue file: one meeting with its categories, directives and figures."""

    path: str
    meeting: Meeting
    categories: tuple[Category, ...] = ()
    directives: tuple[Directive, ...] = ()
    statistics: tuple[Statistic, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Everything loaded from one catalogue path (a file or a directory of files)."""

    documents: tuple[Document, ...] = ()
    directives: tuple[Directive, ...] = field(init=False)

    def __post_init__(self) -> None:
        # Derived once: every query walks the directives in catalogue order.
        flat = tuple(d for doc in self.documents for d in doc.directives)
        object.__setattr__(self, "directives", flat)

    @property
    def categories(self) -> tuple[Category, ...]:
        """Every category of every meeting, in file order."""
        return tuple(c for doc in self.documents for c in doc.categories)

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        """Every meeting, in file order."""
        return tuple(doc.meeting for doc in self.documents)


@dataclass(frozen=True, slots=True)
class Filters:
    """What `list` and `search` narrow by: values within one filter are OR-ed,
    filters are AND-ed, and an empty tuple means "any"."""

    categories: tuple[str, ...] = ()
    acts: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the directive, its relevance and why it matched."""

    directive: Directive
    #: Higher is better; comparable only within one search.
    score: float
    #: The directive fields that matched, in DIRECTIVE_FIELDS order.
    matched: tuple[str, ...] = ()
    #: The matched terms as they appear in the text, for highlighting.
    terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuoteContext:
    """A directive's quote set in the sentence(s) of the source around it.

    ``before + quote + after`` is a contiguous stretch of the source text, so a
    reader sees the words the directive came from in their own sentence.
    """

    before: str
    quote: str
    after: str
