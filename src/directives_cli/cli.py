"""The `directives` command line: Typer wiring only.

Each command parses its arguments, asks the loader, store, query and search modules for
data, hands it to a renderer and writes the result. Errors from those modules arrive as
`DirectivesError`s and are turned into one stderr line and an exit code by `run()`, the
one place that knows about exit statuses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from directives_cli import __version__
from directives_cli.errors import EXIT_USAGE, DirectivesError, NotFoundError, UsageError
from directives_cli.model import DIRECTIVE_FIELDS, Directive, Filters, Hit, QuoteContext
from directives_cli.options import (
    ActOpt,
    CatalogOpt,
    CategoryOpt,
    Color,
    ColorOpt,
    DebugOpt,
    FieldsOpt,
    FormatOpt,
    LimitOpt,
    MeetingOpt,
    NoCacheOpt,
    SpeakerOpt,
    TagOpt,
    complete_ids,
    complete_meetings,
)
from directives_cli.render import Format, default_fields

if TYPE_CHECKING:
    from directives_cli.store import Index

#: Exit status for a bug in the tool itself: distinct from every documented status.
EXIT_INTERNAL = 70
#: What a shell reports for a process ended by a closed pipe (128 + SIGPIPE), as grep does.
EXIT_PIPE = 141

EXIT_CODES_HELP = (
    "Exit status: 0 ok (also `list` matching nothing); 1 `search` matched nothing or `show` "
    "named an unknown id; 2 usage error; 3 catalogue unreadable or invalid."
)

app = typer.Typer(
    name="directives",
    help=(
        "Query the directives issued at a government work conference: list, filter, search "
        "and show them, for people at a terminal and for shell scripts.\n\n"
        "The catalogue is --catalog PATH, else $DIRECTIVES_CATALOG, else the bundled "
        "catalogue of the 2019 National Special Equipment Safety Supervision Work Conference."
    ),
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass(frozen=True)
class Settings:
    """Where to read the catalogue and how to draw: the global options, merged with a
    command's own copies (a command's value wins, so `--catalog` works before or after
    the command name)."""

    catalog: Path | None = None
    no_cache: bool = False
    color: Color = Color.AUTO

    def merged(self, catalog: Path | None, no_cache: bool, color: Color | None) -> Settings:
        """These settings overridden by whatever the command itself was given."""
        return Settings(
            catalog=catalog or self.catalog,
            no_cache=no_cache or self.no_cache,
            color=color or self.color,
        )

    def open_index(self) -> Index:
        """Resolve the catalogue path and open its index (cached unless --no-cache)."""
        from directives_cli import loader, store

        option = str(self.catalog) if self.catalog is not None else None
        path = loader.resolve_catalogue(option, os.environ)
        return store.open_index(path, use_cache=not self.no_cache)


def _settings(
    ctx: typer.Context, catalog: Path | None, no_cache: bool, color: Color | None
) -> Settings:
    base = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    return base.merged(catalog, no_cache, color)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"directives {__version__}\n")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
    debug: DebugOpt = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Query the directives of a government work conference."""
    ctx.obj = Settings(catalog=catalog, no_cache=no_cache, color=color or Color.AUTO)


# ---- output -----------------------------------------------------------------------------


def _format(fmt: Format | None) -> Format:
    """Table for a person at a terminal, plain for a pipe or a file."""
    if fmt is not None:
        return fmt
    return Format.TABLE if sys.stdout.isatty() else Format.PLAIN


def _fields(value: str | None, fmt: Format, *, search: bool = False) -> tuple[str, ...]:
    """The --fields list, checked against the fields that exist."""
    if not value:
        return default_fields(fmt, search=search)
    valid = (*DIRECTIVE_FIELDS, "score", "matched") if search else DIRECTIVE_FIELDS
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in valid]
    if unknown or not names:
        shown = unknown[0] if unknown else value
        raise UsageError(f"unknown field '{shown}' (valid: {', '.join(valid)})")
    return names


