"""One renderer per output format, behind one small interface, chosen exhaustively.

A command asks `renderer_for(fmt)` once and hands it what it found; it never asks which
format it has. A renderer knows the fields it shows by default, whether it streams, and
how it draws each kind of result: directives (`list`, `search`), directives in full
(`show`), categories and meetings. It returns an `Output` for the CLI to write and never
prints. The table view imports Rich only when it draws; the text formats never do.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from directives_cli.model import (
    DIRECTIVE_FIELDS,
    Category,
    Directive,
    Document,
    Hit,
    QuoteContext,
    Statistic,
)
from directives_cli.outcome import Output
from directives_cli.plain import TYPE_CHECKING, NamedTuple, Protocol, assert_never
from directives_cli.render import (
    CATEGORY_FIELDS,
    DEFAULT_FIELDS,
    RESULT_FIELDS,
    Format,
)

if TYPE_CHECKING:
    from directives_cli.diff import Change
    from directives_cli.render.records import ContextOf

#: Directives turned into records at a time while streaming: one query page.
RECORD_BATCH = 500

#: A directive shown in full, with the source sentence of its quote (None: no source).
Shown = tuple[Directive, QuoteContext | None]
#: Category titles by (meeting, category id), asked for only by views that show them.
CategoryTitles = Callable[[], Mapping[tuple[str, str], str]]
#: One group of `summary`: its value for each `--by` field (None: no tag), and its count.
Group = tuple[tuple[str | None, ...], int]
#: A statistic with the source sentence of its quote (None: no source).
Figure = tuple[Statistic, QuoteContext | None]


class Listing(NamedTuple):
    """What `list` found, to be read one of two ways: whole directives, or their ids
    alone (the id column only, no directive built). Each starts the reading when called;
    a renderer calls the one its view needs."""

    directives: Callable[[], Iterator[Directive]]
    ids: Callable[[], Iterator[str]]


class Renderer(Protocol):
    """What every format can do. Each method returns the whole `Output` of a command."""

    @property
    def streams(self) -> bool:
        """True when records are rendered as the writer asks for them, never all held."""
        ...

    @property
    def highlights(self) -> bool:
        """True when the view marks the words a search matched (the search must say)."""
        ...

    def default_fields(self, *, search: bool) -> tuple[str, ...]:
        """The fields shown when ``--fields`` is not given."""
        ...

    def directives(
        self,
        items: Iterator[Directive | Hit],
        fields: tuple[str, ...],
        context: ContextOf | None = None,
    ) -> Output:
        """`list` and `search`: one record per directive or hit, showing ``fields``
        (``context`` finds the source sentence when ``fields`` names `context`)."""
        ...

    def listing(
        self, found: Listing, fields: tuple[str, ...], context: ContextOf | None = None
    ) -> Output:
        """`list`: as `directives`, reading of ``found`` only what the view needs."""
        ...

    def details(
        self, shown: Sequence[Shown], titles: CategoryTitles, fields: tuple[str, ...] = ()
    ) -> Output:
        """`show`: each directive whole, with the sentence its quote stands in; only
        ``fields`` when some are given."""
        ...

    def summary(
        self,
        by: tuple[str, ...],
        groups: Sequence[Group],
        total: int,
        columns: Sequence[str | None] = (),
    ) -> Output:
        """`summary`: how many of the ``total`` directives fall in each group; for two
        fields, ``columns`` are the second field's values in order."""
        ...

    def figures(self, figures: Sequence[Figure], fields: tuple[str, ...]) -> Output:
        """`figures`: one record per statistic, showing ``fields``."""
        ...

    def categories(self, counts: Sequence[tuple[Category, int]]) -> Output:
        """`categories`: each category with its description and count."""
        ...

    def meetings(self, documents: Sequence[Document]) -> Output:
        """`meeting`: each meeting's record with its speakers and figures."""
        ...

    def changes(self, changes: Sequence[Change], by_text: bool) -> Output:
        """`diff`: each record added, removed or changed (``by_text``: paired by words)."""
        ...


