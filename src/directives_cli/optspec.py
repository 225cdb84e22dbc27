"""Every command-line option, declared once as plain data that both parsers read.

An `Opt` holds everything about one option: its spellings, the kind of value it takes,
its choices, default, help, whether it repeats, and the name of its completer. Typer's
parameters (`options.py`) and the fast path's tables (`fastpath.py`) are both built from
these declarations, so a spelling, a default or a help text is written only here. This
module is read on every call, so it imports no parser and nothing heavy.

Adding an option to a command: declare it here (or reuse one), add it to the command's
tuple in `FAST_COMMANDS` if the fast path serves that command, and give the Typer function
its parameter line.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from directives_cli.model import ACTS
from directives_cli.plain import TYPE_CHECKING, NamedTuple
from directives_cli.render import Color, Format

if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    #: flag: no value; text: any string; int: a whole number; float: a number; path: a
    #: file or directory; choice: one of ``choices``.
    Kind: TypeAlias = Literal["flag", "text", "int", "float", "path", "choice"]


#: The one rule for an empty value (`--sort ''`, `--catalog ''`, `--fields=`), whatever the
#: option and whichever parser reads it: a usage error, never a silent default ("" is not
#: "." for a path, nor "every field" for --fields). The fast path hands such a command line
#: to Typer, whose parsers (`options.typer_option`) say this.
EMPTY_VALUE = "the value is empty (give one, or leave the option out)"


class Opt(NamedTuple):
    """One option: what a user types, what it means, and how it is checked.

    A NamedTuple, not a dataclass: this module is imported on every call, and a frozen
    dataclass costs about ten times as much to define."""

    #: The parameter name both parsers hand the command (a Typer function's argument).
    dest: str
    flags: tuple[str, ...]
    help: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()
    #: Whether "JSON" means "json"; only choices are compared.
    case_sensitive: bool = True
    #: Every value given is kept (a list); otherwise the last one wins, as in Click.
    repeatable: bool = False
    #: The value when the option is absent; None (False for a flag) means "not given".
    default: str | float | None = None
    #: The smallest value an int option takes.
    min: int | None = None
    show_default: bool = True
    #: How the help names the value (FILE, YYYY-MM-DD); None lets Typer choose.
    metavar: str | None = None
    #: A key of `options.COMPLETERS`: what `<TAB>` offers for the value.
    completer: str | None = None

    @property
    def takes_value(self) -> bool:
        """False for a flag, which is present or absent."""
        return self.kind != "flag"


#: What a number too long for `int` stands for: beyond every count (SQLite's integers end
#: at 2**63 - 1), so a limit this large means no limit at all.
BEYOND = 2**63


def read_int(text: str | int) -> int:
    """A whole number as Click reads one (`int`: " 5", "+5" and "٥" too), of any length.

    Python refuses to convert more than 4,300 digits (a guard against quadratic work);
    a number of a thousand significant digits or more is past any count a catalogue
    holds, so it reads as ``BEYOND`` (or its negative) instead of failing: `--limit
    99...9` means what it says, no limit. Leading zeros do not count.
    """
    try:
        return int(text)
    except ValueError:
        if not isinstance(text, str):
            raise
        body = text.strip()
        digits = body[1:] if body[:1] in ("+", "-") else body
        if not digits.isdecimal():
            raise
        negative = body.startswith("-")
        significant = digits.lstrip("0")
        if len(significant) < 1000:  # only leading zeros made it long: "000...07" is 7
            number = int(significant or "0")
            return -number if negative else number
        return -BEYOND if negative else BEYOND


CATALOG = Opt(
    "catalog",
    ("--catalog",),
    "Catalogue file or directory (default: $DIRECTIVES_CATALOG unless empty, else the "
    "bundled one).",
    kind="path",
    show_default=False,
)
NO_CACHE = Opt(
    "no_cache",
    ("--no-cache",),
    "Read the YAML every time; never read or write the index cache.",
    kind="flag",
)
COLOR = Opt(
    "color",
    ("--color",),
    "Colour terminal output: auto, always or never.",
    kind="choice",
    choices=tuple(Color),
    show_default=False,
)
DEBUG = Opt("debug", ("--debug",), "Show a traceback for unexpected errors.", kind="flag")
VERSION = Opt("version", ("--version", "-V"), "Print the version.", kind="flag")
FORMAT = Opt(
    "fmt",
    ("--format", "-f"),
    "Output format (default: table on a terminal, plain when piped).",
    kind="choice",
    choices=tuple(Format),
    case_sensitive=False,
    show_default=False,
)
CATEGORY = Opt(
    "category",
    ("--category", "-c"),
    "Only this category id (repeatable, or a comma list: any of them).",
    repeatable=True,
    show_default=False,
    completer="categories",
)
ACT = Opt(
    "act",
    ("--act",),
    f"Only this speech act: {', '.join(ACTS)} (repeatable, or a comma list).",
    repeatable=True,
    show_default=False,
    completer="acts",
)
SPEAKER = Opt(
    "speaker",
    ("--speaker",),
    "Only directives whose speaker's name has these whole words, any case: "
    "'Chen Gang', or just chen (repeatable, or a comma list).",
    repeatable=True,
    show_default=False,
    completer="speakers",
)
TAG = Opt(
    "tag",
    ("--tag",),
    "Only directives with this tag (repeatable, or a comma list: any of them).",
    repeatable=True,
    show_default=False,
    completer="tags",
)
MEETING = Opt(
    "meeting",
    ("--meeting",),
    "Only this meeting id (repeatable, or a comma list).",
    repeatable=True,
    show_default=False,
    completer="meetings",
)
LIMIT = Opt(
    "limit",
    ("--limit", "-n"),
    "At most this many results (a whole number, 0 or more, of any size).",
    kind="int",
    min=0,
    show_default=False,
    metavar="N",
)
FIELDS = Opt(
    "fields",
    ("--fields",),
    "Comma list of fields to print, e.g. id,title,speaker.",
    show_default=False,
    completer="fields",
)
#: The fields are `render.SUMMARY_BY` (checked by tests/test_options.py).
BY = Opt(
    "by",
    ("--by",),
    "Group by this field, or two (a comma list) for a cross-table: "
    "category, act, speaker, meeting or tag.",
    default="category",
    completer="summary_by",
)
#: What `list` is ordered by when `--sort` is not given.
DEFAULT_SORT = "catalogue"
#: The keys are `query.SORT_KEYS` (tests/test_options.py checks the help names them all).
SORT = Opt(
    "sort",
    ("--sort",),
    "Order: catalogue, id, category, act, speaker, title or meeting.",
    default=DEFAULT_SORT,
    completer="sort",
)
#: The fields are `search.SEARCH_FIELDS_ALLOWED` (checked by tests/test_options.py).
WITHIN = Opt(
    "within",
    ("--in",),
    "Search only these fields (comma list): "
    "title, text, quote, tags, addressees, speaker, category, note.",
    show_default=False,
    completer="search_fields",
)
#: Seconds a `--regex` search may take in all by default: `search.SEARCH_SECONDS`
#: (tests/test_options.py checks they agree).
DEFAULT_TIMEOUT = 20.0
TIMEOUT = Opt(
    "timeout",
    ("--timeout",),
    "With --regex: stop the search (exit 2) after this many seconds in all; 'inf' for no"
    " limit. A pattern is also stopped after 1 s on any one directive.",
    kind="float",
    default=DEFAULT_TIMEOUT,
    metavar="SECONDS",
)
ANY_TERM = Opt("any_term", ("--any",), "Match any term instead of every term.", kind="flag")
REGEX = Opt("regex", ("--regex",), "Treat each term as a regular expression.", kind="flag")


class Match(StrEnum):
    """How `diff` pairs directives: by meeting and id, or by the words they share."""

    ID = "id"
    TEXT = "text"


MATCH = Opt(
    "match",
    ("--match",),
    "Pair directives by meeting and id, or by the similarity of their words "
    "(title, text, quote) for two different meetings.",
    kind="choice",
    choices=tuple(Match),
    case_sensitive=False,
    default=Match.ID,
)
#: The least similarity `diff --match text` pairs by, when `--threshold` is not given.
DEFAULT_THRESHOLD = 0.5
THRESHOLD = Opt(
    "threshold",
    ("--threshold",),
    "With --match text: the least similarity (weighted Dice coefficient of the two "
    "directives' word sets, above 0 and at most 1) for a pair.",
    kind="float",
    default=DEFAULT_THRESHOLD,
)
CHECK_QUOTES = Opt(
    "check_quotes",
    ("--check-quotes",),
    "Fail (exit 3) when a side's source text is missing or lacks a quote, "
    "instead of comparing without it.",
    kind="flag",
)
FORCE = Opt(
    "force",
    ("--force",),
    "Replace the file written to if it exists (without it, an existing file is an error).",
    kind="flag",
)
SQLITE = Opt(
    "sqlite",
    ("--sqlite",),
    "Write an SQLite database here (an existing file only with --force).",
    kind="path",
    metavar="FILE",
)
METADATA = Opt(
    "metadata",
    ("--metadata",),
    "Also write Datasette metadata (JSON) here.",
    kind="path",
    metavar="FILE",
)
DRAFT_OUTPUT = Opt(
    "output",
    ("--output", "-o"),
    "Write the YAML here instead of stdout.",
    kind="path",
    metavar="FILE",
)


class Language(StrEnum):
    """The languages `draft` reads."""

    EN = "en"
    ZH = "zh"


LANG = Opt(
    "lang",
    ("--lang",),
    "The report's language (default: detected).",
    kind="choice",
    choices=tuple(Language),
    show_default=False,
)
START = Opt(
    "start",
    ("--start",),
    "The meeting's first day; required when the report gives no year.",
    metavar="YYYY-MM-DD",
)
THEMES = Opt(
    "categories",
    ("--categories",),
    "Use this catalogue's categories; each directive gets the closest one.",
    kind="path",
    metavar="CATALOGUE",
)

#: The filters `list`, `search`, `summary` and `export` share, in the order
#: `commands.make_filters` takes them.
FILTERS: tuple[Opt, ...] = (CATEGORY, ACT, SPEAKER, TAG, MEETING)
#: Options that make the `Settings`, read on the group and again on each command.
SETTINGS_OPTIONS: tuple[Opt, ...] = (CATALOG, NO_CACHE, COLOR)
#: Options of the group itself, accepted before the command name.
GLOBAL: tuple[Opt, ...] = (*SETTINGS_OPTIONS, DEBUG)


class CommandDecl(NamedTuple):
    """What one command accepts: its options and how many arguments."""

    options: tuple[Opt, ...]
    min_args: int = 0
    max_args: int | None = 0


_COMMON = (FORMAT, *SETTINGS_OPTIONS)
#: The commands shell loops call, which the fast path reads without Typer. Every other
#: command (and anything unusual on these) goes through Typer alone.
FAST_COMMANDS: dict[str, CommandDecl] = {
    "list": CommandDecl((*FILTERS, SORT, LIMIT, FIELDS, *_COMMON)),
    "search": CommandDecl(
        (ANY_TERM, WITHIN, REGEX, TIMEOUT, *FILTERS, LIMIT, FIELDS, *_COMMON),
        min_args=1,
        max_args=None,
    ),
    "show": CommandDecl((FIELDS, *_COMMON), min_args=1, max_args=None),
    "categories": CommandDecl((MEETING, *_COMMON)),
    "meeting": CommandDecl(_COMMON, max_args=None),
}


def wants_debug(args: Sequence[str]) -> bool:
    """Whether the group's options, before the command name, include `--debug`: read
    with the group's own declarations, so a value such as `--catalog --debug` is a value."""
    by_flag = {flag: opt for opt in GLOBAL for flag in opt.flags}
    tokens = iter(args)
    for token in tokens:
        opt = by_flag.get(token)
        if opt is DEBUG:
            return True
        if opt is not None and opt.takes_value:
            next(tokens, None)
        elif opt is None and not (token.startswith("--") and "=" in token):
            return False
    return False
