"""Rows of cells drawn as a table when the terminal is wide enough, else as blocks.

Rich squeezes a table that does not fit by shrinking every column, ids included, and then
cuts them with an ellipsis. An id cut short is useless (it is what a user copies into
`show`), so :class:`Records` decides at draw time, knowing the real width: a table whose
key columns keep their full width, or, on a narrow terminal, one block per record with
every field on its own line. Either way every record and every id is drawn in full.
:class:`Pairs` does the same for `name  value` lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import (
    Console,
    ConsoleOptions,
    JustifyMethod,
    RenderableType,
    RenderResult,
)
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.styled import Styled
from rich.table import Column, Table
from rich.text import Text

#: The narrowest a wrapping column may become before we switch to blocks.
MIN_FLEX = 10
#: Spaces between a name and its value.
_PAIR_GAP = 2
#: Width limit used to measure what a table needs, unclamped by the terminal.
_UNBOUNDED = 1_000_000


@dataclass(frozen=True)
class Field:
    """A column: its header, whether it keeps its full width, and how it is drawn.

    ``fixed`` columns (ids, numbers, bars) are never narrowed or wrapped; the others
    wrap, and fold words longer than the column rather than cutting them.
    """

    name: str
    fixed: bool = False
    style: str = ""
    justify: JustifyMethod = "left"


@dataclass(frozen=True)
class Records:
    """Rows of cells (``cells[i]`` belongs to ``fields[i]``), drawn to fit the width."""

    fields: Sequence[Field]
    rows: Sequence[Sequence[RenderableType]]
    header_style: str = "bold"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._fixed_widths(console, options)
        if self._needed(console, options, widths) <= options.max_width:
            yield self._table(widths)
        else:
            yield from self._blocks()

    def _fixed_widths(self, console: Console, options: ConsoleOptions) -> dict[int, int]:
        """The full width of each fixed column: its widest cell or its header."""
        wide = options.update_width(_UNBOUNDED)
        return {
            index: max(
                [len(f.name)]
                + [Measurement.get(console, wide, row[index]).maximum for row in self.rows]
            )
            for index, f in enumerate(self.fields)
            if f.fixed
        }

    def _needed(self, console: Console, options: ConsoleOptions, widths: dict[int, int]) -> int:
        """The table's width with fixed columns full and the rest at MIN_FLEX, measured
        by Rich itself so borders and padding are counted as it will draw them."""
        probe = _new_table(
            [_column(f, widths.get(i, MIN_FLEX), "") for i, f in enumerate(self.fields)]
        )
        return Measurement.get(console, options.update_width(_UNBOUNDED), probe).maximum

    def _table(self, widths: dict[int, int]) -> Table:
        table = _new_table(
            [_column(f, widths.get(i), self.header_style) for i, f in enumerate(self.fields)]
        )
        for row in self.rows:
            table.add_row(*row)
        return table

    def _blocks(self) -> RenderResult:
        """One block per record: its first cell as a heading, then its other fields."""
        first = self.fields[0]
        for number, row in enumerate(self.rows):
            if number:
                yield Text("")
            yield Styled(row[0], first.style)
            cells = zip(self.fields[1:], row[1:], strict=True)
            yield Pairs([(f.name, Styled(cell, f.style)) for f, cell in cells])


@dataclass(frozen=True)
class Pairs:
    """`name  value` lines, names dim; on a narrow terminal each value goes under its name,
    so a value never shrinks to a few letters a line beside a long name."""

    pairs: Sequence[tuple[str, RenderableType]]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self._side_by_side(console, options):
            grid = Table.grid(padding=(0, _PAIR_GAP))
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold")
            for name, value in self.pairs:
                grid.add_row(Text(name), value)
            yield grid
            return
        for name, value in self.pairs:
            yield Text(name, style="dim", overflow="fold")
            yield Padding(value, (0, 0, 0, _PAIR_GAP))

    def _side_by_side(self, console: Console, options: ConsoleOptions) -> bool:
        """Values fit beside the names if their longest word does (or 2*MIN_FLEX cells)."""
        names = max((cell_len(name) for name, _ in self.pairs), default=0)
        words = [Measurement.get(console, options, value).minimum for _, value in self.pairs]
        return options.max_width - names - _PAIR_GAP >= min(max(words, default=0), 2 * MIN_FLEX)


def _new_table(columns: Sequence[Column]) -> Table:
    return Table(*columns, box=box.SIMPLE_HEAVY, show_edge=False, pad_edge=False)


def _column(f: Field, width: int | None, header_style: str) -> Column:
    return Column(
        header=Text(f.name, style=header_style),
        width=width,
        style=f.style,
        justify=f.justify,
        overflow="fold",
        no_wrap=f.fixed,
    )


@dataclass(frozen=True)
class Bar:
    """A horizontal bar ``fraction`` of ``width`` cells long, in eighths of a cell.

    Drawn at render time so a terminal that cannot show block characters (ASCII
    output) gets `#` instead of an encoding error.
    """

    fraction: float
    width: int = 20
    style: str = "cyan"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = min(self.width, options.max_width)
        eighths = round(max(0.0, min(1.0, self.fraction)) * width * 8)
        if options.ascii_only:
            bar = "#" * round(eighths / 8)
        else:
            full, rest = divmod(eighths, 8)
            bar = "█" * full + (" ▏▎▍▌▋▊▉"[rest] if rest else "")
        yield Segment(bar.ljust(width), Style.parse(self.style))
        yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.width, self.width)
