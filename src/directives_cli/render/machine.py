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
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from directives_cli.plain import TYPE_CHECKING, assert_never
from directives_cli.render import Format
from directives_cli.render.escape import DANGEROUS_BEYOND_C0, LazyPattern, escape_field, visible
from directives_cli.render.records import pick

if TYPE_CHECKING:
    from typing import Any

Record = Mapping[str, object]

#: Characters json.dumps(ensure_ascii=False) leaves raw that a terminal or
#: `str.splitlines` would act on; C0 never appears raw (json escapes it itself).
_JSON_UNSAFE = LazyPattern(f"[{DANGEROUS_BEYOND_C0}]")
#: json's own C string encoder (ensure_ascii=False), for laying out indented JSON fast.
_encode_json_string: Callable[[str], str] = json.encoder.encode_basestring
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: What a GitHub table cell must escape to keep its text: "|" ends the cell, a backslash
#: escapes the character after it, and "<" starts HTML (our own <br> line breaks among
#: it). Nothing else is touched, so text such as `[bold]x` appears exactly as written.
_MARKDOWN_ACTIVE = LazyPattern(r"([\\|<])")
#: YAML's line width: never fold a value, so each scalar stays on its own line for grep.
_YAML_WIDTH = 1_000_000_000
#: Records per streamed chunk: enough that per-call costs (yaml.dump, a csv writer, a
#: write to stdout) vanish, few enough that a chunk stays a few hundred KiB.
CHUNK_RECORDS = 256
#: Where a JSON array's text is cut: json.dumps(indent=2) writes a list's items one
#: level deep, each after a line break and a comma but the first.
_JSON_SEAMS: dict[str, str] = {"head": "[\n  ", "sep": ",\n  ", "tail": "\n]\n", "empty": "[]\n"}
#: Renders one chunk: a batch of records (not yet narrowed to the fields) and the fields.
ChunkRenderer = Callable[[Sequence[Record], Sequence[str]], str]


def render_records(records: Iterable[Record], fmt: Format, fields: Sequence[str]) -> str:
    """Records as ``fmt``, showing ``fields`` in that order (e.g. `list`, `search`).

    Empty input gives "" for plain/ids/jsonl, "[]\\n" for json and yaml, and just the
    header for csv and markdown, so a consumer never has to special-case "no results".
    This is :func:`iter_records` joined: one implementation, so the streamed text and
    the whole text can never drift apart.
    """
    return "".join(iter_records(records, fmt, fields))


def iter_records(records: Iterable[Record], fmt: Format, fields: Sequence[str]) -> Iterator[str]:
    """:func:`render_records` in chunks of up to CHUNK_RECORDS records, reading
    ``records`` only as chunks are asked for, so 100,000 search hits are written without
    ever being held at once.

    Each format is cut where its whole text has a seam (after a header, between two
    records, before a closing bracket), so the chunks joined are that text exactly. A
    field name a record lacks raises UsageError when its chunk is asked for.
    """
    match fmt:
        case Format.PLAIN:
            return _stream(records, fields, _plain_chunk)
        case Format.IDS:
            return _stream(records, fields, _ids_chunk)
        case Format.CSV:
            return _stream(records, fields, _csv_chunk, head=_csv([fields]))
        case Format.JSON:
            return _stream(records, fields, _json_chunk, **_JSON_SEAMS)
        case Format.JSONL:
            return _stream(records, fields, _jsonl_chunk)
        case Format.YAML:
            return _stream(records, fields, _yaml_chunk, empty="[]\n")
        case Format.MARKDOWN:
            return _stream(records, fields, _markdown_chunk, head=_markdown_head(fields))
        case Format.TABLE:
            raise ValueError("the table format is drawn by render.table, not rendered as text")
        case _:
            assert_never(fmt)


def render_pairs(records: Sequence[Record], fmt: Format) -> str:
    """Records shown whole, one field per line (`show`, `meeting`).

    plain is ``key<TAB>value`` lines with a blank line between records, nested values as
    one-line JSON; json and yaml are one object for one record (what `show ID` promises)
    and a list for several; markdown is a Field | Value table per record; the rest are as
    :func:`render_records` with every key (a key some records lack is null there).
    """
    if fmt is Format.PLAIN:
        return "\n".join(_plain_pairs(record) for record in records)
    if fmt is Format.JSON and len(records) == 1:
        return _json_safe(_indented_json(records[0], "")) + "\n"
    if fmt is Format.YAML and len(records) == 1:
        return _yaml_mapping(dict(records[0]))
    if fmt is Format.MARKDOWN and records:
        return "\n".join(_markdown_pairs(record) for record in records)
    keys = list(dict.fromkeys(key for record in records for key in record))
    full = [{key: record.get(key) for key in keys} for record in records]
    return render_records(full, fmt, keys)


