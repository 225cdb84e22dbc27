"""The JSON Schema: shipped as generated, valid, and in agreement with the loader."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from directives_cli import loader, schema, yamlsafe
from directives_cli.errors import CatalogueError
from directives_cli.model import ACTS

REPO = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO / "data" / "directives.schema.json"
BUNDLED = REPO / "data" / "directives.yaml"

REGENERATE = (
    'regenerate it: python -c "from directives_cli.schema import schema_text as t; '
    "open('data/directives.schema.json', 'w').write(t())\""
)


def validator() -> jsonschema.Draft202012Validator:
    """A validator for the schema, the schema itself checked against the meta-schema."""
    jsonschema.Draft202012Validator.check_schema(schema.json_schema())
    return jsonschema.Draft202012Validator(schema.json_schema())


def as_loader_reads(path: Path) -> object:
    """A document as the loader reads it: every scalar the string written."""
    parsed = yamlsafe.parse(path.read_bytes())
    assert parsed.complete, parsed.flaws
    return parsed.value


def test_shipped_schema_file_is_generated_from_the_code() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.schema_text(), REGENERATE
    assert json.loads(schema.schema_text()) == schema.json_schema()
    assert schema.schema_text().endswith("}\n")


def test_schema_is_valid_draft_2020_12() -> None:
    assert schema.json_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator()


def test_bundled_catalogue_refers_to_the_schema_and_validates() -> None:
    first_line = BUNDLED.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=directives.schema.json"
    errors = [e.message for e in validator().iter_errors(as_loader_reads(BUNDLED))]
    assert errors == []


def test_every_object_is_closed_and_lists_its_fields() -> None:
    whole: dict[str, Any] = schema.json_schema()
    definitions = whole["$defs"]
    for name, fields in schema.OBJECTS.items():
        node = whole if name == "catalogue" else definitions[name]
        assert node["additionalProperties"] is False
        assert list(node["properties"]) == [f.name for f in fields]
        assert node["required"] == [f.name for f in fields if f.required]
    assert definitions["act"] == {"enum": list(ACTS)}


def test_date_pattern_accepts_exactly_the_real_dates() -> None:
    pattern = re.compile(schema.DATE_PATTERN)
    day = datetime.date(1999, 1, 1)
    while day.year < 2102:
        assert pattern.fullmatch(day.isoformat()), day
        day += datetime.timedelta(days=1)
    for text in (
        "2019-02-29",
        "2100-02-29",
        "2019-04-31",
        "2019-13-01",
        "2019-00-10",
        "0000-01-01",
    ):
        assert not pattern.fullmatch(text), text
    for text in ("2000-02-29", "2024-02-29", "0400-02-29"):
        assert pattern.fullmatch(text), text


# --- the loader and the schema agree ----------------------------------------------

GOOD = """\
schema: 1
meeting:
  id: a-meeting
  title: A meeting
  start: "2019-01-24"
  location: Hefei
categories:
  - id: risk
    title: Risk
    description: About risk.
directives:
  - id: D-1
    category: risk
    title: A title
    text: The text.
    speaker: Someone
    act: stressed
    quote: the words
