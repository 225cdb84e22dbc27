"""From a catalogue path to a validated `Catalogue`, or every reason it is not one.

Three steps, each usable alone:

1. `paths.catalogue_files` turns the path into the YAML files to read (its own module:
   every call needs it, and a warm call never imports this one).
2. `load_files` reads each file safely (`yamlsafe`), checks it against the format
   (`schema.OBJECTS`) and the rules that relate values (categories exist, ids are
   unique, quotes occur in the source, dates are ordered) and builds the model.
3. Every problem is reported as ``FILE:LINE:COLUMN: message`` naming the field. Data is
   validated without positions; only when something is wrong is the file composed
   again to find where (`yamlsafe.locate`), so a clean load pays nothing for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directives_cli import quotes
from directives_cli.errors import CatalogueError, Problem
from directives_cli.model import (
    ACTS,
    Catalogue,
    Category,
    Directive,
    Document,
    Meeting,
    Source,
    Speaker,
    Statistic,
)
from directives_cli.paths import (
    MAX_FILE_BYTES,
    catalogue_files,
    contained,
    file_identity,
    file_problem,
    os_reason,
    refusal,
    screen_directory,
)

# The completion code of options.py (the CLI layer) still reaches this name here.
from directives_cli.paths import resolve_catalogue as resolve_catalogue
from directives_cli.safetext import escape_field, quoted, shown

if TYPE_CHECKING:
    import re

    from directives_cli.schema import Field
    from directives_cli.yamlsafe import YamlPath

_QUOTE_SHOWN = 60

#: A file's identity as `paths.file_identity` gives it.
Identity = tuple[int, int, int, int, int]


def _read(path: Path) -> bytes:
    """A file's bytes, re-checking after opening: it may have changed since `stat`.

    Opened non-blocking so that a FIFO swapped in after the check cannot hang us;
    the status of the open descriptor is what decides.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with open(fd, "rb", closefd=True) as handle:
        reason = refusal(os.fstat(fd))
        if reason:
            raise _Unreadable(reason)
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable(f"file grew over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit")
    return data


class _Unreadable(Exception):
    """A file that cannot or must not be read; the message says why."""


# --- loading ------------------------------------------------------------------------


def load(path: Path) -> Catalogue:
    """Load a catalogue path (a file or a directory of files)."""
    return load_files(catalogue_files(path))


def load_files(
    files: Sequence[Path],
    *,
    sources: bool = True,
    identities: dict[str, Identity | None] | None = None,
) -> Catalogue:
    """Load catalogue files as one catalogue; raise CatalogueError with every problem, sorted.

    ``sources=False`` neither reads the meetings' source texts nor checks quotes against
    them (every other rule holds): for `diff`, whose old edition may sit where its source
    is not. ``identities``, when given, receives each source text read (its path as joined
    from the file naming it) with its identity taken just before reading: an index that
    records those identities can never take a text edited during the read for the one
    checked.
    """
    catalogue, problems = _load(files, sources, identities)
    if problems or catalogue is None:
        raise CatalogueError(problems)
    return catalogue


