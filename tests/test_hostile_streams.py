"""Issue 9, the streams half: outside text on stderr, full and closed streams, closed
pipes, empty option values, interrupts, odd Unicode in search terms, and the one voice
of every error (issue 11, point 8).

Each class of failure is reproduced through the real CLI: in-process on both parsers
(`cli`), or as a subprocess where the process's own streams and signals are the point.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, Invoke, catalogue_text, directives_command
from directives_cli import optspec
from directives_cli.render import Format
from directives_cli.safetext import DANGEROUS, SHOWN_LENGTH

RAW = re.compile(f"[{DANGEROUS}]")
Shell = Callable[..., subprocess.CompletedProcess[str]]
HOSTILE = "x\x1b]0;pwned\x07\x1b[2J\u202e\x85y"


def one_clean_line(err: str) -> str:
    """``err`` as one line with nothing raw in it (the final newline aside)."""
    assert err.endswith("\n"), err
    body = err[:-1]
    assert RAW.search(body) is None, f"raw control character on stderr: {err!r}"
    return body


# ---- outside text is escaped on stderr as in plain ----------------------------------------


@pytest.mark.parametrize(
    ("args", "escaped"),
    [
        (("list", "--speaker", HOSTILE, "-f", "ids"), "no speaker 'x\\x1b]0;pwned"),
        (("list", "--tag", HOSTILE, "-f", "ids"), "no tag 'x\\x1b]0;pwned"),
        (("list", "--fields", HOSTILE), "unknown field 'x\\x1b]0;pwned\\x07\\x1b[2J\\u202e"),
        (("list", "--sort", HOSTILE), "unknown sort key 'x\\x1b"),
        (("list", "-c", HOSTILE), "unknown category 'x\\x1b"),
        (("list", "--catalog", f"/no/{HOSTILE}"), "catalogue not found: /no/x\\x1b]0;pwned"),
        (("list", "-f", HOSTILE), "invalid value for --format: 'x\\x1b]0;pwned"),
        (("list", f"--{HOSTILE}"), "no such option: --x\\x1b]0;pwned"),
        (("search", "--in", HOSTILE, "x"), "unknown field 'x\\x1b"),
        (("show", f"RC-{HOSTILE}"), "RC-x\\x1b"),
    ],
)
def test_outside_text_in_an_error_or_note_is_escaped(
    cli: Invoke, args: tuple[str, ...], escaped: str
) -> None:
    result = cli(*args)
    body = one_clean_line(result.err)
    assert escaped in body
    assert body.startswith("directives: ")


def test_the_catalogue_variable_is_escaped_in_its_error(cli: Invoke) -> None:
    result = cli("list", env={"DIRECTIVES_CATALOG": f"/no/{HOSTILE}"})
    assert result.code == 3
    assert "catalogue not found: /no/x\\x1b]0;pwned" in one_clean_line(result.err)


def test_an_empty_catalogue_variable_means_unset(cli: Invoke) -> None:
    unset = cli("list", "-f", "ids")
    empty = cli("list", "-f", "ids", env={"DIRECTIVES_CATALOG": ""})
    assert (empty.code, empty.out, empty.err) == (unset.code, unset.out, "")


def hostile_folder(tmp_path: Path) -> Path:
    """A folder whose one catalogue file has a newline and an ESC in its name, and an
    unknown field, so every error names that file."""
    text = catalogue_text([{"id": "A-1", "colour": "red"}])
    folder = tmp_path / "catalogue"
    folder.mkdir()
    (folder / "a\n/x.yaml:1:1: forged\x1b[2J.yaml".replace("/", "_")).write_text(text)
    return folder


def test_a_file_name_cannot_forge_a_validate_line(cli: Invoke, tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    result = cli("validate", str(folder))
    assert result.code == 3
    lines = result.out.splitlines()
    assert len(lines) == 1, lines
    assert RAW.search(lines[0]) is None
    assert "a\\n_x.yaml:1:1: forged\\x1b[2J.yaml:" in lines[0]
    assert "unknown field 'colour'" in lines[0]


def test_a_file_name_is_escaped_in_the_error_of_any_command(cli: Invoke, tmp_path: Path) -> None:
    result = cli("list", "--catalog", str(hostile_folder(tmp_path)))
    assert result.code == 3
    assert "a\\n_x.yaml:1:1: forged\\x1b[2J.yaml:" in one_clean_line(result.err)


def test_completion_of_tags_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(catalogue_text([{"id": "A-1", "tags": ["risk\x1b[2Jy"]}]))
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "_DIRECTIVES_COMPLETE": "complete_bash",
        "COMP_WORDS": f"directives --catalog {path} list --tag ri",
        "COMP_CWORD": "5",
    }
    done = subprocess.run(
        directives_command(), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["risk\\x1b[2Jy"]


def test_a_huge_value_is_cut_in_its_message(cli: Invoke) -> None:
    huge = "z" * 131072
    result = cli("list", "--fields", huge)
    assert result.code == 2
    body = one_clean_line(result.err)
    assert len(body) < SHOWN_LENGTH + 200
    assert "(131072 characters)" in body


@pytest.mark.parametrize(
    "args",
    [("list", "-c"), ("list", "--sort"), ("list", "-f"), ("list", "--fields"), ("search", "--in")],
)
def test_a_huge_argument_is_cut_in_every_message(cli: Invoke, args: tuple[str, ...]) -> None:
    result = cli(*args, "q" * 131000, *(["reform"] if args[0] == "search" else []))
    assert result.code == 2
    body = one_clean_line(result.err)
    assert len(body) < 1000
    assert re.search(r"… \(131\d{3} characters\)", body), body


#: Options whose values are echoed in an error when they are wrong, by command.
ECHOING = [
    ("list", "--speaker"),
    ("list", "--tag"),
    ("list", "--fields"),
    ("list", "--sort"),
    ("list", "--category"),
    ("list", "--act"),
    ("list", "--meeting"),
    ("list", "--format"),
    ("list", "--limit"),
    ("list", "--catalog"),
    ("search", "--in"),
]


@pytest.mark.parametrize(("command", "flag"), ECHOING)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(value=st.text(st.characters(exclude_categories=()), min_size=1, max_size=40))
def test_any_value_of_any_option_gives_one_clean_stderr_line(
    cli: Invoke, shared_cache: Path, command: str, flag: str, value: str
) -> None:
    args = [command, flag, value, "-f", "ids"] + (["reform"] if command == "search" else [])
    result = cli(*args)
    assert result.code in (0, 1, 2, 3), result.err
    if result.err:
        for line in result.err.splitlines(keepends=True):
            one_clean_line(line)
        assert "unexpected" not in result.err


# ---- search terms of any Unicode through the table view -----------------------------------


def test_a_lone_combining_mark_in_a_phrase_does_not_crash_the_table(cli: Invoke) -> None:
    table = cli("search", "-f", "table", "reform \u0301", env={"COLUMNS": "100"})
    plain = cli("search", "-f", "plain", "reform \u0301")
    assert table.code in (0, 1) and "unexpected" not in table.err
    assert table.code == plain.code


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    terms=st.lists(
        st.text(
            st.one_of(
                st.characters(exclude_categories=()),
                st.characters(categories=["Mn", "Me", "Mc", "Zs", "Cf"]),
                st.sampled_from("reform credit safety"),
            ),
            min_size=1,
            max_size=12,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_search_terms_draw_a_table_or_fail_cleanly(
    cli: Invoke, shared_cache: Path, terms: list[str]
) -> None:
    table = cli("search", "-f", "table", "--", *terms, env={"COLUMNS": "100"})
    assert table.code in (0, 1, 2), table.err
    assert "unexpected" not in table.err
    if table.code:
        one_clean_line(table.err)
    plain = cli("search", "-f", "ids", "--", *terms)
    assert plain.code == table.code


# ---- full and closed streams --------------------------------------------------------------


def test_a_note_that_cannot_be_written_does_not_cost_the_answer(sh: Shell) -> None:
    args = "list --speaker 'Chen Gang' --speaker nobody -f ids"
    full = sh(f"directives {args} 2>/dev/full")
    quiet = sh(f"directives {args} 2>/dev/null")
    assert (full.returncode, full.stdout) == (0, quiet.stdout)
    assert len(full.stdout.splitlines()) == 29


def test_an_error_into_a_full_stderr_keeps_its_status(sh: Shell) -> None:
    assert sh("directives show NOPE-1 2>/dev/full").returncode == 1
    assert sh("directives list --frmat 2>/dev/full").returncode == 2


#: A command line per way output is made: text, streamed chunks, Rich renderables,
#: Click's own help, our --version; and every format of `list`.
WRITERS = [
    *(f"list -f {fmt}" for fmt in Format),
    "show RC-1 -f json",
    "show RC-1 -f table",
    "search reform -f jsonl",
    "search reform -f table",
    "categories -f table",
    "meeting -f markdown",
    "schema",
    "validate nope/",
    "--help",
    "list --help",
    "--version",
]


@pytest.mark.parametrize("command", WRITERS)
def test_a_full_stdout_is_exit_74_with_a_plain_message(sh: Shell, command: str) -> None:
    result = sh(f"directives {command} >/dev/full")
    assert result.returncode == 74, result.stderr
    assert result.stderr == "directives: error: cannot write output: No space left on device\n"


@pytest.mark.parametrize("command", WRITERS)
def test_a_closed_stdout_is_exit_74_with_a_plain_message(sh: Shell, command: str) -> None:
    result = sh(f"directives {command} >&-")
    assert result.returncode == 74, result.stderr
    assert result.stderr == "directives: error: cannot write output: standard output is closed\n"


def into_a_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `directives ARGS` with stdout a pipe whose reader has already gone, so the
    first write fails however fast or slow the command is (`| true`, deterministically)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [*directives_command(), *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("fmt", [str(f) for f in Format])
def test_every_format_into_a_closed_pipe_ends_141(fmt: str) -> None:
    done = into_a_closed_pipe("list", "-f", fmt)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.parametrize(
    "args",
    [
        ("show", "RC-1", "-f", "table"),
        ("search", "reform", "-f", "table"),
        ("categories", "-f", "table"),
        ("meeting", "-f", "table"),
        ("--help",),
        ("--version",),
    ],
)
def test_every_writer_into_a_closed_pipe_ends_141(args: tuple[str, ...]) -> None:
    done = into_a_closed_pipe(*args)
    assert (done.returncode, done.stderr) == (141, "")


# ---- empty option values: one rule, both parsers ------------------------------------------


ARGUMENTS = {"search": ["reform"], "show": ["RC-1"]}
EMPTY_CASES = [
    (command, opt.flags[0], spelling)
    for command, decl in optspec.FAST_COMMANDS.items()
    for opt in decl.options
    if opt.takes_value
    for spelling in ("separate", "attached")
]


@pytest.mark.parametrize(("command", "flag", "spelling"), EMPTY_CASES)
def test_an_empty_value_is_a_usage_error_on_both_parsers(
    cli: Invoke, command: str, flag: str, spelling: str
) -> None:
    given = [flag, ""] if spelling == "separate" else [f"{flag}="]
    result = cli(command, *given, *ARGUMENTS.get(command, []))
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    body = one_clean_line(result.err)
    assert body.startswith(f"directives: error: invalid value for {flag}: ")


@pytest.mark.parametrize(
    "opt", [o for o in optspec.GLOBAL if o.takes_value], ids=lambda o: o.flags[0]
)
def test_an_empty_global_value_is_a_usage_error(cli: Invoke, opt: optspec.Opt) -> None:
    result = cli(opt.flags[0], "", "list")
    assert result.code == 2
    assert result.err.startswith(f"directives: error: invalid value for {opt.flags[0]}: ")


def test_an_empty_catalog_never_loads_the_current_folder(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here.yaml").write_text(BUNDLED.read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    result = cli("list", "--catalog", "", "-f", "ids")
    assert (result.code, result.out) == (2, "")
    assert f"invalid value for --catalog: {optspec.EMPTY_VALUE}" in result.err


# ---- interrupts ---------------------------------------------------------------------------


INTERRUPTED = "directives: error: interrupted\n"

#: Sends SIGINT to itself once `directives_cli.<module>` starts importing (argv[1]),
#: then runs the CLI as the console script does.
PROBE = """
import importlib.abc, os, signal, sys
TARGET = sys.argv.pop(1)
class Interrupt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == TARGET:
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupt())
from directives_cli.__main__ import main
main()
"""


@pytest.mark.parametrize(
    "module",
    [
        "directives_cli.entry",
        "directives_cli.exits",
        "directives_cli.fastpath",
        "directives_cli.commands",
        "directives_cli.store",
        "directives_cli.render.table",
        "rich.console",
    ],
)
def test_sigint_while_importing_is_one_line_and_130(tmp_path: Path, module: str) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    argv = [sys.executable, "-c", PROBE, module, "list", "-f", "table", "--no-cache"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (130, INTERRUPTED)


#: Says "ready" once `__main__` is imported (its handler installed), then runs the CLI.
READY = """
import sys
from directives_cli.__main__ import main
sys.stderr.write("ready\\n"); sys.stderr.flush()
main()
"""


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.4])
def test_sigint_at_any_moment_is_one_line_and_130(tmp_path: Path, delay: float) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    argv = [sys.executable, "-c", READY, "list", "-f", "json", "--no-cache"]
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "ready\n"
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    err = process.stderr.read()
    code = process.wait(timeout=60)
    # Whatever moment the signal met: finished (0), or interrupted with the one line.
    assert (code, err) in ((0, ""), (130, INTERRUPTED)), (code, err)


# ---- one voice ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list", "--frmat", "x"), "no such option: --frmat (did you mean --format?)"),
        (("list", "-f", "xx"), "invalid value for --format: 'xx' is not one of 'table'"),
        (("list", "-n", "-1"), "invalid value for --limit: -1 is not in the range"),
        (("search",), "missing argument 'TERM...'"),
        (("nosuch",), "no such command 'nosuch'"),
        (("export",), "missing option '--sqlite'"),
    ],
)
def test_click_errors_speak_in_the_tools_voice(
    cli: Invoke, args: tuple[str, ...], message: str
) -> None:
    result = cli(*args)
    assert result.code == 2
    body = one_clean_line(result.err)
    assert body.startswith(f"directives: error: {message}")
    assert not body.rstrip(")").endswith(".")


def test_table_and_plain_show_the_same_score(cli: Invoke) -> None:
    plain = cli("search", "reform", "-n", "1", "-f", "plain")
    score = plain.out.split("\t")[-1].strip()
    table = cli("search", "reform", "-n", "1", "-f", "table", env={"COLUMNS": "200"})
    assert re.search(rf"\s{re.escape(score)}\s", table.out), (score, table.out)


@pytest.mark.parametrize(
    "args", [("list",), ("show", "RC-1"), ("search", "reform"), ("categories",), ("meeting",)]
)
def test_a_piped_table_has_no_trailing_spaces(sh: Shell, args: tuple[str, ...]) -> None:
    result = sh(f"directives {' '.join(args)} -f table | cat")
    assert result.returncode == 0
    assert result.stdout.strip()
    assert [line for line in result.stdout.splitlines() if line != line.rstrip()] == []


def test_validate_names_a_missing_folder_as_typed(cli: Invoke, tmp_path: Any) -> None:
    result = cli("validate", "meetings/")
    assert result.code == 3
    assert result.out == "meetings/: no such file or directory\n"
