"""The fast path: answer the common, well-formed calls without building the Typer app.

Shell scripts call `directives list -f ids` and `directives show ID -f json` many times
in a loop, so each call's start-up is the product's speed. Importing Typer and building
the app from the commands' signatures costs about as much as the rest of a warm call
together, so this module reads the simple, well-formed command lines itself and hands
them to the same `commands` functions the Typer commands call.

It only ever accepts a command line it understands completely. Anything else (help,
completion, `--version`, `validate`, `schema`, an unknown or malformed option, a value
Typer would reject or convert, `--`) makes `dispatch` return None and Typer parses the
command line instead, so every error message still comes from one place. Its tables are
built from the same declarations (`optspec`) as Typer's parameters;
tests/test_fastpath.py checks that they agree and that both paths print the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from directives_cli import optspec
from directives_cli.commands import make_filters
from directives_cli.model import Filters
from directives_cli.optspec import Opt
from directives_cli.outcome import Output, Settings
from directives_cli.plain import NamedTuple


class CommandSpec(NamedTuple):
    """What one command accepts: options with values and flags, each by every spelling,
    and how many arguments."""

    options: dict[str, Opt]
    flags: dict[str, Opt]
    min_args: int = 0
    max_args: int | None = 0


def _spec(options: Sequence[Opt], min_args: int = 0, max_args: int | None = 0) -> CommandSpec:
    return CommandSpec(
        options={flag: o for o in options if o.takes_value for flag in o.flags},
        flags={flag: o for o in options if not o.takes_value for flag in o.flags},
        min_args=min_args,
        max_args=max_args,
    )


COMMANDS: dict[str, CommandSpec] = {
    name: _spec(decl.options, decl.min_args, decl.max_args)
    for name, decl in optspec.FAST_COMMANDS.items()
}
#: Options of the group itself, accepted before the command name.
GLOBAL = _spec(optspec.GLOBAL)


class _Unsupported(Exception):
    """The command line is not one the fast path reads; Typer will."""


class Parsed:
    """A command line as the fast path read it. (A hand-written class: `dataclasses`
    costs more to import than the fast path saves.)"""

    __slots__ = ("command", "values", "arguments", "settings")

    def __init__(self, command: str) -> None:
        self.command = command
        #: Each option read, by its declared name: a string, a list (repeatable) or True.
        self.values: dict[str, str | list[str] | bool] = {}
        self.arguments: list[str] = []
        self.settings = Settings()


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


def accepts(args: Sequence[str]) -> bool:
    """Whether the fast path would read this command line (without running it)."""
    try:
        parse(args)
    except _Unsupported:
        return False
    return True


def parse(args: Sequence[str]) -> Parsed:
    """Read global options, the command name, then the command's options and arguments."""
    tokens = list(args)
    values: dict[str, str | list[str] | bool] = {}
    while tokens and tokens[0].startswith("-"):
        _take(tokens, GLOBAL, values)
    if not tokens or tokens[0] not in COMMANDS:
        raise _Unsupported
    base = Settings().merged(values)
    parsed = Parsed(command=tokens.pop(0))
    spec = COMMANDS[parsed.command]
    while tokens:
        if tokens[0].startswith("-") and tokens[0] != "-":
            _take(tokens, spec, parsed.values)
        else:
            parsed.arguments.append(tokens.pop(0))
    count = len(parsed.arguments)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise _Unsupported
    parsed.settings = base.merged(parsed.values)
    return parsed


def _take(tokens: list[str], spec: CommandSpec, values: dict[str, str | list[str] | bool]) -> None:
    """Consume one option (and its value) from the front of ``tokens``."""
    token = tokens.pop(0)
    name, equals, attached = token.partition("=")
    if not equals and token in spec.flags:
        values[spec.flags[token].dest] = True
        return
    opt = spec.options.get(name)
    if opt is None or (equals and not name.startswith("--")):
        raise _Unsupported
    if not equals:
        if not tokens:
            raise _Unsupported
        attached = tokens.pop(0)
    value = _checked(opt, attached)
    if opt.repeatable:
        listed = values.setdefault(opt.dest, [])
        assert isinstance(listed, list)
        listed.append(value)
    else:
        values[opt.dest] = value


def _checked(opt: Opt, value: str) -> str:
    """A value exactly as Typer would accept it, or _Unsupported so Typer can judge it."""
    if value == "":  # optspec.EMPTY_VALUE: Typer says so
        raise _Unsupported
    if opt.kind == "choice":
        chosen = value if opt.case_sensitive else value.lower()
        if chosen not in opt.choices:
            raise _Unsupported
        return chosen
    if opt.kind == "int":
        if not (value.isascii() and value.isdigit() and optspec.read_int(value) >= (opt.min or 0)):
            raise _Unsupported
        return value
    if opt.kind == "float":
        try:
            float(value)  # as Typer reads it; the command judges the range
        except ValueError:
            raise _Unsupported from None
        return value
    if opt.kind == "path":
        # Typer hands the command a Path: "./x.yaml/" becomes "x.yaml" in messages too.
        return str(Path(value))
    return value


def run(parsed: Parsed) -> Output:
    """Call the command with what was parsed, exactly as its Typer twin does."""
    from directives_cli import commands
    from directives_cli.output import chosen_format
    from directives_cli.render import Format

    given = _one(parsed, optspec.FORMAT)
    fmt = chosen_format(Format(given) if given is not None else None)
    settings = parsed.settings
    if parsed.command == "list":
        return commands.list_directives(
            settings,
            _filters(parsed),
            fmt,
            sort=_one(parsed, optspec.SORT) or optspec.DEFAULT_SORT,
            limit=_limit(parsed),
            fields=_one(parsed, optspec.FIELDS),
        )
    if parsed.command == "search":
        return commands.search_directives(
            settings,
            parsed.arguments,
            _filters(parsed),
            fmt,
            any_term=optspec.ANY_TERM.dest in parsed.values,
            within=_one(parsed, optspec.WITHIN),
            regex=optspec.REGEX.dest in parsed.values,
            timeout=float(_one(parsed, optspec.TIMEOUT) or optspec.DEFAULT_TIMEOUT),
            limit=_limit(parsed),
            fields=_one(parsed, optspec.FIELDS),
        )
    if parsed.command == "show":
        return commands.show_directives(
            settings, parsed.arguments, fmt, fields=_one(parsed, optspec.FIELDS)
        )
    if parsed.command == "categories":
        return commands.category_counts(settings, _many(parsed, optspec.MEETING), fmt)
    return commands.describe_meetings(settings, parsed.arguments, fmt)


def _one(parsed: Parsed, opt: Opt) -> str | None:
    value = parsed.values.get(opt.dest)
    return value if isinstance(value, str) else None


def _many(parsed: Parsed, opt: Opt) -> tuple[str, ...]:
    value = parsed.values.get(opt.dest)
    return tuple(value) if isinstance(value, list) else ()


def _limit(parsed: Parsed) -> int | None:
    value = _one(parsed, optspec.LIMIT)
    return optspec.read_int(value) if value is not None else None


def _filters(parsed: Parsed) -> Filters:
    return make_filters(*(_many(parsed, opt) for opt in optspec.FILTERS))
