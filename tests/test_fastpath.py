"""The fast path must be invisible: same options as the Typer commands, same bytes out."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives_cli import fastpath
from directives_cli.cli import app
from directives_cli.entry import run


def typer_options(command: str) -> tuple[dict[str, bool], int, int | None]:
    """The Typer command's options as {spelling: takes_value}, and its argument counts."""
    group = typer.main.get_command(app)
    click_command = group.commands[command]  # type: ignore[attr-defined]
    options: dict[str, bool] = {}
    minimum, maximum = 0, 0
    for param in click_command.params:
        if param.param_type_name == "option":
            for spelling in (*param.opts, *param.secondary_opts):
                if spelling not in ("-h", "--help"):
                    options[spelling] = not param.is_flag
        else:
            minimum = 1 if param.required else 0
            maximum = None if param.nargs == -1 else param.nargs
    return options, minimum, maximum


@pytest.mark.parametrize("command", sorted(fastpath.COMMANDS))
def test_fast_path_reads_exactly_the_options_typer_declares(command: str) -> None:
    spec = fastpath.COMMANDS[command]
    declared, minimum, maximum = typer_options(command)
    read = {**dict.fromkeys(spec.options, True), **dict.fromkeys(spec.flags, False)}
    assert read == declared
    assert (spec.min_args, spec.max_args) == (minimum, maximum)


def test_fast_path_reads_the_group_options_typer_declares() -> None:
    group = typer.main.get_command(app)
    declared = {
        spelling: not param.is_flag
        for param in group.params
        for spelling in param.opts
        if param.name not in ("help", "version", "install_completion", "show_completion")
    }
    read = {
        **dict.fromkeys(fastpath.GLOBAL.options, True),
        **dict.fromkeys(fastpath.GLOBAL.flags, False),
    }
    assert read == declared


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list", "--help"],
        ["--version"],
        ["validate"],
        ["schema"],
        ["list", "--nope"],
        ["list", "-n", "x"],
        ["list", "-n3"],
        ["list", "-f", "xml"],
        ["list", "--color", "sometimes"],
        ["list", "--", "x"],
        ["list", "extra"],
        ["show"],
        ["search"],
        ["list", "--catalog"],
        ["list", "--catalog="],
        [],
    ],
)
def test_fast_path_leaves_anything_unusual_to_typer(args: list[str]) -> None:
    assert fastpath.dispatch(args) is None


def test_fast_path_answers_the_calls_of_shell_loops() -> None:
    answer = fastpath.dispatch(["show", "RC-1", "-f", "json"])
    assert answer is not None
    output, color = answer
    assert '"id": "RC-1"' in output.text and color == "auto"
    assert fastpath.dispatch(["--no-cache", "list", "--format=ids", "-c", "reform"]) is not None


def invoke(args: list[str], fast: bool) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run(args, fast=fast)
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return code, out.getvalue(), err.getvalue()


WORDS = st.sampled_from(
    [
        "list", "show", "search", "categories", "meeting", "-c", "--category", "reform",
        "risk-control", "nope", "--act", "stressed", "requested", "--speaker", "Chen Gang",
        "--tag", "reform", "--meeting", "special-equipment-safety-2019", "-n", "2", "--limit",
        "--sort", "id", "title", "--fields", "id,title", "id,score", "-f", "json", "ids",
        "plain", "csv", "--format=jsonl", "--any", "--in", "title", "--regex", "RC-1",
        "RC-99", "safety", "--no-cache", "--color", "never", "--debug", "x", "-",
    ]
)  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDS, min_size=1, max_size=7))
def test_fast_path_and_typer_print_the_same_bytes(args: list[str]) -> None:
    assert invoke(args, fast=True) == invoke(args, fast=False)


@pytest.mark.parametrize("spelling", ["./{name}", "{name}", "./{name}/../{name}"])
def test_catalogue_paths_are_spelled_alike_in_messages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    (tmp_path / "bad.yaml").write_text("schema: 1\nmeeting: [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["list", "--catalog", spelling.format(name="bad.yaml")]
    fast, slow = invoke(args, fast=True), invoke(args, fast=False)
    assert fast == slow
    assert fast[0] == 3
