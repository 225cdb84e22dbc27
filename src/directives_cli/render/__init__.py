"""Output formats and colour modes: the names a user chooses, and the fields each record
kind has.

Renderers never print. Each format is one renderer (:mod:`.formats`) behind one small
interface. Machine formats (:mod:`.machine`, fed by :mod:`.records`) return `str` and
never import Rich, because scripts call the tool in loops and Rich costs more to import
than the rest of the tool; terminal views (:mod:`.table`, laid out by :mod:`.layout` and
drawn on a console from :mod:`.console`) return Rich renderables. :mod:`.escape` makes
catalogue text safe for both. The CLI writes whichever it gets. This module is imported
on every call, so it holds names only.
"""

from __future__ import annotations

from enum import StrEnum

from directives_cli.model import ADDED_FIELDS, DIRECTIVE_FIELDS


class Format(StrEnum):
    """The values of ``--format``; `table` is for people, the rest for scripts or reports."""

    TABLE = "table"
    PLAIN = "plain"
    CSV = "csv"
    JSON = "json"
    JSONL = "jsonl"
    YAML = "yaml"
    IDS = "ids"
    MARKDOWN = "markdown"


class Color(StrEnum):
    """The values of ``--color``: when to colour terminal output."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


#: Narrowest width terminal views and help are drawn at. A terminal (or COLUMNS) may
#: claim 0 or 1 column; drawing there would fold every word to a letter a line, so we
#: draw at this and let the terminal wrap.
MIN_WIDTH = 20

#: What a person sees by default: enough to pick a directive, short enough for a row.
DEFAULT_FIELDS: tuple[str, ...] = ("id", "category", "act", "title")

#: The fields a search result has on top of a directive's own.
SEARCH_FIELDS: tuple[str, ...] = ("score", "matched")

#: Every field of a search result: what `search --fields` accepts, and what the data
#: formats show. A directive's first-release fields, then score and matched, then the
#: fields added since, so no published column moves.
RESULT_FIELDS: tuple[str, ...] = (
    *(f for f in DIRECTIVE_FIELDS if f not in ADDED_FIELDS),
    *SEARCH_FIELDS,
    *ADDED_FIELDS,
)

#: The keys of a category record (`categories`), in output order.
CATEGORY_FIELDS: tuple[str, ...] = ("id", "meeting", "title", "description", "count", "note")

#: What `show` adds to a directive's fields: the source sentence of its quote.
SHOW_FIELDS: tuple[str, ...] = ("context",)
