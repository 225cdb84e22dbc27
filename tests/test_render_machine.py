"""Machine formats (render/machine.py): parsed back by the standard tool for each format,
compared field for field, byte-for-byte stable, safe with hostile text."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from directives_cli.model import DIRECTIVE_FIELDS, Directive, Hit
from directives_cli.render import SEARCH_FIELDS, Format
from directives_cli.render.escape import DANGEROUS, unescape_field, visible
from directives_cli.render.formats import default_fields
from directives_cli.render.machine import render_pairs, render_records
from directives_cli.render.records import category_records, directive_records, meeting_records
from fixtures.render import samples

Record = Mapping[str, object]
RAW_DANGER = re.compile(f"[{DANGEROUS}]")


def raw_danger(out: str) -> re.Match[str] | None:
    """A dangerous character other than the line breaks and tabs a format itself writes."""
    return RAW_DANGER.search(out.replace("\n", "").replace("\t", ""))


TEXT_FORMATS = [f for f in Format if f is not Format.TABLE]
SEARCH = (*DIRECTIVE_FIELDS, *SEARCH_FIELDS)
CATEGORY_FIELDS = ("meeting", "id", "title", "description", "count")


def _meeting_fields() -> tuple[str, ...]:
    return tuple(meeting_records([samples.document()])[0])


def datasets() -> dict[str, tuple[list[dict[str, object]], tuple[str, ...]]]:
    hostile = [samples.hostile_directive(v, n) for n, v in enumerate(samples.HOSTILE)]
    hostile_hits = [Hit(d, 1.0 / (n + 1), ("title",), (d.title,)) for n, d in enumerate(hostile)]
    return {
        "directives": (
            directive_records(samples.directives(3), DIRECTIVE_FIELDS),
            DIRECTIVE_FIELDS,
        ),
        "hits": (directive_records(samples.hits(3), SEARCH), SEARCH),
        "categories": (category_records(samples.category_counts()), CATEGORY_FIELDS),
        "meetings": (
            meeting_records([samples.document(), samples.minimal_document()]),
            _meeting_fields(),
        ),
        "hostile": (directive_records(hostile, DIRECTIVE_FIELDS), DIRECTIVE_FIELDS),
        "hostile hits": (directive_records(hostile_hits, SEARCH), SEARCH),
    }


DATASETS = datasets()


# ---- how each format is read back ----------------------------------------------------------


def plain_text(value: object) -> str:
    """What a plain cell holds before escaping: lists of words joined, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def csv_value(cell: str, like: object) -> object:
    """A csv cell decoded to the type of the value it stands for."""
    if like is None:
        assert cell == ""
        return None
    if isinstance(like, str):
        return cell
    if isinstance(like, float):
        return float(cell)
    if isinstance(like, int):
        return int(cell)
    return json.loads(cell)


def markdown_cells(line: str) -> list[str]:
    """Split a GitHub table row on its unescaped pipes."""
    assert line.startswith("| ") and line.endswith(" |"), line
    cells, current, chars = [], "", iter(line[2:-2])
    for char in chars:
        if char == "\\":
            current += char + next(chars)
        elif char == "|":
            cells.append(current[:-1] if current.endswith(" ") else current)
            current = ""
            next(chars, None)  # the space after the pipe
        else:
            current += char
    return [*cells, current]


def markdown_text(cell: str) -> str:
    """A cell as it reads once rendered: escapes resolved, <br> as a line break."""
    return re.sub(r"\\(.)|<br>", lambda m: m.group(1) or "\n", cell)


def markdown_expected(value: object) -> str:
    lines = re.split(r"\r\n|\r|\n", plain_text(value))
    return "\n".join(visible(line) for line in lines)


