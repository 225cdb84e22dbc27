"""Incremental rebuilds (issue 15): after each kind of change to a catalogue directory, the
cached answer (an index brought up to date file by file) equals the `--no-cache` one, through
the real CLI, and only the files that changed are read again. Each test runs twice: with the
earlier index copied and pruned in a forked child, as on a machine of two or more cores,
and all in this process, as on one."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Invoke, Result
from directives_cli import database, forked, loader, store
from fixtures.bench.scripts import script

#: The questions asked after every change: every output a cached index could get wrong.
QUESTIONS: tuple[tuple[str, ...], ...] = (
    ("list", "-f", "json"),
    ("list", "--sort", "category", "-f", "ids"),
    ("list", "--sort", "meeting", "-f", "ids"),
    ("list", "--speaker", "Wang Wu", "-f", "ids"),
    ("list", "--tag", "boilers", "-f", "ids"),
    ("search", "inspection", "-f", "json"),
    ("search", "boilers", "safety", "--any", "-f", "json"),
    ("search", "editor", "checked", "-f", "json"),
    ("categories", "-f", "json"),
    ("meeting", "-f", "json"),
    ("show", "m2-1", "-f", "json"),
)


def meeting_text(number: int, *, speaker: str = "Wang Wu", extra: str = "") -> str:
    """One meeting file with its own ids, categories, tags and a source text of its quotes."""
    directives = [
        {
            "id": f"m{number}-{n}",
            "category": f"c{number}",
            "title": f"Inspection round {n} of meeting {number}",
            "text": f"Carry out inspection {n} of boilers and lifts{extra}.",
            "speaker": speaker if n % 2 else f"Speaker {number}",
            "act": "requested",
            "quote": f"inspection {n} of meeting {number}",
            "tags": [f"tag{number}", "boilers" if n % 3 == 0 else "safety"],
            **({"note": f"Editor checked round {n}{extra}."} if n % 2 == 0 else {}),
        }
        for n in range(1, 6)
    ]
    document = {
        "schema": 1,
        "meeting": {
            "id": f"meeting-{number}",
            "title": f"Meeting {number}",
            "start": f"20{10 + number}-01-01",
            "location": "Hefei",
            "source": {"title": "Report", "file": f"sources/m{number}.txt"},
        },
        "categories": [{"id": f"c{number}", "title": f"Theme {number}", "description": "Safety."}],
        "directives": directives,
        "statistics": [
            {
                "id": f"s{number}",
                "subject": "lifts",
                "period": "2018",
                "change": "-1%",
                "quote": f"inspection 1 of meeting {number}",
            }  # fmt: skip
        ],
    }
    return json.dumps(document, indent=1) + "\n"


def source_text(number: int) -> str:
    return "".join(f"We require inspection {n} of meeting {number}. " for n in range(1, 6))


@pytest.fixture(autouse=True, params=["forked", "in this process"])
def update_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which way an update prepares its copy of the earlier index, whatever this machine."""
    if request.param == "forked":
        if not forked.FORKS:
            pytest.skip("bare fork is used on Linux only")
        monkeypatch.setattr(forked, "usable_cpus", lambda: 2)
    else:
        monkeypatch.setattr(forked, "worth_forking", lambda: False)
    return str(request.param)


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    """A directory of four meetings, each with its source text."""
    root = tmp_path / "catalogue"
    (root / "sources").mkdir(parents=True)
    for number in range(1, 5):
        write_meeting(root, number)
    return root


def write_meeting(root: Path, number: int, name: str = "", **options: str) -> Path:
    (root / "sources" / f"m{number}.txt").write_text(source_text(number), encoding="utf-8")
    path = root / (name or f"{number:02d}-meeting.yaml")
    path.write_text(meeting_text(number, **options), encoding="utf-8")
    return path


def ask(cli: Invoke, root: Path, *args: str) -> tuple[Result, Result]:
    """One question, cached (first) and uncached."""
    cached = cli(*args, "--catalog", str(root))
    fresh = cli(*args, "--catalog", str(root), "--no-cache")
    return cached, fresh


def assert_same(cli: Invoke, root: Path) -> list[Result]:
    """Every question gives the same answer, exit status and messages from the cache."""
    answers = []
    for question in QUESTIONS:
        cached, fresh = ask(cli, root, *question)
        assert (cached.code, cached.out, cached.err) == (fresh.code, fresh.out, fresh.err), question
        answers.append(cached)
    return answers


def warm(cli: Invoke, root: Path) -> None:
    result = cli("list", "-f", "ids", "--catalog", str(root))
    assert result.code == 0, result.err