class TableRenderer(NamedTuple):
    """Rich views for a person at a terminal: every record in hand before drawing."""

    streams: bool = False
    highlights: bool = True

    def default_fields(self, *, search: bool) -> tuple[str, ...]:
        """A row's worth: enough to pick a directive (and its score, for a search)."""
        return (*DEFAULT_FIELDS, "score") if search else DEFAULT_FIELDS

    def directives(
        self,
        items: Iterator[Directive | Hit],
        fields: tuple[str, ...],
        context: ContextOf | None = None,
    ) -> Output:
        """One table; a search's matched words highlighted, with a snippet column."""
        from directives_cli.render import table

        return Output(renderables=(table.directives_table(list(items), fields, context=context),))

    def listing(
        self, found: Listing, fields: tuple[str, ...], context: ContextOf | None = None
    ) -> Output:
        """A table needs whole directives."""
        return self.directives(found.directives(), fields, context)

    def details(
        self, shown: Sequence[Shown], titles: CategoryTitles, fields: tuple[str, ...] = ()
    ) -> Output:
        """A panel per directive, its category named by title; with ``fields``, a table
        of those fields instead, as `list` draws it."""
        from directives_cli.render import table

        if fields:
            contexts = {id(d): ctx for d, ctx in shown}
            rows = [d for d, _ in shown]
            view = table.directives_table(rows, fields, context=lambda d: contexts.get(id(d)))
            return Output(renderables=(view,))
        named = titles()
        return Output(
            renderables=tuple(
                table.directive_panel(d, ctx, named.get((d.meeting, d.category)))
                for d, ctx in shown
            )
        )

    def categories(self, counts: Sequence[tuple[Category, int]]) -> Output:
        """Categories with a bar per count."""
        from directives_cli.render import table

        return Output(renderables=(table.categories_table(counts),))

    def meetings(self, documents: Sequence[Document]) -> Output:
        """Each meeting's facts, people and figures."""
        from directives_cli.render import table

        return Output(renderables=(table.meeting_view(documents),))

    def summary(
        self,
        by: tuple[str, ...],
        groups: Sequence[Group],
        total: int,
        columns: Sequence[str | None] = (),
    ) -> Output:
        """Counts with their share of the total and a bar; two fields as a cross-table."""
        from directives_cli.render import table

        return Output(renderables=(table.summary_view(by, groups, total, columns),))

    def figures(self, figures: Sequence[Figure], fields: tuple[str, ...]) -> Output:
        """The statistics as a table of ``fields``."""
        from directives_cli.render import table

        return Output(renderables=(table.figures_table(figures, fields),))

    def changes(self, changes: Sequence[Change], by_text: bool) -> Output:
        """A line per record, a word diff per changed field, then a summary."""
        from directives_cli.render import diff

        return Output(renderables=(diff.diff_view(changes, by_text),))


