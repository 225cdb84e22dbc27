"""The loader: catalogue paths, files, validation rules and the model they build.

Each rule is shown failing on a small catalogue that differs from a valid one in one
place, with the exact line, column and message a user sees.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives_cli import loader, paths, quotes, yamlsafe
from directives_cli.errors import CatalogueError, Problem
from directives_cli.model import Catalogue

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "loader"
BUNDLED = REPO / "data" / "directives.yaml"

# Line numbers below refer to this text; keep it in step with the expectations.
VALID = """\
schema: 1
meeting:
  id: test-meeting
  title: Test meeting
  start: "2019-01-24"
  end: "2019-01-25"
  location: Hefei, Anhui
  source:
    title: The report
    file: source.txt
categories:
  - id: risk
    title: Risk
    description: Risk prevention.
  - id: reform
    title: Reform
    description: Reform of supervision.
directives:
  - id: RC-1
    category: risk
    title: Hold the line
    text: Hold the safety bottom line.
    speaker: Chen Gang
    act: stressed
    quote: firmly hold the safety bottom line
    addressees: [the departments]
    tags: [safety, risk]
  - id: RF-1
    category: reform
    title: Deepen reform
    text: Deepen the reform of safety supervision.
    speaker: the conference
    act: requested
    quote: deepen the reform of safety supervision
statistics:
  - id: ST-1
    subject: elevator accidents
    period: "2018"
    change: "-45%"
    quote: decreased by 45% and 46% respectively
"""

SOURCE = (
    "The meeting requested that the departments deepen the reform of safety\n"
    "supervision and innovate the working mechanism. It is necessary to “firmly hold the\n"
    "safety bottom line”. The number of elevator accidents decreased by 45% and 46%\n"
    "respectively.\n"
)

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Write catalogue files (and the source they cite) into a folder we work in.

    The test runs inside that folder so problems name files as a user would type
    them, relative, just as the loader must keep them.
    """
    monkeypatch.chdir(tmp_path)
    (tmp_path / "source.txt").write_text(SOURCE, encoding="utf-8")

    def write_file(text: str | bytes = VALID, name: str = "cat.yaml") -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            path.write_text(text, encoding="utf-8")
        else:
            path.write_bytes(text)
        return path

    return write_file


def edited(*changes: tuple[str, str], text: str = VALID) -> str:
    """VALID with each (old, new) replaced once; fails loudly if `old` is not there."""
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def problems_of(*paths: Path) -> list[str]:
    """Every problem load_files reports, as the lines `validate` prints."""
    with pytest.raises(CatalogueError) as caught:
        loader.load_files(list(paths))
    assert caught.value.problems, "a CatalogueError must carry its problems"
    assert list(caught.value.problems) == sorted(caught.value.problems)
    return [str(p) for p in caught.value.problems]


def test_valid_catalogue_builds_the_model(write: Write) -> None:
    catalogue = loader.load(write())
    (document,) = catalogue.documents
    assert document.path == "cat.yaml"
    meeting = document.meeting
    assert (meeting.id, meeting.start, meeting.end, meeting.location) == (
        "test-meeting",
        "2019-01-24",
        "2019-01-25",
        "Hefei, Anhui",
    )
    assert meeting.source is not None and meeting.source.text == SOURCE
    assert [c.id for c in catalogue.categories] == ["risk", "reform"]
    first = catalogue.directives[0]
    assert first.record() == {
        "id": "RC-1",
        "meeting": "test-meeting",
        "category": "risk",
        "title": "Hold the line",
        "text": "Hold the safety bottom line.",
        "speaker": "Chen Gang",
        "act": "stressed",
        "quote": "firmly hold the safety bottom line",
        "addressees": ["the departments"],
        "tags": ["safety", "risk"],
        "note": None,
    }
    assert catalogue.directives[1].tags == ()
    assert document.statistics[0].record()["period"] == "2018"


def test_meeting_extras_are_loaded(write: Write) -> None:
    text = edited(
        (
            "  location: Hefei, Anhui\n",
            "  location: Hefei, Anhui\n"
            "  published_title: Held in Hefei\n"
            "  organiser: SAMR\n"
            "  speakers:\n"
            "    - name: Chen Gang\n"
            "      role: a member of the Party Committee\n"
            "    - name: Someone Else\n"
            "  guided_by: [the plan]\n"
            "  implemented: [the spirit of the plan]\n"
            "  attendees: [the ministry, the bureau]\n"
            "  note: The year is implied.\n",
        )
    )
    meeting = loader.load(write(text)).meetings[0]
    assert meeting.published_title == "Held in Hefei"
    assert meeting.organiser == "SAMR"
    assert [(s.name, s.role) for s in meeting.speakers] == [
        ("Chen Gang", "a member of the Party Committee"),
        ("Someone Else", None),
    ]
    assert meeting.guided_by == ("the plan",)
    assert meeting.implemented == ("the spirit of the plan",)
    assert meeting.attendees == ("the ministry", "the bureau")
    assert meeting.note == "The year is implied."


def test_notes_are_loaded_apart_from_the_source_words(write: Write) -> None:
    text = edited(
        ("    description: Risk prevention.\n", "    description: Risk prevention.\n    note: C\n"),
        ("    tags: [safety, risk]\n", "    tags: [safety, risk]\n    note: D\n"),
        ("    quote: decreased by 45%", "    note: S\n    quote: decreased by 45%"),
    )
    catalogue = loader.load(write(text))
    (document,) = catalogue.documents
    assert [c.note for c in document.categories] == ["C", None]
    assert [d.note for d in catalogue.directives] == ["D", None]
    assert catalogue.directives[0].text == "Hold the safety bottom line."
    assert document.statistics[0].note == "S"
    assert document.meeting.note is None and document.meeting.implemented == ()


