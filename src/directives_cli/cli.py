"""The `directives` command line: Typer wiring only.

Each command parses its arguments, calls its twin in `commands` and writes what comes
back. Errors arrive as `DirectivesError`s (or Click's own) and `entry.run()`, the one
place that knows exit statuses, turns them into one stderr line and an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from directives_cli import __version__, commands
from directives_cli.commands import Output, Settings
from directives_cli.options import (
    ActOpt,
    CatalogOpt,
    CategoryOpt,
    Color,
    ColorOpt,
    DebugOpt,
    FieldsOpt,
    FormatOpt,
    InOpt,
    LimitOpt,
    MeetingOpt,
    NoCacheOpt,
    SortOpt,
    SpeakerOpt,
    TagOpt,
    complete_ids,
    complete_meetings,
)
from directives_cli.output import emit, is_terminal
from directives_cli.render import Format

EXIT_CODES_HELP = (
    "Exit status: 0 ok (also `list` matching nothing); 1 `search` matched nothing or `show` "
    "named an unknown id; 2 usage error; 3 catalogue unreadable or invalid; 70 a bug in "
    "directives; 141 the reader of the output went away (| head)."
)
FIELDS_HELP = (
    "Fields (for --fields, and the keys of json, jsonl, csv and yaml): id, meeting, category, "
    "title, text, speaker, act, quote, addressees, tags."
)
EXPORT_EXIT_HELP = (
    "Exit status: 0 written; 2 usage error (also FILE exists without --force); 3 catalogue "
    "unreadable or invalid; 70 a bug in directives; 74 FILE could not be written."
)
SEARCH_FIELDS_HELP = FIELDS_HELP.replace("tags.", "tags; search adds score and matched.")

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
    # Plain Click help: Typer's Rich help imports markdown-it and more (~100 ms a call).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _settings(
    ctx: typer.Context, catalog: Path | None, no_cache: bool, color: Color | None
) -> Settings:
    """The group's options merged with the command's own copies of them."""
    base = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    return base.merged(
        str(catalog) if catalog is not None else None, no_cache, color.value if color else None
    )


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
    ctx.obj = Settings().merged(
        str(catalog) if catalog is not None else None, no_cache, color.value if color else None
    )


def _format(fmt: Format | None) -> Format:
    """Table for a person at a terminal, plain for a pipe or a file."""
    if fmt is not None:
        return fmt
    return Format.TABLE if is_terminal() else Format.PLAIN


def _show(output: Output, settings: Settings) -> None:
    emit(output, settings.color)


@app.command("list", epilog=f"{FIELDS_HELP}\n\n{EXIT_CODES_HELP}")
def list_command(
    ctx: typer.Context,
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    sort: SortOpt = "catalogue",
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """List every directive, or those that match the filters.

    Examples:

    \b
      directives list -c risk-control
      directives list --act stressed --speaker 'Chen Gang' -f csv > stressed.csv
      directives list -f ids | xargs -n1 directives show -f json
    """
    settings = _settings(ctx, catalog, no_cache, color)
    filters = commands.make_filters(category, act, speaker, tag, meeting)
    output = commands.list_directives(
        settings, filters, _format(fmt), sort=sort, limit=limit, fields=fields
    )
    _show(output, settings)


@app.command("search", epilog=f"{SEARCH_FIELDS_HELP}\n\n{EXIT_CODES_HELP}")
def search_command(
    ctx: typer.Context,
    terms: Annotated[
        list[str],
        typer.Argument(
            metavar="TERM...", help="Words to find; quote a phrase: 'credit supervision'."
        ),
    ],
    any_term: Annotated[
        bool, typer.Option("--any", help="Match any term instead of every term.")
    ] = False,
    within: InOpt = None,
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

    Every term must match (--any: any term). A quoted term with spaces is a phrase:
    its words must appear together, in that order. Matching ignores case, accents and
    word endings ('reforms' finds 'reform'). Best first by BM25 relevance, a match in
    the title or tags weighing more than one in the text. Exit status 1 when nothing
    matches.

    Examples:

    \b
      directives search 'double prevention'
      directives search reform -c reform --limit 3
      directives search credit insurance --any -f json | jq -r '.[].id'
    """
    settings = _settings(ctx, catalog, no_cache, color)
    output = commands.search_directives(
        settings,
        terms,
        commands.make_filters(category, act, speaker, tag, meeting),
        _format(fmt),
        any_term=any_term,
        within=within,
        regex=regex,
        limit=limit,
        fields=fields,
    )
    _show(output, settings)


