"""The index and its cache: built once, reused while current, never wrong, never in the way.

Every test runs with its own XDG_CACHE_HOME (conftest's `private_cache`).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Invoke
from directives_cli import loader, query, store
from directives_cli.errors import CatalogueError
from directives_cli.model import Filters
from fixtures.store.catalogues import (
    all_inputs,
    edit_keeping_size_and_mtime,
    settle,
    write_catalogue,
)

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "directives.yaml"


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """A directory catalogue of two meetings with source texts, settled so it is cacheable."""
    directory = tmp_path / "catalogue"
    write_catalogue(directory, 30)
    write_catalogue(directory, 12, meeting="second-meeting", prefix="S")
    settle(*all_inputs(directory))
    return directory


@pytest.fixture
def cache(private_cache: Path) -> Path:
    """Where this test's cache files go."""
    return private_cache / "directives"


def snapshot(index: store.Index) -> tuple[object, ...]:
    """Everything the queries answer, to compare indexes built in different ways."""
    items = query.list_directives(index)
    return (
        [d.record() for d in items],
        query.category_counts(index),
        query.documents(index, with_source=True),
        query.known_values(index),
        [query.source_context(index, d) for d in items],
        [d.id for d in query.list_directives(index, Filters(tags=("tag3",)), sort="title")],
        query.known_ids(index, "S-1"),
    )


def expected(path: Path) -> tuple[object, ...]:
    with store.open_index(path, use_cache=False) as index:
        return snapshot(index)


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*")) if cache.is_dir() else []


# ---- cold, warm, identical ---------------------------------------------------------------------


def test_first_call_caches_and_the_next_reuses_it(catalogue: Path, cache: Path) -> None:
    first = store.open_index(catalogue)
    assert first.cache_file is not None
    assert cache_files(cache) == [Path(first.cache_file)]
    assert cache.stat().st_mode & 0o777 == 0o700
    assert first.files == tuple(str(p) for p in sorted(catalogue.glob("*.yaml")))
    assert first.directive_count == 42
    inode = os.stat(first.cache_file).st_ino
    second = store.open_index(catalogue)
    assert second.cache_file == first.cache_file
    assert os.stat(second.cache_file).st_ino == inode  # read, not rebuilt
    assert snapshot(first) == snapshot(second) == expected(catalogue)


def test_cached_uncached_and_rebuilt_answer_the_same(catalogue: Path, cache: Path) -> None:
    uncached = expected(catalogue)
    cold = snapshot(store.open_index(catalogue))
    warm = snapshot(store.open_index(catalogue))
    shutil.rmtree(cache)
    rebuilt = snapshot(store.open_index(catalogue))
    assert cold == warm == rebuilt == uncached
    assert len(cache_files(cache)) == 1


def test_bundled_catalogue_through_the_cache(cache: Path) -> None:
    settle(BUNDLED)
    catalogue = loader.load(BUNDLED)
    for _ in range(2):
        with store.open_index(BUNDLED) as index:
            assert index.cache_file is not None
            assert query.list_directives(index) == list(catalogue.directives)
            assert [c for c, _ in query.category_counts(index)] == list(catalogue.categories)
    assert snapshot(store.open_index(BUNDLED)) == expected(BUNDLED)


