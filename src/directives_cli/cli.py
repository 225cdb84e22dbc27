"""The `directives` command line: Typer wiring only.

Each command parses its arguments, calls its twin in `commands` and writes what comes
back. Errors arrive as `DirectivesError`s (or Click's own) and `entry.run()`, the one
place that knows exit statuses, turns them into one stderr line and an exit code.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from directives_cli import __version__, commands, helpformat, optspec
from directives_cli.exits import ExitStatus, help_epilog
from directives_cli.model import DIRECTIVE_FIELDS
from directives_cli.options import (
    ActOpt,
    AnyOpt,
    ByOpt,
    CatalogOpt,
    CategoryOpt,
    CheckQuotesOpt,
    ColorOpt,
    DebugOpt,
    DraftOutputOpt,
    FieldsOpt,
    ForceOpt,
    FormatOpt,
    InOpt,
    LangOpt,
    LimitOpt,
    MatchOpt,
    MeetingOpt,
    MetadataOpt,
    NoCacheOpt,
    RegexOpt,
    SortOpt,
    SpeakerOpt,
    SqliteOpt,
    StartOpt,
    TagOpt,
    ThemesOpt,
    ThresholdOpt,
    TimeoutOpt,
    complete_ids,
    complete_meetings,
    typer_option,
)
from directives_cli.outcome import Output, Settings
from directives_cli.output import chosen_format
from directives_cli.render import (
    CONTEXT_FIELDS,
    FIGURE_FIELDS,
    FIGURE_OPTIONAL_FIELDS,
    RESULT_FIELDS,
    SHOW_ALL_FIELDS,
)

EXIT_CODES_HELP = help_epilog()


def _fields_help(fields: Sequence[str], on_request: Sequence[str] = ()) -> str:
    """The epilog line naming exactly the fields a command's --fields accepts."""
    text = f"Fields (for --fields, and the keys of json, jsonl, csv and yaml): {', '.join(fields)}."
    if on_request:
        text += (
            f" Only on request (--fields): {', '.join(on_request)}, the source sentence"
            " the quote stands in."
        )
    return text


FIELDS_HELP = _fields_help(DIRECTIVE_FIELDS, CONTEXT_FIELDS)
SEARCH_FIELDS_HELP = _fields_help(RESULT_FIELDS, CONTEXT_FIELDS)
SHOW_HELP = _fields_help(SHOW_ALL_FIELDS)
FIGURES_HELP = _fields_help(FIGURE_FIELDS, FIGURE_OPTIONAL_FIELDS)
#: What a command hands `entry`: its output and the --color to draw it with.
Answer = tuple[Output, str]

app = typer.Typer(
    name="directives",
    help=(
        "Query the directives issued at a government work conference: list, filter, search "
        "and show them, for people at a terminal and for shell scripts.\n\n"
        "The catalogue is --catalog PATH, else $DIRECTIVES_CATALOG, else the bundled "
        "catalogue of the 2019 National Special Equipment Safety Supervision Work Conference."
        "\n\nExamples:\n\n\b\n  directives list -c risk-control\n"
        "  directives search 'hidden dangers'"
    ),
    epilog=EXIT_CODES_HELP,
    # `directives` alone prints this help (see `main`).
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    # Plain Click help: Typer's Rich help imports markdown-it and more (~100 ms a call).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _settings(ctx: typer.Context) -> Settings:
    """The group's options merged with the command's own copies of them. Click keeps
    every parsed option in ``ctx.params`` under its declared name (`optspec`), so the
    settings options are read from there rather than passed along one by one."""
    base = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    return base.merged(ctx.params)


def _answer(ctx: typer.Context, output: Output) -> Answer:
    return output, _settings(ctx).color


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
        bool, typer_option(optspec.VERSION, callback=_version, is_eager=True)
    ] = False,
) -> Answer | None:
    """Query the directives of a government work conference.

    Alone (`directives`, or only global options), prints the help on stdout and exits 0,
    as gh does: a person asking what the tool does, not a usage error."""
    ctx.obj = Settings().merged(ctx.params)
    if ctx.invoked_subcommand is None:
        return Output(text=ctx.get_help() + "\n"), "never"
    return None