"""

GOOD_CASES = {
    "minimal": (),
    "no-directives": ((GOOD[GOOD.index("directives:") :], "directives: []\n"),),
    "all-optional-fields": (
        (
            "  location: Hefei\n",
            "  location: Hefei\n  end: 2019-01-25\n  published_title: P\n  organiser: O\n"
            "  speakers: [{name: N, role: R}, {name: M}]\n  guided_by: [G]\n  attendees: [A]\n",
        ),
        ("quote: the words", "quote: the words\n    addressees: [x]\n    tags: [t, u]"),
        (
            "directives:",
            "statistics:\n  - {id: S-1, subject: s, period: 2018, change: 1.10,"
            " quote: q}\ndirectives:",
        ),
    ),
    "implicit-types-as-strings": (
        ("title: A title", "title: yes"),
        ("speaker: Someone", "speaker: 2018"),
        ('start: "2019-01-24"', "start: 2019-01-24"),
        ("schema: 1", 'schema: "1"'),
    ),
    "leap-day": (('start: "2019-01-24"', "start: 2024-02-29"),),
    "ids": (("id: D-1", "id: a.B_9-x"), ("id: a-meeting", "id: 2019-meeting-1")),
}

BAD_CASES = {
    "unknown-top-level": (("schema: 1", "schema: 1\nschemas: 1"),),
    "unknown-meeting-field": (("  location: Hefei", "  location: Hefei\n  place: X"),),
    "unknown-directive-field": (("act: stressed", "act: stressed\n    titel: T"),),
    "unknown-category-field": (("description: About risk.", "description: D\n    name: N"),),
    "unknown-speaker-field": (("  location: Hefei", "  location: Hefei\n  speakers: [{nam: N}]"),),
    "unknown-source-field": (
        ("  location: Hefei", "  location: Hefei\n  source: {title: T, file: f, url: u}"),
    ),
    "source-without-file": (("  location: Hefei", "  location: Hefei\n  source: {title: T}"),),
    "unknown-statistic-field": (
        (
            "directives:",
            "statistics: [{id: S, subject: s, period: p, change: c, quote: q, x: 1}]\ndirectives:",
        ),
    ),
    "missing-schema": (("schema: 1\n", ""),),
    "missing-meeting-title": (("  title: A meeting\n", ""),),
    "missing-quote": (("    quote: the words\n", ""),),
    "schema-2": (("schema: 1", "schema: 2"),),
    "schema-list": (("schema: 1", "schema: [1]"),),
    "title-null": (("title: A title", "title: null"),),
    "title-empty": (("title: A title", "title:"),),
    "title-blank": (("title: A title", "title: '  '"),),
    "title-mapping": (("title: A title", "title: {a: b}"),),
    "tags-string": (("quote: the words", "quote: the words\n    tags: t"),),
    "tags-of-lists": (("quote: the words", "quote: the words\n    tags: [[t]]"),),
    "tags-with-null": (("quote: the words", "quote: the words\n    tags: [t, ~]"),),
    "directives-mapping": (("directives:\n", "directives: {}\nx:\n"),),
    "act-no": (("act: stressed", "act: no"),),
    "act-capitalised": (("act: stressed", "act: Stressed"),),
    "meeting-id-upper": (("id: a-meeting", "id: A-Meeting"),),
    "meeting-id-double-hyphen": (("id: a-meeting", "id: a--meeting"),),
    "category-id-space": (("  - id: risk", "  - id: risk control"),),
    "directive-category-not-slug": (("category: risk", "category: Risk"),),
    "directive-id-slash": (("id: D-1", "id: D/1"),),
    "date-impossible": (('start: "2019-01-24"', 'start: "2019-02-29"'),),
    "date-short": (('start: "2019-01-24"', 'start: "2019-1-24"'),),
    "date-with-time": (('start: "2019-01-24"', "start: 2019-01-24 10:00"),),
    "end-null": (("  location: Hefei", "  location: Hefei\n  end: ~"),),
    "top-level-list": ((GOOD, "- " + GOOD.replace("\n", "\n  ").rstrip() + "\n"),),
}


def edited(changes: tuple[tuple[str, str], ...]) -> str:
    """GOOD with each (old, new) replaced once."""
    text = GOOD
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def loader_accepts(path: Path) -> bool:
    """Whether the loader loads the file."""
    try:
        loader.load_files([path])
    except CatalogueError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(GOOD_CASES))
def test_good_examples_pass_both(name: str, tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(edited(GOOD_CASES[name]), encoding="utf-8")
    assert loader_accepts(path), loader.check([path])
    assert [e.message for e in validator().iter_errors(as_loader_reads(path))] == []


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_examples_fail_both(name: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = edited(BAD_CASES[name])
    path.write_text(text, encoding="utf-8")
    assert not loader_accepts(path)
    assert not validator().is_valid(as_loader_reads(path))


def test_rules_beyond_the_schema_are_the_loaders_alone(tmp_path: Path) -> None:
    """Relations between values cannot be said in JSON Schema: only the loader checks them."""
    cases = {
        "unknown-category": (("category: risk", "category: reform"),),
        "end-before-start": (("  location: Hefei", "  location: Hefei\n  end: 2019-01-23"),),
        "duplicate-id": (
            ("quote: the words\n", "quote: the words\n" + GOOD.split("directives:\n")[1]),
        ),
    }
    for name, changes in cases.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(edited(changes), encoding="utf-8")
        assert not loader_accepts(path), name
        assert validator().is_valid(as_loader_reads(path)), name
