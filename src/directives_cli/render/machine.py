"""Machine formats: records in, `str` out, byte-for-byte the same for the same records.

Nothing here imports Rich: Rich wraps at the terminal width, expands tabs and reads
brackets as markup, and costs start-up time that scripts calling the tool in a loop pay on
every call. `yaml` is imported only when YAML is asked for, for the same reason.

Two families of rules, chosen per format:

* line formats (plain, ids, markdown) are read by people and by `cut`/`grep`/`while read`,
  so every value is forced onto one line with its dangerous characters visibly escaped
  (:mod:`.escape`);
* data formats (csv, json, jsonl, yaml) are parsed back, so they are lossless: a parser
  returns exactly the strings of the catalogue. JSON additionally spells C1, bidi and
  invisible characters as ``\\uXXXX`` escapes (still exact once parsed), so `cat`-ing it to
  a terminal is as safe as `plain`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from directives_cli.render import Format, unreachable
from directives_cli.render.escape import DANGEROUS_BEYOND_C0, escape_field, visible
from directives_cli.render.records import pick

Record = Mapping[str, object]

#: Characters json.dumps(ensure_ascii=False) leaves raw that a terminal or
#: `str.splitlines` would act on; C0 never appears raw (json escapes it itself).
_JSON_UNSAFE = re.compile(f"[{DANGEROUS_BEYOND_C0}]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: What a GitHub table cell must escape to keep its text: "|" ends the cell, a backslash
#: escapes the character after it, and "<" starts HTML (our own <br> line breaks among
#: it). Nothing else is touched, so text such as `[bold]x` appears exactly as written.
_MARKDOWN_ACTIVE = re.compile(r"([\\|<])")
#: YAML's line width: never fold a value, so each scalar stays on its own line for grep.
_YAML_WIDTH = 1_000_000_000


def render_records(records: Sequence[Record], fmt: Format, fields: Sequence[str]) -> str:
    """Records as ``fmt``, showing ``fields`` in that order (e.g. `list`, `search`).

    Empty input gives "" for plain/ids/jsonl, "[]\\n" for json and yaml, and just the
    header for csv and markdown, so a consumer never has to special-case "no results".
    """
    rows = [pick(record, fields) for record in records]
    match fmt:
        case Format.PLAIN:
            return "".join(_plain_line(row) for row in rows)
        case Format.IDS:
            ids = (pick(record, ("id",))["id"] for record in records)
            return "".join(f"{escape_field(_text(value))}\n" for value in ids)
        case Format.CSV:
            return _csv(rows, fields)
        case Format.JSON:
            return _json(rows, indent=2) + "\n"
        case Format.JSONL:
            return "".join(_json(row, indent=None) + "\n" for row in rows)
        case Format.YAML:
            return _yaml(rows)
        case Format.MARKDOWN:
            return _markdown_table(fields, [[row[name] for name in fields] for row in rows])
        case Format.TABLE:
            raise ValueError("the table format is drawn by render.table, not rendered as text")
        case _:
            return unreachable(fmt)


def render_pairs(records: Sequence[Record], fmt: Format) -> str:
    """Records shown whole, one field per line (`show`, `meeting`).

    plain is ``key<TAB>value`` lines with a blank line between records, nested values as
    one-line JSON; json is one object for one record (what `show ID` promises) and an array
    for several; markdown is a Field | Value table per record; the rest are as
    :func:`render_records` with every key (a key some records lack is null there).
    """
    if fmt is Format.PLAIN:
        return "\n".join(_plain_pairs(record) for record in records)
    if fmt is Format.JSON and len(records) == 1:
        return _json(records[0], indent=2) + "\n"
    if fmt is Format.MARKDOWN and records:
        return "\n".join(_markdown_pairs(record) for record in records)
    keys = list(dict.fromkeys(key for record in records for key in record))
    full = [{key: record.get(key) for key in keys} for record in records]
    return render_records(full, fmt, keys)


# ---- values ------------------------------------------------------------------------------


def _text(value: object, *, lists: Callable[[list[object]], str] | None = None) -> str:
    """One value as text: None empty, numbers as Python prints them, nested values as JSON.

    ``lists`` spells a list of strings another way (plain joins them with ", ").
    Floats use repr, the shortest exact spelling, so they print the same everywhere.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if lists is not None and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return lists(value)
    return json.dumps(value, ensure_ascii=False)


def _joined(items: list[object]) -> str:
    return ", ".join(str(item) for item in items)


# ---- line formats -------------------------------------------------------------------------


def _plain_line(row: Record) -> str:
    """One record, fields tab-separated; lists of words joined with ", "."""
    return "\t".join(escape_field(_text(v, lists=_joined)) for v in row.values()) + "\n"


def _plain_pairs(record: Record) -> str:
    """``key<TAB>value`` lines; lists and objects as one-line JSON, so nothing is lost."""
    return "".join(f"{escape_field(key)}\t{escape_field(_text(v))}\n" for key, v in record.items())


def _markdown_cell(value: object) -> str:
    """A GitHub table cell: literal when rendered, one source line, line breaks as <br>."""
    lines = _LINE_BREAK.split(_text(value, lists=_joined))
    return "<br>".join(_MARKDOWN_ACTIVE.sub(r"\\\1", visible(line)) for line in lines)


def _markdown_table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    lines = [header, *rows]
    out = ["| " + " | ".join(_markdown_cell(cell) for cell in line) + " |" for line in lines]
    out.insert(1, "|" + " --- |" * len(header))
    return "\n".join(out) + "\n"


def _markdown_pairs(record: Record) -> str:
    return _markdown_table(("Field", "Value"), [(key, value) for key, value in record.items()])


# ---- data formats -------------------------------------------------------------------------


def _csv(rows: Sequence[Record], fields: Sequence[str]) -> str:
    """RFC 4180 (CRLF rows, quotes doubled); lists and objects as JSON, so cells are exact."""
    import csv  # lazily: its C module is the costliest import on the machine path
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(fields)
    writer.writerows([_text(value) for value in row.values()] for row in rows)
    return buffer.getvalue()


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _json(value: object, *, indent: int | None) -> str:
    """JSON readable as UTF-8 text, with terminal-active characters as \\u escapes.

    Outside strings json.dumps writes only ASCII, so every character the pattern matches
    is inside a string, where its \\u spelling means exactly the same.
    """
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return _JSON_UNSAFE.sub(_json_escape, text)


def _yaml(rows: Sequence[Record]) -> str:
    """A YAML list of mappings; strings YAML would retype (no, 2018, 1.10) come out quoted.

    libyaml's dumper is used when PyYAML has it: it is many times faster on a big
    catalogue, and it keeps U+0085 exact where the pure-Python dumper does not. It cannot
    encode a lone surrogate, which only the pure-Python dumper then handles. Either way
    yaml.safe_load reads back exactly the strings that went in.
    """
    import yaml

    data = [dict(row) for row in rows]
    options: dict[str, Any] = {
        "sort_keys": False,
        "allow_unicode": True,
        "default_flow_style": False,
        "width": _YAML_WIDTH,
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    try:
        text: str = yaml.dump(data, Dumper=dumper, **options)
    except UnicodeEncodeError:
        text = yaml.dump(data, Dumper=yaml.SafeDumper, **options)
    return text