@app.command("show", epilog=f"{FIELDS_HELP} Show adds context.\n\n{EXIT_CODES_HELP}")
def show_command(
    ctx: typer.Context,
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...", help="Directive ids, e.g. RC-1.", autocompletion=complete_ids
        ),
    ],
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Show directives in full, with quotes in context.

    Each directive's text, quote and source sentence, category, speaker and act.

    Piped, each directive is `field<TAB>value` lines; several are separated by a blank line.
    `-f json` gives one object for one id, an array for several. Exit status 1 when an id
    does not exist.

    Examples:

    \b
      directives show RC-1
      directives show RC-1 -f json | jq -r .quote
    """
    settings = _settings(ctx, catalog, no_cache, color)
    _show(commands.show_directives(settings, ids, _format(fmt)), settings)


@app.command("categories")
def categories_command(
    ctx: typer.Context,
    meeting: MeetingOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """List the categories with their descriptions and counts.

    Examples:

    \b
      directives categories
      directives categories -f ids | xargs -I{} directives list -c {} -f ids
    """
    settings = _settings(ctx, catalog, no_cache, color)
    _show(commands.category_counts(settings, meeting or (), _format(fmt)), settings)


@app.command("meeting")
def meeting_command(
    ctx: typer.Context,
    meeting: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[MEETING]...",
            help="Meeting ids (default: every meeting).",
            autocompletion=complete_meetings,
        ),
    ] = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Show the meeting: dates, place, people and figures.

    Dates, place, speakers, guidance, attendees and the statistics the meeting reported.

    `-f json` and `-f yaml` always give a list, one entry per meeting.

    Examples:

    \b
      directives meeting
      directives meeting -f json | jq '.[].statistics[] | {subject, change}'
    """
    settings = _settings(ctx, catalog, no_cache, color)
    _show(commands.describe_meetings(settings, meeting or (), _format(fmt)), settings)


