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
from collections.abc import Iterator, Sequence
from pathlib import Path

from directives_cli.errors import NotFoundError, Problem, UsageError
from directives_cli.exits import ExitStatus
from directives_cli.model import Category, Filters, Hit
from directives_cli.outcome import Output, Settings
from directives_cli.plain import TYPE_CHECKING
from directives_cli.render import (
    FIGURE_FIELDS,
    FIGURE_OPTIONAL_FIELDS,
    LIST_FIELDS,
    SEARCH_RESULT_FIELDS,
    SHOW_ALL_FIELDS,
    SUMMARY_BY,
    Format,
)
from directives_cli.render.formats import Listing, renderer_for
from directives_cli.safetext import quoted

if TYPE_CHECKING:
    from directives_cli.database import Index
    from directives_cli.render.records import ContextOf
    from directives_cli.search import SearchQuery

#: Re-exported: callers that take a command's result know it as `commands.Output`.
__all__ = ["Output", "Settings"]


def open_index(settings: Settings) -> Index:
    """Resolve the catalogue path and open its index (cached unless --no-cache)."""
    from directives_cli import paths, store

    path = paths.resolve_catalogue(settings.catalog, os.environ)
    return store.open_index(path, use_cache=not settings.no_cache)


def make_filters(
    category: Sequence[str] | None = None,
    act: Sequence[str] | None = None,
    speaker: Sequence[str] | None = None,
    tag: Sequence[str] | None = None,
    meeting: Sequence[str] | None = None,
) -> Filters:
    """The filters as both parsers read them: repeated options, absent ones None. Each
    value may also be a comma list (`-c reform,capacity`), as `--fields` is."""
    return Filters(
        categories=_split(category),
        acts=_split(act),
        speakers=_split(speaker),
        tags=_split(tag),
        meetings=_split(meeting),
    )


def _split(values: Sequence[str] | None) -> tuple[str, ...]:
    """Every value of a repeated option, comma lists opened, blanks dropped, first
    occurrence kept: `--act stressed,demanded --act stressed` is two acts."""
    items = (item.strip() for value in values or () for item in value.split(","))
    return tuple(dict.fromkeys(item for item in items if item))


def parse_fields(value: str | None, fmt: Format, *, search: bool = False) -> tuple[str, ...]:
    """The --fields comma list of `list` or `search`, checked against the fields that
    exist (`context` among them, on request only)."""
    if not value:
        return renderer_for(fmt).default_fields(search=search)
    return checked_fields(value, LIST_FIELDS if not search else SEARCH_RESULT_FIELDS)


def checked_fields(value: str, valid: Sequence[str]) -> tuple[str, ...]:
    """A --fields comma list, each name one of ``valid``: a usage error names the first
    unknown one and lists the valid ones."""
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in valid]
    if unknown or not names:
        named = unknown[0] if unknown else value
        raise UsageError(f"unknown field {quoted(named)} (valid: {', '.join(valid)})")
    return names


def list_directives(
    settings: Settings,
    filters: Filters,
    fmt: Format,
    *,
    sort: str,
    limit: int | None = None,
    fields: str | None = None,
) -> Output:
    """`directives list`: every directive that passes the filters, in the chosen order."""
    from directives_cli import query

    chosen = parse_fields(fields, fmt)
    index = open_index(settings)
    query.check_filters(index, filters)
    notes = tuple(query.unmatched_values(index, filters))
    found = Listing(
        lambda: query.iter_directives(index, filters, sort=sort, limit=limit),
        lambda: query.iter_ids(index, filters, sort=sort, limit=limit),
    )
    output = renderer_for(fmt).listing(found, chosen, _context(index, chosen))
    return output._replace(notes=notes)


def _context(index: Index, fields: Sequence[str]) -> ContextOf | None:
    """The source-sentence lookup, when the fields shown include `context`."""
    from directives_cli import query

    return query.context_finder(index) if "context" in fields else None


