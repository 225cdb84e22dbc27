"""Rows drawn as a table or as blocks, whichever fits (render/layout.py)."""

from __future__ import annotations

import collections
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console, RenderableType
from rich.text import Text

from directives_cli.render.layout import Bar, Field, Records, _share


def draw(renderable: RenderableType, width: int, *, encoding: str = "utf-8") -> str:
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding=encoding, newline="")
    Console(file=stream, width=width, color_system=None, markup=False).print(renderable)
    stream.flush()
    return buffer.getvalue().decode(encoding)


LONG = "a fairly long value that will have to wrap over several lines " * 2
RECORDS = Records(
    [Field("id", fixed=True), Field("name"), Field("note")],
    [[Text("ID-0001"), Text("first"), Text(LONG)], [Text("ID-0002"), Text("second"), Text("x")]],
)


def test_a_wide_terminal_gets_a_table_with_a_header() -> None:
    out = draw(RECORDS, 80)
    assert out.splitlines()[0].split() == ["id", "name", "note"]
    assert "ID-0001   first" in out


def test_a_narrow_terminal_gets_one_block_per_record() -> None:
    out = draw(RECORDS, 24)
    lines = out.splitlines()
    assert lines[0].strip() == "ID-0001"
    assert lines[1].split() == ["name", "first"]
    assert "" in lines and "ID-0002" in [line.strip() for line in lines]


@pytest.mark.parametrize("width", range(20, 60))
def test_fixed_cells_are_never_cut_at_any_width(width: int) -> None:
    lines = draw(RECORDS, width).splitlines()
    assert any("ID-0001" in line for line in lines)
    assert any("ID-0002" in line for line in lines)
    assert all(len(line) <= width for line in lines)


def test_bars_measure_their_full_width_and_draw_eighths() -> None:
    assert draw(Bar(0.5, 8), 40) == "████    \n"
    assert draw(Bar(1 / 16, 8), 40) == "▌       \n"
    assert draw(Bar(1.0, 8), 40) == "████████\n"
    assert draw(Bar(0.0, 8), 40) == "        \n"


def test_bars_fall_back_to_ascii() -> None:
    assert draw(Bar(0.5, 8), 40, encoding="ascii") == "####    \n"


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=16)
CELLS = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=4),
    width=st.integers(min_value=20, max_value=120),
)
def test_no_word_is_ever_broken_at_any_width(rows: list[tuple[str, str]], width: int) -> None:
    """Table or blocks, whichever fits: every line holds whole words only, so the words
    on the screen are exactly the words of the cells (plus headers and labels)."""
    records = Records(
        [Field("id", fixed=True), Field("name"), Field("note")],
        [[Text(f"ID-{n}"), Text(name), Text(note)] for n, (name, note) in enumerate(rows)],
    )
    out = draw(records, width)
    assert all(len(line) <= width for line in out.splitlines())
    rule = re.compile("━+")  # under the header, when drawn as a table
    shown = collections.Counter(word for word in out.split() if not rule.fullmatch(word))
    shown.subtract({"id": shown["id"], "name": shown["name"], "note": shown["note"]})
    shown.subtract(f"ID-{n}" for n in range(len(rows)))
    expected = collections.Counter(word for row in rows for cell in row for word in cell.split())
    expected.subtract({"id": expected["id"], "name": expected["name"], "note": expected["note"]})
    assert +shown == +expected


def test_a_text_column_never_gets_narrower_than_its_longest_word() -> None:
    """Rich would squeeze `note` to fit 30 columns and break 'responsibility'; we stack."""
    records = Records(
        [Field("id", fixed=True), Field("note")],
        [[Text("ID-1"), Text("the main responsibility of enterprises")]],
    )
    assert "responsibility" in draw(records, 40).split()
    assert draw(records, 40).splitlines()[0].split() == ["id", "note"]
    narrow = draw(records, 20).splitlines()
    assert narrow[0].strip() == "ID-1"
    assert "responsibility" in " ".join(narrow).split()


def test_text_columns_share_the_spare_width_by_what_they_could_use() -> None:
    assert _share([4, 10, 10], [4, 10, 40], 10) == [4, 10, 20]
    assert _share([4, 10, 10], [4, 30, 30], 9) == [4, 15, 14]
    assert _share([4, 10], [4, 12], 50) == [4, 12]


def test_chinese_text_breaks_between_characters_and_stays_in_a_table() -> None:
    """A run of CJK characters is not one long word: it may break anywhere, so a title
    in Chinese stays in its column instead of forcing blocks."""
    title = "加强特种设备安全监察工作的风险防控和隐患排查治理"
    records = Records([Field("id", fixed=True), Field("title")], [[Text("ID-1"), Text(title)]])
    out = draw(records, 30)
    assert out.splitlines()[0].split() == ["id", "title"]
    assert "".join(line[7:].strip() for line in out.splitlines()[2:]) == title