@app.command("list", epilog=f"{FIELDS_HELP}\n\n{EXIT_CODES_HELP}")
def list_command(
    ctx: typer.Context,
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    sort: SortOpt = optspec.DEFAULT_SORT,
    limit: LimitOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
    """List every directive, or those that match the filters.

    Examples:

    \b
      directives list -c risk-control
      directives list --act stressed --speaker 'Chen Gang' -f csv > stressed.csv
      directives list -f ids | xargs -n1 directives show -f json
    """
    filters = commands.make_filters(category, act, speaker, tag, meeting)
    output = commands.list_directives(
        _settings(ctx), filters, chosen_format(fmt), sort=sort, limit=limit, fields=fields
    )
    return _answer(ctx, output)


@app.command("search", epilog=f"{SEARCH_FIELDS_HELP}\n\n{EXIT_CODES_HELP}")
def search_command(
    ctx: typer.Context,
    terms: Annotated[
        list[str],
        typer.Argument(
            metavar="TERM...", help="Words to find; quote a phrase: 'credit supervision'."
        ),
    ],
    any_term: AnyOpt = False,
    within: InOpt = None,
    regex: RegexOpt = False,
    timeout: TimeoutOpt = optspec.DEFAULT_TIMEOUT,
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
) -> Answer:
    """Find directives that match all the terms, best first.

    Every term must match (--any: any term). A quoted term with spaces is a phrase:
    its words must appear together, in that order. Matching ignores case, accents and
    word endings ('reforms' finds 'reform'). Best first by BM25 relevance, a match in
    the title or tags weighing more than one in the text. Exit status 1 when nothing
    matches. At most 64 terms. --regex takes Python regular expressions; a search
    that runs over --timeout seconds (default 20) in all, or 1 s on one directive,
    is stopped with exit status 2.

    Examples:

    \b
      directives search 'double prevention'
      directives search reform -c reform --limit 3
      directives search credit insurance --any -f json | jq -r '.[].id'
    """
    output = commands.search_directives(
        _settings(ctx),
        terms,
        commands.make_filters(category, act, speaker, tag, meeting),
        chosen_format(fmt),
        any_term=any_term,
        within=within,
        regex=regex,
        timeout=timeout,
        limit=limit,
        fields=fields,
    )
    return _answer(ctx, output)


@app.command("show", epilog=f"{SHOW_HELP}\n\n{EXIT_CODES_HELP}")
def show_command(
    ctx: typer.Context,
    ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...", help="Directive ids, e.g. RC-1.", autocompletion=complete_ids
        ),
    ],
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
    """Show directives in full, with quotes in context.

    Each directive's text, quote and source sentence, category, speaker and act.

    Piped, each directive is `field<TAB>value` lines; several are separated by a blank line.
    `-f json` gives one object for one id, an array for several. Exit status 1 when an id
    does not exist.

    Examples:

    \b
      directives show RC-1
      directives show RC-1 -f json | jq -r .quote
      directives show RC-1 RC-2 --fields id,context -f csv
    """
    output = commands.show_directives(_settings(ctx), ids, chosen_format(fmt), fields=fields)
    return _answer(ctx, output)


@app.command("categories")
def categories_command(
    ctx: typer.Context,
    meeting: MeetingOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
    """List the categories with their descriptions and counts.

    Examples:

    \b
      directives categories
      directives categories -f ids | xargs -I{} directives list -c {} -f ids
    """
    output = commands.category_counts(_settings(ctx), meeting or (), chosen_format(fmt))
    return _answer(ctx, output)


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
) -> Answer:
    """Show the meeting: dates, place, people and figures.

    Dates, place, speakers, guidance, attendees and the statistics the meeting reported.

    `-f json` and `-f yaml` always give a list, one entry per meeting.

    Examples:

    \b
      directives meeting
      directives meeting -f json | jq '.[].statistics[] | {subject, change}'
    """
    output = commands.describe_meetings(_settings(ctx), meeting or (), chosen_format(fmt))
    return _answer(ctx, output)


