"""The fast path: answer the common, well-formed calls without building the Typer app.

Shell scripts call `directives list -f ids` and `directives show ID -f json` many times
in a loop, so each call's start-up is the product's speed. Importing Typer and building
the app from the commands' signatures costs about as much as the rest of a warm call
together, so this module reads the simple, well-formed command lines itself and hands
them to the same `commands` functions the Typer commands call.

It only ever accepts a command line it understands completely. Anything else (help,
completion, `--version`, `validate`, `schema`, an unknown or malformed option, a value
Typer would reject or convert, `--`) makes `dispatch` return None and Typer parses the
command line instead, so every error message still comes from one place. The option
table below mirrors the Typer declarations in `options.py` and `cli.py`;
tests/test_fastpath.py checks that they agree and that both paths print the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from directives_cli.commands import COLORS, Output, Settings, make_filters
from directives_cli.model import Filters

#: Options that take a value, by every spelling, mapped to one destination name.
_FILTER_OPTIONS = {
    "--category": "category",
    "-c": "category",
    "--act": "act",
    "--speaker": "speaker",
    "--tag": "tag",
    "--meeting": "meeting",
}
_COMMON_OPTIONS = {"--format": "format", "-f": "format", "--catalog": "catalog", "--color": "color"}
_LISTING_OPTIONS = {"--limit": "limit", "-n": "limit", "--fields": "fields"}
#: Destinations that collect every value given; the others keep the last, as Click does.
_REPEATABLE = frozenset({"category", "act", "speaker", "tag", "meeting"})
_FORMATS = frozenset({"table", "plain", "csv", "json", "jsonl", "yaml", "ids", "markdown"})


@dataclass(frozen=True)
class CommandSpec:
    """What one command accepts: options with values, flags, and how many arguments."""

    options: dict[str, str]
    flags: dict[str, str] = field(default_factory=lambda: {"--no-cache": "no_cache"})
    min_args: int = 0
    max_args: int | None = 0


COMMANDS: dict[str, CommandSpec] = {
    "list": CommandSpec(
        options={**_FILTER_OPTIONS, **_COMMON_OPTIONS, **_LISTING_OPTIONS, "--sort": "sort"}
    ),
    "search": CommandSpec(
        options={**_FILTER_OPTIONS, **_COMMON_OPTIONS, **_LISTING_OPTIONS, "--in": "within"},
        flags={"--no-cache": "no_cache", "--any": "any_term", "--regex": "regex"},
        min_args=1,
        max_args=None,
    ),
    "show": CommandSpec(options=dict(_COMMON_OPTIONS), min_args=1, max_args=None),
    "categories": CommandSpec(options={**_COMMON_OPTIONS, "--meeting": "meeting"}),
    "meeting": CommandSpec(options=dict(_COMMON_OPTIONS), max_args=None),
}
#: Options of the group itself, accepted before the command name.
GLOBAL_OPTIONS = {"--catalog": "catalog", "--color": "color"}
GLOBAL_FLAGS = {"--no-cache": "no_cache", "--debug": "debug"}


class _Unsupported(Exception):
    """The command line is not one the fast path reads; Typer will."""


@dataclass
class Parsed:
    """A command line as the fast path read it."""

    command: str
    values: dict[str, str | list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    arguments: list[str] = field(default_factory=list)
    settings: Settings = Settings()


def dispatch(args: Sequence[str]) -> tuple[Output, str] | None:
    """The command's output and the --color to draw it with, or None when Typer must
    read this command line."""
    if "_DIRECTIVES_COMPLETE" in os.environ:
        return None
    try:
        parsed = parse(args)
    except _Unsupported:
        return None
    return run(parsed), parsed.settings.color


def parse(args: Sequence[str]) -> Parsed:
    """Read global options, the command name, then the command's options and arguments."""
    tokens = list(args)
    values: dict[str, str | list[str]] = {}
    flags: set[str] = set()
    while tokens and tokens[0].startswith("-"):
        _take(tokens, GLOBAL_OPTIONS, GLOBAL_FLAGS, values, flags)
    if not tokens or tokens[0] not in COMMANDS:
        raise _Unsupported
    base = _settings(values, flags, Settings())
    parsed = Parsed(command=tokens.pop(0))
    spec = COMMANDS[parsed.command]
    while tokens:
        if tokens[0].startswith("-") and tokens[0] != "-":
            _take(tokens, spec.options, spec.flags, parsed.values, parsed.flags)
        else:
            parsed.arguments.append(tokens.pop(0))
    count = len(parsed.arguments)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise _Unsupported
    parsed.settings = _settings(parsed.values, parsed.flags, base)
    return parsed