def check(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in every path, for `directives validate`; [] when all are clean.

    Each path is checked as its own catalogue, exactly as ``--catalog PATH`` would
    load it, so naming a file twice or two separate catalogues raises no false
    duplicate-id errors.
    """
    problems: list[Problem] = []
    for path in paths:
        try:
            files, refused = _screen(path)
        except CatalogueError as error:
            problems.extend(error.problems)
            continue
        problems.extend(refused)
        if files:
            problems.extend(_load(files)[1])
    return problems


def _screen(path: Path) -> tuple[list[Path], list[Problem]]:
    """Like catalogue_files, but a directory's unreadable files are returned as problems
    beside the readable ones instead of stopping the whole check."""
    if os.path.isdir(path):
        return screen_directory(path)
    return catalogue_files(path), []


def _load(
    files: Sequence[Path],
    sources: bool = True,
    identities: dict[str, Identity | None] | None = None,
) -> tuple[Catalogue | None, list[Problem]]:
    """Read, check and build; the catalogue is None whenever a problem was found."""
    from directives_cli import yamlsafe

    with yamlsafe.gc_paused():
        run = _Run(files, sources, identities)
        documents = [run.document(index) for index in range(len(files))]
        problems = run.problems()
        if problems:
            return None, sorted(problems)
        return Catalogue(tuple(d for d in documents if d is not None)), []


# The helpers below are plain classes rather than dataclasses: each dataclass costs
# ~0.7 ms to define, which every cold call and every `validate` would pay.


class _Issue:
    """A problem found in plain data, waiting for its position to be looked up."""

    __slots__ = ("also", "at_key", "file", "message", "path")

    def __init__(
        self,
        file: int,
        path: YamlPath,
        message: str,
        at_key: bool = False,
        also: tuple[int, YamlPath] | None = None,
    ) -> None:
        self.file = file
        self.path = path
        self.message = message
        #: Point at the mapping key of the last step rather than at its value.
        self.at_key = at_key
        #: Another place the message names: (file index, path), shown as "also at ...".
        self.also = also


class _File:
    """One catalogue file while a run is in progress."""

    __slots__ = ("data", "name", "path", "source_file")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)
        self.data = b""
        #: meeting.source.file as written, for messages about quotes.
        self.source_file = ""


class _Run:
    """One catalogue being loaded: its files, what was found and the ids seen so far."""

    __slots__ = (
        "files",
        "flawed",
        "found",
        "identities",
        "ids",
        "issues",
        "paths",
        "read_sources",
        "sources",
    )

    def __init__(
        self,
        paths: Sequence[Path],
        read_sources: bool = True,
        identities: dict[str, Identity | None] | None = None,
    ) -> None:
        self.paths = paths
        #: False: source texts are neither read nor required, and quotes go unchecked.
        self.read_sources = read_sources
        #: Where to note each source text's identity before it is read (see load_files).
        self.identities = identities
        self.files: list[_File] = []
        self.found: list[Problem] = []
        self.issues: list[_Issue] = []
        #: Per kind ("directive", "statistic", "meeting"), where each id was first seen.
        self.ids: dict[str, dict[str, tuple[int, YamlPath]]] = {}
        self.sources: dict[Path, str | _Unreadable] = {}
        #: Positions YAML parsing already complained about (a refused tag, say).
        self.flawed: set[tuple[str, int, int]] = set()

    def document(self, index: int) -> Document | None:
        """Check one file and build its Document (None once anything is wrong)."""
        from directives_cli import yamlsafe

        path = self.paths[index]
        file = _File(path)
        self.files.append(file)
        try:
            file.data = _read(path)
        except (OSError, _Unreadable) as error:
            reason = os_reason(error) if isinstance(error, OSError) else str(error)
            self.found.append(file_problem(path, reason))
            return None
        parsed = yamlsafe.parse(file.data)
        self.found.extend(Problem(file.name, f.line, f.column, f.message) for f in parsed.flaws)
        self.flawed.update((file.name, f.line, f.column) for f in parsed.flaws)
        if not parsed.complete:
            return None
        source_text = _Checker(self, index).document(parsed.value)
        if self.found or self.issues:
            return None  # no catalogue will be returned: skip building
        # A clean file is only read again to place a later file's duplicate id: its
        # bytes need not stay in memory for that rare message.
        file.data = b""
        return _build_document(file.name, parsed.value, source_text)

    def register(self, kind: str, ident: str, file: int, path: YamlPath) -> None:
        """Note an id; a second sighting anywhere in the catalogue is a problem."""
        seen = self.ids.setdefault(kind, {})
        if ident in seen:
            message = f"duplicate {kind} id '{ident}'"
            self.issues.append(_Issue(file, path, message, also=seen[ident]))
        else:
            seen[ident] = (file, path)

    def source(self, path: Path) -> str | _Unreadable:
        """A source text, read once per run however many meetings cite it."""
        if path not in self.sources:
            if self.identities is not None:
                try:
                    self.identities[str(path)] = file_identity(path)
                except OSError:
                    self.identities[str(path)] = None
            try:
                self.sources[path] = _read(path).decode("utf-8-sig")
            except UnicodeDecodeError:
                self.sources[path] = _Unreadable("not UTF-8 text")
            except OSError as error:
                self.sources[path] = _Unreadable(os_reason(error))
            except _Unreadable as error:
                self.sources[path] = error
        return self.sources[path]

    def problems(self) -> list[Problem]:
        """Every problem, the issues now given their positions."""
        from directives_cli import yamlsafe

        wanted: dict[int, list[tuple[YamlPath, bool]]] = {}
        for issue in self.issues:
            wanted.setdefault(issue.file, []).append((issue.path, issue.at_key))
            if issue.also is not None:
                wanted.setdefault(issue.also[0], []).append((issue.also[1], False))
        where: dict[tuple[int, YamlPath, bool], tuple[int, int]] = {}
        for index, requests in wanted.items():
            found = yamlsafe.locate(self._data(index), requests)
            for (path, at_key), position in zip(requests, found, strict=True):
                where[(index, path, at_key)] = position
        located = (self._problem(issue, where) for issue in self.issues)
        # A value whose YAML was refused is not also reported as the wrong type.
        return self.found + [p for p in located if (p.file, p.line, p.column) not in self.flawed]

    def _data(self, index: int) -> bytes:
        """A file's bytes, read again if they were let go (see `document`)."""
        file = self.files[index]
        if not file.data:
            try:
                file.data = _read(file.path)
            except (OSError, _Unreadable):
                return b""  # gone since: positions fall back to 1:1
        return file.data

    def _problem(
        self, issue: _Issue, where: dict[tuple[int, YamlPath, bool], tuple[int, int]]
    ) -> Problem:
        """An issue as a Problem, naming the other place when there is one."""
        line, column = where[(issue.file, issue.path, issue.at_key)]
        message = issue.message
        if issue.also is not None:
            also_line, also_column = where[(issue.also[0], issue.also[1], False)]
            if issue.also[0] == issue.file:
                message += f" (also at line {also_line})"
            else:
                other = self.files[issue.also[0]].name
                message += f" (also at {other}:{also_line}:{also_column})"
        return Problem(self.files[issue.file].name, line, column, message)


# --- checking one document ----------------------------------------------------------


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """The id and date patterns, compiled once and only when a file is checked."""
    import re

    from directives_cli import schema

    return {
        "slug": re.compile(schema.SLUG_PATTERN),
        "id": re.compile(schema.ID_PATTERN),
        "date": re.compile(schema.DATE_PATTERN),
    }


@cache
def _fields(kind: str) -> tuple[dict[str, Field], frozenset[str], frozenset[str]]:
    """One mapping kind's fields by name, the names it requires, the names holding text."""
    from directives_cli import schema

    fields = schema.OBJECTS[kind]
    return (
        {f.name: f for f in fields},
        frozenset(f.name for f in fields if f.required),
        frozenset(f.name for f in fields if f.kind == "text"),
    )


_PATTERN_HINTS = {
    "slug": "an id of lower-case letters, digits and single hyphens, like risk-control",
    "id": "an id of ASCII letters, digits, '.', '_' and '-', like RC-1",
    "date": "a real date written YYYY-MM-DD",
}


class _Checker:
    """Checks one document's plain data; records issues on the run.

    Structure first (fields, types, patterns, from schema.OBJECTS), then the rules
    that relate values. Each rule only looks at values that passed the structural
    check, so one mistake is reported once, not again by every rule that uses it.
    """

    def __init__(self, run: _Run, file: int) -> None:
        self.run = run
        self.file = file
        self.patterns = _patterns()

    def issue(self, path: YamlPath, message: str, *, at_key: bool = False) -> None:
        """Record a problem at a path of this document."""
        self.run.issues.append(_Issue(self.file, path, message, at_key))

    def document(self, value: object) -> str | None:
        """Check a whole document; return its source text when it has one that was read."""
        if value.__class__ is not dict:
            self.issue((), f"the top level must be a mapping of {_TOP_FIELDS}, not {_kind(value)}")
            return None
        assert isinstance(value, dict)
        self.mapping(value, (), "catalogue")
        meeting = value.get("meeting")
        source_text = None
        if isinstance(meeting, dict):
            self.dates(meeting)
            self.identify("meeting", meeting, ("meeting",))
            source_text = self.source_text(meeting)
        categories = self.categories(value.get("categories"))
        finder = quotes.QuoteFinder(quotes.fold(source_text)) if source_text is not None else None
        for key in ("directives", "statistics"):
            items = value.get(key)
            if isinstance(items, list):
                self.items(key, items, categories, finder)
        return source_text

    # structure

    def mapping(self, value: object, path: YamlPath, kind: str) -> bool:
        """A mapping of one kind: known fields only, required ones present, each valid."""
        if value.__class__ is not dict:
            self.issue(path, f"{_label(path)}: expected a mapping, found {_kind(value)}")
            return False
        assert isinstance(value, dict)
        fields, required, texts = _fields(kind)
        ok = True
        for key, item in value.items():
            if key in texts and item.__class__ is str and item and not item.isspace():
                continue  # the common case, checked inline: most fields are text
            spec = fields.get(key)
            if spec is None:
                self.issue(path + (key,), _unknown_field(key, path, fields), at_key=True)
                ok = False
            elif not self.value(item, path + (key,), spec):
                ok = False
        if not required <= value.keys():
            # Point at the key the mapping sits under ("meeting:"), else at its start.
            under_key = bool(path) and isinstance(path[-1], str)
            # A field reported as a typo ("speker ... did you mean 'speaker'?") is not
            # reported again as missing: one mistake, one message.
            meant = _meant_fields(value.keys() - fields.keys(), fields)
            for name in sorted(required - value.keys() - meant, key=list(fields).index):
                message = f"{_label(path)}: missing required field '{name}'"
                self.issue(path, message, at_key=under_key)
            ok = False
        return ok

    def value(self, value: object, path: YamlPath, spec: Field) -> bool:
        """One field's value, by its kind."""
        kind = spec.kind
        if kind == "text":
            return self.text(value, path)
        if kind in _PATTERN_HINTS:
            return self.pattern(value, path, kind)
        if kind == "act":
            return self.act(value, path)
        if kind == "texts":
            return self.texts(value, path)
        if kind == "object":
            return self.mapping(value, path, spec.of)
        if kind == "objects":
            return self.objects(value, path, spec.of)
        return self.version(value, path)

    def text(self, value: object, path: YamlPath) -> bool:
        """Text: a string with something in it besides whitespace."""
        if value.__class__ is str and value and not value.isspace():
            return True
        found = "an empty string" if isinstance(value, str) else _kind(value)
        self.issue(path, f"{_label(path)}: expected text, found {found}")
        return False

    def pattern(self, value: object, path: YamlPath, kind: str) -> bool:
        """An id or a date: text that matches the kind's pattern."""
        if value.__class__ is str and self.patterns[kind].fullmatch(value):
            return True
        found = quoted(value) if isinstance(value, str) else _kind(value)
        self.issue(path, f"{_label(path)}: expected {_PATTERN_HINTS[kind]}, found {found}")
        return False

    def act(self, value: object, path: YamlPath) -> bool:
        """A speech act: one of the four the contract names."""
        if value in ACTS:
            return True
        shown = f"{quoted(value)} is not" if isinstance(value, str) else f"{_kind(value)} is not"
        self.issue(path, f"{_label(path)}: {shown} one of {', '.join(ACTS)}")
        return False

    def texts(self, value: object, path: YamlPath) -> bool:
        """A list of text."""
        if value.__class__ is list and all(
            item.__class__ is str and item and not item.isspace() for item in value
        ):
            return True
        if value.__class__ is not list:
            self.issue(path, f"{_label(path)}: expected a list of text, found {_kind(value)}")
            return False
        assert isinstance(value, list)
        results = [self.text(item, path + (i,)) for i, item in enumerate(value)]
        return all(results)

    def objects(self, value: object, path: YamlPath, kind: str) -> bool:
        """A list of mappings of one kind."""
        if value.__class__ is not list:
            found = _kind(value)
            self.issue(path, f"{_label(path)}: expected a list of {kind} mappings, found {found}")
            return False
        assert isinstance(value, list)
        results = [self.mapping(item, path + (i,), kind) for i, item in enumerate(value)]
        return all(results)

    def version(self, value: object, path: YamlPath) -> bool:
        """The format version: only schema 1 exists."""
        from directives_cli.schema import SCHEMA_VERSION

        if value == SCHEMA_VERSION:
            return True
        found = quoted(value) if isinstance(value, str) else _kind(value)
        self.issue(path, f"schema: this version reads schema {SCHEMA_VERSION}, found {found}")
        return False

    # relations

    def dates(self, meeting: dict[str, Any]) -> None:
        """A meeting cannot end before it starts (ISO dates compare as strings)."""
        start, end = meeting.get("start"), meeting.get("end")
        pattern = self.patterns["date"]
        if not (isinstance(start, str) and isinstance(end, str)):
            return
        if pattern.fullmatch(start) and pattern.fullmatch(end) and end < start:
            self.issue(("meeting", "end"), f"meeting.end {end} is before meeting.start {start}")

    def identify(self, kind: str, item: dict[str, Any], path: YamlPath) -> None:
        """Register a well-formed id for the catalogue-wide uniqueness check."""
        ident = item.get("id")
        pattern = self.patterns["slug" if kind == "meeting" else "id"]
        if isinstance(ident, str) and pattern.fullmatch(ident):
            self.run.register(kind, ident, self.file, path + ("id",))

    def categories(self, value: object) -> list[str] | None:
        """The file's category ids (duplicates reported); None when the list is unusable."""
        if not isinstance(value, list):
            return None
        first: dict[str, YamlPath] = {}
        for index, item in enumerate(value):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str) or not self.patterns["slug"].fullmatch(ident):
                continue
            path: YamlPath = ("categories", index, "id")
            if ident in first:
                also = (self.file, first[ident])
                self.run.issues.append(
                    _Issue(self.file, path, f"duplicate category id '{ident}'", also=also)
                )
            else:
                first[ident] = path
        return list(first)

    def items(
        self,
        key: str,
        items: list[Any],
        categories: list[str] | None,
        finder: quotes.QuoteFinder | None,
    ) -> None:
        """Directives or statistics: unique ids, known categories, quotes in the source."""
        kind = key[:-1] if key == "directives" else "statistic"
        known = frozenset(categories) if categories is not None else None
        slug = self.patterns["slug"]
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            path: YamlPath = (key, index)
            self.identify(kind, item, path)
            category = item.get("category")
            if (
                known is not None
                and isinstance(category, str)
                and slug.fullmatch(category)
                and category not in known
            ):
                self.unknown_category(path, category, categories or [])
            quote = item.get("quote")
            if (
                finder is not None
                and isinstance(quote, str)
                and quote.strip()
                and quotes.fold(quote) not in finder
            ):
                self.quote_not_found(path, quote)

    def unknown_category(self, path: YamlPath, category: str, categories: list[str]) -> None:
        """A directive's category must be one of its own file's categories."""
        listed = ", ".join(map(shown, categories)) if categories else "none"
        self.issue(
            path + ("category",),
            f"{_label(path + ('category',))} {quoted(category)} is not a category of this file"
            f" (categories: {listed})",
        )

    def quote_not_found(self, path: YamlPath, quote: str) -> None:
        """A quote must be the source's own words: say which one is not."""
        shown = escape_field(" ".join(quote.split()))
        if len(shown) > _QUOTE_SHOWN:
            shown = shown[: _QUOTE_SHOWN - 3] + "..."
        source_file = self.run.files[self.file].source_file
        self.issue(
            path + ("quote",),
            f'{_label(path + ("quote",))} not found in source {source_file}: "{shown}"',
        )

    def source_text(self, meeting: dict[str, Any]) -> str | None:
        """The text named by meeting.source.file, relative to this file; None if unusable."""
        source = meeting.get("source")
        written = source.get("file") if isinstance(source, dict) else None
        if not isinstance(written, str) or not written.strip():
            return None
        here = self.run.files[self.file]
        if contained(here.path.parent, written) is None:
            # Checked even when sources are not read (diff): it is a rule of the format.
            self.issue(("meeting", "source", "file"), _outside(written, here.path))
            return None
        if not self.run.read_sources:
            return None
        here.source_file = escape_field(written)
        text = self.run.source(here.path.parent / written)
        if isinstance(text, _Unreadable):
            self.issue(
                ("meeting", "source", "file"),
                f"meeting.source.file: cannot read {escape_field(written)}: {text}",
            )
            return None
        return text