class TextRenderer(NamedTuple):
    """A format written as text by :mod:`.machine`, streamed a page at a time.

    Renderers are NamedTuples rather than dataclasses because this module is imported on
    every call, where a dataclass costs about ten times as much to define."""

    fmt: Format
    #: Default fields of a directive, and of a search hit.
    fields: tuple[str, ...]
    search_fields: tuple[str, ...]
    #: Bytes that must reach stdout exactly, as UTF-8 (see `Output.exact`).
    exact: bool = False
    #: Meetings as a list even when there is one: how many there are depends on the
    #: catalogue, not on the command line, so a script must not see the shape change.
    meetings_as_list: bool = False
    category_fields: tuple[str, ...] = CATEGORY_FIELDS
    streams: bool = True
    highlights: bool = False

    def default_fields(self, *, search: bool) -> tuple[str, ...]:
        """Views for people keep to a row's worth; data formats carry every field, so a
        script gets the whole record without knowing the field names."""
        return self.search_fields if search else self.fields

    def directives(
        self,
        items: Iterator[Directive | Hit],
        fields: tuple[str, ...],
        context: ContextOf | None = None,
    ) -> Output:
        """Records rendered lazily, a page of directives at a time, as the writer asks."""
        from directives_cli.render.machine import iter_records

        records = _records(items, fields, context)
        return self._output(chunks=iter_records(records, self.fmt, fields))

    def listing(
        self, found: Listing, fields: tuple[str, ...], context: ContextOf | None = None
    ) -> Output:
        """`-f ids` writes the ids alone, so `list -f ids`, the usual start of a shell
        loop, reads the id column and never builds a directive."""
        if self.fmt is Format.IDS:
            from directives_cli.render.machine import id_chunks

            return self._output(chunks=id_chunks(found.ids()))
        return self.directives(found.directives(), fields, context)

    def details(
        self, shown: Sequence[Shown], titles: CategoryTitles, fields: tuple[str, ...] = ()
    ) -> Output:
        """Every field of each directive, plus `context` (only ``fields``, if given)."""
        from directives_cli.render.machine import render_pairs
        from directives_cli.render.records import pick, shown_record

        records = [shown_record(d, ctx) for d, ctx in shown]
        if fields:
            records = [pick(record, fields) for record in records]
        return self._output(render_pairs(records, self.fmt))

    def summary(
        self,
        by: tuple[str, ...],
        groups: Sequence[Group],
        total: int,
        columns: Sequence[str | None] = (),
    ) -> Output:
        """Tidy rows, one per group: the `--by` fields' values, then `count`; `ids`
        gives the first field's values, one a line."""
        from directives_cli.render.machine import render_records
        from directives_cli.render.records import summary_records

        rows = summary_records(by, groups)
        if self.fmt is Format.IDS:
            firsts = [{by[0]: value} for value in dict.fromkeys(v[0] for v, _ in groups)]
            return self._output(render_records(firsts, Format.PLAIN, by[:1]))
        return self._output(render_records(rows, self.fmt, (*by, "count")))

    def figures(self, figures: Sequence[Figure], fields: tuple[str, ...]) -> Output:
        """One record per statistic."""
        from directives_cli.render.machine import render_records
        from directives_cli.render.records import figure_records

        return self._output(render_records(figure_records(figures, fields), self.fmt, fields))

    def categories(self, counts: Sequence[tuple[Category, int]]) -> Output:
        """One record per category."""
        from directives_cli.render.machine import render_records
        from directives_cli.render.records import category_records

        rows = category_records(counts)
        return self._output(render_records(rows, self.fmt, self.category_fields))

    def meetings(self, documents: Sequence[Document]) -> Output:
        """One record per meeting, nested values whole."""
        from directives_cli.render.machine import render_pairs, render_records
        from directives_cli.render.records import meeting_records

        rows = meeting_records(documents)
        if self.fmt is Format.MARKDOWN:
            from directives_cli.render.machine import markdown_meetings

            return self._output(markdown_meetings(rows))
        if self.meetings_as_list:
            return self._output(render_records(rows, self.fmt, tuple(rows[0]) if rows else ()))
        return self._output(render_pairs(rows, self.fmt))

    def changes(self, changes: Sequence[Change], by_text: bool) -> Output:
        """Every change as a record of this format."""
        from directives_cli.render import diff

        return self._output(diff.render_text(changes, self.fmt, by_text))

    def _output(self, text: str = "", chunks: Iterable[str] = ()) -> Output:
        return Output(text=text, chunks=chunks, exact=self.exact)


def _records(
    items: Iterator[Directive | Hit], fields: tuple[str, ...], context: ContextOf | None
) -> Iterator[dict[str, object]]:
    from directives_cli.render.records import directive_records

    while batch := list(itertools.islice(items, RECORD_BATCH)):
        yield from directive_records(batch, fields, context)


def default_fields(fmt: Format, *, search: bool = False) -> tuple[str, ...]:
    """The fields ``fmt`` shows when ``--fields`` is not given."""
    return renderer_for(fmt).default_fields(search=search)


def renderer_for(fmt: Format) -> Renderer:
    """The one renderer of ``fmt``."""
    person = ((*DEFAULT_FIELDS,), (*DEFAULT_FIELDS, "score"))
    data = (DIRECTIVE_FIELDS, RESULT_FIELDS)
    match fmt:
        case Format.TABLE:
            return TableRenderer()
        case Format.PLAIN | Format.MARKDOWN:
            return TextRenderer(fmt, *person)
        case Format.CSV:
            return TextRenderer(fmt, *data, exact=True)
        case Format.JSON:
            return TextRenderer(fmt, *data, meetings_as_list=True)
        case Format.JSONL:
            return TextRenderer(fmt, *data)
        case Format.YAML:
            return TextRenderer(fmt, *data, exact=True, meetings_as_list=True)
        case Format.IDS:
            return TextRenderer(fmt, ("id",), ("id",), category_fields=("id",))
        case _:
            assert_never(fmt)
