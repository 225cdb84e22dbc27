"""The README is the front door: it must match the commands, CI and the changelog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, Invoke
from directives_cli.exits import STATUSES, ExitStatus
from directives_cli.render import Format

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


@pytest.mark.typer_only
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(cli: Invoke, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert result.out.strip()


def readme_table(heading: str) -> list[list[str]]:
    """The rows (cells, Markdown unescaped) of the first table under ``## heading``."""
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    assert len(lines) > 2, f"no table under '## {heading}'"
    rows = []
    for line in lines[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def test_readme_exit_status_table_is_the_code_s_table() -> None:
    documented = [(int(code), meaning) for code, meaning in readme_table("Exit status")]
    assert documented == [(doc.status.value, doc.meaning) for doc in STATUSES]
    assert [code for code, _ in documented] == [status.value for status in ExitStatus]


def test_every_contract_exit_status_is_in_the_code_s_table() -> None:
    contract = REPO.parent / "shared" / "CONTRACT.md"
    if not contract.exists():  # a clone outside the project workspace: the table alone
        contract = REPO / "README.md"
    text = contract.read_text(encoding="utf-8")
    section = text.split("Exit codes", 1)[-1] if "Exit codes" in text else text
    codes = {int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)}
    assert codes == {status.value for status in ExitStatus}


def test_readme_format_table_is_the_format_enum() -> None:
    documented = [cells[0] for cells in readme_table("Output")]
    assert documented == [f"`{fmt.value}`" for fmt in Format]


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