def test_warm_call_never_imports_yaml(catalogue: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from directives_cli import store, query\n"
        "index = store.open_index(Path(sys.argv[1]))\n"
        "query.list_directives(index)\n"
        "query.source_context(index, query.get_directives(index, ['D-1'])[0])\n"
        "print(index.cache_file is not None, 'yaml' in sys.modules)\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(catalogue)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["True", "True"], ["True", "False"]]  # built (parsed), then only read


def test_no_cache_writes_nothing(catalogue: Path, private_cache: Path) -> None:
    index = store.open_index(catalogue, use_cache=False)
    assert index.cache_file is None
    assert snapshot(index) == expected(catalogue)
    assert list(private_cache.iterdir()) == []


def test_index_closes_as_a_context_manager(catalogue: Path) -> None:
    with store.open_index(catalogue) as index:
        assert query.known_ids(index, "D-2")
    with pytest.raises(sqlite3.ProgrammingError):
        index.conn.execute("SELECT 1")


# ---- changes are seen --------------------------------------------------------------------------


def test_edit_keeping_size_and_mtime_is_seen(catalogue: Path, cache: Path) -> None:
    store.open_index(catalogue)
    edit_keeping_size_and_mtime(catalogue / "test-meeting-2020.yaml", "Title 00001", "Altered 001")
    index = store.open_index(catalogue)
    assert query.get_directives(index, ["D-1"])[0].title == "Altered 001"
    assert snapshot(index) == expected(catalogue)
    assert cache_files(cache) == ([Path(index.cache_file)] if index.cache_file else [])


def test_source_edit_keeping_size_and_mtime_is_seen(catalogue: Path) -> None:
    index = store.open_index(catalogue)
    (d1,) = query.get_directives(index, ["D-1"])
    context = query.source_context(index, d1)
    assert context is not None and context.before == "The meeting stressed that "
    edit_keeping_size_and_mtime(
        catalogue / "sources" / "test-meeting-2020.txt", "meeting stressed", "MEETING STRESSED"
    )
    index = store.open_index(catalogue)
    context = query.source_context(index, d1)
    assert context is not None and context.before == "The MEETING STRESSED that "


def test_a_new_file_in_the_directory_is_seen(catalogue: Path) -> None:
    assert store.open_index(catalogue).directive_count == 42
    write_catalogue(catalogue, 5, meeting="third-meeting", prefix="T")
    index = store.open_index(catalogue)
    assert index.directive_count == 47
    assert query.known_ids(index, "T-") == [f"T-{i}" for i in range(1, 6)]


def test_a_broken_catalogue_is_never_hidden_by_the_cache(catalogue: Path, cache: Path) -> None:
    store.open_index(catalogue)
    (catalogue / "sources" / "second-meeting.txt").unlink()
    with pytest.raises(CatalogueError, match="cannot read"):
        store.open_index(catalogue)
    assert not [p for p in cache_files(cache) if p.suffix == ".tmp"]


def test_an_invalid_catalogue_leaves_no_file(tmp_path: Path, cache: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\nmeeting: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError):
        store.open_index(bad)
    assert not [p for p in cache_files(cache) if p.suffix in (".sqlite", ".tmp")]


def test_a_missing_path_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError):
        store.open_index(tmp_path / "nowhere.yaml")


def test_inputs_stamped_in_the_future_are_never_cached(catalogue: Path, cache: Path) -> None:
    # Their timestamps cannot prove a later edit would change them (the racy-git problem).
    later = time.time_ns() + 3600 * 10**9
    os.utime(catalogue / "second-meeting.yaml", ns=(later, later))
    index = store.open_index(catalogue)
    assert index.cache_file is None
    assert snapshot(index) == expected(catalogue)
    assert cache_files(cache) == []


# ---- damaged cache files -----------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    if how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(b"this is not a database\n" * 500)
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "header only":
        path.write_bytes(data[:100])
    elif how == "grown":
        path.write_bytes(data + b"\0" * page)
    elif how == "pages overwritten":
        # Every page but the schema and the meta table, same size: opens fine, fails on use.
        conn = sqlite3.connect(path)
        (meta,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'meta'").fetchone()
        conn.close()
        pages = bytearray(data)
        for number in range(2, len(data) // page + 1):
            if number != meta:
                pages[(number - 1) * page : number * page] = b"\xff" * page
        path.write_bytes(bytes(pages))
    elif how == "stale format":
        conn = sqlite3.connect(path)
        conn.execute("UPDATE meta SET value = '0' WHERE name = 'format'")
        conn.commit()
        conn.close()
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "empty",
        "garbage",
        "truncated",
        "header only",
        "grown",
        "pages overwritten",
        "stale format",
    ],
)
def test_a_damaged_cache_file_is_rebuilt_silently(catalogue: Path, how: str) -> None:
    want = expected(catalogue)
    first = store.open_index(catalogue)
    assert first.cache_file is not None
    first.close()
    _damage(Path(first.cache_file), how)
    index = store.open_index(catalogue)
    assert snapshot(index) == want
    again = store.open_index(catalogue)  # the rebuilt file is whole again
    assert again.cache_file == first.cache_file
    assert snapshot(again) == want