# ---- streaming --------------------------------------------------------------------------


def _stream(
    records: Iterable[Record],
    fields: Sequence[str],
    body: ChunkRenderer,
    *,
    head: str = "",
    sep: str = "",
    tail: str = "",
    empty: str | None = None,
) -> Iterator[str]:
    """``head``, each batch's ``body`` (``sep`` between two), ``tail``; or ``empty``
    (default: ``head``) when there is no record, since "[]" is not "[" + "]" spaced out."""
    started = False
    for batch in _batches(records):
        text = body(batch, fields)
        yield (sep if started else head) + text
        started = True
    end = tail if started else (head if empty is None else empty)
    if end:
        yield end


def _batches(records: Iterable[Record]) -> Iterator[list[Record]]:
    """Lists of up to CHUNK_RECORDS records, in order (itertools.batched is 3.12+)."""
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == CHUNK_RECORDS:
            yield batch
            batch = []
    if batch:
        yield batch


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


def _plain_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    return "".join(_plain_line(pick(record, fields)) for record in records)


def _ids_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    """One id per line; ``fields`` is still checked, so a bad name fails in every format."""
    return "".join(f"{escape_field(_text(_id(record, fields)))}\n" for record in records)


def id_chunks(ids: Iterable[str]) -> Iterator[str]:
    """Ids one a line, escaped as `_ids_chunk` escapes them, a page at a time."""
    batch: list[str] = []
    for ident in ids:
        batch.append(f"{escape_field(ident)}\n")
        if len(batch) == CHUNK_RECORDS * 8:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _id(record: Record, fields: Sequence[str]) -> object:
    """The record's id, even when ``fields`` (checked all the same) does not show it."""
    pick(record, fields)
    return pick(record, ("id",))["id"]


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


def _markdown_line(cells: Iterable[object]) -> str:
    return "| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |\n"


def _markdown_head(header: Sequence[object]) -> str:
    """The header row and the line under it that makes a GitHub table of it."""
    return _markdown_line(header) + "|" + " --- |" * len(header) + "\n"


def _markdown_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    return "".join(_markdown_line(pick(record, fields).values()) for record in records)


def _markdown_table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    return _markdown_head(header) + "".join(_markdown_line(row) for row in rows)


def _markdown_pairs(record: Record) -> str:
    return _markdown_table(("Field", "Value"), [(key, value) for key, value in record.items()])


def markdown_meetings(records: Sequence[Record]) -> str:
    """`meeting -f markdown`: a Field | Value table per meeting, lists one item a line
    (never JSON in a cell), then its statistics as a table of their own."""
    parts = []
    for record in records:
        pairs = [(key, _readable(value)) for key, value in record.items() if key != "statistics"]
        text = _markdown_table(("Field", "Value"), pairs)
        figures = record.get("statistics")
        if isinstance(figures, list) and figures:
            keys = list(dict.fromkeys(k for figure in figures for k in figure))
            rows = [[_readable(figure.get(k)) for k in keys] for figure in figures]
            text += "\nFigures reported\n\n" + _markdown_table(keys, rows)
        parts.append(text)
    return "\n".join(parts)


def _readable(value: object) -> object:
    """A nested value as lines a person reads: list items one a line, a mapping as its
    values ("Chen Gang, a member of ...", "title (file)")."""
    if isinstance(value, list):
        return "\n".join(str(_readable(item)) for item in value)
    if isinstance(value, dict):
        shown = [str(v) for v in value.values() if v is not None and v != ""]
        if set(value) == {"title", "file"} and len(shown) == 2:
            return f"{shown[0]} ({shown[1]})"
        return ", ".join(shown)
    return value


# ---- data formats -------------------------------------------------------------------------


def _csv_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    """RFC 4180 rows; lists and objects as JSON, so cells are exact."""
    return _csv([_text(value) for value in pick(record, fields).values()] for record in records)