def check_round_trip(
    out: str, fmt: Format, records: Sequence[Record], fields: Sequence[str]
) -> None:
    """Parse ``out`` back with the standard tool for ``fmt`` and compare every field."""
    expected = [{name: r[name] for name in fields} for r in records]
    if fmt is Format.JSON:
        assert json.loads(out) == expected
    elif fmt is Format.JSONL:
        assert [json.loads(line) for line in out.splitlines()] == expected
    elif fmt is Format.YAML:
        assert yaml.safe_load(out) == expected
    elif fmt is Format.CSV:
        check_csv(out, expected, fields)
    elif fmt is Format.PLAIN:
        lines = out.split("\n")
        assert lines.pop() == ""
        cells = [[unescape_field(cell) for cell in line.split("\t")] for line in lines]
        assert cells == [[plain_text(r[name]) for name in fields] for r in expected]
    elif fmt is Format.IDS:
        assert [unescape_field(line) for line in out.splitlines()] == [r["id"] for r in records]
    elif fmt is Format.MARKDOWN:
        check_markdown(out, expected, fields)


def check_csv(out: str, expected: list[dict[str, object]], fields: Sequence[str]) -> None:
    header, *rows = csv.reader(io.StringIO(out, newline=""))
    assert header == list(fields)
    decoded = [
        {name: csv_value(cell, r[name]) for name, cell in zip(fields, row, strict=True)}
        for row, r in zip(rows, expected, strict=True)
    ]
    assert decoded == expected


def check_markdown(out: str, expected: list[dict[str, object]], fields: Sequence[str]) -> None:
    header, rule, *rows = out.splitlines()
    assert [markdown_text(cell) for cell in markdown_cells(header)] == list(fields)
    assert rule == "|" + " --- |" * len(fields)
    read = [[markdown_text(cell) for cell in markdown_cells(row)] for row in rows]
    assert read == [[markdown_expected(r[name]) for name in fields] for r in expected]


# ---- every format x every kind of record ---------------------------------------------------


@pytest.mark.parametrize("fmt", TEXT_FORMATS, ids=str)
@pytest.mark.parametrize("name", list(DATASETS))
def test_every_format_reads_back_field_for_field(name: str, fmt: Format) -> None:
    records, fields = DATASETS[name]
    out = render_records(records, fmt, fields)
    check_round_trip(out, fmt, records, fields)


@pytest.mark.parametrize("fmt", TEXT_FORMATS, ids=str)
@pytest.mark.parametrize("name", list(DATASETS))
def test_output_is_byte_for_byte_stable(name: str, fmt: Format) -> None:
    records, fields = DATASETS[name]
    fresh, _ = datasets()[name]
    assert render_records(records, fmt, fields) == render_records(fresh, fmt, fields)


@pytest.mark.parametrize(
    "fmt", [Format.PLAIN, Format.IDS, Format.MARKDOWN, Format.JSON, Format.JSONL], ids=str
)
@pytest.mark.parametrize("name", ["hostile", "hostile hits"])
def test_line_formats_and_json_never_carry_a_raw_control_character(name: str, fmt: Format) -> None:
    records, fields = DATASETS[name]
    out = render_records(records, fmt, fields)
    assert raw_danger(out) is None
    if fmt is not Format.JSON:
        header = fmt is Format.MARKDOWN
        assert len(out.splitlines()) == len(records) + 2 * header


@pytest.mark.parametrize("fmt", [Format.CSV, Format.YAML], ids=str)
def test_csv_and_yaml_keep_control_characters_exactly(fmt: Format) -> None:
    records, fields = DATASETS["hostile"]
    out = render_records(records, fmt, fields)
    assert "\x1b]52;c;SGVsbG8=\x07" in out or "\\e]52;c;SGVsbG8=\\a" in out
    check_round_trip(out, fmt, records, fields)


def test_markdown_escapes_only_what_would_break_the_table() -> None:
    records = [{"title": "a|b \\| <br> <b>x</b> [y] *z* _w_ `v` &amp;\nnext"}]
    out = render_records(records, Format.MARKDOWN, ("title",))
    assert out.splitlines()[2] == (
        "| a\\|b \\\\\\| \\<br> \\<b>x\\</b> [y] *z* _w_ `v` &amp;<br>next |"
    )


def test_markup_is_printed_literally_in_every_format() -> None:
    item = samples.directive(id=samples.MARKUP, title=samples.MARKUP)
    records = directive_records([item], ("id", "title"))
    for fmt in TEXT_FORMATS:
        assert samples.MARKUP in render_records(records, fmt, ("id", "title")), fmt


