"""What every command is given and what it gives back, as plain data.

`Settings` (where the catalogue is, how to draw) and `Output` (what to write, and the
status to end with) are shared by the parsers, the commands, the renderers and the writer
(`output.py`); keeping them here lets each of those reach them without importing any of
the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from directives_cli.exits import ExitStatus
from directives_cli.render import Color


@dataclass(frozen=True, slots=True)
class Settings:
    """Where to read the catalogue and how to draw on a terminal."""

    catalog: str | None = None
    no_cache: bool = False
    color: str = Color.AUTO

    def merged(self, given: Mapping[str, object]) -> Settings:
        """These (global) settings overridden by the options a parser read, by their
        declared names (`optspec.SETTINGS_OPTIONS`), so `--catalog` works before or after
        the command name. Absent options are None or False. The path is spelled as a `Path`
        spells it (Typer's own conversion: "./x.yaml/" is "x.yaml", "" is ".") whichever
        parser read it, so messages name it alike."""
        catalog, color = given.get("catalog"), given.get("color")
        return Settings(
            catalog=(str(Path(str(catalog))) if catalog is not None else None) or self.catalog,
            no_cache=bool(given.get("no_cache")) or self.no_cache,
            color=(str(color) if color else None) or self.color,
        )


@dataclass(frozen=True, slots=True)
class Output:
    """A command's result: text for stdout, then text made while it is written, then
    Rich renderables to draw; remarks for stderr; the status to exit with.

    ``chunks`` is lazy: `list` and `search` in machine formats read the index and render
    as the writer consumes it, so 100,000 records are never all in memory. Consuming it
    may still raise a DirectivesError after some chunks were written (see `output.emit`).
    """

    text: str = ""
    chunks: Iterable[str] = ()
    renderables: tuple[object, ...] = ()
    #: Remarks for stderr (never stdout, which is data): e.g. a speaker nobody is.
    notes: tuple[str, ...] = ()
    #: CSV and YAML must reach stdout exactly: written as UTF-8 even where stdout's own
    #: encoding (PYTHONIOENCODING=ascii, a C locale) could not hold the text.
    exact: bool = False
    #: A verdict for stderr once stdout is written (`validate`: "2 problems found").
    summary: str = ""
    #: The status once everything is written: `validate` ends with CATALOGUE when it
    #: listed problems, which are its output rather than an error.
    status: ExitStatus = ExitStatus.OK