def test_damage_found_while_querying_rebuilds_once(catalogue: Path) -> None:
    first = store.open_index(catalogue)
    assert first.cache_file is not None
    first.close()
    _damage(Path(first.cache_file), "pages overwritten")
    damaged = os.stat(first.cache_file).st_ino
    index = store.open_index(catalogue)
    assert index.cache_file == first.cache_file  # the open checks passed
    assert [d.id for d in query.list_directives(index, limit=2)] == ["S-1", "S-2"]
    assert os.stat(first.cache_file).st_ino != damaged  # replaced by a rebuilt file
    assert snapshot(index) == expected(catalogue)


def _flip_inside(cache_file: Path, sql: str) -> None:
    """Change one byte in the middle of the value ``sql`` selects, in place: SQLite's
    structure stays whole, so only the value's own checksum can tell."""
    conn = sqlite3.connect(cache_file)
    (value,) = conn.execute(sql).fetchone()
    conn.close()
    data = bytearray(cache_file.read_bytes())
    at = data.find(value) + len(value) // 2
    data[at] ^= 0xFF
    cache_file.write_bytes(bytes(data))


_PACKED = {
    "body block": "SELECT data FROM bodies ORDER BY block LIMIT 1",
    "source text": "SELECT source FROM documents ORDER BY position LIMIT 1",
}
#: Questions that read the first meeting's first block and its source text.
_ASKED = (
    ("list", "-f", "json", "--fields", "id,text,quote,context"),
    ("show", "S-1", "-f", "json"),
    ("search", "title", "-f", "json", "--fields", "id,text,context"),
)


@pytest.mark.parametrize("packed", sorted(_PACKED))
@pytest.mark.parametrize("asked", _ASKED, ids=lambda a: a[0])
def test_a_damaged_packed_value_is_rebuilt_silently(
    cli: Invoke, catalogue: Path, cache: Path, packed: str, asked: tuple[str, ...]
) -> None:
    fresh = cli("--catalog", str(catalogue), "--no-cache", *asked)
    assert fresh.code == 0, fresh.err
    assert cli("--catalog", str(catalogue), "list", "-f", "ids").code == 0
    (cache_file,) = cache_files(cache)
    _flip_inside(cache_file, _PACKED[packed])
    damaged = os.stat(cache_file).st_ino
    result = cli("--catalog", str(catalogue), *asked)
    assert (result.code, result.out, result.err) == (0, fresh.out, fresh.err)
    assert os.stat(cache_file).st_ino != damaged  # replaced by a rebuilt file


def test_a_damaged_block_of_a_changed_file_means_a_full_build(
    cli: Invoke, catalogue: Path, cache: Path
) -> None:
    assert cli("--catalog", str(catalogue), "list", "-f", "ids").code == 0
    (cache_file,) = cache_files(cache)
    _flip_inside(cache_file, "SELECT data FROM bodies ORDER BY block DESC LIMIT 1")
    edit_keeping_size_and_mtime(catalogue / "test-meeting-2020.yaml", "Title 00001", "Altered 001")
    asked = ("list", "-f", "json")
    result = cli("--catalog", str(catalogue), *asked)
    fresh = cli("--catalog", str(catalogue), "--no-cache", *asked)
    assert (result.code, result.out, result.err) == (0, fresh.out, fresh.err)


# ---- unusable cache directories ----------------------------------------------------------------