@pytest.mark.parametrize(
    "value",
    [
        "no",
        "yes",
        "off",
        "2018",
        "1.10",
        "1e3",
        "0x1F",
        "2019-01-24",
        "null",
        "~",
        "",
        ".inf",
        "true",
        "- a",
        "? b",
        ": c",
        "# d",
        "@e",
        "`f",
        "|",
        ">",
        "'",
        '"',
        "%g",
        "!h",
        "&i",
        "*j",
    ],
)
def test_yaml_never_retypes_a_string(value: str) -> None:
    records = directive_records([samples.directive(title=value, tags=(value,))], ("title", "tags"))
    assert yaml.safe_load(render_records(records, Format.YAML, ("title", "tags"))) == [
        {"title": value, "tags": [value]}
    ]


def test_a_lone_surrogate_survives_json_and_yaml_and_is_escaped_in_plain() -> None:
    records = directive_records([samples.directive(title="bad\ud800half")], ("id", "title"))
    json_out = render_records(records, Format.JSON, ("id", "title"))
    assert json_out.isascii() or "\ud800" not in json_out
    assert json.loads(json_out)[0]["title"] == "bad\ud800half"
    assert yaml.safe_load(render_records(records, Format.YAML, ("id", "title")))[0]["title"] == (
        "bad\ud800half"
    )
    assert render_records(records, Format.PLAIN, ("id", "title")) == "RC-1\tbad\\ud800half\n"


def test_json_spells_bidi_and_line_separators_as_escapes() -> None:
    records = directive_records([samples.directive(title="\u202eA\u2028B\x85C\x7f🎉")], ("title",))
    out = render_records(records, Format.JSONL, ("title",))
    assert out == '{"title":"\\u202eA\\u2028B\\u0085C\\u007f🎉"}\n'


# ---- exact output: what scripts and tests downstream rely on -------------------------------


ONE = directive_records(
    [samples.directive(title='Tab\there, "quoted"', addressees=("a", "b, c"), tags=())],
    ("id", "title", "addressees", "tags"),
)
ONE_FIELDS = ("id", "title", "addressees", "tags")


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (Format.PLAIN, 'RC-1\tTab\\there, "quoted"\ta, b, c\t\n'),
        (Format.IDS, "RC-1\n"),
        (
            Format.CSV,
            'id,title,addressees,tags\r\nRC-1,"Tab\there, ""quoted""","[""a"", ""b, c""]",[]\r\n',
        ),
        (
            Format.JSON,
            '[\n  {\n    "id": "RC-1",\n    "title": "Tab\\there, \\"quoted\\"",\n'
            '    "addressees": [\n      "a",\n      "b, c"\n    ],\n    "tags": []\n  }\n]\n',
        ),
        (
            Format.JSONL,
            '{"id":"RC-1","title":"Tab\\there, \\"quoted\\"",'
            '"addressees":["a","b, c"],"tags":[]}\n',
        ),
        (
            Format.YAML,
            '- id: RC-1\n  title: "Tab\\there, \\"quoted\\""\n  addressees:\n  - a\n  - b, c\n'
            "  tags: []\n",
        ),
        (
            Format.MARKDOWN,
            "| id | title | addressees | tags |\n| --- | --- | --- | --- |\n"
            '| RC-1 | Tab\\\\there, "quoted" | a, b, c |  |\n',
        ),
    ],
    ids=str,
)
def test_exact_output(fmt: Format, expected: str) -> None:
    assert render_records(ONE, fmt, ONE_FIELDS) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (Format.PLAIN, ""),
        (Format.IDS, ""),
        (Format.JSONL, ""),
        (Format.JSON, "[]\n"),
        (Format.YAML, "[]\n"),
        (Format.CSV, "id,title\r\n"),
        (Format.MARKDOWN, "| id | title |\n| --- | --- |\n"),
    ],
    ids=str,
)
def test_empty_input(fmt: Format, expected: str) -> None:
    assert render_records([], fmt, ("id", "title")) == expected


def test_scores_print_the_same_in_every_format() -> None:
    records = directive_records([Hit(samples.directive(), 2 / 3, ("title",))], ("id", "score"))
    assert render_records(records, Format.PLAIN, ("id", "score")) == "RC-1\t0.6667\n"
    assert render_records(records, Format.CSV, ("id", "score")).endswith("RC-1,0.6667\r\n")
    assert (
        render_records(records, Format.JSONL, ("id", "score")) == '{"id":"RC-1","score":0.6667}\n'
    )
    assert render_records(records, Format.YAML, ("id", "score")) == "- id: RC-1\n  score: 0.6667\n"


