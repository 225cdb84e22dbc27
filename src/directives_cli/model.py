"""The catalogue as plain, frozen data: what a loaded schema-1 file means.

Nothing here reads files, prints or knows about the command line, so every other
module (loader, query, render) can share these types without depending on each other.

The classes are written by hand (slots, an ``__init__``, and `_Record`'s equality, hash,
repr and refusal to be changed) rather than as frozen dataclasses: every call imports
this module, and building eleven dataclasses (with the `dataclasses` module itself)
cost about 15 ms a call, half a warm call's budget. They behave as frozen dataclasses
did: equal when of one class with equal fields, hashable, immutable.
"""

from __future__ import annotations

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


class _Record:
    """What the frozen dataclasses gave, for classes that list their fields in
    ``__slots__``: equality within one class, a hash, a readable repr, no changes."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, _Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is frozen")

    def __reduce__(self) -> tuple[object, tuple[type, tuple[object, ...]]]:
        """Pickled as its class and field values, set back by `_unpickled`: a frozen
        record refuses pickle's own setattr, and a file loaded in a second process must
        come back whole (see `readahead`)."""
        return _unpickled, (type(self), self._values())


_set = object.__setattr__


def _unpickled(cls: type[_Record], values: tuple[object, ...]) -> _Record:
    record = cls.__new__(cls)
    for name, value in zip(cls.__slots__, values, strict=True):
        _set(record, name, value)
    return record


class Source(_Record):
    """The report a meeting's quotes are checked against."""

    __slots__ = ("title", "file", "text")
    title: str | None
    #: As written in the catalogue: relative to the catalogue file.
    file: str | None
    #: The text of ``file`` when it was found and read, else None.
    text: str | None

    def __init__(
        self, title: str | None = None, file: str | None = None, text: str | None = None
    ) -> None:
        _set(self, "title", title)
        _set(self, "file", file)
        _set(self, "text", text)


class Speaker(_Record):
    """A person who addressed the meeting."""

    __slots__ = ("name", "role")
    name: str
    role: str | None

    def __init__(self, name: str, role: str | None = None) -> None:
        _set(self, "name", name)
        _set(self, "role", role)


class Meeting(_Record):
    """One meeting: the subject of one catalogue file."""

    __slots__ = (
        "id", "title", "start", "location", "published_title", "end", "organiser",
        "speakers", "guided_by", "implemented", "attendees", "source", "note",
    )  # fmt: skip
    id: str
    title: str
    start: str
    location: str
    published_title: str | None
    end: str | None
    organiser: str | None
    speakers: tuple[Speaker, ...]
    guided_by: tuple[str, ...]
    #: What the source says the meeting "implemented the spirit of".
    implemented: tuple[str, ...]
    attendees: tuple[str, ...]
    source: Source | None
    #: An editor's note: never the source's words.
    note: str | None

    def __init__(
        self,
        id: str,
        title: str,
        start: str,
        location: str,
        published_title: str | None = None,
        end: str | None = None,
        organiser: str | None = None,
        speakers: tuple[Speaker, ...] = (),
        guided_by: tuple[str, ...] = (),
        attendees: tuple[str, ...] = (),
        source: Source | None = None,
        *,
        implemented: tuple[str, ...] = (),
        note: str | None = None,
    ) -> None:
        _set(self, "id", id)
        _set(self, "title", title)
        _set(self, "start", start)
        _set(self, "location", location)
        _set(self, "published_title", published_title)
        _set(self, "end", end)
        _set(self, "organiser", organiser)
        _set(self, "speakers", speakers)
        _set(self, "guided_by", guided_by)
        _set(self, "implemented", implemented)
        _set(self, "attendees", attendees)
        _set(self, "source", source)
        _set(self, "note", note)

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


class Category(_Record):
    """A theme of the meeting that directives are grouped under."""

    __slots__ = ("id", "title", "description", "meeting", "note")
    id: str
    title: str
    description: str
    meeting: str
    #: An editor's note: never the source's words.
    note: str | None

    def __init__(
        self, id: str, title: str, description: str, meeting: str, note: str | None = None
    ) -> None:
        _set(self, "id", id)
        _set(self, "title", title)
        _set(self, "description", description)
        _set(self, "meeting", meeting)
        _set(self, "note", note)