def _take(
    tokens: list[str],
    options: dict[str, str],
    flags: dict[str, str],
    values: dict[str, str | list[str]],
    seen: set[str],
) -> None:
    """Consume one option (and its value) from the front of ``tokens``."""
    token = tokens.pop(0)
    name, equals, attached = token.partition("=")
    if not equals and token in flags:
        seen.add(flags[token])
        return
    if name not in options or (equals and not name.startswith("--")):
        raise _Unsupported
    if not equals:
        if not tokens:
            raise _Unsupported
        attached = tokens.pop(0)
    destination = options[name]
    value = _checked(destination, attached)
    if destination in _REPEATABLE:
        listed = values.setdefault(destination, [])
        assert isinstance(listed, list)
        listed.append(value)
    else:
        values[destination] = value


def _checked(destination: str, value: str) -> str:
    """A value exactly as Typer would accept it, or _Unsupported so Typer can judge it."""
    ok = {
        "format": value.lower() in _FORMATS,
        "color": value in COLORS,
        "limit": value.isascii() and value.isdigit(),
        "catalog": value != "",
    }.get(destination, True)
    if not ok:
        raise _Unsupported
    if destination == "catalog":
        # Typer hands the command a Path: "./x.yaml/" becomes "x.yaml" in messages too.
        return str(Path(value))
    return value.lower() if destination == "format" else value


def _settings(values: dict[str, str | list[str]], flags: set[str], base: Settings) -> Settings:
    catalog, color = values.get("catalog"), values.get("color")
    return base.merged(
        catalog if isinstance(catalog, str) else None,
        "no_cache" in flags,
        color if isinstance(color, str) else None,
    )


def run(parsed: Parsed) -> Output:
    """Call the command with what was parsed, exactly as its Typer twin does."""
    from directives_cli import commands
    from directives_cli.output import is_terminal
    from directives_cli.render import Format

    given = parsed.values.get("format")
    fmt = Format(given) if isinstance(given, str) else None
    fmt = fmt or (Format.TABLE if is_terminal() else Format.PLAIN)
    settings = parsed.settings
    if parsed.command == "list":
        return commands.list_directives(
            settings,
            _filters(parsed),
            fmt,
            sort=_one(parsed, "sort") or "catalogue",
            limit=_limit(parsed),
            fields=_one(parsed, "fields"),
        )
    if parsed.command == "search":
        return commands.search_directives(
            settings,
            parsed.arguments,
            _filters(parsed),
            fmt,
            any_term="any_term" in parsed.flags,
            within=_one(parsed, "within"),
            regex="regex" in parsed.flags,
            limit=_limit(parsed),
            fields=_one(parsed, "fields"),
        )
    if parsed.command == "show":
        return commands.show_directives(settings, parsed.arguments, fmt)
    if parsed.command == "categories":
        return commands.category_counts(settings, _many(parsed, "meeting"), fmt)
    return commands.describe_meetings(settings, parsed.arguments, fmt)


def _one(parsed: Parsed, name: str) -> str | None:
    value = parsed.values.get(name)
    return value if isinstance(value, str) else None


def _many(parsed: Parsed, name: str) -> tuple[str, ...]:
    value = parsed.values.get(name)
    return tuple(value) if isinstance(value, list) else ()


def _limit(parsed: Parsed) -> int | None:
    value = _one(parsed, "limit")
    return int(value) if value is not None else None


def _filters(parsed: Parsed) -> Filters:
    names = ("category", "act", "speaker", "tag", "meeting")
    return make_filters(*(_many(parsed, name) for name in names))
