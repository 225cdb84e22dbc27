"""Rows drawn as a table or as blocks, whichever fits (render/layout.py)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console, RenderableType
from rich.text import Text

from directives_cli.render.layout import Bar, Field, Records


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
