"""The README is the front door: it must match the commands, CI and the changelog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, Invoke

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = (
    "list",
    "search",
    "show",
    "categories",
    "meeting",
    "validate",
    "schema",
    "diff",
    "export",
    "draft",
)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] in README, "the last line of .ci/run must be the README's test command"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented_in_the_readme(command: str) -> None:
    assert re.search(rf"directives {command}\b", README), command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli: Invoke, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert result.out.strip()


def test_readme_documents_every_exit_code_and_format() -> None:
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in README
    for fmt in ("table", "plain", "csv", "json", "jsonl", "yaml", "ids", "markdown"):
        assert f"`{fmt}`" in README


def test_changelog_has_the_current_version() -> None:
    from directives_cli import __version__

    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{__version__}]" in changelog


def test_readme_examples_run(cli: Invoke) -> None:
    """Every single-command `directives ...` example in the README exits as documented."""
    examples = re.findall(r"^\$ (directives [^|>\n]*?)\s*$", README, flags=re.MULTILINE)
    assert len(examples) >= 8
    for example in examples:
        args = [a.strip("'\"") for a in re.findall(r"'[^']*'|\"[^\"]*\"|\S+", example)[1:]]
        result = cli(*args)
        assert result.code in (0, 1), (example, result.err)


def test_source_is_shipped_beside_the_catalogue() -> None:
    shipped = REPO / "data" / "sources" / "special-equipment-conference-2019.txt"
    original = REPO.parent / "shared" / "source" / "special-equipment-conference-2019.txt"
    if original.exists():
        assert shipped.read_bytes() == original.read_bytes()
    assert shipped.stat().st_size > 4000
    assert Path(shipped).read_text(encoding="utf-8").startswith("The National")
