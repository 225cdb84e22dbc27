"""Every exit status `directives` can end with, and what each means: the one table.

`errors` gives each exception its status from here, `entry` maps every outcome to one,
the help epilog is written from the ``help`` column, and tests/test_docs.py checks that
the README's exit-status table says exactly what the ``meaning`` column says. Plain data,
imported on every call, so it imports nothing.
"""

from __future__ import annotations

from enum import IntEnum

from directives_cli.plain import NamedTuple


class ExitStatus(IntEnum):
    """The statuses of the contract, by what they report."""

    OK = 0
    NOT_FOUND = 1
    #: `diff`: the two catalogues differ (the same status as NOT_FOUND, as diff(1) has).
    DIFFERENT = 1
    USAGE = 2
    CATALOGUE = 3
    INTERNAL = 70
    OUTPUT = 74
    INTERRUPTED = 130
    PIPE = 141


class StatusDoc(NamedTuple):
    """How one status is documented: the README's row, and the phrase in `--help`.
    (A NamedTuple: cheaper to define than a dataclass, on every call.)"""

    status: ExitStatus
    #: The README's "meaning" cell, as Markdown.
    meaning: str
    #: The phrase after the number in the help epilog; "" keeps it out of the epilog.
    help: str = ""


STATUSES: tuple[StatusDoc, ...] = (
    StatusDoc(
        ExitStatus.OK,
        "success (also `list` whose filters match nothing: empty output)",
        "ok (also `list` matching nothing)",
    ),
    StatusDoc(
        ExitStatus.NOT_FOUND,
        "`search` matched nothing; `show` named an id that does not exist (stderr suggests "
        "close ids); `diff`: the two catalogues differ",
        "`search` matched nothing or `show` named an unknown id",
    ),
    StatusDoc(
        ExitStatus.USAGE,
        "usage error: unknown option, bad value, unknown category, act or field",
        "usage error",
    ),
    StatusDoc(
        ExitStatus.CATALOGUE,
        "the catalogue cannot be read or is invalid",
        "catalogue unreadable or invalid",
    ),
    StatusDoc(
        ExitStatus.INTERNAL,
        "a bug in `directives` itself (one line on stderr; `--debug` shows the traceback)",
        "a bug in directives",
    ),
    StatusDoc(
        ExitStatus.OUTPUT,
        "the output could not be written (disk full, closed stdout)",
        "the output could not be written",
    ),
    StatusDoc(ExitStatus.INTERRUPTED, "interrupted (SIGINT)", "interrupted"),
    StatusDoc(
        ExitStatus.PIPE,
        "the reader of stdout went away before the output was written (`directives list | "
        "head -1`): output stops quietly, as `grep` does; when all output fit in the pipe "
        "before the reader left, the status is 0",
        "the reader of the output went away (| head)",
    ),
)


def help_epilog() -> str:
    """The exit statuses as the epilog of `--help` states them."""
    phrases = "; ".join(f"{doc.status.value} {doc.help}" for doc in STATUSES if doc.help)
    return f"Exit status: {phrases}."
