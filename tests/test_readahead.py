"""Files loaded ahead in worker processes (a large catalogue's cold build): the index, the
answers and the messages are those of loading each file here, one after another, and no
worker outlives the reading."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

from conftest import Invoke, Result
from directives_cli import forked, readahead
from fixtures.bench.scripts import script

QUESTIONS: tuple[tuple[str, ...], ...] = (
    ("list", "-f", "json", "--fields", "id,meeting,text,quote,context"),
    ("search", "forklift", "inspection", "--any", "-f", "json"),
    ("summary", "--by", "meeting", "-f", "json"),
    ("figures", "-f", "csv"),
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,200 directives in 6 files (smaller than READAHEAD_BYTES: tests lower it)."""
    out = tmp_path_factory.mktemp("ahead")
    return Path(script("generate").generate(1200, out, per_file=200).directory)


def answers(cli: Invoke, root: Path, *extra: str) -> list[Result]:
    return [cli("--catalog", str(root), *extra, *question) for question in QUESTIONS]


def sequential(cli: Invoke, root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Result]:
    with monkeypatch.context() as patched:
        patched.setattr(readahead, "WORKERS", 0)
        return answers(cli, root, "--no-cache")


@pytest.fixture
def ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read ahead whatever the catalogue's size, with two workers even on one core."""
    monkeypatch.setattr(readahead, "READAHEAD_BYTES", 0)
    for module in (readahead, forked):
        monkeypatch.setattr(module, "usable_cpus", lambda: 2)


def test_reading_ahead_builds_the_same_index(
    cli: Invoke, made: Path, ahead: None, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    expected = sequential(cli, made, monkeypatch)
    assert all(result.code == 0 for result in expected), expected
    assert answers(cli, made) == expected  # cold: built reading ahead, then cached
    # Cached: the streamed build itself, not the whole load it falls back to on a problem.
    assert len(list((private_cache / "directives").glob("*.sqlite"))) == 1
    assert answers(cli, made) == expected  # warm
    assert answers(cli, made, "--no-cache") == expected
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("broken", ["invalid", "clash"])
def test_a_bad_file_read_ahead_is_reported_as_a_full_load_reports_it(
    cli: Invoke,
    made: Path,
    tmp_path: Path,
    ahead: None,
    monkeypatch: pytest.MonkeyPatch,
    broken: str,
) -> None:
    root = tmp_path / "catalogue"
    shutil.copytree(made / "sources", root / "sources")
    files = sorted(made.glob("*.yaml"))
    for path in files:
        (root / path.name).write_bytes(path.read_bytes())
    third = root / files[2].name
    text = third.read_text(encoding="utf-8")
    if broken == "invalid":
        third.write_text(text.replace('act: "', 'act: "un', 1), encoding="utf-8")
    else:  # a directive id of the first file again
        theirs = _first_directive_id(files[0].read_text(encoding="utf-8"))
        third.write_text(text.replace(_first_directive_id(text), theirs, 1), encoding="utf-8")
    expected = sequential(cli, root, monkeypatch)
    assert all(result.code == 3 for result in expected), expected
    said = "duplicate" if broken == "clash" else "act"
    assert third.name in expected[0].err and said in expected[0].err, expected[0].err
    assert answers(cli, root) == expected
    assert multiprocessing.active_children() == []


def _first_directive_id(text: str) -> str:
    return text.split("\ndirectives:", 1)[1].split('- id: "', 1)[1].split('"', 1)[0]


def test_one_usable_cpu_loads_every_file_here(
    cli: Invoke, made: Path, monkeypatch: pytest.MonkeyPatch, private_cache: Path
) -> None:
    """A child beside this process on one core only adds its start-up to the same work."""
    monkeypatch.setattr(readahead, "READAHEAD_BYTES", 0)
    for module in (readahead, forked):
        monkeypatch.setattr(module, "usable_cpus", lambda: 1)

    def no_fork(work: object) -> None:
        raise AssertionError("forked on one CPU")

    monkeypatch.setattr(readahead, "Forked", no_fork)
    expected = sequential(cli, made, monkeypatch)
    assert answers(cli, made) == expected
