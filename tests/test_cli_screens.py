"""What a person sees at a terminal of any width, through the real CLI with COLUMNS pinned.

At 40, 60 and 100 columns (and the edge values 0, 1 and 20, drawn at 20) every record
and id is on the screen, and every word of the data is whole on some line: a table
switches to one block per record before a column gets narrower than its longest word.
The words come from the same command's JSON, so the test knows no answer by heart. A
word is a run of characters between spaces; only a word longer than the whole line may
be folded, and the test then finds its pieces instead.
"""

from __future__ import annotations

import collections
import json
import re
from collections.abc import Callable, Iterable, Iterator
from subprocess import CompletedProcess

import pytest
import typer

from conftest import Invoke
from directives_cli.cli import app

pytestmark = pytest.mark.usefixtures("shared_cache")

WIDTHS = (40, 60, 100)
EDGES = ("0", "1", "20")
#: The narrowest the views draw at (render.MIN_WIDTH), whatever COLUMNS says.
FLOOR = 20
#: Cells a value may lose to a panel's border and padding and a label's indent.
MARGIN = 6
#: What the views add around the data: column headers, labels, headings, bullets.
_LABELS = """id meeting category title text speaker act quote addressees tags score match
count subject period change dates to location organiser speakers guided by implemented source
Attendees Figures reported In the - Editor's editor's note"""
CHROME = frozenset(_LABELS.split())
_BAR = re.compile(r"[█▏▎▍▌▋▊▉#]+")
_NUMBER = re.compile(r"[\d.%+-]+")
_EDGE_PUNCTUATION = "()[],.;:!?\"'“”‘’…«»"


def table(cli: Invoke, columns: int | str, *args: str) -> str:
    result = cli(*args, "-f", "table", "--color", "never", env={"COLUMNS": str(columns)})
    assert result.code == 0, result.err
    return result.out