def test_bundled_catalogue_loads_and_checks_clean() -> None:
    catalogue = loader.load(paths.bundled_path())
    assert loader.check([paths.bundled_path()]) == []
    assert catalogue.directives, "the bundled catalogue has directives"
    (meeting,) = catalogue.meetings
    assert meeting.source is not None and meeting.source.text

    def fold(text: str) -> str:
        for curly, plain in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
            text = text.replace(curly, plain)
        return " ".join(text.split())

    source = fold(meeting.source.text)
    assert [d.id for d in catalogue.directives if fold(d.quote) not in source] == []


def test_bundled_path_is_the_repo_catalogue_in_a_checkout() -> None:
    assert paths.bundled_path().resolve() == BUNDLED.resolve()


def test_pure_python_parser_builds_the_same_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = loader.load(BUNDLED)
    monkeypatch.setattr(yamlsafe, "HAVE_LIBYAML", False)
    assert loader.load(BUNDLED) == fast


# --- choosing the catalogue --------------------------------------------------------


def test_resolve_prefers_option_then_environment_then_bundled(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.touch()
    b.touch()
    env = {"DIRECTIVES_CATALOG": str(b)}
    assert paths.resolve_catalogue(str(a), env) == a
    assert paths.resolve_catalogue(None, env) == b
    assert paths.resolve_catalogue(None, {}) == paths.bundled_path()
    assert paths.resolve_catalogue(None, {"DIRECTIVES_CATALOG": ""}) == paths.bundled_path()


@pytest.mark.parametrize(
    ("option", "env", "message"),
    [
        ("nope/x.yaml", {}, "catalogue not found: nope/x.yaml (from --catalog)"),
        (
            None,
            {"DIRECTIVES_CATALOG": "gone.yaml"},
            "catalogue not found: gone.yaml (from DIRECTIVES_CATALOG)",
        ),
        ("", {}, "catalogue path is empty (from --catalog)"),
    ],
)
def test_resolve_names_where_a_missing_path_came_from(
    option: str | None,
    env: dict[str, str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CatalogueError) as caught:
        paths.resolve_catalogue(option, {**env, "OTHER": "x"})
    assert str(caught.value) == message
    assert caught.value.exit_code == 3


def test_resolve_does_not_fall_back_when_the_option_is_missing(tmp_path: Path) -> None:
    present = tmp_path / "present.yaml"
    present.touch()
    with pytest.raises(CatalogueError, match=r"from --catalog\)$"):
        paths.resolve_catalogue(
            str(tmp_path / "missing.yaml"), {"DIRECTIVES_CATALOG": str(present)}
        )


def test_resolve_reports_a_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(CatalogueError) as caught:
        paths.resolve_catalogue(str(loop), {})
    assert "symlink loop" in str(caught.value)
    assert str(caught.value).endswith("(from --catalog)")


# --- catalogue files: stat only ---------------------------------------------------


def forbid_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything is opened from now on: refusals must come from stat."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"opened {args[0]!r}")

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr("builtins.open", refuse)


def test_a_file_stands_for_itself(tmp_path: Path) -> None:
    path = tmp_path / "anything.txt"
    path.touch()
    assert paths.catalogue_files(path) == [path]


def test_a_directory_stands_for_its_yaml_files_sorted(tmp_path: Path) -> None:
    for name in ("b.yml", "a.yaml", "c.yaml", "notes.txt", ".hidden.yaml", "z.YAML.bak"):
        (tmp_path / name).touch()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deeper.yaml").touch()
    assert paths.catalogue_files(tmp_path) == [
        tmp_path / "a.yaml",
        tmp_path / "b.yml",
        tmp_path / "c.yaml",
    ]


def file_refusal(path: Path) -> str:
    """The one problem catalogue_files reports for a path."""
    with pytest.raises(CatalogueError) as caught:
        paths.catalogue_files(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == (str(path), 1, 1)
    return problem.message


def test_fifo_is_refused_without_opening_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    forbid_opening(monkeypatch)
    assert file_refusal(fifo) == "not a regular file (a FIFO); refusing to read it"


def test_device_is_refused_without_opening_it(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_opening(monkeypatch)
    assert file_refusal(Path("/dev/zero")) == (
        "not a regular file (a character device); refusing to read it"
    )


def test_socket_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # AF_UNIX paths are short: bind a relative name
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("sock.yaml")
        assert file_refusal(Path("sock.yaml")) == (
            "not a regular file (a socket); refusing to read it"
        )
    finally:
        server.close()


def test_symlink_loop_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    forbid_opening(monkeypatch)
    assert file_refusal(a) == "too many levels of symbolic links (a symlink loop?)"


def test_directory_loop_through_symlinks_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "again.yaml").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(CatalogueError) as caught:
        paths.catalogue_files(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'again.yaml'}:1:1: not a regular file (a directory); refusing to read it"
    ]


def test_oversized_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(paths.MAX_FILE_BYTES + 1)  # sparse: no disk used
    forbid_opening(monkeypatch)
    assert file_refusal(big) == "file is 64.0 MiB, over the 64 MiB limit for a catalogue file"


def test_file_of_exactly_the_limit_is_accepted_by_stat(tmp_path: Path) -> None:
    path = tmp_path / "limit.yaml"
    with path.open("wb") as handle:
        handle.truncate(paths.MAX_FILE_BYTES)
    assert paths.catalogue_files(path) == [path]


def test_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").touch()
    assert file_refusal(tmp_path) == "directory holds no *.yaml or *.yml file"


def test_missing_path_is_refused(tmp_path: Path) -> None:
    assert file_refusal(tmp_path / "missing.yaml") == "no such file or directory"


def test_every_refused_entry_of_a_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").touch()
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "loop.yml").symlink_to(tmp_path / "loop.yml")
    with pytest.raises(CatalogueError) as caught:
        paths.catalogue_files(tmp_path)
    assert [(Path(p.file).name, p.message) for p in caught.value.problems] == [
        ("loop.yml", "too many levels of symbolic links (a symlink loop?)"),
        ("pipe.yaml", "not a regular file (a FIFO); refusing to read it"),
    ]


def test_choosing_files_does_not_import_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").touch()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from directives_cli import paths\n"
        f"paths.catalogue_files(Path({str(tmp_path)!r}))\n"
        "paths.resolve_catalogue(None, {})\n"
        "assert 'yaml' not in sys.modules, 'yaml was imported'\n"
        "assert 'directives_cli.loader' not in sys.modules, 'the loader was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- reading files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"schema: 1\nmeeting: [\n",
            "cat.yaml:3:1: invalid YAML: did not find expected node content"
            " (while parsing a flow node at line 3)",
            id="syntax-error",
        ),
        pytest.param(
            b"schema: 1\nmeeting:\n\tid: x\n",
            "cat.yaml:3:1: invalid YAML: a tab cannot be used here; indent with spaces",
            id="tab",
        ),
        pytest.param(
            b"- schema: 1\n",
            "cat.yaml:1:1: the top level must be a mapping of schema, meeting, categories,"
            " directives, not a list",
            id="top-level-list",
        ),
        pytest.param(
            b"hello\n",
            "cat.yaml:1:1: the top level must be a mapping of schema, meeting, categories,"
            " directives, not the text 'hello'",
            id="top-level-scalar",
        ),
        pytest.param(
            b"",
            "cat.yaml:1:1: empty file: expected a mapping with schema, meeting, categories,"
            " directives",
            id="empty",
        ),
        pytest.param(
            b"# only a comment\n",
            "cat.yaml:1:1: empty file: expected a mapping with schema, meeting, categories,"
            " directives",
            id="only-comments",
        ),
        pytest.param(
            b"\x7fELF\x02\x01\x01\x00\x00\x00",
            "cat.yaml:1:8: not UTF-8 text: NUL byte (is this a binary file?)",
            id="binary",
        ),
        pytest.param(
            b"schema: 1\nmeeting:\n  title: Caf\xe9\n",
            "cat.yaml:3:13: not UTF-8 text: invalid byte 0xE9 (Latin-1 or another encoding?"
            " save the file as UTF-8)",
            id="latin-1",
        ),
        pytest.param(
            "schema: 1\n".encode("utf-16"),
            "cat.yaml:1:1: not UTF-8 text: the file is UTF-16; save it as UTF-8",
            id="utf-16",
        ),
        pytest.param(
            b"schema: 1\nmeeting: \x07bell\n",
            "cat.yaml:2:10: invalid YAML: control character U+0007 is not allowed",
            id="control-character",
        ),
        pytest.param(
            b"schema: 1\n---\nschema: 1\n",
            "cat.yaml:2:1: invalid YAML: but found another document"
            " (expected a single document in the stream at line 1)",
            id="two-documents",
        ),
    ],
)
def test_unreadable_files(write: Write, content: bytes, expected: str) -> None:
    assert problems_of(write(content)) == [expected]