def _write(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()


def _draw(renderable: object, settings: Settings) -> None:
    from directives_cli.render.console import make_console

    try:
        make_console(sys.stdout, color=settings.color.value).print(renderable)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()


def _emit_directives(
    items: Sequence[Directive] | Sequence[Hit],
    fmt: Format,
    fields: tuple[str, ...],
    settings: Settings,
    terms: Sequence[str] = (),
) -> None:
    from directives_cli.render import records

    if fmt is Format.TABLE:
        from directives_cli.render import table

        _draw(table.directives_table(items, fields, terms=terms), settings)
        return
    from directives_cli.render.machine import render_records

    _write(render_records(records.directive_records(items, fields), fmt, fields))


def _filters(
    category: list[str] | None,
    act: list[str] | None,
    speaker: list[str] | None,
    tag: list[str] | None,
    meeting: list[str] | None,
) -> Filters:
    return Filters(
        categories=tuple(category or ()),
        acts=tuple(act or ()),
        speakers=tuple(speaker or ()),
        tags=tuple(tag or ()),
        meetings=tuple(meeting or ()),
    )


# ---- commands ---------------------------------------------------------------------------


@app.command("list")
def list_command(
    ctx: typer.Context,
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    sort: Annotated[
        str,
        typer.Option("--sort", help="catalogue, id, category, act, speaker, title or meeting."),
    ] = "catalogue",
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """List every directive, or those that match the filters.

    [b]Examples[/b]

      directives list -c risk-control
      directives list --act stressed --speaker 'Chen Gang' -f csv > stressed.csv
      directives list -f ids | xargs -n1 directives show -f json
    """
    from directives_cli import query

    settings = _settings(ctx, catalog, no_cache, color)
    out = _format(fmt)
    chosen = _fields(fields, out)
    filters = _filters(category, act, speaker, tag, meeting)
    index = settings.open_index()
    query.check_filters(index, filters)
    items = query.list_directives(index, filters, sort=sort, limit=limit)
    _emit_directives(items, out, chosen, settings)


@app.command("search")
def search_command(
    ctx: typer.Context,
    terms: Annotated[
        list[str], typer.Argument(help="Words to find; quote a phrase: 'credit supervision'.")
    ],
    any_term: Annotated[
        bool, typer.Option("--any", help="Match any term instead of every term.")
    ] = False,
    within: Annotated[
        str | None,
        typer.Option(
            "--in",
            help="Search only these fields (comma list): "
            "title, text, quote, tags, addressees, speaker, category.",
            show_default=False,
        ),
    ] = None,
    regex: Annotated[
        bool, typer.Option("--regex", help="Treat each term as a regular expression.")
    ] = False,
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Find directives that match all the terms, best first.

    Matching ignores case, accents and word endings ('reforms' finds 'reform').
    Exit status 1 when nothing matches.

    [b]Examples[/b]

      directives search 'double prevention'
      directives search reform -c reform --limit 3
      directives search credit insurance --any -f json | jq -r '.[].id'
    """
    from directives_cli import query, search

    settings = _settings(ctx, catalog, no_cache, color)
    out = _format(fmt)
    chosen = _fields(fields, out, search=True)
    spec = search.SearchQuery(
        terms=tuple(terms),
        filters=_filters(category, act, speaker, tag, meeting),
        any_term=any_term,
        fields=tuple(f.strip() for f in (within or "").split(",") if f.strip()),
        regex=regex,
        limit=limit,
    )
    search.check_query(spec)
    index = settings.open_index()
    query.check_filters(index, spec.filters)
    hits = search.search(index, spec)
    if not hits:
        raise NotFoundError(_nothing_found(terms, search.suggest(index, terms)))
    _emit_directives(hits, out, chosen, settings, terms=_highlight_terms(hits))


def _highlight_terms(hits: Sequence[Hit]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for hit in hits for term in hit.terms))


def _nothing_found(terms: Sequence[str], suggestions: Sequence[str]) -> str:
    message = f"no directive matches {' '.join(repr(t) for t in terms)}"
    if suggestions:
        message += f" (did you mean: {', '.join(suggestions)}?)"
    return message


@app.command("show")
def show_command(
    ctx: typer.Context,
    ids: Annotated[
        list[str], typer.Argument(help="Directive ids, e.g. RC-1.", autocompletion=complete_ids)
    ],
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Show directives in full: text, quote in its source sentence, category, speaker, act.

    Piped, each directive is `field<TAB>value` lines; several are separated by a blank line.
    Exit status 1 when an id does not exist.

    [b]Examples[/b]

      directives show RC-1
      directives show RC-1 -f json | jq -r .quote
    """
    from directives_cli import query

    settings = _settings(ctx, catalog, no_cache, color)
    out = _format(fmt)
    index = settings.open_index()
    items = query.get_directives(index, ids)
    contexts = [query.source_context(index, d) for d in items]
    if out is Format.TABLE:
        from directives_cli.render import table

        titles = _category_titles(index)
        for directive, context in zip(items, contexts, strict=True):
            title = titles.get((directive.meeting, directive.category))
            _draw(table.directive_panel(directive, context, title), settings)
        return
    from directives_cli.render.machine import render_pairs

    rows = [_show_record(d, c) for d, c in zip(items, contexts, strict=True)]
    _write(render_pairs(rows, out))


def _show_record(directive: Directive, context: QuoteContext | None) -> dict[str, object]:
    """A directive's record plus `context`: the source sentence its quote stands in."""
    record: dict[str, object] = dict(directive.record())
    record["context"] = (
        None if context is None else f"{context.before}{context.quote}{context.after}"
    )
    return record


def _category_titles(index: Index) -> dict[tuple[str, str], str]:
    from directives_cli import query

    return {(c.meeting, c.id): c.title for doc in query.documents(index) for c in doc.categories}


@app.command("categories")
def categories_command(
    ctx: typer.Context,
    meeting: MeetingOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """List the categories (the meeting's themes) with their descriptions and counts.

    [b]Examples[/b]

      directives categories
      directives categories -f ids | xargs -n1 -I{} directives list -c {} -f ids
    """
    from directives_cli import query
    from directives_cli.render import records

    settings = _settings(ctx, catalog, no_cache, color)
    out = _format(fmt)
    index = settings.open_index()
    filters = Filters(meetings=tuple(meeting or ()))
    query.check_filters(index, filters)
    counts = query.category_counts(index, filters)
    if out is Format.TABLE:
        from directives_cli.render import table

        _draw(table.categories_table(counts), settings)
        return
    from directives_cli.render.machine import render_records

    rows = records.category_records(counts)
    keys = ("id",) if out is Format.IDS else ("meeting", "id", "title", "description", "count")
    _write(render_records(rows, out, keys))


@app.command("meeting")
def meeting_command(
    ctx: typer.Context,
    meeting: Annotated[
        list[str] | None,
        typer.Argument(
            help="Meeting ids (default: every meeting).", autocompletion=complete_meetings
        ),
    ] = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Show the meeting: dates, place, speakers, attendees and the figures it reported.

    [b]Examples[/b]

      directives meeting
      directives meeting -f json | jq '.[].statistics[] | {subject, change}'
    """
    from directives_cli import query
    from directives_cli.render import records

    settings = _settings(ctx, catalog, no_cache, color)
    out = _format(fmt)
    index = settings.open_index()
    wanted = tuple(meeting or ())
    query.check_filters(index, Filters(meetings=wanted))
    docs = [d for d in query.documents(index) if not wanted or d.meeting.id in wanted]
    if out is Format.TABLE:
        from directives_cli.render import table

        _draw(table.meeting_view(docs), settings)
        return
    from directives_cli.render.machine import render_pairs, render_records

    rows = records.meeting_records(docs)
    if out in (Format.JSON, Format.YAML):
        # Always a list: how many meetings there are depends on the catalogue, not on the
        # command line, so a script must not see the shape change with it.
        _write(render_records(rows, out, tuple(rows[0]) if rows else ()))
        return
    _write(render_pairs(rows, out))


@app.command("validate")
def validate_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Catalogue files or directories (default: the catalogue in use)."),
    ] = None,
    catalog: CatalogOpt = None,
) -> None:
    """Check catalogues: every problem is one line FILE:LINE:COLUMN: message on stdout.

    Exit status 0 when every catalogue is valid, 3 otherwise: ready for a CI job.

    [b]Examples[/b]

      directives validate meetings/
      directives validate new-meeting.yaml || echo 'fix the lines above'
    """
    from directives_cli import loader

    settings = _settings(ctx, catalog, False, None)
    targets = list(paths or [])
    if not targets:
        option = str(settings.catalog) if settings.catalog is not None else None
        targets = [loader.resolve_catalogue(option, os.environ)]
    problems = loader.check(targets)
    _write("".join(f"{problem}\n" for problem in problems))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        sys.stderr.write(f"directives: {len(problems)} {noun} found\n")
        raise typer.Exit(3)
    sys.stderr.write(f"directives: ok: {', '.join(str(t) for t in targets)}\n")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the catalogue format, for editors and CI.

    [b]Examples[/b]

      directives schema > directives.schema.json
      # then, first line of a catalogue: # yaml-language-server: $schema=directives.schema.json
    """
    import json

    from directives_cli.schema import json_schema

    _write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")


# ---- running ----------------------------------------------------------------------------


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"directives: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def _quiet_broken_pipe() -> NoReturn:
    """Stop writing to a reader that has gone away, without Python's farewell noise."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
    os._exit(EXIT_PIPE)


def _wants_debug(args: Sequence[str]) -> bool:
    options = args[: args.index("--")] if "--" in args else args
    return "--debug" in options


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """Run the CLI and exit with the contract's status, whatever happens inside."""
    from typer import _click as click

    args = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    command = typer.main.get_command(app)
    try:
        status = command.main(args=args, prog_name="directives", standalone_mode=False)
        sys.stdout.flush()
    except DirectivesError as error:
        _fail(str(error), error.exit_code)
    except click.exceptions.ClickException as error:
        _fail(_usage_message(error), EXIT_USAGE if error.exit_code == 2 else error.exit_code)
    except typer.Abort:
        _fail("aborted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if _wants_debug(args):
            raise
        _fail(
            f"unexpected {type(error).__name__}: {error} (run again with --debug for a traceback)",
            EXIT_INTERNAL,
        )
    raise SystemExit(status if isinstance(status, int) else 0)


def _usage_message(error: Exception) -> str:
    """Click's message on one line, with a pointer to the help of the command that failed."""
    message = " ".join(getattr(error, "format_message", lambda: str(error))().split())
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message
