"""The catalogue format, schema 1, declared once.

`OBJECTS` lists every field of every kind of mapping a catalogue holds. The loader
checks documents against it and `json_schema` turns it into the JSON Schema that
`directives schema` prints and editors use, so the two cannot drift apart: what one
accepts, the other accepts. Rules that relate one value to another (a directive's
category must exist, ids are unique, quotes occur in the source, end >= start) are
beyond JSON Schema and live only in the loader.

The schema describes a document as the loader reads it: every scalar is the string
its author wrote (``period: 2018`` is the string "2018"), so every text field is a
JSON string. Editors that type ``2018`` as a number will ask for quotes, which is
also what the contract's examples do.

Importing this module does no work beyond building a few small tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from directives_cli.model import ACTS

#: The catalogue format version this code reads and writes.
SCHEMA_VERSION = "1"

#: meeting.id and category ids: lower-case words joined by hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
#: Directive and statistic ids: letters, digits, '.', '_' and '-'.
ID_PATTERN = r"^[A-Za-z0-9._-]+$"
#: A real calendar date, YYYY-MM-DD (leap years included), as one regular expression so
#: editors reject 2019-02-30 just as the loader does.
DATE_PATTERN = (
    r"^(?!0000)(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
)
#: Text must hold something other than whitespace.
TEXT_PATTERN = r"\S"

#: What a field holds. "object"/"objects" name an entry of OBJECTS in Field.of.
Kind = Literal["version", "text", "slug", "id", "date", "act", "texts", "object", "objects"]


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a catalogue mapping."""

    name: str
    kind: Kind
    #: Shown by editors on hover and completion.
    description: str
    required: bool = True
    #: For kind "object" or "objects": the OBJECTS entry the value(s) follow.
    of: str = ""


def _f(name: str, kind: Kind, description: str, *, required: bool = True, of: str = "") -> Field:
    """Shorthand that keeps the table below readable."""
    return Field(name, kind, description, required, of)


#: The description of every `note` field: an editor's words, kept apart from the source's.
_NOTE = "An editor's note (a reading, a caveat): never the source's words."

#: Every mapping of a catalogue file and its fields, in the order authors write them.
OBJECTS: dict[str, tuple[Field, ...]] = {
    "catalogue": (
        _f("schema", "version", "The catalogue format version: 1."),
        _f("meeting", "object", "The meeting this file describes.", of="meeting"),
        _f("categories", "objects", "The themes directives are grouped under.", of="category"),
        _f("directives", "objects", "Every instruction the meeting issued.", of="directive"),
        _f(
            "statistics",
            "objects",
            "Figures the meeting reported.",
            required=False,
            of="statistic",
        ),
    ),
    "meeting": (
        _f("id", "slug", "Lower-case letters, digits and hyphens; unique across files."),
        _f("title", "text", "The meeting's name."),
        _f("published_title", "text", "The headline the report ran under.", required=False),
        _f("start", "date", "First day, YYYY-MM-DD."),
        _f("end", "date", "Last day, YYYY-MM-DD; not before start.", required=False),
        _f("location", "text", "Where the meeting was held."),
        _f("organiser", "text", "Who convened the meeting.", required=False),
        _f("speakers", "objects", "People who addressed it.", required=False, of="speaker"),
        _f("guided_by", "texts", "What guided the meeting, as the source says.", required=False),
        _f(
            "implemented",
            "texts",
            'What the meeting "implemented the spirit of", as the source says.',
            required=False,
        ),
        _f("attendees", "texts", "Bodies that attended, as the source names them.", required=False),
        _f(
            "source",
            "object",
            "The report quotes are checked against.",
            required=False,
            of="source",
        ),
        _f("note", "text", _NOTE, required=False),
    ),
    "source": (
        _f("title", "text", "The report's title."),
        _f("file", "text", "The report's text, relative to this YAML file."),
    ),
    "speaker": (
        _f("name", "text", "The speaker's name."),
        _f("role", "text", "The speaker's office.", required=False),
    ),
    "category": (
        _f("id", "slug", "Lower-case letters, digits and hyphens; unique in the file."),
        _f("title", "text", "The theme's name."),
        _f("description", "text", "What the theme covers."),
        _f("note", "text", _NOTE, required=False),
    ),
    "directive": (
        _f("id", "id", "Letters, digits, '.', '_' and '-'; unique across files."),
        _f("category", "slug", "The id of a category of this file."),
        _f("title", "text", "A short title, written for a list."),
        _f("text", "text", "The directive in full, in plain words."),
        _f("speaker", "text", 'Who issued it: a person, or "the conference".'),
        _f("act", "act", "The speech act: " + ", ".join(ACTS) + "."),
        _f("quote", "text", "The exact words of the source this directive comes from."),
        _f("addressees", "texts", "Who must act, as the source names them.", required=False),
        _f("tags", "texts", "Short keywords.", required=False),
        _f("note", "text", _NOTE, required=False),
    ),
    "statistic": (
        _f("id", "id", "Letters, digits, '.', '_' and '-'; unique across files."),
        _f("subject", "text", "What was counted."),
        _f("period", "text", 'The period, as the source gives it (quote years: "2018").'),
        _f("change", "text", 'The change, as the source gives it ("-45%").'),
        _f("quote", "text", "The exact words of the source."),
        _f("note", "text", _NOTE, required=False),
    ),
}

