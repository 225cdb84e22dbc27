"""Shell completion offers commands, options, category ids, directive ids and fields."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import directives_command


def complete(words: str) -> list[str]:
    """What bash completion offers for the last word of ``words``."""
    env = {
        **os.environ,
        "_DIRECTIVES_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    result = subprocess.run(
        directives_command(), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("directives li", ["list"]),
        ("directives s", ["search", "show", "schema", "summary"]),
        ("directives show RF-1", ["RF-1", *(f"RF-{n}" for n in range(10, 17))]),
        ("directives list -c r", ["risk-control", "responsibility", "reform"]),
        ("directives list --act st", ["stressed"]),
        ("directives list --fields id,ti", ["id,title"]),
        ("directives search x --in title,ad", ["title,addressees"]),
        ("directives list --sort ca", ["catalogue", "category"]),
        ("directives search x --meeting spe", ["special-equipment-safety-2019"]),
    ],
)
def test_completion_offers_values_from_the_catalogue(words: str, expected: list[str]) -> None:
    assert sorted(complete(words)) == sorted(expected)


def test_completion_of_a_missing_catalogue_offers_nothing_and_stays_quiet() -> None:
    assert complete("directives --catalog /no/such/file show R") == []