class Directive(_Record):
    """One instruction the meeting issued, traceable to the source's words."""

    __slots__ = DIRECTIVE_FIELDS
    id: str
    meeting: str
    category: str
    title: str
    text: str
    speaker: str
    act: str
    quote: str
    addressees: tuple[str, ...]
    tags: tuple[str, ...]
    #: An editor's note: never the source's words, so kept apart from text and quote.
    note: str | None

    def __init__(
        self,
        id: str,
        meeting: str,
        category: str,
        title: str,
        text: str,
        speaker: str,
        act: str,
        quote: str,
        addressees: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        note: str | None = None,
    ) -> None:
        _set(self, "id", id)
        _set(self, "meeting", meeting)
        _set(self, "category", category)
        _set(self, "title", title)
        _set(self, "text", text)
        _set(self, "speaker", speaker)
        _set(self, "act", act)
        _set(self, "quote", quote)
        _set(self, "addressees", addressees)
        _set(self, "tags", tags)
        _set(self, "note", note)

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


class Statistic(_Record):
    """A figure the meeting reported, as the source gives it."""

    __slots__ = ("id", "meeting", "subject", "period", "change", "quote", "note")
    id: str
    meeting: str
    subject: str
    period: str
    change: str
    quote: str
    #: An editor's note: never the source's words.
    note: str | None

    def __init__(
        self,
        id: str,
        meeting: str,
        subject: str,
        period: str,
        change: str,
        quote: str,
        note: str | None = None,
    ) -> None:
        _set(self, "id", id)
        _set(self, "meeting", meeting)
        _set(self, "subject", subject)
        _set(self, "period", period)
        _set(self, "change", change)
        _set(self, "quote", quote)
        _set(self, "note", note)

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


class Document(_Record):
    """One catalogue file: one meeting with its categories, directives and figures."""

    __slots__ = ("path", "meeting", "categories", "directives", "statistics")
    path: str
    meeting: Meeting
    categories: tuple[Category, ...]
    directives: tuple[Directive, ...]
    statistics: tuple[Statistic, ...]

    def __init__(
        self,
        path: str,
        meeting: Meeting,
        categories: tuple[Category, ...] = (),
        directives: tuple[Directive, ...] = (),
        statistics: tuple[Statistic, ...] = (),
    ) -> None:
        _set(self, "path", path)
        _set(self, "meeting", meeting)
        _set(self, "categories", categories)
        _set(self, "directives", directives)
        _set(self, "statistics", statistics)


class Catalogue(_Record):
    """Everything loaded from one catalogue path (a file or a directory of files)."""

    __slots__ = ("documents", "directives")
    documents: tuple[Document, ...]
    #: Derived once: every query walks the directives in catalogue order.
    directives: tuple[Directive, ...]

    def __init__(self, documents: tuple[Document, ...] = ()) -> None:
        _set(self, "documents", documents)
        _set(self, "directives", tuple(d for doc in documents for d in doc.directives))

    @property
    def categories(self) -> tuple[Category, ...]:
        """Every category of every meeting, in file order."""
        return tuple(c for doc in self.documents for c in doc.categories)

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        """Every meeting, in file order."""
        return tuple(doc.meeting for doc in self.documents)


class Filters(_Record):
    """What `list` and `search` narrow by: values within one filter are OR-ed,
    filters are AND-ed, and an empty tuple means "any"."""

    __slots__ = ("categories", "acts", "speakers", "tags", "meetings")
    categories: tuple[str, ...]
    acts: tuple[str, ...]
    speakers: tuple[str, ...]
    tags: tuple[str, ...]
    meetings: tuple[str, ...]

    def __init__(
        self,
        categories: tuple[str, ...] = (),
        acts: tuple[str, ...] = (),
        speakers: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        meetings: tuple[str, ...] = (),
    ) -> None:
        _set(self, "categories", categories)
        _set(self, "acts", acts)
        _set(self, "speakers", speakers)
        _set(self, "tags", tags)
        _set(self, "meetings", meetings)


class Hit(_Record):
    """One search result: the directive, its relevance and why it matched."""

    __slots__ = ("directive", "score", "matched", "terms")
    directive: Directive
    #: Higher is better; comparable only within one search.
    score: float
    #: The directive fields that matched, in DIRECTIVE_FIELDS order.
    matched: tuple[str, ...]
    #: The matched terms as they appear in the text, for highlighting.
    terms: tuple[str, ...]

    def __init__(
        self,
        directive: Directive,
        score: float,
        matched: tuple[str, ...] = (),
        terms: tuple[str, ...] = (),
    ) -> None:
        _set(self, "directive", directive)
        _set(self, "score", score)
        _set(self, "matched", matched)
        _set(self, "terms", terms)


class QuoteContext(_Record):
    """A directive's quote set in the sentence(s) of the source around it.

    ``before + quote + after`` is a contiguous stretch of the source text, so a
    reader sees the words the directive came from in their own sentence.
    """

    __slots__ = ("before", "quote", "after")
    before: str
    quote: str
    after: str

    def __init__(self, before: str, quote: str, after: str) -> None:
        _set(self, "before", before)
        _set(self, "quote", quote)
        _set(self, "after", after)