def test_the_table_format_is_not_text() -> None:
    with pytest.raises(ValueError, match="render.table"):
        render_records([], Format.TABLE, ("id",))
    with pytest.raises(ValueError, match="render.table"):
        render_pairs([{"id": "x"}], Format.TABLE)


@pytest.mark.parametrize("search", [False, True])
@pytest.mark.parametrize("fmt", list(Format), ids=str)
def test_default_fields_exist_on_every_record(fmt: Format, search: bool) -> None:
    fields = default_fields(fmt, search=search)
    items: list[Directive] | list[Hit] = samples.hits(1) if search else samples.directives(1)
    assert list(directive_records(items, fields)[0]) == list(fields)
    assert ("score" in fields) == (search and fmt is not Format.IDS)


# ---- pairs: show and meeting ---------------------------------------------------------------


def show_record(n: int = 1, **fields: object) -> dict[str, object]:
    return {**samples.directive(n, **fields).record(), "context": f"Before. quote {n}. After."}


def test_pairs_plain_is_key_tab_value_with_nested_values_as_json() -> None:
    out = render_pairs([show_record(text="two\nlines")], Format.PLAIN)
    assert out.splitlines()[:1] == ["id\tRC-1"]
    assert "text\tThe departments" not in out
    assert "\ntext\ttwo\\nlines\n" in out
    assert '\naddressees\t["safety supervision departments", "enterprises"]\n' in out
    assert out.endswith("context\tBefore. quote 1. After.\n")


def test_pairs_plain_separates_records_with_one_blank_line() -> None:
    out = render_pairs([show_record(1), show_record(2)], Format.PLAIN)
    blocks = out.split("\n\n")
    assert len(blocks) == 2
    assert blocks[1].startswith("id\tRC-2\n")
    for block in blocks:
        assert all(line.count("\t") == 1 for line in block.strip("\n").split("\n"))


def test_pairs_plain_of_a_meeting_reads_back() -> None:
    out = render_pairs(meeting_records([samples.document()]), Format.PLAIN)
    pairs = dict(line.split("\t") for line in out.splitlines())
    assert json.loads(unescape_field(pairs["speakers"]))[1] == {"name": "Li Si", "role": None}
    assert json.loads(pairs["statistics"])[0]["change"] == "-45%"
    assert pairs["organiser"] == "SAMR"


def test_pairs_plain_keeps_hostile_values_on_their_line() -> None:
    record = {"id": "x", **{f"f{n}": v for n, v in enumerate(samples.HOSTILE)}}
    out = render_pairs([record], Format.PLAIN)
    assert len(out.splitlines()) == len(record)
    assert raw_danger(out) is None
    values = [unescape_field(line.split("\t")[1]) for line in out.splitlines()]
    assert values == list(record.values())


def test_pairs_json_is_one_object_for_one_record_and_an_array_for_several() -> None:
    one = json.loads(render_pairs([show_record()], Format.JSON))
    assert one == show_record()
    several = json.loads(render_pairs([show_record(1), show_record(2)], Format.JSON))
    assert several == [show_record(1), show_record(2)]
    assert render_pairs([], Format.JSON) == "[]\n"


@pytest.mark.parametrize("fmt", [Format.JSONL, Format.YAML, Format.CSV, Format.IDS], ids=str)
def test_pairs_other_formats_carry_every_key(fmt: Format) -> None:
    records = meeting_records([samples.document(), samples.minimal_document()])
    out = render_pairs(records, fmt)
    check_round_trip(out, fmt, records, list(records[0]))


def test_pairs_fill_a_key_some_records_lack_with_null() -> None:
    without_context = dict(samples.directive(2).record())
    out = render_pairs([show_record(1), without_context], Format.JSONL)
    second = json.loads(out.splitlines()[1])
    assert second["context"] is None
    assert list(second) == list(show_record(1))


