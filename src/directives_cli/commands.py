"""What each command does, given arguments already parsed: open the catalogue's index,
query it, and hand the result to a renderer.

The Typer wiring (`cli.py`) and the fast path of shell loops (`fastpath.py`) both call
these functions, so a command behaves the same whichever parser read its arguments.
Nothing here prints or exits: each command returns an `Output` for the caller to write,
and problems are raised as `DirectivesError`s.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from directives_cli.errors import NotFoundError, UsageError
from directives_cli.model import (
    DIRECTIVE_FIELDS,
    Category,
    Directive,
    Filters,
    Hit,
    QuoteContext,
)
from directives_cli.render import Format, default_fields

if TYPE_CHECKING:
    from directives_cli.database import Index
    from directives_cli.errors import Problem
    from directives_cli.search import SearchQuery

COLORS: tuple[str, ...] = ("auto", "always", "never")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where to read the catalogue and how to draw on a terminal."""

    catalog: str | None = None
    no_cache: bool = False
    color: str = "auto"

    def merged(self, catalog: str | None, no_cache: bool, color: str | None) -> Settings:
        """These (global) settings overridden by a command's own copies of the options,
        so `--catalog` works before or after the command name."""
        return Settings(
            catalog=catalog or self.catalog,
            no_cache=no_cache or self.no_cache,
            color=color or self.color,
        )

    def open_index(self) -> Index:
        """Resolve the catalogue path and open its index (cached unless --no-cache)."""
        from directives_cli import paths, store

        path = paths.resolve_catalogue(self.catalog, os.environ)
        return store.open_index(path, use_cache=not self.no_cache)


@dataclass(frozen=True, slots=True)
class Output:
    """A command's result: text for stdout, then text made while it is written, then
    Rich renderables to draw.

    ``chunks`` is lazy: `list` and `search` in machine formats read the index and render
    as the writer consumes it, so 100,000 records are never all in memory. Consuming it
    may still raise a DirectivesError after some chunks were written (see `emit`).
    """

    text: str = ""
    chunks: Iterable[str] = ()
    renderables: tuple[object, ...] = ()
    #: Remarks for stderr (never stdout, which is data): e.g. a speaker nobody is.
    notes: tuple[str, ...] = ()
    #: CSV and YAML must reach stdout exactly: written as UTF-8 even where stdout's own
    #: encoding (PYTHONIOENCODING=ascii, a C locale) could not hold the text.
    exact: bool = False
    #: The exit status once written: not 0 only where the answer is the status, as
    #: `diff`'s 1 for "they differ".
    exit_code: int = 0


#: Formats whose bytes are data to parse, with no escape syntax of their own to fall
#: back on (JSON has `\uXXXX`, plain and markdown are read by people).
_EXACT_FORMATS = frozenset({Format.CSV, Format.YAML})


def _text_output(fmt: Format, text: str = "", chunks: Iterable[str] = ()) -> Output:
    """Machine-format output, marked exact where the format needs it."""
    return Output(text=text, chunks=chunks, exact=fmt in _EXACT_FORMATS)


#: Directives turned into records at a time while streaming: one query page.
_RECORD_BATCH = 500


def make_filters(
    category: Sequence[str] | None = None,
    act: Sequence[str] | None = None,
    speaker: Sequence[str] | None = None,
    tag: Sequence[str] | None = None,
    meeting: Sequence[str] | None = None,
) -> Filters:
    """The filters as both parsers read them: repeated options, absent ones None."""
    return Filters(
        categories=tuple(category or ()),
        acts=tuple(act or ()),
        speakers=tuple(speaker or ()),
        tags=tuple(tag or ()),
        meetings=tuple(meeting or ()),
    )


def parse_fields(value: str | None, fmt: Format, *, search: bool = False) -> tuple[str, ...]:
    """The --fields comma list, checked against the fields that exist."""
    if not value:
        return default_fields(fmt, search=search)
    valid = (*DIRECTIVE_FIELDS, "score", "matched") if search else DIRECTIVE_FIELDS
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in valid]
    if unknown or not names:
        shown = unknown[0] if unknown else value
        raise UsageError(f"unknown field '{shown}' (valid: {', '.join(valid)})")
    return names