def _directives_is_a_file(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (private_cache / "directives").write_text("not a directory", encoding="utf-8")


def _xdg_under_a_file(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (private_cache / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(private_cache / "file" / "cache"))


def _read_only(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (private_cache / "directives").mkdir(mode=0o700)
    (private_cache / "directives").chmod(0o500)  # root writes anyway; others cannot


def _shared(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (private_cache / "directives").mkdir()
    (private_cache / "directives").chmod(0o777)  # others could plant an index: not used


def _someone_elses(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (private_cache / "directives").mkdir(mode=0o700)
    os.chown(private_cache / "directives", os.getuid() + 4242, -1)


UNUSABLE = [_directives_is_a_file, _xdg_under_a_file, _read_only, _shared]
if os.getuid() == 0:  # only root can give a directory away
    UNUSABLE.append(_someone_elses)


@pytest.mark.parametrize("make", UNUSABLE, ids=lambda f: f.__name__.strip("_"))
def test_an_unusable_cache_directory_means_no_cache_not_an_error(
    catalogue: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch, make: object
) -> None:
    make(private_cache, monkeypatch)  # type: ignore[operator]
    want = expected(catalogue)
    for _ in range(2):
        index = store.open_index(catalogue)
        assert snapshot(index) == want
    if make in (_shared, _someone_elses):
        assert index.cache_file is None
        assert list((private_cache / "directives").iterdir()) == []


def test_a_missing_xdg_directory_is_created(
    catalogue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not" / "yet" / "there"))
    index = store.open_index(catalogue)
    assert index.cache_file is not None
    assert Path(index.cache_file).parent == tmp_path / "not" / "yet" / "there" / "directives"


def test_a_relative_xdg_value_is_ignored(
    catalogue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    index = store.open_index(catalogue)
    assert index.cache_file is not None
    assert Path(index.cache_file).parent == tmp_path / "home" / ".cache" / "directives"
    assert not (tmp_path / "relative").exists()


# ---- housekeeping ------------------------------------------------------------------------------


def test_older_states_are_pruned_and_other_catalogues_kept(
    tmp_path: Path, catalogue: Path, cache: Path
) -> None:
    other = write_catalogue(tmp_path / "other", 3, meeting="other-meeting")
    settle(*all_inputs(other.parent))
    kept = store.open_index(other).cache_file
    store.open_index(catalogue)
    for dead in (
        cache / "0123456789abcdef-x.sqlite.1234.tmp",
        cache / "0123456789abcdef-x.sqlite.1234.tmp-journal",  # of a process killed mid-way
    ):
        dead.write_bytes(b"")
        os.utime(dead, (time.time() - 7200, time.time() - 7200))
    young = cache / "0123456789abcdef-y.sqlite.1234.tmp"
    young.write_bytes(b"")  # perhaps another process building right now: left alone
    edit_keeping_size_and_mtime(catalogue / "test-meeting-2020.yaml", "Title 00002", "Changed 002")
    settle(*all_inputs(catalogue))
    now = store.open_index(catalogue).cache_file
    assert now is not None and kept is not None
    assert cache_files(cache) == sorted([Path(kept), Path(now), young])


def test_concurrent_builds_all_succeed_with_the_same_answer(tmp_path: Path, cache: Path) -> None:
    directory = tmp_path / "big"
    write_catalogue(directory, 3000)
    settle(*all_inputs(directory))
    go = tmp_path / "go"
    script = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from directives_cli import store, query, loader\n"
        "Path(sys.argv[3]).touch()\n"
        "while not Path(sys.argv[2]).exists():\n"
        "    time.sleep(0.001)\n"
        "index = store.open_index(Path(sys.argv[1]))\n"
        "print(json.dumps([d.record() for d in query.list_directives(index)]))\n"
    )
    want = json.dumps([d.record() for d in loader.load(directory).directives])
    for _round in range(2):
        shutil.rmtree(cache, ignore_errors=True)
        go.unlink(missing_ok=True)
        ready = [tmp_path / f"ready-{_round}-{n}" for n in range(4)]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(directory), str(go), str(flag)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for flag in ready
        ]
        while not all(flag.exists() for flag in ready):  # all imported, waiting at the line
            assert all(p.poll() is None for p in procs)
            time.sleep(0.005)
        go.touch()
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in results]
        assert [out.strip() for out, _ in results] == [want] * 4
        (only,) = cache_files(cache)  # one whole file, no temporary left behind
        assert only.suffix == ".sqlite"
        with store.open_index(directory) as index:
            assert index.cache_file == str(only)
            assert json.dumps([d.record() for d in query.list_directives(index)]) == want


def test_a_full_disk_means_no_cache_not_an_error(catalogue: Path, cache: Path) -> None:
    # Writes past the file-size limit fail with EFBIG, as on a full disk.
    script = (
        "import resource, signal, sys\n"
        "from pathlib import Path\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))\n"
        "from directives_cli import store, query\n"
        "index = store.open_index(Path(sys.argv[1]))\n"
        "print(index.cache_file, [d.id for d in query.list_directives(index)][-1])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(catalogue)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["None", "D-30"]
    assert cache_files(cache) == []  # the partial file was removed
