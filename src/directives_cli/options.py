"""Typer's parameters, built from the declarations in `optspec`, and their completers.

Each alias below pairs an option's Python type (which Typer and mypy read from the
annotation) with a `typer.Option` made from its one declaration. Completion callbacks
live here too: they read the same catalogue the command would, so `directives show <TAB>`
offers the ids of the catalogue named by `--catalog`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from directives_cli import optspec
from directives_cli.model import ACTS
from directives_cli.optspec import Opt
from directives_cli.render import SEARCH_RESULT_FIELDS, SUMMARY_BY, Color, Format
from directives_cli.safetext import shown

if TYPE_CHECKING:
    from directives_cli.database import Index


def _catalog_option(ctx: typer.Context) -> str | None:
    """The --catalog given on the command line so far, on the command or the group."""
    value = ctx.params.get(optspec.CATALOG.dest)
    parent = ctx.parent
    while not value and parent is not None:
        value, parent = parent.params.get(optspec.CATALOG.dest), parent.parent
    return str(value) if value else None


def _index_for_completion(ctx: typer.Context) -> Index | None:
    """Open the catalogue the command line names, or None: completion never fails loudly."""
    from directives_cli import paths, store

    try:
        path = paths.resolve_catalogue(_catalog_option(ctx), os.environ)
        return store.open_index(path)
    except Exception:  # noqa: BLE001 - a completion must never print a traceback
        return None


def _complete(ctx: typer.Context, incomplete: str, kind: str) -> Iterator[str]:
    from directives_cli import query

    index = _index_for_completion(ctx)
    if index is None:
        return
    with index:
        if kind == "ids":
            values = query.known_ids(index, incomplete)
        else:
            values = query.known_values(index).get(kind, [])
    # A catalogue value goes to the shell as any outside text goes to a terminal: escaped.
    yield from (shown(v) for v in values if v.startswith(incomplete))


def complete_ids(ctx: typer.Context, incomplete: str) -> Iterator[str]:
    """Directive ids of the catalogue in use."""
    return _complete(ctx, incomplete, "ids")


def complete_categories(ctx: typer.Context, incomplete: str) -> Iterator[str]:
    """Category ids of the catalogue in use."""
    return _complete(ctx, incomplete, "categories")


def complete_meetings(ctx: typer.Context, incomplete: str) -> Iterator[str]:
    """Meeting ids of the catalogue in use."""
    return _complete(ctx, incomplete, "meetings")


def complete_tags(ctx: typer.Context, incomplete: str) -> Iterator[str]:
    """Tags used in the catalogue in use."""
    return _complete(ctx, incomplete, "tags")


def complete_speakers(ctx: typer.Context, incomplete: str) -> Iterator[str]:
    """Speakers named in the catalogue in use."""
    return _complete(ctx, incomplete, "speakers")


def complete_acts(incomplete: str) -> Iterator[str]:
    """The four speech acts."""
    return (a for a in ACTS if a.startswith(incomplete))


def _complete_comma_list(incomplete: str, choices: Iterable[str]) -> Iterator[str]:
    """Complete the last item of a comma list ("id,ti" -> "id,title")."""
    head, _, last = incomplete.rpartition(",")
    prefix = f"{head}," if head else ""
    return (prefix + choice for choice in choices if choice.startswith(last))


def complete_search_fields(incomplete: str) -> Iterator[str]:
    """The fields --in can narrow a search to."""
    from directives_cli.search import SEARCH_FIELDS_ALLOWED

    return _complete_comma_list(incomplete, SEARCH_FIELDS_ALLOWED)


def complete_fields(incomplete: str) -> Iterator[str]:
    """The fields --fields can print."""
    return _complete_comma_list(incomplete, SEARCH_RESULT_FIELDS)


def complete_summary_by(incomplete: str) -> Iterator[str]:
    """The fields summary --by groups by."""
    return _complete_comma_list(incomplete, SUMMARY_BY)


def complete_sort_keys(incomplete: str) -> list[str]:
    """The orders --sort takes."""
    from directives_cli.query import SORT_KEYS

    return [k for k in SORT_KEYS if k.startswith(incomplete)]


#: The completers an `Opt` names.
COMPLETERS: dict[str, Callable[..., Iterable[str]]] = {
    "categories": complete_categories,
    "acts": complete_acts,
    "speakers": complete_speakers,
    "tags": complete_tags,
    "meetings": complete_meetings,
    "fields": complete_fields,
    "sort": complete_sort_keys,
    "summary_by": complete_summary_by,
    "search_fields": complete_search_fields,
}


def _text_value(value: str) -> str:
    """An option's text as given, unless it is empty (`optspec.EMPTY_VALUE`)."""
    if value == "":
        raise typer.BadParameter(optspec.EMPTY_VALUE)
    return value


