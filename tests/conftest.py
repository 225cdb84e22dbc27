"""Shared fixtures: run the real CLI in-process or as a subprocess, with a private cache."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from directives_cli import fastpath
from directives_cli.entry import run

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "directives.yaml"
SOURCE = REPO / "data" / "sources" / "special-equipment-conference-2019.txt"


@dataclass(frozen=True)
class Result:
    """What one `directives` call produced."""

    code: int
    out: str
    err: str


Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own cache and a clean environment, so none sees another's index."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for name in ("DIRECTIVES_CATALOG", "NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    return cache


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index cache for the whole session, for `shared_cache`."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture
def shared_cache(
    private_cache: Path, session_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """For tests that only read catalogues nobody changes (the bundled one, a generated
    one): one cache for the session, so each index is built once, not once per test.
    Tests that write, corrupt or count cache files keep their `private_cache`."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(session_cache_dir))
    return session_cache_dir


#: The ways the `cli` fixture parses: with the fast path allowed, and by Typer alone.
PARSERS = ("fast", "typer")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses `cli` once per parser, or once through Typer when it is
    marked `typer_only` (it runs only what the fast path never reads)."""
    if "cli" in metafunc.fixturenames:
        once = metafunc.definition.get_closest_marker("typer_only") is not None
        metafunc.parametrize("cli", ["typer"] if once else PARSERS, indirect=True)


@pytest.fixture
def cli(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run `directives ARGS...` in this process through the real entry point, once with
    the fast path allowed and once parsed by Typer alone: both must keep the contract.
    A `typer_only` test fails if it runs a command line the fast path would read, so the
    mark never hides a parser from a test that needs both."""
    fast = request.param == "fast"
    typer_only = request.node.get_closest_marker("typer_only") is not None

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        if typer_only:
            assert "_DIRECTIVES_COMPLETE" in os.environ or not fastpath.accepts(args), (
                f"the fast path reads {args!r}: drop the typer_only mark"
            )
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run(list(args), fast=fast)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 1
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def directives_command() -> list[str]:
    """The installed console script when there is one, else `python -m directives_cli`."""
    script = Path(sys.executable).with_name("directives")
    if script.exists():
        return [str(script)]
    found = shutil.which("directives")
    return [found] if found else [sys.executable, "-m", "directives_cli"]


@pytest.fixture
def sh() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a shell pipeline with `directives` on PATH, as a user's script would."""

    def call(pipeline: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        bindir = str(Path(directives_command()[0]).parent)
        full_env = {
            **os.environ,
            "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
            **(env or {}),
        }
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", pipeline],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=60,
            check=False,
        )

    return call


@pytest.fixture
def write_catalogue(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """Write a catalogue file (and nothing else) into a temporary folder."""

    def write(text: str, name: str = "catalogue.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    yield write


def catalogue_text(
    directives: list[dict[str, object]],
    *,
    meeting_id: str = "test-meeting",
    categories: tuple[str, ...] = ("alpha", "beta"),
) -> str:
    """A schema-1 catalogue as text. JSON is YAML, so hostile strings reach the loader
    exactly as written: json.dumps escapes C0 controls, and the characters YAML reads as
    line breaks or refuses raw (DEL, C1 with NEL, U+2028/2029, BOM, U+FFFE/FFFF) are
    escaped too. Astral characters stay raw: YAML has no surrogate-pair escapes."""
    import json
    import re

    document = {
        "schema": 1,
        "meeting": {
            "id": meeting_id,
            "title": "Test meeting",
            "start": "2020-01-01",
            "location": "Nowhere",
        },
        "categories": [
            {"id": cid, "title": cid.title(), "description": f"The {cid} theme."}
            for cid in categories
        ],
        "directives": [
            {
                "category": categories[0],
                "title": f"Directive {n}",
                "text": f"Text of directive {n}.",
                "speaker": "the conference",
                "act": "requested",
                "quote": f"quote {n}",
                **d,
            }
            for n, d in enumerate(directives, start=1)
        ],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    unsafe = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
    return unsafe.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