def as_json(cli: Invoke, *args: str) -> object:
    result = cli(*args, "-f", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def words(*values: object) -> Iterator[str]:
    """Every word of some data: strings split at spaces, lists and mappings walked."""
    for value in values:
        if isinstance(value, str):
            yield from value.split()
        elif isinstance(value, dict):
            yield from words(*value.values())
        elif isinstance(value, list | tuple):
            yield from words(*value)


def bare(token: str) -> str:
    return token.strip(_EDGE_PUNCTUATION)


def assert_every_word_whole(
    screen: str, columns: int | str, data: Iterable[str], also: Iterable[str] = ()
) -> None:
    """Each data word is a whole token of some line, and every token on the screen is a
    data word (or one of ``also``, words that may be shown), a label, a number or a bar:
    a word broken across lines would leave pieces that are neither. Lines never run past
    the width."""
    width = max(int(columns) if str(columns).isdigit() else 80, FLOOR)
    lines = screen.splitlines()
    assert all(len(line) <= width for line in lines), screen
    room = width - MARGIN
    data = list(data)
    vocabulary = {bare(word) for word in data}
    too_long = {bare(word) for word in data if len(word) > room}
    shown = {bare(token) for line in lines for token in re.split(r"[\s│╭╮╰╯─━]+", line)}
    missing = vocabulary - too_long - shown
    assert not missing, f"words not whole at {columns} columns: {sorted(missing)}\n{screen}"
    allowed = vocabulary | {bare(word) for word in also}
    strange = {
        token
        for token in shown - allowed - CHROME - {""}
        if not _BAR.fullmatch(token)
        and not _NUMBER.fullmatch(token)
        and not any(token in word for word in too_long)
    }
    assert not strange, f"broken words at {columns} columns: {sorted(strange)}\n{screen}"


def assert_every_id(screen: str, ids: Iterable[str]) -> None:
    shown = set(screen.split())
    assert set(ids) <= shown


# ---- the views ----------------------------------------------------------------------------


@pytest.mark.parametrize("columns", [*WIDTHS, *EDGES])
def test_list_shows_every_word_of_every_title_whole(cli: Invoke, columns: int | str) -> None:
    records = as_json(cli, "list")
    assert isinstance(records, list)
    screen = table(cli, columns, "list")
    assert_every_id(screen, (r["id"] for r in records))
    assert_every_word_whole(
        screen, columns, words([[r["id"], r["category"], r["act"], r["title"]] for r in records])
    )


@pytest.mark.parametrize("columns", [*WIDTHS, *EDGES])
def test_categories_show_every_word_of_titles_and_descriptions_whole(
    cli: Invoke, columns: int | str
) -> None:
    records = as_json(cli, "categories")
    assert isinstance(records, list)
    screen = table(cli, columns, "categories")
    assert_every_id(screen, (r["id"] for r in records))
    assert_every_word_whole(
        screen,
        columns,
        words([[r["id"], r["title"], r["description"], r.get("note")] for r in records]),
    )


@pytest.mark.parametrize("columns", [*WIDTHS, *EDGES])
def test_search_results_show_every_word_whole(cli: Invoke, columns: int | str) -> None:
    hits = as_json(cli, "search", "reform")
    assert isinstance(hits, list)
    screen = table(cli, columns, "search", "reform")
    assert_every_id(screen, (h["id"] for h in hits))
    fields = ("id", "category", "act", "title")
    snippets = words([[h["text"], h["quote"]] for h in hits])
    assert_every_word_whole(
        screen, columns, words([[h[f] for f in fields] for h in hits]), snippets
    )


@pytest.mark.parametrize("columns", [*WIDTHS, *EDGES])
def test_show_panels_keep_every_word_whole(cli: Invoke, columns: int | str) -> None:
    ids = cli("list", "-f", "ids").out.split()
    shown = as_json(cli, "show", *ids)
    categories = as_json(cli, "categories")
    assert isinstance(shown, list) and isinstance(categories, list)
    screen = table(cli, columns, "show", *ids)
    assert_every_id(screen, ids)
    keys = ("id", "meeting", "title", "text", "speaker", "act", "quote", "addressees", "tags")
    data = [[d[key] for key in keys] + [d.get("note")] for d in shown]
    context = [d["context"] for d in shown]
    labels = [[f"({c['id']})", c["title"]] for c in categories]
    assert_every_word_whole(screen, columns, words(data, context, labels))


@pytest.mark.parametrize("columns", [*WIDTHS, *EDGES])
def test_meeting_keeps_every_word_whole(cli: Invoke, columns: int | str) -> None:
    meetings = as_json(cli, "meeting")
    assert isinstance(meetings, list)
    screen = table(cli, columns, "meeting")
    statistics = [m["statistics"] for m in meetings]
    assert_every_id(screen, [s["id"] for stats in statistics for s in stats])
    shown = [
        {k: v for k, v in m.items() if k not in ("statistics", "start", "end")} for m in meetings
    ]
    figures = [
        [[s.get(k) for k in ("id", "subject", "period", "change", "note")] for s in stats]
        for stats in statistics
    ]
    assert_every_word_whole(screen, columns, words(shown, figures))


def test_a_narrow_terminal_stacks_what_a_wide_one_tabulates(cli: Invoke) -> None:
    """The switch itself: a header row at 100 columns, blocks of `label value` at 40."""
    wide, narrow = table(cli, 100, "categories"), table(cli, 40, "categories")
    assert wide.splitlines()[0].split() == ["id", "title", "count"]
    assert narrow.splitlines()[0].strip() == "risk-control"
    assert narrow.splitlines()[1].split()[0] == "title"
    assert table(cli, 100, "list").splitlines()[0].split() == ["id", "category", "act", "title"]
    assert table(cli, 40, "list").splitlines()[1].split()[0] == "category"


# ---- help ---------------------------------------------------------------------------------


def summaries() -> dict[str, str]:
    """Each command's summary: the first paragraph of its own help."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return {
        name: " ".join((command.help or "").split("\n\n")[0].split())
        for name, command in group.commands.items()
    }


def help_tokens(text: str) -> collections.Counter[str]:
    """The words of a help page; an option's choices broken after a `|` count as one."""
    return collections.Counter(re.sub(r"\|\s+", "|", text).split())


@pytest.mark.typer_only
def test_bare_command_prints_the_help_on_stdout_and_exits_0(cli: Invoke) -> None:
    result = cli(env={"COLUMNS": "100"})
    assert result.code == 0
    assert result.err == ""
    assert result.out == cli("--help", env={"COLUMNS": "100"}).out
    assert result.out.startswith("Usage: directives [OPTIONS] COMMAND [ARGS]...\n")
    examples = result.out.split("Examples:\n", 1)[1].strip("\n").split("\n\n")[0]
    assert [line.split()[0] for line in examples.splitlines()] == ["directives", "directives"]
    commands = result.out.split("Commands:\n", 1)[1]
    for name, summary in summaries().items():
        assert f"  {name}  " in commands
        assert summary in " ".join(commands.split())
    only_settings = cli("--no-cache", "--color", "never", env={"COLUMNS": "100"})
    assert (only_settings.code, only_settings.out) == (0, result.out)


@pytest.mark.typer_only
def test_bare_command_fits_40_columns_examples_and_all(cli: Invoke) -> None:
    result = cli(env={"COLUMNS": "40"})
    assert result.code == 0
    assert max(len(line) for line in result.out.splitlines()) <= 40


def test_bare_command_from_a_shell(sh: Callable[..., CompletedProcess[str]]) -> None:
    done = sh("directives", env={"COLUMNS": "60"})
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: directives [OPTIONS] COMMAND")
    assert "Commands:" in done.stdout and done.stderr == ""


@pytest.mark.typer_only
@pytest.mark.parametrize("columns", WIDTHS)
def test_command_summaries_are_never_cut(cli: Invoke, columns: int) -> None:
    result = cli("--help", env={"COLUMNS": str(columns)})
    assert result.code == 0
    commands = result.out.split("Commands:\n", 1)[1].split("\n\n")[0]
    assert "..." not in commands
    flowing = " ".join(commands.split())
    for name, summary in summaries().items():
        assert f"{name} {summary}" in flowing


@pytest.mark.typer_only
@pytest.mark.parametrize("command", [[], *([name] for name in summaries())])
@pytest.mark.parametrize("columns", [40, 60])
def test_help_fits_the_terminal_and_breaks_no_word(
    cli: Invoke, command: list[str], columns: int
) -> None:
    """Narrow help holds exactly the words of wide help (so none was broken, not even at
    a hyphen), and only the examples, printed as written to be pasted, run past the edge."""
    narrow = cli(*command, "--help", env={"COLUMNS": str(columns)})
    wide = cli(*command, "--help", env={"COLUMNS": "100"})
    assert narrow.code == wide.code == 0
    assert help_tokens(narrow.out) == help_tokens(wide.out)
    _, _, after = narrow.out.partition("Examples:\n")
    examples = set(after.strip("\n").split("\n\n")[0].splitlines())
    assert all(len(line) <= columns for line in narrow.out.splitlines() if line not in examples)