def search_directives(
    settings: Settings,
    terms: Sequence[str],
    filters: Filters,
    fmt: Format,
    *,
    any_term: bool = False,
    within: str | None = None,
    regex: bool = False,
    timeout: float | None = None,
    limit: int | None = None,
    fields: str | None = None,
) -> Output:
    """`directives search`: best matches first; NotFoundError with suggestions if none.

    ``limit=0`` shows no hit (like `head -n 0`) but still answers "does anything
    match?" with the exit status, so a script can test for matches cheaply.
    """
    from directives_cli import query, search

    chosen = parse_fields(fields, fmt, search=True)
    renderer = renderer_for(fmt)
    spec = search.SearchQuery(
        terms=tuple(terms),
        filters=filters,
        any_term=any_term,
        fields=tuple(f.strip() for f in (within or "").split(",") if f.strip()),
        regex=regex,
        seconds=search.SEARCH_SECONDS if timeout is None else timeout,
        limit=1 if limit == 0 else limit,
        with_terms=renderer.highlights,
    )
    search.check_query(spec)
    index = open_index(settings)
    query.check_filters(index, filters)
    hits = _hits_or_not_found(search.iter_search(index, spec), index, spec)
    return renderer.directives(iter(()) if limit == 0 else hits, chosen, _context(index, chosen))


def _hits_or_not_found(hits: Iterator[Hit], index: Index, spec: SearchQuery) -> Iterator[Hit]:
    """``hits`` unchanged, once its first hit is in hand: a search that finds nothing
    must fail (exit 1) before anything reaches stdout, which a lazy stream cannot undo.
    """

    first = next(hits, None)
    if first is None:
        raise NotFoundError(_nothing_found(index, spec))
    return itertools.chain((first,), hits)


def show_directives(
    settings: Settings, ids: Sequence[str], fmt: Format, *, fields: str | None = None
) -> Output:
    """`directives show`: each directive in full, with its quote's source sentence;
    only the ``fields`` named, when some are."""
    from directives_cli import query

    chosen = checked_fields(fields, SHOW_ALL_FIELDS) if fields else ()
    index = open_index(settings)
    items = query.get_directives(index, ids)
    shown = [(d, query.source_context(index, d)) for d in items]
    return renderer_for(fmt).details(shown, lambda: _category_titles(index), chosen)


def summarise(settings: Settings, filters: Filters, fmt: Format, *, by: str | None) -> Output:
    """`directives summary`: how many directives (after the `list` filters) fall in each
    group of the ``by`` fields (a comma list, default category)."""
    from directives_cli import query

    fields = query.check_groups((by or SUMMARY_BY[0]).split(","), SUMMARY_BY)
    index = open_index(settings)
    query.check_filters(index, filters)
    notes = tuple(query.unmatched_values(index, filters))
    groups, columns = query.summary_counts(index, filters, fields)
    total = query.count_directives(index, filters)
    output = renderer_for(fmt).summary(fields, groups, total, columns)
    return output._replace(notes=notes)


def list_figures(
    settings: Settings, meetings: Sequence[str], fmt: Format, *, fields: str | None = None
) -> Output:
    """`directives figures`: the statistics the meetings reported, as records."""
    from directives_cli import query

    chosen = (
        checked_fields(fields, (*FIGURE_FIELDS, *FIGURE_OPTIONAL_FIELDS))
        if fields
        else FIGURE_FIELDS
    )
    index = open_index(settings)
    query.check_filters(index, Filters(meetings=tuple(meetings)))
    return renderer_for(fmt).figures(query.figures(index, meetings), chosen)


def category_counts(settings: Settings, meetings: Sequence[str], fmt: Format) -> Output:
    """`directives categories`: each category with its description and count."""
    from directives_cli import query

    index = open_index(settings)
    filters = Filters(meetings=tuple(meetings))
    query.check_filters(index, filters)
    return renderer_for(fmt).categories(query.category_counts(index, filters))