def _path_value(value: str) -> Path:
    """A path option's value as a Path; read before Typer's own conversion, which would
    turn "" into ".", the current folder."""
    return Path(_text_value(value))


#: How Typer reads the value of a text or path option. Numbers and choices need nothing:
#: Click already refuses "" as a number or a choice, with the same status.
_PARSERS: dict[str, Callable[[str], object]] = {"text": _text_value, "path": _path_value}


def _whole_number(opt: Opt) -> Callable[[str], int]:
    """The parser of an int option: `optspec.read_int`, so that a number of any length is
    a number (as on the fast path) rather than a crash, with Click's range message."""

    def parse(text: str) -> int:
        try:
            number = optspec.read_int(text)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not a valid integer.") from None
        if opt.min is not None and number < opt.min:
            shown = str(number) if abs(number) < optspec.BEYOND else "a number that long"
            raise typer.BadParameter(f"{shown} is not in the range x>={opt.min}.")
        return number

    return parse


def typer_option(opt: Opt, **extra: Any) -> Any:
    """The `typer.Option` of ``opt``; ``extra`` adds what only Typer has (a callback)."""
    settings: dict[str, Any] = {"help": opt.help, "show_default": opt.show_default, **extra}
    if opt.kind in _PARSERS:
        settings["parser"] = _PARSERS[opt.kind]
    if opt.completer is not None:
        settings["autocompletion"] = COMPLETERS[opt.completer]
    if opt.metavar is not None:
        settings["metavar"] = opt.metavar
    if opt.kind == "int":
        settings["parser"] = _whole_number(opt)
    if not opt.case_sensitive:
        settings["case_sensitive"] = False
    return typer.Option(*opt.flags, **settings)


CatalogOpt = Annotated[Path | None, typer_option(optspec.CATALOG)]
NoCacheOpt = Annotated[bool, typer_option(optspec.NO_CACHE)]
ColorOpt = Annotated[Color | None, typer_option(optspec.COLOR)]
DebugOpt = Annotated[bool, typer_option(optspec.DEBUG)]
FormatOpt = Annotated[Format | None, typer_option(optspec.FORMAT)]
CategoryOpt = Annotated[list[str] | None, typer_option(optspec.CATEGORY)]
ActOpt = Annotated[list[str] | None, typer_option(optspec.ACT)]
SpeakerOpt = Annotated[list[str] | None, typer_option(optspec.SPEAKER)]
TagOpt = Annotated[list[str] | None, typer_option(optspec.TAG)]
MeetingOpt = Annotated[list[str] | None, typer_option(optspec.MEETING)]
LimitOpt = Annotated[int | None, typer_option(optspec.LIMIT)]
FieldsOpt = Annotated[str | None, typer_option(optspec.FIELDS)]
SortOpt = Annotated[str, typer_option(optspec.SORT)]
ByOpt = Annotated[str, typer_option(optspec.BY)]
InOpt = Annotated[str | None, typer_option(optspec.WITHIN)]
AnyOpt = Annotated[bool, typer_option(optspec.ANY_TERM)]
RegexOpt = Annotated[bool, typer_option(optspec.REGEX)]
MatchOpt = Annotated[optspec.Match, typer_option(optspec.MATCH)]
ThresholdOpt = Annotated[float, typer_option(optspec.THRESHOLD)]
TimeoutOpt = Annotated[float, typer_option(optspec.TIMEOUT)]
CheckQuotesOpt = Annotated[bool, typer_option(optspec.CHECK_QUOTES)]
ForceOpt = Annotated[bool, typer_option(optspec.FORCE)]
SqliteOpt = Annotated[Path, typer_option(optspec.SQLITE)]
MetadataOpt = Annotated[Path | None, typer_option(optspec.METADATA)]
DraftOutputOpt = Annotated[Path | None, typer_option(optspec.DRAFT_OUTPUT)]
LangOpt = Annotated[optspec.Language | None, typer_option(optspec.LANG)]
StartOpt = Annotated[str | None, typer_option(optspec.START)]
ThemesOpt = Annotated[Path | None, typer_option(optspec.THEMES)]
