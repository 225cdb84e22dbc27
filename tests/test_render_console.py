"""The console terminal views are drawn on (render/console.py): colour choice, width."""

from __future__ import annotations

import io
import re

import pytest
from rich.text import Text

from directives_cli.render.console import MIN_WIDTH, make_console
from directives_cli.render.table import directives_table
from fixtures.render import samples

ESC = "\x1b"
COLOUR = re.compile(r"\x1b\[[0-9;]*3[0-7][;m]")


@pytest.fixture(autouse=True)
def neutral_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """No inherited terminal settings: each test sets what it checks."""
    for name in (
        "NO_COLOR",
        "FORCE_COLOR",
        "TERM",
        "COLORTERM",
        "COLUMNS",
        "LINES",
        "TTY_COMPATIBLE",
        "TTY_INTERACTIVE",
    ):
        monkeypatch.delenv(name, raising=False)


def draw(color: str, style: str = "bold red") -> str:
    out = io.StringIO()
    make_console(out, color=color).print(Text("hello", style=style))
    return out.getvalue()


def test_auto_into_a_pipe_has_no_escape_codes() -> None:
    assert draw("auto") == "hello\n"


def test_auto_honours_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert COLOUR.search(draw("auto"))


def test_auto_honours_no_color_even_when_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not COLOUR.search(draw("auto"))


def test_auto_honours_a_dumb_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    assert ESC not in draw("auto")


@pytest.mark.parametrize(
    "env", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}, {"NO_COLOR": "1", "TERM": "dumb"}]
)
def test_always_colours_even_into_a_pipe(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert COLOUR.search(draw("always"))


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1"}, {"COLORTERM": "truecolor"}])
def test_never_writes_no_escape_code_at_all(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ESC not in draw("never", style="bold underline reverse red on white link http://e")


def test_an_unknown_colour_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="auto, always, never"):
        make_console(io.StringIO(), color="sometimes")


def test_markup_and_emoji_codes_are_not_interpreted() -> None:
    out = io.StringIO()
    make_console(out, color="always").print("[bold]x[/bold] :smile: 0x1F http://e 2019-01-24")
    assert out.getvalue() == "[bold]x[/bold] :smile: 0x1F http://e 2019-01-24\n"


@pytest.mark.parametrize(
    ("columns", "width"),
    [
        ("0", MIN_WIDTH),
        ("1", MIN_WIDTH),
        ("20", 20),
        ("100000", 100000),
        ("abc", None),
        ("-3", None),
    ],
)
def test_any_columns_value_gives_a_usable_width(
    monkeypatch: pytest.MonkeyPatch, columns: str, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    out = io.StringIO()
    console = make_console(out, color="never")
    assert (console.width == width) if width else (console.width >= MIN_WIDTH)
    console.print(directives_table(samples.directives(3), ("id", "category", "act", "title")))
    for n in (1, 2, 3):
        assert f"RC-{n}" in out.getvalue()
