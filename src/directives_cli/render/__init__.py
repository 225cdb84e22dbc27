"""Output formats: the names a user chooses with ``--format`` and the fields each shows.

Renderers never print. Machine formats (:mod:`.machine`, fed by :mod:`.records`) return
`str` and never import Rich, because scripts call the tool in loops and Rich costs more
to import than the rest of the tool; terminal views (:mod:`.table`, laid out by
:mod:`.layout` and drawn on a console from :mod:`.console`) return Rich renderables.
:mod:`.escape` makes catalogue text safe for both. The CLI writes whichever it gets.
This module is imported on every call, so it holds names only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

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


#: What a person sees by default: enough to pick a directive, short enough for a row.
DEFAULT_FIELDS: tuple[str, ...] = ("id", "category", "act", "title")

#: The fields a search result has on top of a directive's own.
SEARCH_FIELDS: tuple[str, ...] = ("score", "matched")

#: Every field of a search result in the data formats: a directive's first-release fields,
#: then score and matched, then the fields added since, so no published column moves.
SEARCH_RESULT_FIELDS: tuple[str, ...] = (
    *(f for f in DIRECTIVE_FIELDS if f not in ADDED_FIELDS),
    *SEARCH_FIELDS,
    *ADDED_FIELDS,
)


def default_fields(fmt: Format, *, search: bool = False) -> tuple[str, ...]:
    """The fields a format shows when ``--fields`` is not given.

    Views for people keep to a row's worth; data formats carry every field, so a script
    gets the whole record without knowing the field names.
    """
    match fmt:
        case Format.TABLE | Format.PLAIN | Format.MARKDOWN:
            return (*DEFAULT_FIELDS, "score") if search else DEFAULT_FIELDS
        case Format.CSV | Format.JSON | Format.JSONL | Format.YAML:
            return SEARCH_RESULT_FIELDS if search else DIRECTIVE_FIELDS
        case Format.IDS:
            return ("id",)
        case _:
            assert_never(fmt)
