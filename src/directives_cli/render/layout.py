"""Rows of cells drawn as a table when the terminal is wide enough, else as blocks.

Rich squeezes a table that does not fit by shrinking every column, ids included, and then
cuts them with an ellipsis. An id cut short is useless (it is what a user copies into
`show`), and it narrows text columns until words break in the middle. So :class:`Records`
decides at draw time, knowing the real width: a table whose key columns keep their full
width and whose text columns each hold their longest word, or, when that does not fit,
one block per record with every field on its own line. Either way every record and every
id is drawn in full, and text wraps at spaces only. :class:`Pairs` does the same for
`name  value` lines. A word longer than the whole line (a long path at 40 columns) is
the one thing folded, at the line's end, that word alone.
"""

from __future__ import annotations

import re
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

#: The narrowest a text column is drawn (unless all its text is shorter): narrower, a
#: title takes a line for every word or two, and one block per record reads better.
MIN_TEXT = 20
#: Spaces between a name and its value.
_PAIR_GAP = 2
#: Width limit used to measure what a table needs, unclamped by the terminal.
_UNBOUNDED = 1_000_000
#: CJK scripts (and their full-width forms) break between any two characters.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


@dataclass(frozen=True)
class Field:
    """A column: its header, whether it keeps its full width, and how it is drawn.

    ``fixed`` columns (ids, numbers, bars) are never narrowed or wrapped; the others
    wrap at spaces, never narrower than their longest word.
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
        widths = self._widths(console, options)
        if widths is None:
            yield from self._blocks()
        else:
            yield self._table(widths)

    def _widths(self, console: Console, options: ConsoleOptions) -> list[int] | None:
        """Each column's width, or None when the table cannot fit.

        Fixed columns get their full width; the others at least their longest word (so
        no word is ever broken) and MIN_TEXT, and share what is left in proportion to what more they
        could use. We size the columns ourselves because Rich, squeezing a table, narrows
        the widest columns below their longest word before it gives up."""
        wide = options.update_width(_UNBOUNDED)
        least: list[int] = []
        most: list[int] = []
        for index, f in enumerate(self.fields):
            cells = [row[index] for row in self.rows]
            full = max(
                [cell_len(f.name), *(Measurement.get(console, wide, c).maximum for c in cells)]
            )
            words = [cell_len(f.name), *(longest_word(console, wide, c) for c in cells)]
            least.append(full if f.fixed else max(*words, min(full, MIN_TEXT)))
            most.append(full)
        probe = _new_table(
            [_column(f, width, "") for f, width in zip(self.fields, least, strict=True)]
        )
        spare = options.max_width - Measurement.get(console, wide, probe).maximum
        return None if spare < 0 else _share(least, most, spare)

    def _table(self, widths: Sequence[int]) -> Table:
        table = _new_table(
            [
                _column(f, width, self.header_style)
                for f, width in zip(self.fields, widths, strict=True)
            ]
        )
        for row in self.rows:
            table.add_row(*row)
        return table

    def _blocks(self) -> RenderResult:
        """One block per record: its first cell as a heading, then its other fields, less
        those it has no value for (a label alone says nothing)."""
        first = self.fields[0]
        for number, row in enumerate(self.rows):
            if number:
                yield Text("")
            yield Styled(row[0], first.style)
            cells = zip(self.fields[1:], row[1:], strict=True)
            yield Pairs([(f.name, Styled(cell, f.style)) for f, cell in cells if not _empty(cell)])


def _empty(cell: RenderableType) -> bool:
    return isinstance(cell, Text) and not cell.plain


def _share(least: Sequence[int], most: Sequence[int], spare: int) -> list[int]:
    """Widths from ``least`` towards ``most``, ``spare`` cells shared in proportion to
    what each column still wants (the rounding remainder to those that want most)."""
    wants = [high - low for low, high in zip(least, most, strict=True)]
    total = sum(wants)
    if total <= spare:
        return list(most)
    gives = [spare * want // total for want in wants]
    neediest = sorted(range(len(wants)), key=lambda index: -wants[index])
    for index in neediest[: spare - sum(gives)]:
        gives[index] += 1
    return [low + give for low, give in zip(least, gives, strict=True)]


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
        """Values go beside the names when every word that fits under a name fits beside
        it too; a word too long for either (a long path at 40 columns) is folded anyway."""
        names = max((cell_len(name) for name, _ in self.pairs), default=0)
        under = options.max_width - _PAIR_GAP
        words = (longest_word(console, options, value, limit=under) for _, value in self.pairs)
        return options.max_width - names - _PAIR_GAP >= max(words, default=0)


def longest_word(
    console: Console,
    options: ConsoleOptions,
    renderable: RenderableType,
    *,
    limit: int = _UNBOUNDED,
) -> int:
    """The width of the longest word in ``renderable`` no wider than ``limit`` cells.

    A word is a run of characters between spaces, except that each CJK character is a
    word of its own: Chinese and Japanese break between any two of them, and Rich folds
    a run of them at the line's end, so only spaced words must be kept whole."""
    while isinstance(renderable, Styled):
        renderable = renderable.renderable
    if isinstance(renderable, Text):
        widths = (cell_len(word) for word in _WORD.findall(renderable.plain))
        return max((width for width in widths if width <= limit), default=0)
    minimum = Measurement.get(console, options, renderable).minimum
    return minimum if minimum <= limit else 0


def _new_table(columns: Sequence[Column]) -> Table:
    return Table(*columns, box=box.SIMPLE_HEAVY, show_edge=False, pad_edge=False)


def _column(f: Field, width: int, header_style: str) -> Column:
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
