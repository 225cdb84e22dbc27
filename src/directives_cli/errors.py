"""One family of exceptions; each knows its exit code and its one-line message.

Library modules raise these and never print or exit: only the CLI maps them to
stderr and an exit status, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from directives_cli.exits import ExitStatus
from directives_cli.safetext import shown


class Problem:
    """One thing wrong with a catalogue file, at a 1-based line and column (line 0: a
    path that could not be reached, named as typed).

    A hand-written class, not a dataclass: every call imports this module, and the
    `dataclasses` module alone costs several milliseconds of a warm call. Problems
    compare and sort by (file, line, column, message), as linters list them.
    """

    __slots__ = ("file", "line", "column", "message")
    file: str
    line: int
    column: int
    message: str

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "message", message)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: Problem is frozen")

    def _key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.message)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: Problem) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Problem) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Problem) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Problem) -> bool:
        return self._key() >= other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Problem({self.file!r}, {self.line!r}, {self.column!r}, {self.message!r})"

    def __str__(self) -> str:
        # The file name is outside text: a newline in it must not split the line in two.
        # Line 0 is a path that could not be reached at all: nothing to point into.
        if self.line == 0:
            return f"{shown(self.file)}: {self.message}"
        return f"{shown(self.file)}:{self.line}:{self.column}: {self.message}"


class DirectivesError(Exception):
    """Base of every error the tool reports to the user."""

    exit_code: int = ExitStatus.NOT_FOUND


class NotFoundError(DirectivesError):
    """A search matched nothing or an id does not exist (exit 1)."""

    exit_code = ExitStatus.NOT_FOUND


class UsageError(DirectivesError):
    """The command line asked for something invalid (exit 2)."""

    exit_code = ExitStatus.USAGE


class CatalogueError(DirectivesError):
    """A catalogue cannot be read or is invalid (exit 3).

    Carries every problem found, so `validate` can list them all while other
    commands report the first.
    """

    exit_code = ExitStatus.CATALOGUE

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            message = problems
        else:
            self.problems = tuple(problems)
            message = str(self.problems[0]) if self.problems else "invalid catalogue"
            if len(self.problems) > 1:
                more = len(self.problems) - 1
                noun = "problem" if more == 1 else "problems"
                message += f" (and {more} more {noun}: 'directives validate' lists them all)"
        super().__init__(message)


class OutputError(DirectivesError):
    """A file the user asked for could not be written (exit 74, EX_IOERR)."""

    exit_code = ExitStatus.OUTPUT