@app.command("summary", epilog=EXIT_CODES_HELP)
def summary_command(
    ctx: typer.Context,
    by: ByOpt = "category",
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
    """Count directives by category, act, speaker, meeting or tag.

    After the filters of `list`: each count is what `list` prints with that value as
    one more filter. Two fields (--by category,act) give a cross-table on a terminal.
    A directive with several tags counts under each of them (so --by tag's counts can
    add up to more than the directives), and one with none under "(no tag)", an empty
    value in the machine formats. Machine formats give one row per group: the field
    values, then count ({"act": "demanded", "count": 13}).

    Examples:

    \b
      directives summary
      directives summary --by act --speaker chen
      directives summary --by category,act -f csv > counts.csv
      directives summary --by tag -f json | jq -r '.[] | "\\(.count) \\(.tag)"'
    """
    output = commands.summarise(
        _settings(ctx),
        commands.make_filters(category, act, speaker, tag, meeting),
        chosen_format(fmt),
        by=by,
    )
    return _answer(ctx, output)


@app.command("figures", epilog=f"{FIGURES_HELP}\n\n{EXIT_CODES_HELP}")
def figures_command(
    ctx: typer.Context,
    meeting: MeetingOpt = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
    """List the figures the meetings reported, one record per statistic.

    Each statistic's id, meeting, subject, period, change and quote; --fields can add
    context, the source sentence the quote stands in.

    Examples:

    \b
      directives figures
      directives figures -f csv > figures-2018.csv
      directives figures --fields id,subject,change,context -f json
    """
    output = commands.list_figures(_settings(ctx), meeting or (), chosen_format(fmt), fields=fields)
    return _answer(ctx, output)


EXPORT_HELP = (
    f"Exit status: {ExitStatus.OK.value} written; {ExitStatus.USAGE.value} usage error (also "
    f"FILE exists without --force); {ExitStatus.CATALOGUE.value} catalogue unreadable or "
    f"invalid; {ExitStatus.INTERNAL.value} a bug in directives; {ExitStatus.OUTPUT.value} FILE "
    "could not be written."
)


@app.command("export", epilog=EXPORT_HELP)
def export_command(
    ctx: typer.Context,
    sqlite: SqliteOpt,
    metadata: MetadataOpt = None,
    force: ForceOpt = False,
    category: CategoryOpt = None,
    act: ActOpt = None,
    speaker: SpeakerOpt = None,
    tag: TagOpt = None,
    meeting: MeetingOpt = None,
    catalog: CatalogOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
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
    filters = commands.make_filters(category, act, speaker, tag, meeting)
    output = commands.export_catalogue(
        _settings(ctx), filters, sqlite, metadata=metadata, force=force
    )
    return _answer(ctx, output)


@app.command("validate")
def validate_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Catalogue files or directories (default: the catalogue in use).",
        ),
    ] = None,
    catalog: CatalogOpt = None,
) -> Answer:
    """Check catalogues and print every problem found.

    Each problem is one line FILE:LINE:COLUMN: message on stdout, as linters print them.

    Exit status 0 when every catalogue is valid, 3 otherwise: ready for a CI job.

    Examples:

    \b
      directives validate meetings/
      directives validate new-meeting.yaml || echo 'fix the lines above'
    """
    return _answer(ctx, commands.validate_catalogues(_settings(ctx), paths or ()))


@app.command("schema")
def schema_command() -> Answer:
    """Print the JSON Schema of the catalogue format.

    For editors (the YAML language server) and for other tools that check catalogues.

    Examples:

    \b
      directives schema > directives.schema.json
      # then, as the first line of a catalogue:
      # yaml-language-server: $schema=directives.schema.json
    """
    return Output(text=commands.json_schema_text()), "never"


DIFF_HELP = (
    f"Exit status: {ExitStatus.OK.value} the two are the same; {ExitStatus.DIFFERENT.value} "
    f"they differ; {ExitStatus.USAGE.value} usage error; {ExitStatus.CATALOGUE.value} OLD or "
    "NEW is not a valid catalogue (FILE:LINE:COLUMN on stderr)."
)


@app.command("diff", epilog=DIFF_HELP)
def diff_command(
    ctx: typer.Context,
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The old catalogue file or folder.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The new catalogue file or folder.")],
    match: MatchOpt = optspec.Match.ID,
    threshold: ThresholdOpt = optspec.DEFAULT_THRESHOLD,
    check_quotes: CheckQuotesOpt = False,
    fmt: FormatOpt = None,
    no_cache: NoCacheOpt = False,
    color: ColorOpt = None,
) -> Answer:
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
    output = commands.diff_catalogues(
        _settings(ctx),
        old,
        new,
        chosen_format(fmt),
        match=match.value,
        threshold=threshold,
        check_quotes=check_quotes,
    )
    return _answer(ctx, output)


@app.command("draft")
def draft_command(
    report: Annotated[
        Path, typer.Argument(metavar="REPORT", help="The report: a UTF-8 text file.")
    ],
    output: DraftOutputOpt = None,
    force: ForceOpt = False,
    lang: LangOpt = None,
    start: StartOpt = None,
    categories: ThemesOpt = None,
) -> Answer:
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
    drafted = commands.draft_catalogue(
        report,
        output,
        force=force,
        lang=lang.value if lang else None,
        start=start,
        categories=categories,
    )
    return drafted, "never"


#: The Click command Typer builds from the commands' signatures, built once per process:
#: building it costs more than parsing, and a process that runs the CLI many times (the
#: tests do) would otherwise rebuild it on every call.
_click_command = functools.cache(typer.main.get_command)


def main_command(args: Sequence[str]) -> Answer | int:
    """Parse ``args`` with Typer and run the command: its answer for `entry` to write, or
    the status Typer ended with on its own (help, --version). Click's errors propagate
    to `entry.run`, which reports them."""
    command = _click_command(app)
    helpformat.for_any_width(command)
    try:
        result = command.main(
            args=list(args),
            prog_name="directives",
            standalone_mode=False,
            terminal_width=helpformat.help_width(),
        )
    except SystemExit:
        # Click meets a closed pipe (writing help) by wrapping stdout and exiting 1, the
        # status the contract keeps for "not found": report it as a closed pipe instead.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)) from None
        raise
    if isinstance(result, tuple):
        output, color = result
        if isinstance(output, Output) and isinstance(color, str):
            return output, color
    return result if isinstance(result, int) else 0