@app.command("export", epilog=EXPORT_EXIT_HELP)
def export_command(
    ctx: typer.Context,
    sqlite: Annotated[
        Path,
        typer.Option(
            "--sqlite",
            metavar="FILE",
            help="Write an SQLite database here (an existing file only with --force).",
        ),
    ],
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata", metavar="FILE", help="Also write Datasette metadata (JSON) here."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Export the catalogue to an SQLite database for SQL, sqlite-utils and Datasette.

    Tables meetings, categories, directives and statistics, with the keys of the json
    formats as columns (list fields as JSON arrays) and full-text search in
    directives_fts. Takes the filters of `list`. Written whole or not at all.

    Examples:

    \b
      directives export --sqlite directives.db
      directives export --sqlite risk.db -c risk-control --force
      sqlite-utils search directives.db directives 'double prevention'
      directives export --sqlite directives.db --metadata metadata.json --force
      datasette directives.db -m metadata.json
    """
    settings = _settings(ctx, catalog, no_cache, color)
    filters = commands.make_filters(category, act, speaker, tag, meeting)
    output = commands.export_catalogue(settings, filters, sqlite, metadata=metadata, force=force)
    _show(output, settings)


@app.command("validate")
def validate_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Catalogue files or directories (default: the catalogue in use).",
        ),
    ] = None,
    catalog: CatalogOpt = None,
) -> None:
    """Check catalogues and print every problem found.

    Each problem is one line FILE:LINE:COLUMN: message on stdout, as linters print them.

    Exit status 0 when every catalogue is valid, 3 otherwise: ready for a CI job.

    Examples:

    \b
      directives validate meetings/
      directives validate new-meeting.yaml || echo 'fix the lines above'
    """
    settings = _settings(ctx, catalog, False, None)
    problems = commands.validate_catalogues(settings, paths or ())
    emit(Output(text="".join(f"{problem}\n" for problem in problems)), settings.color)
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        sys.stderr.write(f"directives: {len(problems)} {noun} found\n")
        raise typer.Exit(3)
    sys.stderr.write("directives: ok\n")


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the catalogue format.

    For editors (the YAML language server) and for other tools that check catalogues.

    Examples:

    \b
      directives schema > directives.schema.json
      # then, as the first line of a catalogue:
      # yaml-language-server: $schema=directives.schema.json
    """
    emit(Output(text=commands.json_schema_text()), "never")


class Match(StrEnum):
    """How `diff` pairs directives: by meeting and id, or by the words they share."""

    ID = "id"
    TEXT = "text"


DIFF_HELP = (
    "Exit status: 0 the two are the same; 1 they differ; 2 usage error; 3 OLD or NEW is not a "
    "valid catalogue (FILE:LINE:COLUMN on stderr)."
)


@app.command("diff", epilog=DIFF_HELP)
def diff_command(
    ctx: typer.Context,
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The old catalogue file or folder.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The new catalogue file or folder.")],
    match: Annotated[
        Match,
        typer.Option(
            "--match",
            help="Pair directives by meeting and id, or by the similarity of their words "
            "(title, text, quote) for two different meetings.",
            case_sensitive=False,
        ),
    ] = Match.ID,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            help="With --match text: the least similarity (weighted Dice coefficient of the two "
            "directives' word sets, above 0 and at most 1) for a pair.",
        ),
    ] = 0.5,
    check_quotes: Annotated[
        bool,
        typer.Option(
            "--check-quotes",
            help="Fail (exit 3) when a side's source text is missing or lacks a quote, "
            "instead of comparing without it.",
        ),
    ] = False,
    fmt: FormatOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> None:
    """Show what changed between two catalogues: directives, categories, statistics and
    meeting fields added, removed or changed.

    Meetings are paired by id; directives, categories and statistics by meeting and id.
    Changed text is a word diff, marked [-old-]{+new+}. Source texts are not needed:
    a side whose source file is missing is compared without checking its quotes
    (a note on stderr says so; --check-quotes makes that an error).

    Examples:

    \b
      git show HEAD~1:meetings/x.yaml > old.yaml
      directives diff old.yaml meetings/x.yaml
      directives diff old/ new/ -f json | jq '.[] | select(.change == "removed")'
      directives diff meeting-2019.yaml meeting-2020.yaml --match text
    """
    settings = _settings(ctx, None, no_cache, color)
    output = commands.diff_catalogues(
        settings,
        old,
        new,
        _format(fmt),
        match=match.value,
        threshold=threshold,
        check_quotes=check_quotes,
    )
    _show(output, settings)
    if output.exit_code:
        raise typer.Exit(output.exit_code)


class Language(StrEnum):
    """The languages `draft` reads."""

    EN = "en"
    ZH = "zh"


@app.command("draft")
def draft_command(
    report: Annotated[
        Path, typer.Argument(metavar="REPORT", help="The report: a UTF-8 text file.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the YAML here instead of stdout."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let -o replace a file that exists.")
    ] = False,
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang", help="The report's language (default: detected).", show_default=False
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="YYYY-MM-DD",
            help="The meeting's first day; required when the report gives no year.",
        ),
    ] = None,
    categories: Annotated[
        Path | None,
        typer.Option(
            "--categories",
            metavar="CATALOGUE",
            help="Use this catalogue's categories; each directive gets the closest one.",
        ),
    ] = None,
) -> None:
    """Draft a catalogue from a report's text (English or Chinese).

    One directive per instruction, each with its speaker, act and the report's exact
    words as its quote; the meeting's title, dates, place, speakers, attendees and
    figures. Valid as written: review it, then `directives validate` it. source.file
    names the report relative to where the YAML goes (the current folder for stdout),
    so the report must be inside that folder. The same report gives the same bytes.

    Examples:

    \b
      directives draft report.txt > report.yaml && directives validate report.yaml
      directives draft sources/2020-food-safety.txt -o food-safety-2020.yaml
      directives draft sources/baogao.txt --lang zh --start 2020-03-15 -o baogao.yaml
      directives draft sources/new.txt --categories data/directives.yaml -o new.yaml
    """
    output_text = commands.draft_catalogue(
        report,
        output,
        force=force,
        lang=lang.value if lang else None,
        start=start,
        categories=categories,
    )
    emit(output_text, "never")


def main_command(args: Sequence[str]) -> int:
    """Parse ``args`` with Typer and run the command; its exit status (Click's errors
    propagate to `entry.run`, which reports them)."""
    command = typer.main.get_command(app)
    status = command.main(args=list(args), prog_name="directives", standalone_mode=False)
    return status if isinstance(status, int) else 0