def same_stat_edit(path: Path, old: str, new: str) -> None:
    """Replace text in place keeping the size and the mtime (as `touch -r` would)."""
    assert len(old.encode()) == len(new.encode())
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns


def test_edit_keeping_size_and_mtime_is_seen(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    same_stat_edit(
        catalogue / "02-meeting.yaml", "inspection 1 of boilers", "inspection 1 of BOILERS"
    )
    answers = assert_same(cli, catalogue)
    assert "BOILERS" in answers[0].out


def test_only_changed_files_are_read(
    cli: Invoke, catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm(cli, catalogue)
    same_stat_edit(
        catalogue / "03-meeting.yaml", "inspection 2 of boilers", "inspection 2 of Boilers"
    )
    with reads(monkeypatch) as read:
        warm(cli, catalogue)
    assert read == ["03-meeting.yaml", "m3.txt"]
    assert_same(cli, catalogue)


@contextlib.contextmanager
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the files the loader reads inside the block, in order."""
    read: list[str] = []
    original = loader._read

    def spy(path: Path) -> bytes:
        read.append(os.path.basename(path))
        return original(path)

    with monkeypatch.context() as patched:
        patched.setattr(loader, "_read", spy)
        yield read


def test_file_added_in_the_middle(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    write_meeting(catalogue, 5, name="02b-meeting.yaml")
    answers = assert_same(cli, catalogue)
    ids = [record["id"] for record in json.loads(answers[0].out)]
    assert ids.index("m5-1") == ids.index("m2-5") + 1


def test_file_removed(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    (catalogue / "02-meeting.yaml").unlink()
    answers = assert_same(cli, catalogue)
    assert "m2-1" not in answers[0].out
    assert answers[-1].code == 1  # show m2-1: gone


def test_file_renamed(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    (catalogue / "01-meeting.yaml").rename(catalogue / "99-meeting.yaml")
    answers = assert_same(cli, catalogue)
    ids = [record["id"] for record in json.loads(answers[0].out)]
    assert ids[-1] == "m1-5"


def test_speakers_and_tags_follow_the_files(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    write_meeting(catalogue, 2, speaker="Li Si")  # Speaker 2 stays, Wang Wu keeps other files
    (catalogue / "04-meeting.yaml").unlink()  # tag4 and Speaker 4 are gone
    assert_same(cli, catalogue)
    for question in (("list", "--speaker", "Speaker 4"), ("list", "--tag", "tag4")):
        cached, fresh = ask(cli, catalogue, *question)
        assert cached.err == fresh.err and "no " in cached.err


def test_source_text_edited(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    source = catalogue / "sources" / "m2.txt"
    source.write_text("Preamble. " + source_text(2), encoding="utf-8")
    assert_same(cli, catalogue)
    source.write_text(source_text(2).replace("inspection 3", "survey 3"), encoding="utf-8")
    cached, fresh = ask(cli, catalogue, "list")
    assert cached.code == fresh.code == 3
    assert cached.err == fresh.err and "m2.txt" in cached.err
    source.write_text(source_text(2), encoding="utf-8")
    assert_same(cli, catalogue)


def test_file_turned_invalid_and_back(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    path = catalogue / "03-meeting.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace('"requested"', '"wished"', 1), encoding="utf-8")
    cached, fresh = ask(cli, catalogue, "list")
    assert cached.code == fresh.code == 3
    assert cached.err == fresh.err and "03-meeting.yaml" in cached.err
    path.write_text(good, encoding="utf-8")
    assert_same(cli, catalogue)


def test_duplicate_id_with_an_unchanged_file(cli: Invoke, catalogue: Path) -> None:
    """Reported as a full load reports it: both places, whichever file changed."""
    warm(cli, catalogue)
    path = catalogue / "04-meeting.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"m4-2"', '"m1-3"'), encoding="utf-8")
    cached, fresh = ask(cli, catalogue, "list")
    assert cached.code == fresh.code == 3
    assert cached.err == fresh.err
    assert "duplicate directive id 'm1-3'" in cached.err and "01-meeting.yaml" in cached.err


def test_duplicate_meeting_and_statistic_ids(cli: Invoke, catalogue: Path) -> None:
    warm(cli, catalogue)
    path = catalogue / "03-meeting.yaml"
    good = path.read_text(encoding="utf-8")
    for old, new in (('"meeting-3"', '"meeting-1"'), ('"s3"', '"s1"')):
        path.write_text(good.replace(old, new), encoding="utf-8")
        cached, fresh = ask(cli, catalogue, "list")
        assert cached.code == fresh.code == 3
        assert cached.err == fresh.err and "duplicate" in cached.err
    path.write_text(good, encoding="utf-8")
    assert_same(cli, catalogue)


def test_many_changes_one_after_another(cli: Invoke, catalogue: Path) -> None:
    """Files added between the same two neighbours again and again keep their order."""
    warm(cli, catalogue)
    for number in range(5, 12):
        write_meeting(catalogue, number, name=f"01-meeting-{20 - number:02d}.yaml")
        warm(cli, catalogue)
    write_meeting(catalogue, 3, extra=" and cranes")
    assert_same(cli, catalogue)


def test_file_edited_while_read_is_not_recorded_as_current(
    cli: Invoke, catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit lands after the bytes were read: the index built from the old bytes is
    served once but not kept, so the next call sees the edit."""
    warm(cli, catalogue)
    path = catalogue / "02-meeting.yaml"
    same_stat_edit(path, "inspection 1 of boilers", "inspection 1 of Boilers")
    original = loader._read

    def edit_after_reading(name: Path) -> bytes:
        data = original(name)
        if os.path.basename(name) == path.name and b"Boilers" in data:
            same_stat_edit(path, "inspection 1 of Boilers", "inspection 1 of BOILERS")
        return data

    monkeypatch.setattr(loader, "_read", edit_after_reading)
    during = cli("list", "-f", "json", "--catalog", str(catalogue))
    assert during.code == 0 and "of Boilers" in during.out
    monkeypatch.setattr(loader, "_read", original)
    answers = assert_same(cli, catalogue)
    assert "BOILERS" in answers[0].out


def test_repeated_edits_keep_the_index_small(
    cli: Invoke, tmp_path: Path, private_cache: Path
) -> None:
    """Each update leaves delete markers in the full-text table beside the new entries;
    editing the same file again and again must neither grow the index without bound nor
    change an answer (the benchmark's catalogue: 2,000 directives in 4 files)."""
    made = script("generate").generate(2000, tmp_path / "made", per_file=500)
    warm(cli, made.directory)
    (index,) = (private_cache / "directives").glob("*.sqlite")
    built = index.stat().st_size
    sizes = []
    for revision in range(1, 9):
        script("generate").set_revision(made.files[1], revision)
        warm(cli, made.directory)
        (index,) = (private_cache / "directives").glob("*.sqlite")
        sizes.append(index.stat().st_size)
    assert max(sizes) <= 1.25 * built, (built, sizes)
    for question in (("search", "forklift", "-f", "json"), ("search", "boilers", "-f", "ids")):
        cached, fresh = ask(cli, made.directory, *question)
        assert cached.out == fresh.out and cached.code == fresh.code == 0, question


def test_a_copy_that_cannot_be_made_gives_a_full_build(
    cli: Invoke, catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full, or the child preparing the copy lost: the catalogue is fine, so the
    call builds in full and answers as always."""
    warm(cli, catalogue)
    write_meeting(catalogue, 2, extra=" and cranes")

    def fails(*args: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(store, "_pruned_copy", fails)
    with reads(monkeypatch) as read:
        warm(cli, catalogue)
    assert [name for name in read if name.endswith(".yaml")] == [
        "02-meeting.yaml",  # the update's reading, then the full build's
        *(f"{number:02d}-meeting.yaml" for number in range(1, 5)),
    ]
    answers = assert_same(cli, catalogue)
    assert "cranes" in answers[0].out


def test_an_index_from_before_the_per_directive_bound_is_merged_once(
    cli: Invoke, catalogue: Path, private_cache: Path
) -> None:
    """An index cached by the release before `merge_search_if_grown` has no base_rows
    (and FTS5's default crisis merge): its first update merges the full-text table and
    records both, answers unchanged."""
    warm(cli, catalogue)
    (index,) = (private_cache / "directives").glob("*.sqlite")
    with contextlib.closing(sqlite3.connect(index)) as conn:
        conn.execute("DELETE FROM search_meta WHERE name = 'base_rows'")
        conn.execute("DELETE FROM search_words_config WHERE k = 'crisismerge'")
        conn.commit()
    write_meeting(catalogue, 3, extra=" and cranes")
    assert_same(cli, catalogue)
    (index,) = (private_cache / "directives").glob("*.sqlite")
    with contextlib.closing(sqlite3.connect(index)) as conn:
        meta = dict(conn.execute("SELECT name, value FROM search_meta"))
        config = dict(conn.execute("SELECT k, v FROM search_words_config"))
    assert config["crisismerge"] == database.SEARCH_CRISIS_MERGE
    # Merged with the third file's 5 directives taken out, before they were added again.
    assert (meta["base_rows"], meta["rows"]) == (15, 20)
