"""Help laid out for the terminal it is read on: every word whole, at any width.

Click cuts command summaries with "..." at the terminal width, breaks words in narrow
description columns and never lays help out narrower than 50 columns. This module gives
the Typer app a help formatter that keeps words whole and a width that is the terminal's
own, so `directives --help` reads at 40 columns as at 100.
"""

from __future__ import annotations

import inspect
import re
import shutil
from collections.abc import Sequence

import typer

# Typer vendors Click and re-exports neither its Command nor its help formatter; the
# pin below 0.29 keeps these paths.
from typer._click.core import Command
from typer._click.formatting import HelpFormatter, wrap_text
from typer.core import TyperGroup

from directives_cli.render import MIN_WIDTH

#: Stands in for "-" while help is wrapped: Python's textwrap breaks lines after a hyphen
#: (`pointed-` / `out`), never after this character, which `getvalue` turns back.
_KEEP_HYPHEN = "\u2011"


class _HelpFormatter(HelpFormatter):
    """Click's help layout with every word kept whole: lines break at spaces only, and a
    list of options or commands whose descriptions would be narrower than their longest
    word (Click allows 10 columns, breaking words) puts each description under its name,
    as usage that does not fit goes under the command's name. A word longer than the
    whole width is folded at the edge, as in the terminal views. Otherwise the layout
    is Click's own (names up to 30 columns, descriptions beside them)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{'':>{self.current_indent}}{prefix or 'Usage: '}{prog}"
        if len(head) + 1 + len(args) <= self.width:
            self.write(f"{head} {args}\n")
        else:
            indent = " " * (self.current_indent + 4)
            self.write(f"{head}\n{wrap_text(_hold(args), self.width, indent, indent)}\n")

    def write_text(self, text: str) -> None:
        super().write_text(_hold(text))

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = [(name, _hold(text)) for name, text in rows]
        first = min(max((len(name) for name, _ in rows), default=0), col_max) + col_spacing
        longest = max((len(word) for _, text in rows for word in text.split()), default=0)
        stacked = self.width - self.current_indent - first < max(longest, 10)
        margin = " " * (self.current_indent + (4 if stacked else first))
        for name, text in rows:
            lines = _fold_choices(f"{'':>{self.current_indent}}{name}", self.width, margin)
            width = self.width - len(margin)
            body = wrap_text(text, width, preserve_paragraphs=True).splitlines() if text else []
            if body and not stacked and len(lines) == 1 and len(name) + col_spacing <= first:
                lines[0] = lines[0].ljust(len(margin)) + body.pop(0)
            lines += [f"{margin}{line}".rstrip() for line in body]
            self.write("".join(f"{line}\n" for line in lines))

    def getvalue(self) -> str:
        return super().getvalue().replace(_KEEP_HYPHEN, "-")


def _fold_choices(line: str, width: int, indent: str) -> list[str]:
    """An option's name as lines, broken after a `|` of its choices where it is too wide
    (`-f, --format <table|plain|...|markdown>` at 40 or 60 columns)."""
    lines = [""]
    for piece in re.split(r"(?<=\|)", line):
        if lines[-1].strip() and len(lines[-1]) + len(piece) > width:
            lines.append(indent)
        lines[-1] += piece
    return lines


def _hold(text: str) -> str:
    return text.replace("-", _KEEP_HYPHEN)


class _HelpContext(typer.Context):
    formatter_class = _HelpFormatter


def help_width() -> int:
    """The width help is laid out at: the terminal's (COLUMNS, else the terminal itself),
    at most 80 as Click has it. Click's own floor of 50 made every line at a 40-column
    terminal run past the edge, where the terminal broke it mid-word."""
    return max(min(shutil.get_terminal_size().columns, 80), MIN_WIDTH) - 2


def _summary(help_text: str) -> str:
    """A command's first paragraph, whole: Click cut it to the width with "..."."""
    return " ".join(inspect.cleandoc(help_text).split("\n\n")[0].split())


def for_any_width(command: Command) -> None:
    """Lay out the help of ``command`` and its subcommands for the real terminal width,
    with each command's summary whole in the command list."""
    command.context_class = _HelpContext
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            sub.context_class = _HelpContext
            sub.short_help = sub.short_help or _summary(sub.help or "")