def list_directives(
    settings: Settings,
    filters: Filters,
    fmt: Format,
    *,
    sort: str = "catalogue",
    limit: int | None = None,
    fields: str | None = None,
) -> Output:
    """`directives list`: every directive that passes the filters, in the chosen order."""
    from directives_cli import query

    chosen = parse_fields(fields, fmt)
    index = settings.open_index()
    query.check_filters(index, filters)
    notes = tuple(query.unmatched_values(index, filters))
    if fmt is Format.IDS:  # the id column alone, not whole directives
        ids = query.iter_ids(index, filters, sort=sort, limit=limit)
        return replace(_text_output(fmt, chunks=_id_chunks(ids)), notes=notes)
    items = query.iter_directives(index, filters, sort=sort, limit=limit)
    if fmt is Format.TABLE:
        output = _directives_output(list(items), fmt, chosen)
    else:
        output = _streamed_output(items, fmt, chosen)
    return replace(output, notes=notes)


def search_directives(
    settings: Settings,
    terms: Sequence[str],
    filters: Filters,
    fmt: Format,
    *,
    any_term: bool = False,
    within: str | None = None,
    regex: bool = False,
    limit: int | None = None,
    fields: str | None = None,
) -> Output:
    """`directives search`: best matches first; NotFoundError with suggestions if none.

    ``limit=0`` shows no hit (like `head -n 0`) but still answers "does anything
    match?" with the exit status, so a script can test for matches cheaply.
    """
    from directives_cli import query, search

    chosen = parse_fields(fields, fmt, search=True)
    spec = search.SearchQuery(
        terms=tuple(terms),
        filters=filters,
        any_term=any_term,
        fields=tuple(f.strip() for f in (within or "").split(",") if f.strip()),
        regex=regex,
        limit=1 if limit == 0 else limit,
        with_terms=fmt is Format.TABLE,
    )
    search.check_query(spec)
    index = settings.open_index()
    query.check_filters(index, filters)
    hits = _hits_or_not_found(search.iter_search(index, spec), index, spec)
    if limit == 0:
        hits = iter(())
    if fmt is not Format.TABLE:
        return _streamed_output(hits, fmt, chosen)
    found = list(hits)
    terms_seen = tuple(dict.fromkeys(term for hit in found for term in hit.terms))
    return _directives_output(found, fmt, chosen, terms_seen)


def _hits_or_not_found(hits: Iterator[Hit], index: Index, spec: SearchQuery) -> Iterator[Hit]:
    """``hits`` unchanged, once its first hit is in hand: a search that finds nothing
    must fail (exit 1) before anything reaches stdout, which a lazy stream cannot undo.
    """

    first = next(hits, None)
    if first is None:
        raise NotFoundError(_nothing_found(index, spec))
    return itertools.chain((first,), hits)


def show_directives(settings: Settings, ids: Sequence[str], fmt: Format) -> Output:
    """`directives show`: each directive in full, with its quote's source sentence."""
    from directives_cli import query

    index = settings.open_index()
    items = query.get_directives(index, ids)
    contexts = [query.source_context(index, d) for d in items]
    if fmt is Format.TABLE:
        from directives_cli.render import table

        titles = {(c.meeting, c.id): c.title for c in _categories(index)}
        return Output(
            renderables=tuple(
                table.directive_panel(d, ctx, titles.get((d.meeting, d.category)))
                for d, ctx in zip(items, contexts, strict=True)
            )
        )
    from directives_cli.render.machine import render_pairs

    rows = [_show_record(d, ctx) for d, ctx in zip(items, contexts, strict=True)]
    return _text_output(fmt, render_pairs(rows, fmt))


