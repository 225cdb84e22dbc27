"""Each option, format, colour mode and exit status is declared once, and everything that
shows or reads one agrees with its declaration."""

from __future__ import annotations

import inspect
import json

import pytest
import typer

from conftest import Invoke
from directives_cli import cli, optspec
from directives_cli.exits import STATUSES, ExitStatus, help_epilog
from directives_cli.model import DIRECTIVE_FIELDS
from directives_cli.query import SORT_KEYS
from directives_cli.render import CATEGORY_FIELDS, RESULT_FIELDS, SHOW_FIELDS, Color, Format
from directives_cli.render.formats import TableRenderer, TextRenderer, renderer_for
from directives_cli.search import SEARCH_FIELDS_ALLOWED


def test_sort_help_names_every_sort_key_in_order() -> None:
    assert optspec.SORT.help == f"Order: {', '.join(SORT_KEYS[:-1])} or {SORT_KEYS[-1]}."
    assert optspec.DEFAULT_SORT in SORT_KEYS


def test_in_help_names_every_searchable_field_in_order() -> None:
    assert optspec.WITHIN.help.endswith(f": {', '.join(SEARCH_FIELDS_ALLOWED)}.")


def test_choices_are_the_enums() -> None:
    assert optspec.FORMAT.choices == tuple(f.value for f in Format)
    assert optspec.COLOR.choices == tuple(c.value for c in Color)


def click_params(command: str | None) -> dict[str, object]:
    group = typer.main.get_command(cli.app)
    node = group if command is None else group.commands[command]  # type: ignore[attr-defined]
    return {param.name: param for param in node.params}


@pytest.mark.parametrize("command", [None, *optspec.FAST_COMMANDS])
def test_typer_parameters_are_the_declarations(command: str | None) -> None:
    """Spellings, help, default and repeatability as declared, for every option Typer
    builds from a declaration."""
    declared = optspec.GLOBAL if command is None else optspec.FAST_COMMANDS[command].options
    params = click_params(command)
    for opt in declared:
        param = params[opt.dest]
        assert tuple(param.opts) == opt.flags  # type: ignore[attr-defined]
        assert param.help == opt.help  # type: ignore[attr-defined]
        assert param.multiple is opt.repeatable  # type: ignore[attr-defined]
        assert param.is_flag is (not opt.takes_value)  # type: ignore[attr-defined]
        if opt.default is not None:
            assert param.default == opt.default  # type: ignore[attr-defined]


def test_signature_defaults_come_from_the_declaration() -> None:
    sort = inspect.signature(cli.list_command).parameters["sort"]
    assert sort.default == optspec.SORT.default == optspec.DEFAULT_SORT


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--debug", "list"], True),
        (["--no-cache", "--debug", "list"], True),
        (["--catalog", "x.yaml", "--debug", "list"], True),
        (["--catalog=x.yaml", "--debug", "list"], True),
        (["--catalog", "--debug", "list"], False),
        (["list", "--debug"], False),
        (["show", "--", "--debug"], False),
        ([], False),
    ],
)
def test_debug_is_read_from_the_group_options(args: list[str], expected: bool) -> None:
    assert optspec.wants_debug(args) is expected


@pytest.mark.parametrize("fmt", list(Format), ids=str)
def test_every_format_has_its_renderer(fmt: Format) -> None:
    renderer = renderer_for(fmt)
    table = fmt is Format.TABLE
    assert isinstance(renderer, TableRenderer if table else TextRenderer)
    assert renderer.streams is not table
    assert renderer.highlights is table
    assert set(renderer.default_fields(search=False)) <= set(renderer.default_fields(search=True))


def test_exit_statuses_are_one_table() -> None:
    assert [doc.status for doc in STATUSES] == list(ExitStatus)
    assert [s.value for s in ExitStatus] == [0, 1, 2, 3, 70, 74, 130, 141]
    epilog = help_epilog()
    for doc in STATUSES:
        assert (f"{doc.status.value} {doc.help}" in epilog) is bool(doc.help)


def test_each_record_kind_has_the_declared_fields(cli: Invoke) -> None:
    listed = json.loads(cli("list", "-n", "1", "-f", "json").out)
    found = json.loads(cli("search", "safety", "-n", "1", "-f", "json").out)
    shown = json.loads(cli("show", "RC-1", "-f", "json").out)
    counted = json.loads(cli("categories", "-f", "json").out)
    assert list(listed[0]) == list(DIRECTIVE_FIELDS)
    assert list(found[0]) == list(RESULT_FIELDS)
    assert list(shown) == [*DIRECTIVE_FIELDS, *SHOW_FIELDS]
    assert list(counted[0]) == list(CATEGORY_FIELDS)


def test_the_timeout_default_is_the_search_budget() -> None:
    from directives_cli import search

    assert optspec.DEFAULT_TIMEOUT == search.SEARCH_SECONDS
