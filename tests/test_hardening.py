"""Fault injection, one class of hostile input each (issue 9), through the real CLI:
source files outside the catalogue's folder, raw bytes in paths, huge numbers, an
interrupt during an index build, runaway patterns and oversized queries."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED, SOURCE, Invoke, catalogue_text, directives_command
from fixtures.bench.scripts import script

#: What only the tool's own bug report says (exit 70): a catalogue's YAML error may well
#: say "unexpected end of stream", so the word alone is no sign of a bug.
BUG_MARK = "run again with --debug for a traceback"

QUOTE = "firmly hold the bottom line"


def catalogue_with_source(folder: Path, source_file: str, name: str = "cat.yaml") -> Path:
    """A valid one-directive catalogue in ``folder`` naming ``source_file`` as its source."""
    document = {
        "schema": 1,
        "meeting": {
            "id": "m",
            "title": "T",
            "start": "2020-01-01",
            "location": "X",
            "source": {"title": "Report", "file": source_file},
        },
        "categories": [{"id": "a", "title": "A", "description": "D"}],
        "directives": [
            {
                "id": "A-1",
                "category": "a",
                "title": "Hold the line",
                "text": "Hold the line.",
                "speaker": "the conference",
                "act": "requested",
                "quote": QUOTE,
            }
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path


def secret(where: Path) -> Path:
    """A file outside every catalogue folder that holds the quote (and a secret)."""
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(f"We must {QUOTE}. SECRET=hunter2\n", encoding="utf-8")
    return where


# ---- source.file outside the catalogue's folder ----------------------------------------------


def _outside_cases(tmp_path: Path) -> dict[str, Path]:
    outside = secret(tmp_path / "elsewhere" / "secret.txt")
    cases = {
        "absolute": catalogue_with_source(tmp_path / "abs", str(outside)),
        "dotdot": catalogue_with_source(tmp_path / "dots", "../elsewhere/secret.txt"),
        "dotdot-inside-then-out": catalogue_with_source(
            tmp_path / "mixed", "sources/../../elsewhere/secret.txt"
        ),
    }
    link = tmp_path / "link"
    link.mkdir()
    (link / "report.txt").symlink_to(outside)
    cases["symlinked-file"] = catalogue_with_source(link, "report.txt")
    folder = tmp_path / "linkdir"
    folder.mkdir()
    (folder / "sources").symlink_to(outside.parent, target_is_directory=True)
    cases["symlinked-folder"] = catalogue_with_source(folder, "sources/secret.txt")
    cases["proc"] = catalogue_with_source(tmp_path / "proc", "/proc/self/environ")
    return cases


COMMANDS = (
    ("list",),
    ("show", "A-1"),
    ("search", "line"),
    ("categories",),
    ("meeting",),
)


@pytest.mark.parametrize(
    "case",
    ["absolute", "dotdot", "dotdot-inside-then-out", "symlinked-file", "symlinked-folder", "proc"],
)
def test_a_source_outside_the_folder_is_a_catalogue_error(
    cli: Invoke, tmp_path: Path, case: str
) -> None:
    path = _outside_cases(tmp_path)[case]
    for command in COMMANDS:
        result = cli("--catalog", str(path), *command, "-f", "json")
        assert result.code == 3, (command, result)
        assert result.out == ""
        assert "SECRET" not in result.err and "hunter2" not in result.err
        assert f"{path}:" in result.err and "meeting.source.file:" in result.err
        assert "outside the catalogue's folder" in result.err
    # Cached or not, the error stays: the outside file never reaches the cache.
    result = cli("--catalog", str(path), "--no-cache", "show", "A-1")
    assert result.code == 3


def test_validate_names_the_field_and_its_position(cli: Invoke, tmp_path: Path) -> None:
    path = _outside_cases(tmp_path)["dotdot"]
    result = cli("validate", str(path))
    assert result.code == 3
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"file"' in text)
    assert result.out.startswith(f"{path}:{line}:")
    assert "meeting.source.file: ../elsewhere/secret.txt is outside the catalogue's folder" in (
        result.out
    )


@pytest.mark.typer_only
def test_export_and_diff_refuse_it_too(cli: Invoke, tmp_path: Path) -> None:
    path = _outside_cases(tmp_path)["absolute"]
    database = tmp_path / "out.db"
    result = cli("--catalog", str(path), "export", "--sqlite", str(database))
    assert result.code == 3 and not database.exists()
    inside = catalogue_with_source(tmp_path / "good", "report.txt")
    secret(inside.parent / "report.txt")
    for pair in ((str(inside), str(path)), (str(path), str(inside))):
        result = cli("diff", *pair)
        assert result.code == 3, result
        assert "outside the catalogue's folder" in result.err


def test_the_outside_file_is_never_opened(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not opened at all: a FIFO there would block, a device would be read, and even a
    refusal after opening would have touched it."""
    fifo = tmp_path / "elsewhere" / "pipe"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    path = catalogue_with_source(tmp_path / "cat", "../elsewhere/pipe")
    opened: list[str] = []
    real_open = os.open

    def recording_open(file: object, *args: object, **kwargs: object) -> int:
        opened.append(os.fsdecode(file))  # type: ignore[arg-type]
        return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", recording_open)
    for command in (("validate", str(path)), ("--catalog", str(path), "list")):
        result = cli(*command)
        assert result.code == 3, result
        assert "outside the catalogue's folder" in result.out + result.err
    assert not [name for name in opened if os.path.realpath(name) == str(fifo)]


