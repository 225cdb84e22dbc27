"""Terminal views (render/table.py): complete, literal and safe at any width."""

from __future__ import annotations

import io
import re

import pytest
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment

from directives_cli.model import Directive, Hit, QuoteContext, Speaker, Statistic
from directives_cli.render import DEFAULT_FIELDS
from directives_cli.render.escape import DANGEROUS, visible
from directives_cli.render.highlight import SNIPPET_LENGTH
from directives_cli.render.table import (
    categories_table,
    directive_panel,
    directives_table,
    meeting_view,
)
from fixtures.render import samples

WIDTHS = (20, 80, 300)
RAW_DANGER = re.compile(f"[{DANGEROUS}]")
SGR = re.compile(r"\x1b\[[0-9;]*m")
SEARCH_FIELDS = (*DEFAULT_FIELDS, "score")


def console(width: int, *, colour: bool = False) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="truecolor" if colour else None,
        force_terminal=colour,
        markup=False,
        highlight=False,
        emoji=False,
    )


def draw(view: RenderableType, width: int, *, colour: bool = False) -> str:
    target = console(width, colour=colour)
    target.print(view)
    out = target.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def flat(out: str) -> str:
    """Drawn text with box borders and line wrapping undone, to look for phrases."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", out).split())


def segments(view: RenderableType, width: int = 120) -> list[Segment]:
    return list(console(width, colour=True).render(view))


def assert_safe(out: str) -> None:
    """Only our own SGR codes and line breaks: no raw control character of the data."""
    assert RAW_DANGER.search(SGR.sub("", out).replace("\n", "")) is None


def hostile_items(*, hits: bool) -> list[Directive | Hit]:
    """Hostile text in every field; ids short and distinct so they can be looked for."""
    items: list[Directive | Hit] = []
    for n, value in enumerate(samples.HOSTILE):
        d = samples.hostile_directive(value, n)
        d = Directive(**{**d.record(), "id": f"H-{n}", "addressees": (value,), "tags": (value,)})  # type: ignore[arg-type]
        items.append(Hit(d, 1.0, ("title",), (value,)) if hits else d)
    return items


def ids_of(items: list[Directive | Hit]) -> list[str]:
    return [item.directive.id if isinstance(item, Hit) else item.id for item in items]


def lines_holding(out: str, text: str) -> int:
    return sum(text in line for line in out.splitlines())


# ---- list / search -----------------------------------------------------------------------


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "items",
    [samples.directives(12), samples.hits(12), hostile_items(hits=False), hostile_items(hits=True)],
    ids=["directives", "hits", "hostile", "hostile hits"],
)
def test_every_record_and_every_id_is_drawn_in_full(
    items: list[Directive | Hit], width: int, colour: bool
) -> None:
    fields = SEARCH_FIELDS if isinstance(items[0], Hit) else DEFAULT_FIELDS
    out = draw(directives_table(items, fields), width, colour=colour)
    plain = SGR.sub("", out)
    for identifier in ids_of(items):
        assert re.search(rf"(?<![\w-]){re.escape(identifier)}(?![\w-])", plain), identifier
    assert all(cell_len(line) <= width for line in plain.splitlines()), plain
    assert_safe(out)
    if not colour:
        assert "\x1b" not in out


def test_hostile_ids_are_shown_escaped_in_full_on_a_wide_terminal() -> None:
    items = [samples.hostile_directive(value, n) for n, value in enumerate(samples.HOSTILE)]
    out = draw(directives_table(items, DEFAULT_FIELDS), 300)
    for item in items:
        assert lines_holding(out, visible(item.id)) == 1, item.id
    assert_safe(out)


def test_an_id_wider_than_the_terminal_folds_instead_of_being_cut() -> None:
    long_id = "VERY-LONG-IDENTIFIER-0123456789-ABCDEFGHIJ"
    out = draw(directives_table([samples.directive(id=long_id)], DEFAULT_FIELDS), 20)
    assert long_id in "".join(line.strip() for line in out.splitlines())
    assert "…" not in out


def test_markup_in_the_catalogue_prints_literally() -> None:
    items = [samples.directive(title=samples.MARKUP, category="[red]cat[/red]")]
    for width in WIDTHS:
        squeezed = "".join(draw(directives_table(items, DEFAULT_FIELDS), width).split())
        assert "".join(samples.MARKUP.split()) in squeezed
        assert "[red]cat[/red]" in squeezed
    assert samples.MARKUP in draw(directives_table(items, DEFAULT_FIELDS), 300)


def test_matched_words_are_highlighted() -> None:
    item = Hit(samples.directive(title="Reform the RISK system"), 2.0, ("title",), ("risk",))
    view = directives_table([item], SEARCH_FIELDS, terms=("reform",))
    styled = {s.text for s in segments(view) if s.style and s.style.underline and s.style.bold}
    assert {"Reform", "RISK", "risk"} <= styled


def test_search_results_show_a_snippet_around_the_best_match() -> None:
    text = "Opening words that do not matter. " * 8 + "Elevator accidents must fall. " + "x " * 80
    item = Hit(samples.directive(text=text), 2.0, ("text",), ("elevator", "accidents"))
    out = draw(directives_table([item], SEARCH_FIELDS), 300)
    header = out.splitlines()[0].split()
    assert header == ["id", "category", "act", "title", "score", "match"]
    row = out.splitlines()[2]
    snippet = row[row.index("…") :].strip()
    assert "Elevator accidents must fall." in snippet
    assert len(snippet) <= SNIPPET_LENGTH + 2


def test_a_plain_list_has_no_match_column() -> None:
    out = draw(directives_table(samples.directives(2), DEFAULT_FIELDS), 120)
    assert out.splitlines()[0].split() == list(DEFAULT_FIELDS)


def test_scores_show_the_precision_plain_shows() -> None:
    # Issue 11, point 8: the score reads the same in table as in plain (rounded once).
    out = draw(directives_table([samples.hit(score=3.14159)], SEARCH_FIELDS), 120)
    assert " 3.1416 " in out


@pytest.mark.parametrize("width", WIDTHS)
def test_no_records_draws_without_error(width: int) -> None:
    assert "RC-" not in draw(directives_table([], DEFAULT_FIELDS), width)


def test_never_colour_means_no_escape_codes_even_for_highlights() -> None:
    out = draw(directives_table(samples.hits(3), SEARCH_FIELDS, terms=("risk",)), 80)
    assert "\x1b" not in out


# ---- show ------------------------------------------------------------------------------------


CONTEXT = QuoteContext(
    before="The meeting heard a report. Chen Gang demanded that we ",
    quote="strengthen risk prevention and control 1",
    after=", and hold the bottom line. Then it closed.",
)


def test_panel_shows_every_part_of_a_directive() -> None:
    d = samples.directive(text="First paragraph.\nSecond paragraph.")
    out = draw(directive_panel(d, CONTEXT, "Risk prevention and control"), 120)
    for part in (
        "RC-1",
        d.title,
        "special-equipment-safety-2019",
        "Risk prevention and control (risk-control)",
        "Chen Gang",
        "requested",
        "safety supervision departments, enterprises",
        "risk, prevention",
        "First paragraph.",
        "Second paragraph.",
        "The meeting heard a report.",
        "strengthen risk prevention and control 1",
        "and hold the bottom line.",
        "«strengthen risk prevention and control 1»",
    ):
        assert part in flat(out), part


def test_panel_labels_the_note_and_keeps_it_after_the_text_and_the_quote() -> None:
    d = samples.directive(note="A reading of a machine translation.")
    out = flat(draw(directive_panel(d, CONTEXT, None), 120))
    assert "Editor's note A reading of a machine translation." in out
    assert out.index(d.text) < out.index("«") < out.index("Editor's note")
    bare = draw(directive_panel(samples.directive(), CONTEXT, None), 120)
    assert "Editor's note" not in flat(bare)


def test_panel_sets_the_quote_in_its_source_sentence() -> None:
    parts = segments(directive_panel(samples.directive(), CONTEXT, None))
    quote = [
        s
        for s in parts
        if s.style and s.style.bold and s.style.color and s.style.color.name == "yellow"
    ]
    around = [s for s in parts if "The meeting heard" in s.text or "bottom line" in s.text]
    assert " ".join(" ".join(s.text.split()) for s in quote) == CONTEXT.quote
    assert all(not s.style or not s.style.dim for s in quote)
    assert around and all(s.style and s.style.dim for s in around)


def test_panel_without_context_shows_the_quote_alone() -> None:
    out = draw(directive_panel(samples.directive(), None, None), 100)
    assert '"strengthen risk prevention and control 1"' in out
    assert "category    risk-control" in out


@pytest.mark.parametrize("separator", ["\x1c", "\x1d", "\x1e", "\x1f"])
def test_panel_escapes_separators_in_the_source_sentence(separator: str) -> None:
    """Python counts the information separators as whitespace; the sentence a quote
    stands in must still show them escaped, as every other view does, not as a space."""
    quote = f"said {separator} this"
    context = QuoteContext("Someone ", quote, ".")
    out = flat(draw(directive_panel(samples.directive(), context, None), 120))
    assert f"«said {visible(separator)} this»" in out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("value", samples.HOSTILE)
def test_panel_is_literal_and_safe_with_hostile_text(value: str, width: int) -> None:
    d = samples.hostile_directive(value)
    d = Directive(**{**d.record(), "id": "H-1", "addressees": (value,), "tags": (value,)})  # type: ignore[arg-type]
    context = QuoteContext(before=value, quote=value, after=value)
    out = draw(directive_panel(d, context, value), width, colour=True)
    assert_safe(out)
    assert "H-1" in SGR.sub("", out)
    assert all(cell_len(line) <= width for line in SGR.sub("", out).splitlines())


def test_panel_keeps_markup_literal() -> None:
    out = draw(directive_panel(samples.directive(title=samples.MARKUP), None, "[b]x[/b]"), 100)
    assert samples.MARKUP in out
    assert "[b]x[/b] (risk-control)" in out


# ---- categories ----------------------------------------------------------------------------


def test_categories_show_ids_titles_descriptions_counts_and_bars() -> None:
    out = draw(categories_table(samples.category_counts()), 120)
    lines = out.splitlines()
    assert lines[0].split() == ["id", "title", "count"]
    risk = next(line for line in lines if line.startswith("risk-control"))
    assert "Risk prevention and control" in risk and " 12 " in risk
    assert "█" * 20 in risk
    reform = next(line for line in lines if line.startswith("reform"))
    assert "█" * 11 in reform and "█" * 12 not in reform
    capacity = next(line for line in lines if line.startswith("capacity"))
    assert "█" not in capacity
    assert "Holding the safety bottom line." in out


def test_a_category_note_is_labelled_under_its_description() -> None:
    noted = samples.category(note="An editor's grouping.")
    out = flat(draw(categories_table([(noted, 1)]), 120))
    assert "Holding the safety bottom line. Editor's note: An editor's grouping." in out


def test_categories_of_several_meetings_show_the_meeting() -> None:
    counts = [*samples.category_counts(), (samples.category("other", meeting="m-2020"), 3)]
    out = draw(categories_table(counts), 160)
    assert out.splitlines()[0].split() == ["meeting", "id", "title", "count"]
    assert "m-2020" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_categories_at_any_width(width: int) -> None:
    counts = [
        (samples.category(f"cat-{n}", title=v, description=v), n)
        for n, v in enumerate(samples.HOSTILE)
    ]
    out = draw(categories_table(counts), width, colour=True)
    assert_safe(out)
    for n in range(len(samples.HOSTILE)):
        assert re.search(rf"(?<![\w-])cat-{n}(?![\w-])", SGR.sub("", out))


def test_no_categories_or_no_directives_draw_without_error() -> None:
    assert "cat" not in draw(categories_table([]), 80)
    out = draw(categories_table([(samples.category(), 0)]), 80)
    assert "risk-control" in out and "█" not in out


# ---- meeting -------------------------------------------------------------------------------


def test_meeting_view_shows_metadata_people_and_figures() -> None:
    out = draw(meeting_view([samples.document()]), 120)
    for part in (
        "National Special Equipment Safety Supervision Work Conference",
        "The National Ad Hoc Safety Monitoring Work Conference",
        "special-equipment-safety-2019",
        "2019-01-24 to 2019-01-25",
        "Hefei, Anhui",
        "SAMR",
        "Chen Gang, a member of the Party Committee",
        "Li Si",
        "guided by    the plan",
        "implemented  the National Market Supervision Work Conference",
        "Editor's note",
        "Reading of a machine translation: the year is implied.",
        "editor's note",
        "Year implied.",
        "- the Emergency Management Department",
        "The report (sources/report.txt)",
        "Figures reported",
        "ST-1",
        "elevator accidents",
        "-45%",
        "ST-2",
    ):
        assert part in out, part


def test_a_minimal_meeting_shows_only_what_it_has() -> None:
    out = draw(meeting_view([samples.minimal_document()]), 100)
    assert "Minimal" in out and "2020-01-01" in out and "Nowhere" in out
    for absent in ("to", "organiser", "speakers", "Attendees", "Figures", "source"):
        assert absent not in out.split(), absent


def test_several_meetings_are_drawn_one_after_the_other() -> None:
    out = draw(meeting_view([samples.document(), samples.minimal_document()]), 100)
    assert out.index("special-equipment-safety-2019") < out.index("minimal")


@pytest.mark.parametrize("width", WIDTHS)
def test_meeting_view_is_safe_and_complete_at_any_width(width: int) -> None:
    value = "".join(samples.HOSTILE[:22])
    meeting = samples.meeting(
        title=value,
        published_title=value,
        location=value,
        organiser=value,
        speakers=(Speaker(value, value),),
        guided_by=(value,),
        implemented=(value,),
        attendees=(value,),
        note=value,
    )
    stats = tuple(Statistic(f"ST-{n}", "m", value, value, value, value, value) for n in range(3))
    out = draw(
        meeting_view([samples.document(meeting=meeting, statistics=stats)]), width, colour=True
    )
    assert_safe(out)
    for n in range(3):
        assert f"ST-{n}" in SGR.sub("", out)
    assert all(cell_len(line) <= width for line in SGR.sub("", out).splitlines())
