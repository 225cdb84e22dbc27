"""The views of `directives diff`: changes in, text (or Rich renderables for a terminal) out.

Every format spells the same `Change`s. Changed text is a word diff: in `table` the
deleted words are red and struck through and the inserted green, and both are also
marked ``[-deleted-]{+inserted+}``, so the view reads the same without colour; `plain`
and `markdown` carry the marks too. Catalogue text is escaped as everywhere else
(:mod:`.escape`) and never read as markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, assert_never

from directives_cli.render import Format
from directives_cli.render.escape import escape_field, visible
from directives_cli.worddiff import Piece, marked, word_diff

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from directives_cli.diff import Change

#: The keys of a json/jsonl/yaml record, in order; `--match text` adds the last two.
RECORD_KEYS: tuple[str, ...] = ("change", "kind", "meeting", "id", "fields")
MATCH_KEYS: tuple[str, ...] = ("old_id", "similarity")
#: The columns of csv (with a header row): one row per field that changed.
CSV_KEYS: tuple[str, ...] = ("change", "kind", "meeting", "id", "field", "old", "new")

_STYLES = {"added": "green", "removed": "red", "changed": "yellow", "unchanged": "dim"}
#: Characters GitHub Markdown would act on inside running text.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def records(changes: Iterable[Change], match: bool) -> list[dict[str, object]]:
    """The stable records of json, jsonl and yaml."""
    out = []
    for c in changes:
        record: dict[str, object] = {"change": c.change, "kind": c.kind, "meeting": c.meeting}
        record["id"] = c.id
        if match:
            record["old_id"] = c.old_id
            record["similarity"] = c.similarity
        record["fields"] = {name: {"old": old, "new": new} for name, (old, new) in c.fields}
        out.append(record)
    return out


def render_text(changes: Sequence[Change], fmt: Format, match: bool) -> str:
    """Every format but table, as text."""
    from directives_cli.render.machine import render_records

    match fmt:
        case Format.JSON | Format.JSONL | Format.YAML:
            keys = (*RECORD_KEYS[:4], *MATCH_KEYS, "fields") if match else RECORD_KEYS
            return render_records(records(changes, match), fmt, keys)
        case Format.CSV:
            return render_records(_csv_rows(changes, match), fmt, _csv_keys(match))
        case Format.PLAIN:
            return "".join(_plain_lines(c, match) for c in changes)
        case Format.IDS:
            return "".join(f"{escape_field(i)}\n" for i in changed_ids(changes))
        case Format.MARKDOWN:
            return markdown(changes)
        case Format.TABLE:
            raise ValueError("table is drawn by diff_view, not written as text")
        case _:
            assert_never(fmt)


def changed_ids(changes: Iterable[Change]) -> list[str]:
    """The ids of the directives that differ (NEW's, OLD's for removals), once each,
    so `directives diff ... -f ids | xargs directives show` works."""
    seen = (c.id for c in changes if c.kind == "directive" and c.change != "unchanged")
    return list(dict.fromkeys(seen))


def summary(changes: Iterable[Change]) -> str:
    """ "2 added, 1 removed, 3 changed" (kinds with none left out), or "no differences"."""
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.change] = counts.get(c.change, 0) + 1
    order = ("added", "removed", "changed", "unchanged")
    parts = [f"{counts[k]} {k}" for k in order if counts.get(k)]
    return ", ".join(parts) if parts else "no differences"


def display(value: object) -> str:
    """A field's value as the text a word diff compares: lists of words joined with
    ", ", nested values as one-line JSON, an absent value as nothing."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def pieces(old: object, new: object) -> list[Piece]:
    """The word diff of one field's two values."""
    return word_diff(display(old), display(new))


# ---- line formats -------------------------------------------------------------------------


def _head(c: Change, match: bool) -> list[str]:
    cells = [c.change, c.kind, c.meeting, c.id]
    if match:
        cells += [c.old_id or "", "" if c.similarity is None else repr(c.similarity)]
    return cells


