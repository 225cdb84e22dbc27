"""Every command-line option, declared once and reused by each command that takes it.

Completion callbacks live here too: they read the same catalogue the command would,
so `directives show <TAB>` offers the ids of the catalogue named by `--catalog`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer import _click as click

from directives_cli.model import ACTS, DIRECTIVE_FIELDS
from directives_cli.query import SORT_KEYS
from directives_cli.render import Format

if TYPE_CHECKING:
    from directives_cli.store import Index


class Color(StrEnum):
    """When to colour terminal output."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def _catalog_option(ctx: click.Context) -> str | None:
    """The --catalog given on the command line so far, on the command or the group."""
    node: click.Context | None = ctx
    while node is not None:
        value = node.params.get("catalog")
        if value:
            return str(value)
        node = node.parent
    return None


def _index_for_completion(ctx: click.Context) -> Index | None:
    """Open the catalogue the command line names, or None: completion never fails loudly."""
    from directives_cli import loader, store

    try:
        path = loader.resolve_catalogue(_catalog_option(ctx), os.environ)
        return store.open_index(path)
    except Exception:  # noqa: BLE001 - a completion must never print a traceback
        return None


def _complete(ctx: click.Context, incomplete: str, kind: str) -> Iterator[str]:
    from directives_cli import query

    index = _index_for_completion(ctx)
    if index is None:
        return
    with index:
        if kind == "ids":
            values = query.known_ids(index, incomplete)
        else:
            values = query.known_values(index).get(kind, [])
    yield from (v for v in values if v.startswith(incomplete))


def complete_ids(ctx: click.Context, incomplete: str) -> Iterator[str]:
    """Directive ids of the catalogue in use."""
    return _complete(ctx, incomplete, "ids")


def complete_categories(ctx: click.Context, incomplete: str) -> Iterator[str]:
    """Category ids of the catalogue in use."""
    return _complete(ctx, incomplete, "categories")


def complete_meetings(ctx: click.Context, incomplete: str) -> Iterator[str]:
    """Meeting ids of the catalogue in use."""
    return _complete(ctx, incomplete, "meetings")


def complete_tags(ctx: click.Context, incomplete: str) -> Iterator[str]:
    """Tags used in the catalogue in use."""
    return _complete(ctx, incomplete, "tags")


def complete_speakers(ctx: click.Context, incomplete: str) -> Iterator[str]:
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
    return _complete_comma_list(incomplete, (*DIRECTIVE_FIELDS, "score", "matched"))


CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        help="Catalogue file or directory (default: $DIRECTIVES_CATALOG, else the bundled one).",
        show_default=False,
        dir_okay=True,
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache", help="Read the YAML every time; never read or write the index cache."
    ),
]
ColorOpt = Annotated[
    Color | None,
    typer.Option(
        "--color", help="Colour terminal output: auto, always or never.", show_default=False
    ),
]
DebugOpt = Annotated[
    bool, typer.Option("--debug", help="Show a traceback for unexpected errors.", hidden=False)
]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: table on a terminal, plain when piped).",
        show_default=False,
        case_sensitive=False,
    ),
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        help="Only this category id (repeatable: any of them).",
        autocompletion=complete_categories,
        show_default=False,
    ),
]
ActOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--act",
        help=f"Only this speech act: {', '.join(ACTS)} (repeatable).",
        autocompletion=complete_acts,
        show_default=False,
    ),
]
SpeakerOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--speaker",
        help="Only directives issued by this speaker, e.g. 'Chen Gang' (repeatable).",
        autocompletion=complete_speakers,
        show_default=False,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        help="Only directives with this tag (repeatable: any of them).",
        autocompletion=complete_tags,
        show_default=False,
    ),
]
MeetingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--meeting",
        help="Only this meeting id (repeatable).",
        autocompletion=complete_meetings,
        show_default=False,
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=0, help="At most this many results.", show_default=False),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        help="Comma list of fields to print, e.g. id,title,speaker.",
        autocompletion=complete_fields,
        show_default=False,
    ),
]
SortOpt = Annotated[
    str,
    typer.Option(
        "--sort",
        help="Order: catalogue, id, category, act, speaker, title or meeting.",
        autocompletion=lambda incomplete: [k for k in SORT_KEYS if k.startswith(incomplete)],
    ),
]
InOpt = Annotated[
    str | None,
    typer.Option(
        "--in",
        autocompletion=complete_search_fields,
        help="Search only these fields (comma list): "
        "title, text, quote, tags, addressees, speaker, category, note.",
        show_default=False,
    ),
]