def describe_meetings(settings: Settings, meetings: Sequence[str], fmt: Format) -> Output:
    """`directives meeting`: metadata, speakers, attendees and reported figures."""
    from directives_cli import query

    index = open_index(settings)
    query.check_filters(index, Filters(meetings=tuple(meetings)))
    wanted = {m.casefold() for m in meetings}
    docs = [d for d in query.documents(index) if not wanted or d.meeting.id.casefold() in wanted]
    return renderer_for(fmt).meetings(docs)


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
    with open_index(settings) as index:
        query.check_filters(index, filters)
        notes = tuple(query.unmatched_values(index, filters))
        counts = export.export_sqlite(index, filters, sqlite, metadata=metadata, force=force)
    return Output(notes=(*notes, export.summary(counts, sqlite, metadata)))


def validate_catalogues(settings: Settings, paths: Sequence[str]) -> Output:
    """`directives validate`: every problem of every catalogue named (or the one in use),
    one line each on stdout; the status says whether there were any. A path that cannot
    be reached at all is named as typed ("meetings/"), without a line and column: there
    is no file to point into."""
    from directives_cli import loader
    from directives_cli.paths import os_reason, resolve_catalogue

    targets: list[Path] = []
    problems: list[Problem] = []
    for typed in paths:
        try:
            os.stat(typed)
        except OSError as error:
            problems.append(Problem(typed, 0, 0, os_reason(error)))
        else:
            targets.append(Path(typed))
    if not paths:
        targets.append(resolve_catalogue(settings.catalog, os.environ))
    problems = sorted(problems) + loader.check(targets) if targets else problems
    if not problems:
        return Output(summary="ok")
    noun = "problem" if len(problems) == 1 else "problems"
    return Output(
        text="".join(f"{problem}\n" for problem in problems),
        summary=f"{len(problems)} {noun} found",
        status=ExitStatus.CATALOGUE,
    )


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
    from directives_cli.draft import files
    from directives_cli.draft.compose import DraftRequest, draft_report

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
    status = ExitStatus.DIFFERENT if diff.differ(changes) else ExitStatus.OK
    output = renderer_for(fmt).changes(changes, match == "text")
    return output._replace(notes=notes, status=status)


def _nothing_found(index: Index, spec: SearchQuery) -> str:
    """Why nothing matched, as far as the catalogue can tell: the filters hid matches,
    some of the words match (`--any` shows those directives), a word looks misspelt, or a
    word appears only in the figures or the meeting record (which search does not cover). Regular
    expressions get no hints: their fragments would be "corrected" into words the user
    never meant."""
    from directives_cli import search

    message = f"no directive matches {' '.join(quoted(t) for t in spec.terms)}"
    if spec.regex:
        return message
    hints = []
    if spec.filters != Filters():
        unfiltered = spec._replace(filters=Filters(), limit=1, with_terms=False)
        if next(search.iter_search(index, unfiltered), None) is not None:
            hints.append("some match without the filters")
    some = search.count_some(index, spec)
    if some:
        counted = "1 directive matches" if some == 1 else f"{some} directives match"
        hints.append(f"{counted} some of the words: --any shows them")
    suggestions = search.suggest(index, spec.terms)
    if suggestions:
        hints.append(f"did you mean: {', '.join(suggestions)}?")
    elsewhere = search.outside_where(index, [*spec.terms, *suggestions])
    for where, pointer in (("figures", "the figures"), ("meeting", "the meeting record")):
        words = ", ".join(repr(w) for w, place in elsewhere if place == where)
        if words:
            hints.append(f"{words} only in {pointer}: see 'directives {where}'")
    return f"{message} ({'; '.join(hints)})" if hints else message


def _category_titles(index: Index) -> dict[tuple[str, str], str]:
    """Each category's title by (meeting, id), for views that name categories."""
    from directives_cli import query

    categories: list[Category] = [c for doc in query.documents(index) for c in doc.categories]
    return {(c.meeting, c.id): c.title for c in categories}