def _csv(rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 lines (CRLF, quotes doubled); a csv writer keeps no state between rows,
    so rows written in several calls are the rows written in one."""
    import csv  # lazily: its C module is the costliest import on the machine path
    import io

    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _json_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    """Objects as json.dumps(indent=2) writes them as the items of a list."""
    items = (_indented_json(pick(record, fields), "  ") for record in records)
    return _json_safe(",\n  ".join(items))


def _indented_json(value: object, indent: str) -> str:
    """``value`` as json.dumps(indent=2, ensure_ascii=False) writes it ``indent`` deep.

    The standard encoder has no C path for indented output and takes most of a big
    listing's time, so plain values, lists and str-keyed dicts are laid out here (strings
    by json's own C encoder, inline since most values are strings); anything else (a
    subclass, a tuple, NaN) is dumped alone and its lines indented. Either is exact:
    json's only line breaks are its own layout, since a string's are escaped.
    """
    if type(value) is str:
        return _encode_json_string(value)
    inner = indent + "  "
    if type(value) is list and value:
        items = [
            _encode_json_string(v) if type(v) is str else _indented_json(v, inner) for v in value
        ]
        return f"[\n{inner}" + f",\n{inner}".join(items) + f"\n{indent}]"
    if type(value) is dict and value and set(map(type, value)) == {str}:
        pairs = [
            f"{_encode_json_string(k)}: "
            + (_encode_json_string(v) if type(v) is str else _indented_json(v, inner))
            for k, v in value.items()
        ]
        return f"{{\n{inner}" + f",\n{inner}".join(pairs) + f"\n{indent}}}"
    return _json_atom(value) or json.dumps(
        value, ensure_ascii=False, indent=2, separators=(",", ": ")
    ).replace("\n", "\n" + indent)


def _json_atom(value: object) -> str:
    """JSON for null, booleans, plain numbers and empty lists and dicts, spelled as
    json.dumps spells them; "" for anything else."""
    if value is None or type(value) is bool:
        return "null" if value is None else "true" if value else "false"
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    if type(value) in (list, dict) and not value:
        return "[]" if type(value) is list else "{}"
    return ""


def _jsonl_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    return "".join(_json_line(pick(record, fields)) for record in records)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _json_line(value: object) -> str:
    """Compact JSON on one line (json's C encoder), terminal-safe; see :func:`_json_safe`."""
    return _json_safe(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) + "\n"


def _json_safe(text: str) -> str:
    """JSON readable as UTF-8 text, with terminal-active characters as \\u escapes.

    Outside strings json writes only ASCII, so every character the pattern matches is
    inside a string, where its \\u spelling means exactly the same. All of them are DEL
    or beyond ASCII, so ASCII text without DEL (most catalogues' JSON) skips the scan.
    """
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(_json_escape, text)


def _yaml_chunk(records: Sequence[Record], fields: Sequence[str]) -> str:
    """Records as items of a YAML block list. Items dumped in several lists and joined
    are the items dumped in one: no document markers, and no anchors between records,
    which never share objects.

    libyaml's dumper is used when PyYAML has it: it is many times faster on a big
    catalogue, and it keeps U+0085 exact where the pure-Python dumper does not. It cannot
    encode a lone surrogate, so a record holding one is dumped alone by the pure-Python
    dumper; the others keep libyaml's text, whichever chunk they fall in. Either way
    yaml.safe_load reads back exactly the strings that went in.
    """
    rows = [pick(record, fields) for record in records]
    try:
        return _yaml(rows, libyaml=True)
    except UnicodeEncodeError:
        return "".join(_yaml_alone(row) for row in rows)


def _yaml_mapping(record: dict[str, object]) -> str:
    """One record as a YAML mapping: `show ID -f yaml` mirrors `-f json`'s one object."""
    try:
        return _yaml(record, libyaml=True)
    except UnicodeEncodeError:
        return _yaml(record, libyaml=False)


def _yaml_alone(row: dict[str, object]) -> str:
    try:
        return _yaml([row], libyaml=True)
    except UnicodeEncodeError:
        return _yaml([row], libyaml=False)


def _yaml(rows: list[dict[str, object]] | dict[str, object], *, libyaml: bool) -> str:
    """A YAML list of mappings (or one mapping); strings YAML would retype (no, 2018,
    1.10) come out quoted."""
    import yaml

    options: dict[str, Any] = {
        "sort_keys": False,
        "allow_unicode": True,
        "default_flow_style": False,
        "width": _YAML_WIDTH,
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper) if libyaml else yaml.SafeDumper
    text: str = yaml.dump(rows, Dumper=dumper, **options)
    return text