def category_counts(settings: Settings, meetings: Sequence[str], fmt: Format) -> Output:
    """`directives categories`: each category with its description and count."""
    from directives_cli import query
    from directives_cli.render import records

    index = settings.open_index()
    filters = Filters(meetings=tuple(meetings))
    query.check_filters(index, filters)
    counts = query.category_counts(index, filters)
    if fmt is Format.TABLE:
        from directives_cli.render import table

        return Output(renderables=(table.categories_table(counts),))
    from directives_cli.render.machine import render_records

    keys = ("id",) if fmt is Format.IDS else ("id", "meeting", "title", "description", "count")
    return _text_output(fmt, render_records(records.category_records(counts), fmt, keys))


def describe_meetings(settings: Settings, meetings: Sequence[str], fmt: Format) -> Output:
    """`directives meeting`: metadata, speakers, attendees and reported figures."""
    from directives_cli import query
    from directives_cli.render import records

    index = settings.open_index()
    query.check_filters(index, Filters(meetings=tuple(meetings)))
    wanted = {m.casefold() for m in meetings}
    docs = [d for d in query.documents(index) if not wanted or d.meeting.id.casefold() in wanted]
    if fmt is Format.TABLE:
        from directives_cli.render import table

        return Output(renderables=(table.meeting_view(docs),))
    from directives_cli.render.machine import render_pairs, render_records

    rows = records.meeting_records(docs)
    if fmt in (Format.JSON, Format.YAML):
        # Always a list: how many meetings there are depends on the catalogue, not on the
        # command line, so a script must not see the shape change with it.
        return _text_output(fmt, render_records(rows, fmt, tuple(rows[0]) if rows else ()))
    return _text_output(fmt, render_pairs(rows, fmt))


def export_catalogue(
    settings: Settings,
    filters: Filters,
    sqlite: Path,
    *,
    metadata: Path | None = None,
    force: bool = False,
) -> Output:
    """`directives export`: the directives that pass the filters, with their meetings,
    categories and statistics, as an SQLite file of the user's own (and Datasette
    metadata); stdout stays empty, a note on stderr says what was written."""
    from directives_cli import export, query

    export.check_targets(sqlite, metadata, force=force)
    with settings.open_index() as index:
        query.check_filters(index, filters)
        notes = tuple(query.unmatched_values(index, filters))
        counts = export.export_sqlite(index, filters, sqlite, metadata=metadata, force=force)
    return Output(notes=(*notes, export.summary(counts, sqlite, metadata)))


def validate_catalogues(settings: Settings, paths: Sequence[Path]) -> list[Problem]:
    """`directives validate`: every problem of every catalogue named (or the one in use)."""
    from directives_cli import loader
    from directives_cli.paths import resolve_catalogue

    targets = list(paths) or [resolve_catalogue(settings.catalog, os.environ)]
    return loader.check(targets)


def draft_catalogue(
    report: Path,
    output: Path | None = None,
    *,
    force: bool = False,
    lang: str | None = None,
    start: str | None = None,
    categories: Path | None = None,
) -> Output:
    """`directives draft`: a catalogue drafted from a report, on stdout or in ``output``."""
    from directives_cli.draft import DraftRequest, draft_report, files

    request = DraftRequest(
        text=files.read_report(report),
        source_file=files.source_file(report, output),
        report_name=files.shown(report),
        stem=report.stem,
        lang=lang,
        start=start,
        themes=files.themes(categories) if categories is not None else (),
    )
    text = draft_report(request)
    if output is None:
        return Output(text=text, exact=True)
    files.write_output(output, text, force)
    return Output(notes=(f"wrote {output}",))


def json_schema_text() -> str:
    """`directives schema`: the catalogue format as a JSON Schema document, the same
    bytes as the data/directives.schema.json the bundled catalogue refers to."""
    from directives_cli.schema import schema_text

    return schema_text()