def test_utf8_bom_is_accepted(write: Write) -> None:
    catalogue = loader.load(write(b"\xef\xbb\xbf" + VALID.encode()))
    assert catalogue.meetings[0].id == "test-meeting"


def test_non_ascii_text_is_kept(write: Write) -> None:
    text = edited(("title: Hold the line", "title: 守住安全底线 — “bottom line”"))
    assert loader.load(write(text)).directives[0].title == "守住安全底线 — “bottom line”"


# --- structure: fields, types, patterns ---------------------------------------------

CASES: list[tuple[str, tuple[tuple[str, str], ...], list[str]]] = [
    (
        "unknown-top-level",
        (("statistics:", "statistic:"),),
        ["35:1: unknown field 'statistic' at the top level (did you mean 'statistics'?)"],
    ),
    (
        "unknown-meeting-field",
        (("  location:", "  locaton:"),),
        [
            "7:3: unknown field 'locaton' in meeting (did you mean 'location'?)",
        ],
    ),
    (
        "missing-and-unrelated-unknown",
        (("    title: Hold the line", "    colour: red"),),
        [
            "19:5: directives[0]: missing required field 'title'",
            "21:5: unknown field 'colour' in directives[0]",
        ],
    ),
    (
        "unknown-source-field",
        (("    file: source.txt", "    file: source.txt\n    url: http://x"),),
        ["11:5: unknown field 'url' in meeting.source"],
    ),
    (
        "unknown-speaker-field",
        (("  location: Hefei, Anhui", "  location: Hefei, Anhui\n  speakers:\n    - nmae: X"),),
        [
            "9:7: unknown field 'nmae' in meeting.speakers[0] (did you mean 'name'?)",
        ],
    ),
    (
        "unknown-category-field",
        (("    description: Risk prevention.", "    descripion: Risk prevention."),),
        [
            "14:5: unknown field 'descripion' in categories[0] (did you mean 'description'?)",
        ],
    ),
    (
        "unknown-directive-field",
        (("    title: Hold the line", "    titel: Hold the line"),),
        [
            "21:5: unknown field 'titel' in directives[0] (did you mean 'title'?)",
        ],
    ),
    (
        "unknown-statistic-field",
        (('    period: "2018"', '    period: "2018"\n    unit: percent'),),
        ["39:5: unknown field 'unit' in statistics[0]"],
    ),
    (
        "missing-top-level",
        (("schema: 1\n", ""),),
        ["1:1: the top level: missing required field 'schema'"],
    ),
    (
        "missing-directive-fields",
        (("    speaker: Chen Gang\n    act: stressed\n", ""),),
        [
            "19:5: directives[0]: missing required field 'act'",
            "19:5: directives[0]: missing required field 'speaker'",
        ],
    ),
    (
        "tags-not-a-list",
        (("tags: [safety, risk]", "tags: safety"),),
        ["27:11: directives[0].tags: expected a list of text, found the text 'safety'"],
    ),
    (
        "tag-not-text",
        (("tags: [safety, risk]", "tags: [safety, {a: b}]"),),
        ["27:20: directives[0].tags[1]: expected text, found a mapping"],
    ),
    (
        "title-a-mapping",
        (("title: Hold the line", "title: {en: Hold the line}"),),
        ["21:12: directives[0].title: expected text, found a mapping"],
    ),
    (
        "directives-a-mapping",
        (("directives:\n", "directives: {}\nx:\n"),),
        [
            "18:13: directives: expected a list of directive mappings, found a mapping",
            "19:1: unknown field 'x' at the top level",
        ],
    ),
    (
        "directive-a-string",
        (("directives:\n", "directives:\n  - just text\n"),),
        ["19:5: directives[0]: expected a mapping, found the text 'just text'"],
    ),
    (
        "note-empty",
        (("    tags: [safety, risk]\n", "    tags: [safety, risk]\n    note: ''\n"),),
        ["28:11: directives[0].note: expected text, found an empty string"],
    ),
    (
        "note-a-list",
        (("  location: Hefei, Anhui\n", "  location: Hefei, Anhui\n  note: [a, b]\n"),),
        ["8:9: meeting.note: expected text, found a list"],
    ),
    (
        "implemented-not-a-list",
        (("  location: Hefei, Anhui\n", "  location: Hefei, Anhui\n  implemented: the plan\n"),),
        ["8:16: meeting.implemented: expected a list of text, found the text 'the plan'"],
    ),
    (
        "note-misspelt",
        (("    tags: [safety, risk]\n", "    tags: [safety, risk]\n    notes: x\n"),),
        ["28:5: unknown field 'notes' in directives[0] (did you mean 'note'?)"],
    ),
    (
        "empty-title",
        (("title: Hold the line", "title: ''"),),
        ["21:12: directives[0].title: expected text, found an empty string"],
    ),
    (
        "blank-title",
        (("title: Hold the line", "title: '   '"),),
        ["21:12: directives[0].title: expected text, found an empty string"],
    ),
    (
        "null-title",
        (("title: Hold the line", "title: null"),),
        ["21:12: directives[0].title: expected text, found nothing (null)"],
    ),
    (
        "tilde-title",
        (("title: Hold the line", "title: ~"),),
        ["21:12: directives[0].title: expected text, found nothing (null)"],
    ),
    (
        "missing-value",
        (("title: Hold the line", "title:"),),
        ["21:11: directives[0].title: expected text, found nothing (null)"],
    ),
    (
        "act-not-an-act",
        (("act: stressed", "act: shouted"),),
        [
            "24:10: directives[0].act: 'shouted' is not one of pointed-out, requested,"
            " demanded, stressed"
        ],
    ),
    (
        "act-no",
        (("act: stressed", "act: no"),),
        ["24:10: directives[0].act: 'no' is not one of pointed-out, requested, demanded, stressed"],
    ),
    (
        "schema-2",
        (("schema: 1", "schema: 2"),),
        ["1:9: schema: this version reads schema 1, found '2'"],
    ),
    (
        "schema-1.0",
        (("schema: 1", "schema: 1.0"),),
        ["1:9: schema: this version reads schema 1, found '1.0'"],
    ),
    (
        "meeting-id-not-a-slug",
        (("id: test-meeting", "id: Test_Meeting"),),
        [
            "3:7: meeting.id: expected an id of lower-case letters, digits and single hyphens,"
            " like risk-control, found 'Test_Meeting'"
        ],
    ),
    (
        "category-id-not-a-slug",
        (("  - id: risk\n", "  - id: risk-\n"),),
        [
            "12:9: categories[0].id: expected an id of lower-case letters, digits and single"
            " hyphens, like risk-control, found 'risk-'",
            "20:15: directives[0].category 'risk' is not a category of this file"
            " (categories: reform)",
        ],
    ),
    (
        "directive-id-with-space",
        (("id: RC-1", "id: RC 1"),),
        [
            "19:9: directives[0].id: expected an id of ASCII letters, digits, '.', '_' and '-',"
            " like RC-1, found 'RC 1'"
        ],
    ),
    (
        "impossible-date",
        (('start: "2019-01-24"', 'start: "2019-02-30"'),),
        ["5:10: meeting.start: expected a real date written YYYY-MM-DD, found '2019-02-30'"],
    ),
    (
        "unpadded-date",
        (('start: "2019-01-24"', "start: 2019-1-24"),),
        ["5:10: meeting.start: expected a real date written YYYY-MM-DD, found '2019-1-24'"],
    ),
    (
        "end-before-start",
        (('end: "2019-01-25"', 'end: "2019-01-23"'),),
        ["6:8: meeting.end 2019-01-23 is before meeting.start 2019-01-24"],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_structural_problems(
    write: Write, changes: tuple[tuple[str, str], ...], expected: list[str]
) -> None:
    assert problems_of(write(edited(*changes))) == [f"cat.yaml:{e}" for e in expected]


def test_yaml_implicit_types_keep_the_string_written(write: Write) -> None:
    text = edited(
        ('start: "2019-01-24"', "start: 2019-01-24"),
        ('end: "2019-01-25"', "end: 2019-01-25"),
        ('period: "2018"', "period: 2018"),
        ('change: "-45%"', "change: 1.10"),
        ("title: Hold the line", "title: yes"),
        ("speaker: Chen Gang", "speaker: 0x1F"),
        ("tags: [safety, risk]", "tags: [on, off, 1e3, .inf, 012, null-ish]"),
    )
    catalogue = loader.load(write(text))
    meeting, statistic = catalogue.meetings[0], catalogue.documents[0].statistics[0]
    assert (meeting.start, meeting.end) == ("2019-01-24", "2019-01-25")
    assert (statistic.period, statistic.change) == ("2018", "1.10")
    directive = catalogue.directives[0]
    assert (directive.title, directive.speaker) == ("yes", "0x1F")
    assert directive.tags == ("on", "off", "1e3", ".inf", "012", "null-ish")


def test_leap_day_is_a_date(write: Write) -> None:
    text = edited(
        ('start: "2019-01-24"', 'start: "2020-02-29"'), ('end: "2019-01-25"', 'end: "2020-03-01"')
    )
    assert loader.load(write(text)).meetings[0].start == "2020-02-29"


def test_duplicate_keys_are_reported_with_the_first(write: Write) -> None:
    text = edited(
        ("    speaker: Chen Gang\n", "    speaker: Chen Gang\n    title: Again\n"),
        ("statistics:", "categories: []\nstatistics:"),
    )
    assert problems_of(write(text)) == [
        "cat.yaml:24:5: duplicate key 'title' (first at line 21)",
        "cat.yaml:36:1: duplicate key 'categories' (first at line 11)",
    ]


# --- relations between values -------------------------------------------------------


def test_unknown_category_lists_the_file_categories(write: Write) -> None:
    text = edited(("category: reform", "category: riskk"))
    assert problems_of(write(text)) == [
        "cat.yaml:29:15: directives[1].category 'riskk' is not a category of this file"
        " (categories: risk, reform)"
    ]


def test_duplicate_ids_within_a_file_name_both_places(write: Write) -> None:
    text = edited(
        ("id: RF-1", "id: RC-1"), ("  - id: reform\n", "  - id: risk\n"), ("y: reform", "y: risk")
    )
    assert problems_of(write(text)) == [
        "cat.yaml:15:9: duplicate category id 'risk' (also at line 12)",
        "cat.yaml:28:9: duplicate directive id 'RC-1' (also at line 19)",
    ]


def test_duplicate_ids_across_files_name_both_places(write: Write) -> None:
    write(SOURCE, name="cats/source.txt")
    write(name="cats/a.yaml")
    other = edited(("id: test-meeting", "id: other-meeting"), ("id: ST-1", "id: ST-2"))
    write(other, name="cats/b.yaml")
    assert problems_of(*paths.catalogue_files(Path("cats"))) == [
        "cats/b.yaml:19:9: duplicate directive id 'RC-1' (also at cats/a.yaml:19:9)",
        "cats/b.yaml:28:9: duplicate directive id 'RF-1' (also at cats/a.yaml:28:9)",
    ]


def test_duplicate_meeting_and_statistic_ids_across_files(write: Write) -> None:
    write(SOURCE, name="cats/source.txt")
    write(name="cats/a.yaml")
    other = edited(("id: RC-1", "id: RC-2"), ("id: RF-1", "id: RF-2"))
    write(other, name="cats/b.yaml")
    assert problems_of(*paths.catalogue_files(Path("cats"))) == [
        "cats/b.yaml:3:7: duplicate meeting id 'test-meeting' (also at cats/a.yaml:3:7)",
        "cats/b.yaml:36:9: duplicate statistic id 'ST-1' (also at cats/a.yaml:36:9)",
    ]


def test_directive_and_statistic_ids_are_separate_namespaces(write: Write) -> None:
    text = edited(("id: ST-1", "id: RC-1"))
    assert loader.load(write(text)).documents[0].statistics[0].id == "RC-1"


def test_quote_not_in_source_is_named_and_truncated(write: Write) -> None:
    long_quote = "the departments shall " + "really " * 20 + "do it"
    text = edited(("quote: deepen the reform of safety supervision", f"quote: {long_quote}"))
    assert problems_of(write(text)) == [
        "cat.yaml:34:12: directives[1].quote not found in source source.txt:"
        ' "the departments shall really really really really really ..."'
    ]


def test_statistic_quotes_are_checked_too(write: Write) -> None:
    text = edited(("decreased by 45% and 46%", "decreased by 50% and 46%"))
    assert problems_of(write(text)) == [
        "cat.yaml:40:12: statistics[0].quote not found in source source.txt:"
        ' "decreased by 50% and 46% respectively"'
    ]


def test_quotes_fold_whitespace_and_typographic_quotes(write: Write) -> None:
    # The source has “firmly hold the\nsafety bottom line” across a line break.
    text = edited(
        (
            "quote: firmly hold the safety bottom line",
            "quote: '\"firmly hold the   safety bottom line\"'",
        ),
        ("quote: deepen the reform of safety supervision", "quote: ‘deepen the reform’ of safety"),
    )
    problems = problems_of(write(text))
    # Double typographic quotes fold to '"'; the single ones do not occur in the source.
    assert problems == [
        "cat.yaml:34:12: directives[1].quote not found in source source.txt:"
        ' "‘deepen the reform’ of safety"'
    ]


def test_missing_source_file_is_a_problem_at_the_field(write: Write) -> None:
    text = edited(("file: source.txt", "file: sources/missing.txt"))
    assert problems_of(write(text)) == [
        "cat.yaml:10:11: meeting.source.file: cannot read sources/missing.txt:"
        " no such file or directory"
    ]


def test_source_path_is_relative_to_the_yaml_file(write: Write) -> None:
    Path("nested/sources").mkdir(parents=True)
    Path("nested/sources/report.txt").write_text(SOURCE, encoding="utf-8")
    text = edited(("file: source.txt", "file: sources/report.txt"))
    catalogue = loader.load(write(text, name="nested/cat.yaml"))
    assert catalogue.meetings[0].source is not None
    assert catalogue.meetings[0].source.file == "sources/report.txt"


def test_source_that_is_a_fifo_is_refused(write: Write) -> None:
    os.mkfifo("pipe")
    text = edited(("file: source.txt", "file: pipe"))
    assert problems_of(write(text)) == [
        "cat.yaml:10:11: meeting.source.file: cannot read pipe:"
        " not a regular file (a FIFO); refusing to read it"
    ]


def test_source_outside_the_folder_is_refused_unopened(write: Write) -> None:
    text = edited(("file: source.txt", "file: /dev/zero"))
    (problem,) = problems_of(write(text))
    assert problem.startswith(
        "cat.yaml:10:11: meeting.source.file: /dev/zero is outside the catalogue's folder"
    )


def test_source_that_is_not_utf8_is_refused(write: Write) -> None:
    Path("latin.txt").write_bytes(SOURCE.encode("utf-8").replace(b"\xe2\x80\x9c", b"\xe9"))
    text = edited(("file: source.txt", "file: latin.txt"))
    assert problems_of(write(text)) == [
        "cat.yaml:10:11: meeting.source.file: cannot read latin.txt: not UTF-8 text"
    ]


def test_large_source_checks_many_quotes_exactly(write: Write) -> None:
    """Past a few quotes a large source is indexed; found and missing must stay exact."""
    sentences = [f"Sentence number {i} says that the safety bottom line holds." for i in range(900)]
    Path("big.txt").write_text(" ".join(sentences), encoding="utf-8")
    directives = "".join(
        f"  - {{id: D-{i}, category: risk, title: t, text: t, speaker: s, act: stressed,"
        f" quote: '{quote}'}}\n"
        for i, quote in enumerate(
            [*(sentences[i * 7] for i in range(100)), "Sentence number 12 says nothing.", "holds."]
        )
    )
    text = edited(("file: source.txt", "file: big.txt"))
    text = text[: text.index("directives:\n")] + "directives:\n" + directives
    assert problems_of(write(text)) == [
        "cat.yaml:119:86: directives[100].quote not found in source big.txt:"
        ' "Sentence number 12 says nothing."'
    ]


def test_quote_finder_agrees_with_a_plain_search() -> None:
    words = ["alpha", "beta", "gamma", "delta"]
    text = " ".join(words[(i * i + i // 3) % 4] for i in range(6000))
    finder = quotes.QuoteFinder(text)
    probes = [text[a : a + n] for a in range(0, len(text) - 80, 97) for n in (3, 17, 40, 80)]
    probes += ["alpha alpha alpha alpha beta beta beta beta", "epsilon", text[-30:] + " x"]
    assert [p in finder for p in probes] == [p in text for p in probes]


@settings(max_examples=60, deadline=None)
@given(
    pattern=st.text(alphabet="ab c", min_size=1, max_size=60),
    size=st.integers(17 * 1024, 20 * 1024),
    needles=st.lists(st.tuples(st.integers(0, 20 * 1024), st.integers(0, 60)), min_size=40),
    extra=st.lists(st.text(alphabet="ab c", max_size=40), max_size=10),
)
def test_quote_finder_is_exact(
    pattern: str, size: int, needles: list[tuple[int, int]], extra: list[str]
) -> None:
    """Repetitive text is the hard case: most windows repeat, many probes are ambiguous."""
    text = (pattern * (size // len(pattern) + 1))[:size]
    text = text[: size // 2] + "x" + text[size // 2 :]
    finder = quotes.QuoteFinder(text)
    probes = [text[a : a + n] for a, n in needles] + extra
    assert [p in finder for p in probes] == [p in text for p in probes]


# --- unsafe YAML ----------------------------------------------------------------------


def test_python_tags_are_refused_and_never_run(write: Write, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = edited(
        ("title: Hold the line", f"title: !!python/object/apply:os.system ['touch {marker}']")
    )
    assert problems_of(write(text)) == [
        "cat.yaml:21:12: tag '!!python/object/apply:os.system' is not allowed:"
        " catalogues use plain YAML, no tags"
    ]
    assert not marker.exists()


def test_every_explicit_tag_is_refused(write: Write) -> None:
    text = edited(("title: Hold the line", "title: !!str Hold"), ("text: Hold", "text: !mine Hold"))
    assert problems_of(write(text)) == [
        "cat.yaml:21:12: tag '!!str' is not allowed: catalogues use plain YAML, no tags",
        "cat.yaml:22:11: tag '!mine' is not allowed: catalogues use plain YAML, no tags",
    ]


def test_anchors_and_aliases_are_refused(write: Write) -> None:
    text = edited(
        ("speaker: Chen Gang", "speaker: &who Chen Gang"),
        ("speaker: the conference", "speaker: *who"),
    )
    assert problems_of(write(text)) == [
        "cat.yaml:23:14: anchor '&who' is not allowed: catalogues use no anchors or aliases"
    ]


def test_billion_laughs_is_refused(write: Write) -> None:
    path = write((FIXTURES / "billion-laughs.yaml").read_bytes())
    assert problems_of(path) == [
        "cat.yaml:2:4: anchor '&a' is not allowed: catalogues use no anchors or aliases"
    ]


NESTED: dict[str, Callable[[int], bytes]] = {
    "flow-sequences": lambda n: b"[" * n + b"]" * n,
    "flow-mappings": lambda n: b"{a: " * n + b"1" + b"}" * n,
    "block-mappings": lambda n: b"".join(b" " * i + b"a:\n" for i in range(n)),
    "block-sequences": lambda n: b"- " * n + b"x\n",
}


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("depth", [65, 500, 1000, 100_000])
@pytest.mark.parametrize("shape", sorted(NESTED))
def test_deep_nesting_is_a_clean_error(
    write: Write, monkeypatch: pytest.MonkeyPatch, shape: str, depth: int, libyaml: bool
) -> None:
    if shape == "block-mappings" and depth > 1000:
        depth = 1000  # an indented line per level: 100,000 would be 5 GB of spaces
    monkeypatch.setattr(yamlsafe, "HAVE_LIBYAML", libyaml and yamlsafe.HAVE_LIBYAML)
    (problem,) = problems_of(write(NESTED[shape](depth)))
    assert "nesting" in problem, problem


def test_nesting_limit_names_the_position(write: Write) -> None:
    assert problems_of(write(b"schema: " + b"[" * 100 + b"]" * 100)) == [
        "cat.yaml:1:72: nesting deeper than 64 levels: not a catalogue"
    ]


# --- collecting every problem ---------------------------------------------------------


def test_check_lists_every_problem_of_every_file(write: Write) -> None:
    write(SOURCE, name="cats/source.txt")
    write(b"schema: [\n", name="cats/a.yaml")
    write(
        edited(("act: stressed", "act: shouted"), ("id: test-meeting", "id: b")), name="cats/b.yaml"
    )
    write(
        edited(("tags: [safety, risk]", "tags: 3"), ("id: test-meeting", "id: c")),
        name="cats/c.yml",
    )
    assert [str(p) for p in loader.check([Path("cats")])] == [
        "cats/a.yaml:2:1: invalid YAML: did not find expected node content"
        " (while parsing a flow node at line 2)",
        "cats/b.yaml:24:10: directives[0].act: 'shouted' is not one of pointed-out, requested,"
        " demanded, stressed",
        "cats/c.yml:19:9: duplicate directive id 'RC-1' (also at cats/b.yaml:19:9)",
        "cats/c.yml:27:11: directives[0].tags: expected a list of text, found the text '3'",
        "cats/c.yml:28:9: duplicate directive id 'RF-1' (also at cats/b.yaml:28:9)",
        "cats/c.yml:36:9: duplicate statistic id 'ST-1' (also at cats/b.yaml:36:9)",
    ]


def test_check_treats_each_path_as_its_own_catalogue(write: Write) -> None:
    path = write()
    assert loader.check([path, path]) == []
    assert [str(p) for p in loader.check([path, Path("missing.yaml")])] == [
        "missing.yaml:1:1: no such file or directory"
    ]


def test_check_is_empty_for_a_clean_catalogue(write: Write) -> None:
    assert loader.check([write()]) == []


def test_load_raises_catalogue_error_with_exit_code_3(write: Write) -> None:
    with pytest.raises(CatalogueError) as caught:
        loader.load(write(b"- x\n"))
    assert caught.value.exit_code == 3
    assert str(caught.value) == str(caught.value.problems[0])


def test_gc_state_is_restored(write: Write) -> None:
    path = write()
    assert gc.isenabled()
    loader.load(path)
    assert gc.isenabled()
    with pytest.raises(CatalogueError):
        loader.load(write(b"[", name="bad.yaml"))
    assert gc.isenabled()
    gc.disable()
    try:
        loader.load(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_file_problem_uses_the_path_as_given(write: Write) -> None:
    write(b"x: 1\n", name="dir/cat.yaml")
    problem = loader.check([Path("dir/cat.yaml")])[0]
    assert isinstance(problem, Problem)
    assert problem.file == "dir/cat.yaml"


def test_multi_meeting_fixture_directory_loads() -> None:
    catalogue = loader.load(FIXTURES / "two-meetings")
    assert [d.path for d in catalogue.documents] == [
        str(FIXTURES / "two-meetings" / "a-meeting.yaml"),
        str(FIXTURES / "two-meetings" / "b-meeting.yml"),
    ]
    assert [m.id for m in catalogue.meetings] == ["first-meeting", "second-meeting"]
    assert {d.meeting for d in catalogue.directives} == {"first-meeting", "second-meeting"}


# --- anything at all ------------------------------------------------------------------


def load_or_refuse(data: bytes) -> None:
    """load_files on one file: a Catalogue or a CatalogueError, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cat.yaml"
        path.write_bytes(data)
        try:
            result = loader.load_files([path])
        except CatalogueError as error:
            assert error.problems
            assert all(p.line >= 1 and p.column >= 1 for p in error.problems)
        else:
            assert isinstance(result, Catalogue)


HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=300, deadline=None, suppress_health_check=HEALTH)
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    load_or_refuse(data)


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(st.binary(max_size=200), st.sampled_from([b"schema: 1\n", b"\xef\xbb\xbf", b"- ", b"{"]))
def test_arbitrary_bytes_after_a_plausible_start(data: bytes, start: bytes) -> None:
    load_or_refuse(start + data)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["no", "2018", "2019-01-24", "1.10", "~", "RC-1", "stressed", "risk"]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(["id", "title", "schema", "meeting"])),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None, suppress_health_check=HEALTH)
@given(DOCUMENTS, st.booleans(), st.booleans())
def test_arbitrary_yaml_documents(document: object, flow: bool, unicode: bool) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=unicode)
    load_or_refuse(text.encode("utf-8"))


def _valid_tree() -> dict[str, object]:
    tree = yaml.safe_load(VALID)
    assert isinstance(tree, dict)
    tree["meeting"].pop("source")
    return tree


@st.composite
def mutated_catalogues(draw: st.DrawFn) -> object:
    """A valid catalogue with one value somewhere replaced by anything."""
    tree = _valid_tree()
    node: object = tree
    path: list[tuple[Any, Any]] = []
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        path.append((node, key))
        node = node[key]
    if path:
        parent, key = path[-1]
        parent[key] = draw(DOCUMENTS)
    return tree


@settings(max_examples=200, deadline=None, suppress_health_check=HEALTH)
@given(mutated_catalogues())
def test_mutated_catalogues(tree: object) -> None:
    load_or_refuse(yaml.safe_dump(tree, allow_unicode=True).encode("utf-8"))


def test_messages_escape_control_characters(write: Write) -> None:
    """`validate` prints catalogue text to a terminal: escapes must not reach it raw."""
    text = edited(
        ("quote: deepen the reform of safety supervision", 'quote: "\\e[31mred"'),
        ("    speaker: Chen Gang\n", '    speaker: Chen Gang\n    "\\e[2Jx": 1\n'),
    )
    assert problems_of(write(text)) == [
        "cat.yaml:24:5: unknown field '\\x1b[2Jx' in directives[0]",
        'cat.yaml:35:12: directives[1].quote not found in source source.txt: "\\x1b[31mred"',
    ]


def test_duplicate_across_files_is_placed_after_the_first_file_was_let_go(write: Write) -> None:
    """Clean files are not kept in memory; the first place is found by reading it again."""
    write(SOURCE, name="cats/source.txt")
    write(name="cats/a.yaml")
    second = edited(("id: test-meeting", "id: other-meeting"), ("id: ST-1", "id: ST-2"))
    write(edited(("id: RF-1", "id: RF-9"), text=second), name="cats/b.yaml")
    assert [str(p) for p in loader.check([Path("cats")])] == [
        "cats/b.yaml:19:9: duplicate directive id 'RC-1' (also at cats/a.yaml:19:9)"
    ]


def test_check_of_a_directory_reports_unreadable_files_and_still_checks_the_rest(
    tmp_path: Path,
) -> None:
    from directives_cli import loader

    bundled = paths.bundled_path().read_text(encoding="utf-8")
    (tmp_path / "a-typo.yaml").write_text(
        bundled.replace("    speaker: Chen Gang", "    speker: Chen Gang", 1), encoding="utf-8"
    )
    (tmp_path / "b-act.yaml").write_text(
        bundled.replace("meeting:\n  id: special-equipment-safety-2019", "meeting:\n  id: other")
        .replace("act: stressed", "act: no", 1)
        .replace("id: RC-", "id: XC-")
        .replace("id: RS-", "id: XS-")
        .replace("id: RF-", "id: XF-")
        .replace("id: CB-", "id: XB-")
        .replace("id: OV-", "id: XV-")
        .replace("id: ST-", "id: XT-"),
        encoding="utf-8",
    )
    os.symlink(paths.bundled_path().parent / "sources", tmp_path / "sources")
    os.mkfifo(tmp_path / "z-fifo.yaml")
    messages = [p.message for p in loader.check([tmp_path])]
    assert any("FIFO" in m for m in messages)
    assert any("speker" in m for m in messages)
    assert any("'no'" in m for m in messages)