def _plain_lines(c: Change, match: bool) -> str:
    """One line per changed field (its word diff); one line, with the record's title,
    for a record added, removed or unchanged."""
    head = "\t".join(escape_field(cell) for cell in _head(c, match))
    if c.change != "changed":
        return f"{head}\t\t{escape_field(c.label)}\n"
    lines = []
    for name, (old, new) in c.fields:
        diff = [(op, escape_field(text)) for op, text in pieces(old, new)]
        lines.append(f"{head}\t{name}\t{marked(diff)}\n")
    return "".join(lines)


def _csv_keys(match: bool) -> tuple[str, ...]:
    return (*CSV_KEYS[:4], *MATCH_KEYS, *CSV_KEYS[4:]) if match else CSV_KEYS


def _csv_rows(changes: Iterable[Change], match: bool) -> list[dict[str, object]]:
    """One row per field of each change (a record unchanged: one row, no field)."""
    rows: list[dict[str, object]] = []
    for c in changes:
        base = dict(zip(_csv_keys(match), _head(c, match), strict=False))
        if not c.fields:
            rows.append({**base, "field": "", "old": None, "new": None})
        for name, (old, new) in c.fields:
            rows.append({**base, "field": name, "old": old, "new": new})
    return rows


def _md(text: str) -> str:
    """Catalogue text for running Markdown: one line, literal when rendered."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", visible(text))


def markdown(changes: Sequence[Change]) -> str:
    """A review comment: a summary, then a bullet per record and one under it per field,
    deletions struck through and insertions in bold."""
    lines = [f"**directives diff**: {summary(changes)}", *([""] if changes else [])]
    for c in changes:
        pair = f" (was `{c.old_id}`, similarity {c.similarity})" if c.old_id else ""
        lines.append(f"- **{c.change}** {c.kind} `{c.id}` in `{c.meeting}`{pair}: {_md(c.label)}")
        if c.change != "changed":
            continue
        for name, (old, new) in c.fields:
            lines.append(f"  - {name}: {_markdown_diff(pieces(old, new))}")
    return "\n".join(lines) + "\n"


def _markdown_diff(diff: Iterable[Piece]) -> str:
    parts = []
    for op, text in diff:
        shown = _md(text)
        if op == "=" or not text.strip():
            parts.append(shown)
        else:
            mark = "~~" if op == "-" else "**"
            lead, core, trail = _split_space(shown)
            parts.append(f"{lead}{mark}{core}{mark}{trail}")
    return "".join(parts)


def _split_space(text: str) -> tuple[str, str, str]:
    """Markdown emphasis must hug its text: spaces moved outside the markers."""
    core = text.strip()
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


# ---- the terminal view --------------------------------------------------------------------


def diff_view(changes: Sequence[Change], match: bool) -> RenderableType:
    """For a person: a line per record, a word diff per changed field, then a summary."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    for c in changes:
        parts.append(_record_line(c, match))
        if c.change == "changed":
            for name, (old, new) in c.fields:
                line = Text("    ")
                line.append(f"{name}: ", style="bold")
                line.append_text(_colored(pieces(old, new)))
                parts.append(line)
    parts.append(Text(summary(changes), style="bold"))
    return Group(*parts)


def _record_line(c: Change, match: bool) -> RenderableType:
    from rich.text import Text

    line = Text()
    line.append(f"{c.change:<9}", style=_STYLES[c.change])
    line.append(f" {c.kind:<9} ")
    line.append(visible(f"{c.meeting} {c.id}"), style="bold")
    if match and c.old_id is not None:
        line.append(visible(f" (was {c.old_id}, similarity {c.similarity})"))
    if c.label:
        line.append("  " + visible(c.label), style="dim" if c.change == "unchanged" else "")
    return line


def _colored(diff: Iterable[Piece]) -> Text:
    from rich.text import Text

    text = Text()
    for op, part in diff:
        shown = visible(part)
        if op == "-":
            text.append(f"[-{shown}-]", style="red strike")
        elif op == "+":
            text.append(f"{{+{shown}+}}", style="green")
        else:
            text.append(shown)
    return text