def diff_catalogues(
    settings: Settings,
    old: Path,
    new: Path,
    fmt: Format,
    *,
    match: str = "id",
    threshold: float = 0.5,
    check_quotes: bool = False,
) -> Output:
    """`directives diff`: what changed from OLD to NEW; exit status 1 when anything did."""
    from directives_cli import diff
    from directives_cli.render import diff as view

    if match == "text":
        diff.check_threshold(threshold)
    sides = [
        diff.load_side(path, use_cache=not settings.no_cache, check_quotes=check_quotes)
        for path in (old, new)
    ]
    notes = tuple(s.note for s in sides if s.note)
    if match == "text":
        changes = diff.match_text(sides[0].side, sides[1].side, threshold)
    else:
        changes = diff.compare(sides[0].side, sides[1].side)
    status = 1 if diff.differ(changes) else 0
    by_text = match == "text"
    if fmt is Format.TABLE:
        return Output(
            renderables=(view.diff_view(changes, by_text),), notes=notes, exit_code=status
        )
    text = view.render_text(changes, fmt, by_text)
    return replace(_text_output(fmt, text), notes=notes, exit_code=status)


def _streamed_output(
    items: Iterator[Directive | Hit], fmt: Format, fields: tuple[str, ...]
) -> Output:
    """Records rendered lazily, a page of directives at a time, as the writer asks."""
    from directives_cli.render.machine import iter_records

    return _text_output(fmt, chunks=iter_records(_records(items, fields), fmt, fields))


def _id_chunks(ids: Iterator[str]) -> Iterator[str]:
    """Ids one a line, escaped as the ids renderer escapes them, a page at a time."""
    from directives_cli.render.escape import escape_field

    while batch := list(itertools.islice(ids, _RECORD_BATCH * 8)):
        yield "".join(f"{escape_field(ident)}\n" for ident in batch)


def _records(
    items: Iterator[Directive | Hit], fields: tuple[str, ...]
) -> Iterator[dict[str, object]]:
    from directives_cli.render import records

    while batch := list(itertools.islice(items, _RECORD_BATCH)):
        yield from records.directive_records(batch, fields)


def _directives_output(
    items: Sequence[Directive] | Sequence[Hit],
    fmt: Format,
    fields: tuple[str, ...],
    terms: Sequence[str] = (),
) -> Output:
    from directives_cli.render import records

    if fmt is Format.TABLE:
        from directives_cli.render import table

        return Output(renderables=(table.directives_table(items, fields, terms=terms),))
    from directives_cli.render.machine import render_records

    return _text_output(fmt, render_records(records.directive_records(items, fields), fmt, fields))


def _nothing_found(index: Index, spec: SearchQuery) -> str:
    """Why nothing matched, as far as the catalogue can tell: the filters hid matches,
    a word looks misspelt, or a word appears only in the meeting record (which search
    does not cover). Regular expressions get no hints: their fragments would be
    "corrected" into words the user never meant."""
    from directives_cli import search

    message = f"no directive matches {' '.join(repr(t) for t in spec.terms)}"
    if spec.regex:
        return message
    hints = []
    if spec.filters != Filters():
        unfiltered = replace(spec, filters=Filters(), limit=1, with_terms=False)
        if next(search.iter_search(index, unfiltered), None) is not None:
            hints.append("some match without the filters")
    suggestions = search.suggest(index, spec.terms)
    if suggestions:
        hints.append(f"did you mean: {', '.join(suggestions)}?")
    elsewhere = search.outside_directives(index, [*spec.terms, *suggestions])
    if elsewhere:
        words = ", ".join(repr(w) for w in elsewhere)
        hints.append(f"{words} only in the meeting record: see 'directives meeting'")
    return f"{message} ({'; '.join(hints)})" if hints else message


def _show_record(directive: Directive, context: QuoteContext | None) -> dict[str, object]:
    """A directive's record plus `context`: the source sentence its quote stands in
    (null when the catalogue names no source), so `show`'s keys never vary."""
    record: dict[str, object] = dict(directive.record())
    record["context"] = (
        None if context is None else f"{context.before}{context.quote}{context.after}"
    )
    return record


def _categories(index: Index) -> list[Category]:
    from directives_cli import query

    return [c for doc in query.documents(index) for c in doc.categories]