def test_sources_inside_the_folder_still_work(cli: Invoke, tmp_path: Path) -> None:
    """Symlinks that stay inside, '..' that comes back, and a subfolder are all fine."""
    folder = tmp_path / "cat"
    secret(folder / "sources" / "report.txt")
    (folder / "alias.txt").symlink_to(folder / "sources" / "report.txt")
    for written in ("sources/report.txt", "sources/../sources/report.txt", "alias.txt"):
        path = catalogue_with_source(folder, written)
        result = cli("--catalog", str(path), "show", "A-1", "-f", "json")
        assert result.code == 0, (written, result)
        assert QUOTE in json.loads(result.out)["context"]


def test_the_bundled_catalogue_is_inside_its_folder(cli: Invoke) -> None:
    assert cli("validate", str(BUNDLED)).code == 0
    assert SOURCE.is_relative_to(BUNDLED.parent)


# ---- raw bytes in paths ------------------------------------------------------------------------

RAW = os.fsdecode(b"raw\xff\xfe")


@pytest.fixture
def raw_catalogue(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled catalogue (and its source) copied under a folder whose name is not
    UTF-8, in a file whose name is not either; and the same files at a plain path."""
    import shutil

    plain = tmp_path / "plain"
    shutil.copytree(BUNDLED.parent, plain)
    raw = tmp_path / RAW
    shutil.copytree(BUNDLED.parent, raw)
    os.rename(raw / BUNDLED.name, raw / os.fsdecode(b"d\xe9.yaml"))
    (raw / "directives.schema.json").unlink(missing_ok=True)
    (plain / "directives.schema.json").unlink(missing_ok=True)
    return plain, raw


READS = (
    ("list", "-f", "json"),
    ("show", "RC-1", "OV-1", "-f", "json"),
    ("search", "reform", "-f", "json"),
    ("search", "--regex", "refor?m", "-f", "ids"),
    ("categories", "-f", "json"),
    ("meeting", "-f", "json"),
    ("list", "-f", "ids", "--sort", "title"),
)


def test_a_path_that_is_not_utf8_works_for_every_command(
    cli: Invoke, raw_catalogue: tuple[Path, Path]
) -> None:
    plain, raw = raw_catalogue
    raw_file = raw / os.fsdecode(b"d\xe9.yaml")
    for catalogue in (raw, raw_file):
        for args in READS:
            expected = cli("--catalog", str(plain), *args)
            assert expected.code == 0, expected
            for cache in ((), ("--no-cache",), ()):  # build, uncached, then from the cache
                result = cli("--catalog", str(catalogue), *cache, *args)
                assert (result.code, result.out) == (0, expected.out), (catalogue, args, result)
        result = cli("validate", str(catalogue))
        assert result.code == 0, result
    result = cli("--catalog", str(raw), "show", "NOPE")
    assert result.code == 1 and "Traceback" not in result.err


def test_env_var_and_missing_paths_with_raw_bytes(
    cli: Invoke, raw_catalogue: tuple[Path, Path]
) -> None:
    _, raw = raw_catalogue
    result = cli("list", "-f", "ids", env={"DIRECTIVES_CATALOG": str(raw)})
    assert result.code == 0 and len(result.out.splitlines()) == 40
    result = cli("--catalog", str(raw / os.fsdecode(b"no\xff.yaml")), "list")
    assert result.code == 3
    assert result.err.count("\n") == 1 and "catalogue not found" in result.err


@pytest.mark.typer_only
def test_export_diff_and_draft_with_raw_bytes(
    cli: Invoke, raw_catalogue: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, raw = raw_catalogue
    database = raw / os.fsdecode(b"out\xff.db")
    result = cli("--catalog", str(raw), "export", "--sqlite", str(database))
    assert result.code == 0 and database.exists(), result
    assert cli("diff", str(plain), str(raw)).code == 0
    monkeypatch.chdir(raw)
    report = os.fsdecode(b"report\xff.txt")
    Path(report).write_text(SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("draft", report, "-o", "draft.yaml")
    assert result.code == 2 and "not UTF-8 text" in result.err, result
    assert not Path("draft.yaml").exists()


# ---- huge numbers ------------------------------------------------------------------------------

HUGE = ("9223372036854775807", "9223372036854775808", "1" + "0" * 30, "9" * 5000, "0" * 6000 + "7")


@pytest.mark.parametrize("limit", HUGE, ids=lambda v: f"{len(v)}-digits")
@pytest.mark.parametrize(
    "command",
    [
        ("list", "-f", "ids"),
        ("list", "-f", "ids", "--sort", "title"),
        ("list", "-f", "ids", "-c", "reform"),
        ("search", "reform", "-f", "ids"),
        ("search", "--regex", "refor?m", "-f", "ids"),
    ],
)
def test_any_large_limit_means_at_most_that_many(
    cli: Invoke, shared_cache: Path, command: tuple[str, ...], limit: str
) -> None:
    everything = cli(*command)
    assert everything.code == 0
    significant = limit.lstrip("0")
    expected = everything.out.splitlines()[: int(significant) if len(significant) < 4000 else None]
    for spelling in (("--limit", limit), ("-n", limit), (f"--limit={limit}",)):
        result = cli(*command, *spelling)
        assert (result.code, result.out.splitlines()) == (0, expected), (spelling, result.err)


@pytest.mark.parametrize("limit", ["-1", "-9223372036854775809", "-" + "9" * 5000, "1e3", "x"])
def test_a_limit_that_is_not_a_count_is_a_usage_error(cli: Invoke, limit: str) -> None:
    for command in (("list",), ("search", "reform")):
        result = cli(*command, "--limit", limit)
        assert result.code == 2, result
        assert result.err.startswith("directives: error: invalid value for --limit: ")
        assert result.err.count("\n") == 1 and BUG_MARK not in result.err


# ---- an interrupt during an index build ------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def large_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated catalogue whose index takes a while to build (once per session)."""
    out = tmp_path_factory.mktemp("large")
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "--directives", "20000",
         "--out", str(out)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return out / "catalogue"


def _group_alive(group: int, seconds: float = 5.0) -> bool:
    """Whether any process of the group still runs after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.05)
    return True


def _temporaries(cache: Path) -> list[Path]:
    folder = cache / "directives"
    return sorted(folder.glob("*.tmp")) if folder.is_dir() else []


@pytest.mark.parametrize("after", [0.0, 0.05, 0.3, 1.0])
def test_sigint_during_a_build_leaves_no_temporary_file(
    large_catalogue: Path, tmp_path: Path, after: float
) -> None:
    """SIGINT once the build's temporary file exists, then a little later each time, so
    the interrupt lands in different parts of the build (rows, full-text, metadata). It
    goes to the whole process group, as Ctrl-C does, so the processes loading files
    ahead get it too (`readahead`): none of them may speak, or outlive the command."""
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    command = [*directives_command(), "--catalog", str(large_catalogue), "list", "-f", "ids"]
    interrupt_once_writing(command, env, cache, after)


def interrupt_once_writing(
    command: list[str], env: dict[str, str], cache: Path, after: float
) -> None:
    """Run ``command``, send SIGINT to its whole group ``after`` seconds past the moment
    its temporary index file appears, and check what an interrupt must leave: no
    temporary file, no process, and (unless it had finished) the one line and 130."""
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        while not _temporaries(cache) and process.poll() is None:
            time.sleep(0.01)
        assert process.poll() is None, "it ended before its temporary file was seen"
        time.sleep(after)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert _temporaries(cache) == []
    assert not _group_alive(process.pid), "a process of the command outlived it"
    if process.returncode != 0:  # it may have finished before the signal
        assert (process.returncode, err) == (130, "directives: error: interrupted\n")


@pytest.fixture(scope="module")
def warmed_large(
    large_catalogue: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, str]:
    """A copy of the large catalogue (its files get edited), the cache of its index
    built once, and the answer a question about its unchanged second file gets."""
    root = tmp_path_factory.mktemp("warmed")
    catalogue = root / "catalogue"
    shutil.copytree(large_catalogue, catalogue)
    env = {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}
    listed = subprocess.run(
        [*directives_command(), "--catalog", str(catalogue), "list", "-f", "ids"],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    last = listed.stdout.split()[-1]
    shown = subprocess.run(
        [*directives_command(), "--catalog", str(catalogue), "show", last, "-f", "json"],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return catalogue, root / "cache", shown.stdout


@pytest.mark.parametrize("after", [0.0, 0.4, 1.1])
def test_sigint_during_an_update_leaves_no_temporary_file(
    warmed_large: tuple[Path, Path, str], tmp_path: Path, after: float
) -> None:
    """One file of two edited, then SIGINT to the whole group while the update copies
    the earlier index in a child, reads the file, or adds its rows: one line, no
    temporary file, no process left, and the next call answers as before."""
    catalogue, built, expected = warmed_large
    cache = tmp_path / "cache"
    shutil.copytree(built, cache)
    script("generate").set_revision(sorted(catalogue.glob("*.yaml"))[0], int(after * 10) + 1)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    last = json.loads(expected)["id"]
    command = [*directives_command(), "--catalog", str(catalogue), "show", last, "-f", "json"]
    interrupt_once_writing(command, env, cache, after)
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert (again.returncode, again.stdout, again.stderr) == (0, expected, "")


# ---- runaway patterns and oversized queries ------------------------------------------------------


@pytest.fixture
def slow_catalogue(write_catalogue: Callable[[str, str], Path]) -> Path:
    """300 directives on which ``(.*\\s){3}qq`` takes a few hundredths of a second each:
    under the per-directive guard every time, many seconds in all."""
    text = "word " * 25
    return write_catalogue(catalogue_text([{"id": f"S-{n}", "text": text} for n in range(300)]))


SLOW = r"(.*\s){3}qq"


def test_the_whole_regex_search_has_a_time_budget(cli: Invoke, slow_catalogue: Path) -> None:
    result = cli("--catalog", str(slow_catalogue), "search", "--regex", SLOW, "--in", "text",
                 "--timeout", "0.3")  # fmt: skip
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.startswith(
        f"directives: error: regular expression search for {SLOW!r} ran for over 0.3 s in all"
        " (--timeout) and was stopped after "
    )
    assert "of 300 directives" in result.err and "--timeout SECONDS" in result.err
    assert result.err.count("\n") == 1


def test_a_budget_the_search_fits_in_changes_nothing(cli: Invoke, slow_catalogue: Path) -> None:
    args = ("--catalog", str(slow_catalogue), "search", "--regex", "word", "-f", "ids")
    expected = cli(*args)
    assert expected.code == 0 and len(expected.out.splitlines()) == 300
    for budget in ("1000", "inf", "1e9"):
        assert cli(*args, "--timeout", budget) == expected


def test_the_per_directive_guard_still_stops_catastrophic_patterns(
    cli: Invoke, write_catalogue: Callable[[str, str], Path]
) -> None:
    path = write_catalogue(
        catalogue_text([{"id": "OK-1"}, {"id": "BAD-1", "text": "a" * 40 + "!"}])
    )
    result = cli("--catalog", str(path), "search", "--regex", "(a+)+$", "--timeout", "600")
    assert result.code == 2
    assert "ran for over 1 s on directive BAD-1" in result.err


@pytest.mark.parametrize("budget", ["0", "-1", "nan", "-inf", "x", ""])
def test_a_budget_that_is_not_positive_is_a_usage_error(cli: Invoke, budget: str) -> None:
    result = cli("search", "--regex", "reform", "--timeout", budget)
    assert result.code == 2, result
    assert "--timeout" in result.err and result.err.count("\n") == 1
    assert BUG_MARK not in result.err


@pytest.mark.parametrize("regex", [(), ("--regex",)])
def test_the_number_of_terms_is_bounded(cli: Invoke, regex: tuple[str, ...]) -> None:
    words = [f"w{n}" for n in range(5000)]
    for count in (65, 5000):
        result = cli("search", *regex, "--any", *words[:count])
        assert result.code == 2, result
        assert result.err == (
            f"directives: error: {count} search terms; the limit is 64: search for fewer"
            " (a quoted phrase counts as one term)\n"
        )
    assert cli("search", *regex, "--any", "reform", *words[:63]).code == 0


# ---- any file name, any catalogue text: property-based, on both parsers ------------------------

#: A file or folder name: any Unicode but "/" and NUL (control characters included), or
#: raw bytes a file system may hold that are not UTF-8 (Python sees surrogate escapes).
NAMES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12),
    st.binary(min_size=1, max_size=12).map(os.fsdecode),
).filter(lambda name: name not in (".", "..") and "/" not in name and "\x00" not in name)
#: Catalogue text: any Unicode a UTF-8 file can hold, control characters included.
TEXTS = st.text(st.characters(codec="utf-8"), max_size=40).filter(lambda text: text.strip() != "")
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _placed(tmp_path: Path, folder: str, name: str, text: str) -> Path | None:
    """The catalogue written at tmp/folder/name, or None when the file system refuses the
    name (too long in bytes, say): the names it accepts are the ones to test."""
    where = tmp_path / "p" / folder
    try:
        where.mkdir(parents=True, exist_ok=True)
        path = where / name
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return path


@PROPERTY
@given(folder=NAMES, name=NAMES, title=TEXTS, body=TEXTS, tag=TEXTS)
def test_any_name_and_any_text_round_trip(
    cli: Invoke, tmp_path: Path, folder: str, name: str, title: str, body: str, tag: str
) -> None:
    text = catalogue_text([{"id": "P-1", "title": title, "text": body, "tags": [tag]}])
    path = _placed(tmp_path, folder, name, text)
    if path is None:
        return
    try:
        shown = cli("--catalog", str(path), "show", "P-1", "-f", "json")
        assert shown.code == 0, shown
        record = json.loads(shown.out)
        assert (record["title"], record["text"], record["tags"]) == (title, body, [tag])
        for args in (("list", "-f", "json"), ("list", "-f", "plain"), ("show", "P-1")):
            cached = cli("--catalog", str(path), *args)
            uncached = cli("--catalog", str(path), "--no-cache", *args)
            assert cached == uncached and cached.code == 0, (args, cached)
        assert cli("--catalog", str(path), "list", "-f", "plain").out.count("\n") == 1
        assert cli("validate", str(path)).code == 0
    finally:
        path.unlink()


@PROPERTY
@given(folder=NAMES, name=NAMES, junk=st.binary(max_size=60))
def test_any_name_of_a_broken_catalogue_is_one_error(
    cli: Invoke, tmp_path: Path, folder: str, name: str, junk: bytes
) -> None:
    """A file that is not a catalogue (raw bytes, invalid UTF-8 included) under any name:
    exit 3 and one error, never a crash."""
    path = _placed(tmp_path, folder, name, "")
    if path is None:
        return
    try:
        path.write_bytes(b"schema: 1\nmeeting: " + junk)
        for args in (("list",), ("search", "word"), ("show", "X-1")):
            result = cli("--catalog", str(path), *args)
            assert result.code == 3, (args, result)
            assert result.err.startswith("directives: error: ") and result.out == ""
            assert BUG_MARK not in result.err
        result = cli("validate", str(path))
        assert result.code == 3 and BUG_MARK not in result.err + result.out
    finally:
        path.unlink()
