"""Terminal views: Rich renderables for `list`/`search`, `show`, `categories`, `meeting`.

Every piece of catalogue text becomes a `rich.text.Text` built from the escaped string
(never a markup string), so `[bold]` in a title prints as written and no control
character reaches the terminal raw. Views return renderables; the CLI prints them on a
console from :mod:`.console`, which keeps these functions free of I/O and easy to test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.constrain import Constrain
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from directives_cli.model import (
    Category,
    Directive,
    Document,
    Hit,
    Meeting,
    QuoteContext,
    Statistic,
)
from directives_cli.render import records
from directives_cli.render.escape import visible
from directives_cli.render.highlight import snippet, terms_pattern
from directives_cli.render.layout import Bar, Field, Pairs, Records

#: How matched words look: still visible without colour (NO_COLOR keeps bold/underline).
MATCH_STYLE = "bold underline yellow"
#: Readable measure for panels; wider terminals leave the rest blank.
PANEL_WIDTH = 100
BAR_WIDTH = 20
SNIPPET_FIELD = "match"
#: How an editor's note is labelled wherever a person reads it: never the source's words.
NOTE_LABEL = "Editor's note"

_FIELD_STYLES = {"id": "bold cyan", "category": "green", "act": "magenta", "score": "dim"}
_FIXED_FIELDS = frozenset({"id", "score"})
#: Runs of whitespace, but for the information separators (\x1c-\x1f), which Python
#: counts as whitespace: they are controls, shown escaped as every other control is.
_WHITESPACE = re.compile(r"[^\S\x1c-\x1f]+")


def text(value: object, *, style: str = "", pattern: re.Pattern[str] | None = None) -> Text:
    """A cell: the value's text made visible, never parsed as markup, folding long words.

    Lists show as "a, b"; None as nothing; numbers with two decimals at most.
    """
    cell = Text(visible(_string(value)), style=style, overflow="fold")
    if pattern is not None:
        cell.highlight_regex(pattern, MATCH_STYLE)
    return cell


def _string(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # a score, already rounded: as plain prints it
        return repr(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


# ---- list / search -----------------------------------------------------------------------


def directives_table(
    items: Sequence[Directive | Hit],
    fields: Sequence[str],
    *,
    terms: Sequence[str] = (),
    context: records.ContextOf | None = None,
) -> RenderableType:
    """Directives (or search hits) as rows showing ``fields``, every id in full.

    For search results matched words are highlighted and a `match` column shows a short
    snippet of the text or quote around the best match, so a reader sees why each result
    came up without opening it.
    """
    hit_terms = (t for item in items if isinstance(item, Hit) for t in item.terms)
    pattern = terms_pattern([*terms, *hit_terms])
    with_snippet = any(isinstance(item, Hit) for item in items)
    columns = [_field(name) for name in fields]
    if with_snippet:
        columns.append(Field(SNIPPET_FIELD))
    rows = [
        _directive_row(item, record, pattern, with_snippet=with_snippet)
        for item, record in zip(
            items, records.directive_records(items, fields, context), strict=True
        )
    ]
    return Records(columns, rows)


def _field(name: str) -> Field:
    return Field(
        name,
        fixed=name in _FIXED_FIELDS,
        style=_FIELD_STYLES.get(name, ""),
        justify="right" if name == "score" else "left",
    )


def _directive_row(
    item: Directive | Hit,
    record: dict[str, object],
    pattern: re.Pattern[str] | None,
    *,
    with_snippet: bool,
) -> list[RenderableType]:
    row: list[RenderableType] = [
        text(value, pattern=None if name in _FIXED_FIELDS else pattern)
        for name, value in record.items()
    ]
    if with_snippet:
        directive = item.directive if isinstance(item, Hit) else item
        row.append(text(snippet([directive.text, directive.quote], pattern), pattern=pattern))
    return row


# ---- show ----------------------------------------------------------------------------------


def directive_panel(
    d: Directive, context: QuoteContext | None, category_title: str | None
) -> RenderableType:
    """One directive to read: heading, facts, full text, and its quote in the source.

    The quote is set in its surrounding sentence (dim) so a reader can judge whether the
    directive says what the conference said.
    """
    parts: list[RenderableType] = [
        text(d.id, style="bold cyan"),
        text(d.title, style="bold"),
        Text(""),
        _facts(d, category_title),
        Text(""),
        _body(d.text),
        Text(""),
        Text("In the source", style="bold"),
        _quote(d.quote, context),
        *_note(d.note),
    ]
    return Constrain(Panel(Group(*parts), padding=(0, 1)), width=PANEL_WIDTH)


def _note(note: str | None) -> list[RenderableType]:
    """An editor's note under its own heading, after the source's words, or nothing."""
    if not note:
        return []
    return [Text(""), Text(NOTE_LABEL, style="bold"), _body(note)]


def _facts(d: Directive, category_title: str | None) -> Pairs:
    category = f"{category_title} ({d.category})" if category_title else d.category
    facts: list[tuple[str, object]] = [
        ("meeting", d.meeting),
        ("category", category),
        ("speaker", d.speaker),
        ("act", d.act),
        ("addressees", list(d.addressees)),
        ("tags", list(d.tags)),
    ]
    return _grid((name, value) for name, value in facts if value)


def _grid(pairs: Iterable[tuple[str, object]]) -> Pairs:
    """`name  value` lines; values that are not yet Text are made visible first."""
    return Pairs([(name, v if isinstance(v, Text) else text(v)) for name, v in pairs])


def _body(value: str) -> Text:
    """Long text keeps its line breaks (harmless); every other control is escaped."""
    body = value.replace("\r\n", "\n").strip("\n")
    return Text(visible(body, keep_newlines=True), overflow="fold")


def _quote(quote: str, context: QuoteContext | None) -> Text:
    """The quote highlighted inside its source sentence, or alone when there is none.

    Guillemets mark where the quote starts and ends, so it stays visible where colour
    and bold are not (--color never, NO_COLOR, TERM=dumb, a log file)."""
    if context is None:
        return Text.assemble('"', _flat(quote, "italic"), '"', overflow="fold")
    return Text.assemble(
        _flat(context.before.lstrip(), "dim"),
        ("«", "yellow"),
        _flat(context.quote, "bold yellow"),
        ("»", "yellow"),
        _flat(context.after.rstrip(), "dim"),
        overflow="fold",
    )


def _flat(value: str, style: str) -> Text:
    """Source text on one flowing line: whitespace runs (line breaks too) as one space."""
    return Text(visible(_WHITESPACE.sub(" ", value)), style=style)


# ---- categories -----------------------------------------------------------------------------


def categories_table(counts: Sequence[tuple[Category, int]]) -> RenderableType:
    """Categories with their descriptions, counts and a bar per count (longest = most)."""
    most = max((count for _, count in counts), default=0)
    several = len({category.meeting for category, _ in counts}) > 1
    columns = [
        *([Field("meeting", style="dim")] if several else []),
        Field("id", fixed=True, style="bold cyan"),
        Field("title"),
        Field("count", fixed=True, justify="right"),
        Field("", fixed=True),
    ]
    rows: list[list[RenderableType]] = [
        [
            *([text(category.meeting)] if several else []),
            text(category.id),
            _titled(category.title, category.description, category.note),
            text(count),
            Bar(count / most if most else 0.0, BAR_WIDTH),
        ]
        for category, count in counts
    ]
    return Records(columns, rows)


def _titled(title: str, description: str, note: str | None = None) -> Text:
    """A title with its description under it, dim, when there is one, and an editor's
    note, labelled as one, under that."""
    cell = text(title)
    if description:
        cell.append("\n").append_text(text(description, style="dim"))
    if note:
        cell.append("\n").append_text(text(f"{NOTE_LABEL}: {note}", style="italic"))
    return cell


# ---- meeting ------------------------------------------------------------------------------


def meeting_view(documents: Sequence[Document]) -> RenderableType:
    """Each meeting: title, dates, place, people, source, and the figures it reported."""
    views: list[RenderableType] = []
    for number, document in enumerate(documents):
        if number:
            views.append(Text(""))
        views.extend(_meeting(document))
    return Constrain(Group(*views), width=PANEL_WIDTH)


def _meeting(document: Document) -> list[RenderableType]:
    meeting = document.meeting
    parts: list[RenderableType] = [text(meeting.title, style="bold")]
    if meeting.published_title:
        parts.append(text(meeting.published_title, style="italic"))
    parts += [Text(""), _meeting_facts(meeting)]
    parts += _note(meeting.note)
    if meeting.attendees:
        parts += [Text(""), Text("Attendees", style="bold"), _bullets(meeting.attendees)]
    if document.statistics:
        parts += [Text(""), Text("Figures reported", style="bold"), _statistics(document)]
    return parts


def _meeting_facts(meeting: Meeting) -> Pairs:
    dates = meeting.start if not meeting.end else f"{meeting.start} to {meeting.end}"
    source = meeting.source
    facts: list[tuple[str, object]] = [
        ("id", text(meeting.id, style="bold cyan")),
        ("dates", dates),
        ("location", meeting.location),
        ("organiser", meeting.organiser),
        ("speakers", _speakers(meeting)),
        ("guided by", list(meeting.guided_by)),
        ("implemented", list(meeting.implemented)),
        ("source", _source(_new_title(meeting, source.title), source.file) if source else None),
    ]
    return _grid((name, value) for name, value in facts if value)


def _speakers(meeting: Meeting) -> Text | None:
    if not meeting.speakers:
        return None
    lines = [f"{s.name}, {s.role}" if s.role else s.name for s in meeting.speakers]
    return Text("\n".join(visible(line) for line in lines), overflow="fold")


def _new_title(meeting: Meeting, title: str | None) -> str | None:
    """The source's title, unless the view already shows it as the meeting's (the
    published title is usually the report's headline): one title, printed once."""
    return None if title in (meeting.title, meeting.published_title) else title


def _source(title: str | None, file: str | None) -> Text | None:
    shown = [part for part in (title, f"({file})" if file and title else file) if part]
    return text(" ".join(shown)) if shown else None


def _bullets(items: Sequence[str]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row("-", text(item))
    return grid


def _statistics(document: Document) -> RenderableType:
    """The figures; an editor's note column only when some figure has a note."""
    noted = any(s.note for s in document.statistics)
    columns = [
        Field("id", fixed=True, style="bold cyan"),
        Field("subject"),
        Field("period"),
        Field("change", justify="right"),
        *([Field(NOTE_LABEL.lower(), style="italic")] if noted else []),
    ]
    rows = [
        [text(s.id), text(s.subject), text(s.period), text(s.change)]
        + ([text(s.note)] if noted else [])
        for s in document.statistics
    ]
    return Records(columns, rows)


# ---- summary -----------------------------------------------------------------------------


def summary_view(
    by: Sequence[str],
    groups: Sequence[tuple[tuple[str | None, ...], int]],
    total: int,
    order: Sequence[str | None] = (),
) -> RenderableType:
    """Counts with their share of the ``total`` directives and a bar (longest = most);
    for two fields, a cross-table: a row per value of the first, a column per value of
    the second, then the row's count, share and bar."""
    rows: list[tuple[str | None, list[int], int]]
    if len(by) == 1:
        rows = [(values[0], [], count) for values, count in groups]
        columns: list[str] = []
    else:
        columns = [value or "" for value in order]
        cells: dict[str, dict[str, int]] = {}
        for (first, second), count in groups:
            cells.setdefault(first or "", {})[second or ""] = count
        rows = [
            (first, [cells[first].get(c, 0) for c in columns], sum(cells[first].values()))
            for first in cells
        ]
    most = max((count for *_, count in rows), default=0)
    fields = [
        Field(by[0], fixed=True, style="bold cyan"),
        *(Field(_group_name(c), fixed=True, justify="right") for c in columns),
        Field("count" if len(by) == 1 else "total", fixed=True, justify="right"),
        Field("share", fixed=True, justify="right"),
        Field("", fixed=True),
    ]
    drawn: list[list[RenderableType]] = [
        [
            text(_group_name(value)),
            *(text(n if n else "") for n in counts),
            text(count),
            text(f"{100 * count / total:.1f}%" if total else ""),
            Bar(count / most if most else 0.0, BAR_WIDTH // 2 if columns else BAR_WIDTH),
        ]
        for value, counts, count in rows
    ]
    return Group(Records(fields, drawn), Text(_summary_caption(by, total), style="dim"))


def _group_name(value: str | None) -> str:
    return value or "(no tag)"


def _summary_caption(by: Sequence[str], total: int) -> str:
    noun = "directive" if total == 1 else "directives"
    caption = f"{total} {noun}; share is of all {total}"
    if "tag" in by:
        caption += "; a directive with several tags counts under each"
    return caption


# ---- figures -----------------------------------------------------------------------------


def figures_table(
    figures: Sequence[tuple[Statistic, QuoteContext | None]], fields: Sequence[str]
) -> RenderableType:
    """The statistics as rows of ``fields``, ids in full."""
    columns = [
        Field(
            name,
            fixed=name == "id",
            style=_FIELD_STYLES.get(name, ""),
            justify="right" if name == "change" else "left",
        )
        for name in fields
    ]
    rows = [
        [text(v) for v in record.values()] for record in records.figure_records(figures, fields)
    ]
    return Records(columns, rows)