def test_pairs_markdown_is_a_field_value_table_per_record() -> None:
    out = render_pairs([show_record(1), show_record(2)], Format.MARKDOWN)
    tables = out.split("\n\n")
    assert len(tables) == 2
    lines = tables[0].splitlines()
    assert lines[:3] == ["| Field | Value |", "| --- | --- |", "| id | RC-1 |"]
    assert "| addressees | safety supervision departments, enterprises |" in lines


# ---- properties ----------------------------------------------------------------------------

#: Any text, plus text dense in what the line formats escape (so it is hit often).
TEXT = st.text() | st.text(alphabet="\\|<br>\n\r\t\x1b\u202e x,", max_size=12)
DIRECTIVES = st.builds(
    Directive,
    id=TEXT,
    meeting=TEXT,
    category=TEXT,
    title=TEXT,
    text=TEXT,
    speaker=TEXT,
    act=TEXT,
    quote=TEXT,
    addressees=st.lists(TEXT, max_size=3).map(tuple),
    tags=st.lists(TEXT, max_size=3).map(tuple),
)
ITEMS = st.lists(
    st.one_of(
        DIRECTIVES,
        st.builds(
            Hit,
            DIRECTIVES,
            st.floats(allow_nan=False, allow_infinity=False),
            st.lists(TEXT, max_size=2).map(tuple),
        ),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(ITEMS)
def test_arbitrary_text_round_trips_through_every_data_format(items: list[Directive | Hit]) -> None:
    fields = DIRECTIVE_FIELDS
    records = directive_records(items, fields)
    for fmt in (Format.JSON, Format.JSONL, Format.CSV, Format.YAML):
        check_round_trip(render_records(records, fmt, fields), fmt, records, fields)


@settings(max_examples=300, deadline=None)
@given(ITEMS)
def test_arbitrary_text_stays_one_line_per_record_in_plain(items: list[Directive | Hit]) -> None:
    records = directive_records(items, DIRECTIVE_FIELDS)
    out = render_records(records, Format.PLAIN, DIRECTIVE_FIELDS)
    assert len(out.splitlines()) == len(records)
    assert raw_danger(out) is None
    check_round_trip(out, Format.PLAIN, records, DIRECTIVE_FIELDS)


@settings(max_examples=200, deadline=None)
@given(ITEMS)
def test_arbitrary_text_reads_back_from_markdown(items: list[Directive | Hit]) -> None:
    records = directive_records(items, DIRECTIVE_FIELDS)
    out = render_records(records, Format.MARKDOWN, DIRECTIVE_FIELDS)
    assert len(out.splitlines()) == len(records) + 2
    check_round_trip(out, Format.MARKDOWN, records, DIRECTIVE_FIELDS)


@settings(max_examples=100, deadline=None)
@given(st.lists(DIRECTIVES, max_size=3))
def test_arbitrary_text_in_pairs_plain_is_one_line_per_field(items: list[Directive]) -> None:
    records = [d.record() for d in items]
    out = render_pairs(records, Format.PLAIN)
    assert out.count("\n") == sum(len(r) for r in records) + max(len(records) - 1, 0)
    assert raw_danger(out) is None


# ---- start-up ------------------------------------------------------------------------------


def test_the_machine_path_never_imports_rich() -> None:
    code = (
        "import sys\n"
        "from directives_cli.model import Directive\n"
        "from directives_cli.render import Format\n"
        "from directives_cli.render.formats import default_fields\n"
        "from directives_cli.render.records import directive_records\n"
        "from directives_cli.render.machine import render_records, render_pairs\n"
        "d = Directive('RC-1', 'm', 'c', 't', 'x', 's', 'a', 'q')\n"
        "for fmt in Format:\n"
        "    if fmt is not Format.TABLE:\n"
        "        fields = default_fields(fmt)\n"
        "        render_records(directive_records([d], fields), fmt, fields)\n"
        "        render_pairs([d.record()], fmt)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'typer', 'click'))\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout == "[]\n"


def test_json_does_not_import_yaml() -> None:
    code = (
        "import sys\n"
        "from directives_cli.render import Format\n"
        "from directives_cli.render.machine import render_records\n"
        "render_records([{'id': 'x'}], Format.JSON, ('id',))\n"
        "print('yaml' in sys.modules, 'rich' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout == "False False\n"