_DESCRIPTIONS = {
    "meeting": "One meeting: the subject of this file.",
    "source": "The report the meeting's quotes come from.",
    "speaker": "A person who addressed the meeting.",
    "category": "A theme of the meeting.",
    "directive": "One instruction the meeting issued, traceable to the source's words.",
    "statistic": "A figure the meeting reported.",
}


def json_schema() -> dict[str, object]:
    """The JSON Schema (draft 2020-12) of a catalogue file, schema 1.

    Built from OBJECTS on each call (it is small), so `directives schema` and the
    shipped data/directives.schema.json always say what the loader enforces.
    """
    definitions: dict[str, object] = dict(_scalar_definitions())
    for name, fields in OBJECTS.items():
        if name != "catalogue":
            definitions[name] = _object_schema(fields, _DESCRIPTIONS[name])
    root = _object_schema(
        OBJECTS["catalogue"], "A directives catalogue file: one meeting, schema 1."
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "directives catalogue (schema 1)",
        **root,
        "$defs": definitions,
    }


def schema_text() -> str:
    """The schema as `directives schema` prints it and data/directives.schema.json holds it.

    Stable key order and a trailing newline, so the shipped file can be compared
    byte for byte (tests/test_schema.py) and regenerated with:
    ``python -c "from directives_cli.schema import schema_text as t;
    open('data/directives.schema.json', 'w').write(t())"``
    """
    import json

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _object_schema(fields: tuple[Field, ...], description: str) -> dict[str, object]:
    """A closed object: unknown fields are typos, so additionalProperties is false."""
    return {
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": {f.name: _field_schema(f) for f in fields},
    }


def _field_schema(field: Field) -> dict[str, object]:
    """A property: a reference to its kind's definition, plus its own description."""
    if field.kind == "object":
        target = field.of
    elif field.kind == "objects":
        return {
            "description": field.description,
            "type": "array",
            "items": {"$ref": f"#/$defs/{field.of}"},
        }
    else:
        target = field.kind
    return {"description": field.description, "$ref": f"#/$defs/{target}"}


def _scalar_definitions() -> dict[str, dict[str, object]]:
    """The value kinds shared by many fields, one definition each."""
    return {
        # `schema: 1` is an integer to editors and the string "1" to the loader.
        "version": {"enum": [1, SCHEMA_VERSION]},
        "text": {"type": "string", "pattern": TEXT_PATTERN},
        "slug": {"type": "string", "pattern": SLUG_PATTERN},
        "id": {"type": "string", "pattern": ID_PATTERN},
        "date": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
        "act": {"enum": list(ACTS)},
        "texts": {"type": "array", "items": {"$ref": "#/$defs/text"}},
    }