_TOP_FIELDS = "schema, meeting, categories, directives"


def _outside(written: str, catalogue: Path) -> str:
    """Why a source.file outside the catalogue's folder is refused, and what to do."""
    folder = escape_field(os.path.realpath(catalogue.parent))
    return (
        f"meeting.source.file: {escape_field(written)} is outside the catalogue's folder"
        f" {folder} (symlinks resolved); a source text must be inside the folder of the"
        " catalogue file that names it: copy it there (e.g. into sources/) and name it"
        " relative to the catalogue"
    )


def _label(path: YamlPath, top: str = "the top level") -> str:
    """A path as users write it: directives[3].act."""
    if not path:
        return top
    label = ""
    for step in path:
        label += f"[{step}]" if isinstance(step, int) else (f".{step}" if label else step)
    return label


def _kind(value: object) -> str:
    """What a wrong value is, in words."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the text {quoted(value)}"


def _meant_fields(unknown: Iterable[str], fields: dict[str, Field]) -> set[str]:
    """The known fields that these unknown keys look like typos of."""
    import difflib

    return {m for key in unknown for m in difflib.get_close_matches(key, list(fields), 1, 0.6)}


def _unknown_field(key: str, path: YamlPath, fields: dict[str, Field]) -> str:
    """An unknown field is usually a typo: suggest the field that was meant."""
    import difflib

    where = f"in {_label(path)}" if path else "at the top level"
    message = f"unknown field {quoted(key)} {where}"
    close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    return message


# --- building the model -------------------------------------------------------------


def _build_document(name: str, value: Any, source_text: str | None) -> Document:
    """The Document of a file that passed every check (so every access is safe)."""
    meeting = _build_meeting(value["meeting"], source_text)
    mid = meeting.id
    categories = tuple(
        Category(c["id"], c["title"], c["description"], mid, c.get("note"))
        for c in value["categories"]
    )
    directives = tuple(
        Directive(
            d["id"],
            mid,
            d["category"],
            d["title"],
            d["text"],
            d["speaker"],
            d["act"],
            d["quote"],
            tuple(d.get("addressees", ())),
            tuple(d.get("tags", ())),
            d.get("note"),
        )
        for d in value["directives"]
    )
    statistics = tuple(
        Statistic(s["id"], mid, s["subject"], s["period"], s["change"], s["quote"], s.get("note"))
        for s in value.get("statistics", ())
    )
    return Document(name, meeting, categories, directives, statistics)


def _build_meeting(m: dict[str, Any], source_text: str | None) -> Meeting:
    """The Meeting, its optional parts defaulted."""
    source = m.get("source")
    return Meeting(
        id=m["id"],
        title=m["title"],
        start=m["start"],
        location=m["location"],
        published_title=m.get("published_title"),
        end=m.get("end"),
        organiser=m.get("organiser"),
        speakers=tuple(Speaker(s["name"], s.get("role")) for s in m.get("speakers", ())),
        guided_by=tuple(m.get("guided_by", ())),
        implemented=tuple(m.get("implemented", ())),
        attendees=tuple(m.get("attendees", ())),
        source=Source(source["title"], source["file"], source_text) if source else None,
        note=m.get("note"),
    )
