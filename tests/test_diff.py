"""`directives diff OLD NEW`: editions of a catalogue and two meetings compared through
the real CLI, in every format, with the exit statuses of diff(1)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import BUNDLED, SOURCE, Invoke
from directives_cli import diff
from directives_cli.worddiff import marked, word_diff

MEETING = "special-equipment-safety-2019"
#: What the edits below do, as (change, kind, id), in the order diff reports them.
EXPECTED = [
    ("changed", "meeting", MEETING),
    ("changed", "category", "reform"),
    ("added", "directive", "NEW-1"),
    ("changed", "directive", "OV-1"),
    ("changed", "directive", "OV-2"),
    ("removed", "directive", "RC-1"),
    ("changed", "statistic", "ST-1"),
]
OV1_OLD = (
    "The cadres and workers of the whole system should talk about politics and the overall "
    "situation."
)
OV1_NEW = (
    "The cadres and workers of the whole system must talk about politics and the overall "
    "situation, always."
)
NEW_DIRECTIVE = """  - id: NEW-1
    category: overall
    title: Keep to the overall situation
    text: Every department keeps to the overall situation.
    speaker: the conference
    act: stressed
    quote: "talk about politics"

"""


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def _drop_directive(text: str, ident: str) -> str:
    start = text.index(f"  - id: {ident}\n")
    end = text.index("  - id:", start + 1)
    return text[:start] + text[end:]


#: The bundled reform theme's title, as the source words the theme.
REFORM_TITLE = "Deepen the reform of safety supervision and innovate the working mechanism"


def edited(text: str) -> str:
    """The bundled catalogue edited: a meeting field, a category title, a directive's
    text, a directive moved to another category, one removed, one added, a statistic."""
    text = _replace_once(text, 'location: "Hefei, Anhui"', 'location: "Hefei, Anhui Province"')
    text = _replace_once(text, f"title: {REFORM_TITLE}\n", "title: Reform and innovation\n")
    text = _replace_once(
        text,
        "should talk about politics and the overall\n      situation.",
        "must talk about politics and the overall\n      situation, always.",
    )
    text = _replace_once(
        text, "  - id: OV-2\n    category: overall", "  - id: OV-2\n    category: reform"
    )
    text = _drop_directive(text, "RC-1")
    text = _replace_once(text, "directives:\n", "directives:\n" + NEW_DIRECTIVE)
    return _replace_once(text, "change: decreased significantly", "change: fell by a third")


@dataclass(frozen=True)
class Editions:
    old: Path
    new: Path
    root: Path


def _edition(folder: Path, text: str) -> Path:
    (folder / "sources").mkdir(parents=True)
    shutil.copy(SOURCE, folder / "sources" / SOURCE.name)
    path = folder / "directives.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Editions:
    """Two editions of the bundled catalogue, each beside its source, written once."""
    root = tmp_path_factory.mktemp("editions")
    text = BUNDLED.read_text(encoding="utf-8")
    return Editions(_edition(root / "old", text), _edition(root / "new", edited(text)), root)


def run_diff(cli: Invoke, editions: Editions, *args: str) -> tuple[int, str, str]:
    result = cli("diff", str(editions.old), str(editions.new), *args)
    return result.code, result.out, result.err


# ---- by id, every format ------------------------------------------------------------------


def test_json_records_name_every_change_and_field(cli: Invoke, editions: Editions) -> None:
    code, out, err = run_diff(cli, editions, "-f", "json")
    assert code == 1, err
    records = json.loads(out)
    assert [(r["change"], r["kind"], r["id"]) for r in records] == EXPECTED
    assert all(list(r) == ["change", "kind", "meeting", "id", "fields"] for r in records)
    by_id = {r["id"]: r for r in records}
    assert by_id[MEETING]["fields"] == {
        "location": {"old": "Hefei, Anhui", "new": "Hefei, Anhui Province"}
    }
    assert by_id["reform"]["fields"] == {
        "title": {"old": REFORM_TITLE, "new": "Reform and innovation"}
    }
    assert by_id["OV-1"]["fields"] == {"text": {"old": OV1_OLD, "new": OV1_NEW}}
    assert by_id["OV-2"]["fields"] == {"category": {"old": "overall", "new": "reform"}}
    assert by_id["ST-1"]["fields"] == {
        "change": {"old": "decreased significantly", "new": "fell by a third"}
    }
    added, removed = by_id["NEW-1"]["fields"], by_id["RC-1"]["fields"]
    assert added["title"] == {"old": None, "new": "Keep to the overall situation"}
    assert removed["title"] == {"old": "Strengthen risk prevention and control", "new": None}
    assert all(v["old"] is None for v in added.values())
    assert all(v["new"] is None for v in removed.values())


def test_jsonl_and_yaml_hold_the_json_records(cli: Invoke, editions: Editions) -> None:
    records = json.loads(run_diff(cli, editions, "-f", "json")[1])
    code, out, _ = run_diff(cli, editions, "-f", "jsonl")
    assert code == 1
    assert [json.loads(line) for line in out.splitlines()] == records
    code, out, _ = run_diff(cli, editions, "-f", "yaml")
    assert code == 1
    assert yaml.safe_load(out) == records


def test_plain_is_one_line_per_changed_field_with_word_diff(
    cli: Invoke, editions: Editions
) -> None:
    code, out, _ = run_diff(cli, editions, "-f", "plain")
    assert code == 1
    lines = out.splitlines()
    assert f"changed\tdirective\t{MEETING}\tOV-2\tcategory\t[-overall-]{{+reform+}}" in lines
    ov1 = next(line for line in lines if "\tOV-1\t" in line)
    assert ov1.split("\t")[4:] == [
        "text",
        "The cadres and workers of the whole system [-should-]{+must+} talk about politics"
        " and the overall situation{+, always+}.",
    ]
    assert f"removed\tdirective\t{MEETING}\tRC-1\t\tStrengthen risk prevention and control" in lines
    assert f"added\tdirective\t{MEETING}\tNEW-1\t\tKeep to the overall situation" in lines
    assert f"changed\tmeeting\t{MEETING}\t{MEETING}\tlocation\tHefei, Anhui{{+ Province+}}" in lines
    assert all(line.count("\t") == 5 for line in lines)


def test_plain_is_the_default_when_piped(cli: Invoke, editions: Editions) -> None:
    assert run_diff(cli, editions)[1] == run_diff(cli, editions, "-f", "plain")[1]


def test_ids_are_the_directives_that_differ(cli: Invoke, editions: Editions) -> None:
    code, out, _ = run_diff(cli, editions, "-f", "ids")
    assert (code, out) == (1, "NEW-1\nOV-1\nOV-2\nRC-1\n")


def test_csv_is_one_row_per_field(cli: Invoke, editions: Editions) -> None:
    code, out, _ = run_diff(cli, editions, "-f", "csv")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert list(rows[0]) == ["change", "kind", "meeting", "id", "field", "old", "new"]
    moved = [r for r in rows if r["id"] == "OV-2"]
    assert [(r["field"], r["old"], r["new"]) for r in moved] == [("category", "overall", "reform")]
    removed = {r["field"]: r for r in rows if r["id"] == "RC-1"}
    assert json.loads(removed["tags"]["old"]) == ["risk", "prevention", "supervision-departments"]
    assert removed["tags"]["new"] == ""


def test_markdown_is_a_review_comment(cli: Invoke, editions: Editions) -> None:
    code, out, _ = run_diff(cli, editions, "-f", "markdown")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "**directives diff**: 1 added, 1 removed, 5 changed"
    assert f'- **changed** directive `OV-2` in `{MEETING}`: Realize the "two mistakes' in out
    assert "  - category: ~~overall~~**reform**" in lines
    assert "system ~~should~~**must** talk" in out


@pytest.mark.parametrize("color", ["never", "always"])
def test_table_marks_changes_with_and_without_colour(
    cli: Invoke, editions: Editions, color: str
) -> None:
    code, out, _ = run_diff(cli, editions, "-f", "table", "--color", color)
    assert code == 1
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "[-overall-]{+reform+}" in plain
    assert "[-should-]{+must+}" in plain
    assert plain.rstrip().endswith("1 added, 1 removed, 5 changed")
    assert ("\x1b[" in out) is (color == "always")


def test_reversed_editions_swap_added_and_removed(cli: Invoke, editions: Editions) -> None:
    result = cli("diff", str(editions.new), str(editions.old), "-f", "jsonl")
    records = [json.loads(line) for line in result.out.splitlines()]
    assert result.code == 1
    assert {(r["change"], r["id"]) for r in records if r["change"] != "changed"} == {
        ("removed", "NEW-1"),
        ("added", "RC-1"),
    }


@pytest.mark.parametrize("fmt", ["plain", "json", "jsonl", "csv", "yaml", "ids", "markdown"])
def test_identical_catalogues_exit_0(cli: Invoke, editions: Editions, fmt: str) -> None:
    result = cli("diff", str(editions.old), str(BUNDLED), "-f", fmt)
    assert result.code == 0, result.err
    empty = {"json": "[]\n", "yaml": "[]\n", "csv": "change,kind,meeting,id,field,old,new\r\n"}
    expected = empty.get(fmt, "**directives diff**: no differences\n" if fmt == "markdown" else "")
    assert result.out == expected


def test_folders_pair_meetings_by_id(cli: Invoke, tmp_path: Path) -> None:
    from conftest import catalogue_text

    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        (folder / "a.yaml").write_text(catalogue_text([{"id": "A-1"}], meeting_id="a"), "utf-8")
    (old / "b.yaml").write_text(catalogue_text([{"id": "B-1"}], meeting_id="b"), "utf-8")
    result = cli("diff", str(old), str(new), "-f", "jsonl")
    assert result.code == 1
    records = [json.loads(line) for line in result.out.splitlines()]
    assert [(r["change"], r["kind"], r["meeting"], r["id"]) for r in records] == [
        ("removed", "meeting", "b", "b"),
        ("removed", "category", "b", "alpha"),
        ("removed", "category", "b", "beta"),
        ("removed", "directive", "b", "B-1"),
    ]


# ---- invalid sides and missing sources -----------------------------------------------------


def test_an_invalid_side_exits_3_naming_file_line_column(
    cli: Invoke, editions: Editions, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        edited(BUNDLED.read_text(encoding="utf-8")).replace("act: stressed", "act: shouted", 1),
        encoding="utf-8",
    )
    result = cli("diff", str(editions.old), str(bad))
    assert (result.code, result.out) == (3, "")
    assert re.fullmatch(
        rf"directives: error: {re.escape(str(bad))}:\d+:\d+: directives\[\d+\]\.act: "
        r"'shouted' is not one of .*\n",
        result.err,
    )


def test_a_missing_side_exits_3(cli: Invoke, editions: Editions, tmp_path: Path) -> None:
    result = cli("diff", str(tmp_path / "nope.yaml"), str(editions.new))
    assert result.code == 3
    assert (
        result.err
        == f"directives: error: {tmp_path / 'nope.yaml'}:1:1: no such file or directory\n"
    )


def test_old_edition_without_its_source_is_compared_with_a_note(
    cli: Invoke, editions: Editions, tmp_path: Path
) -> None:
    """`git show HEAD~1:x.yaml > old.yaml` writes the old edition where its source is not."""
    old = tmp_path / "old.yaml"
    shutil.copy(editions.old, old)
    result = cli("diff", str(old), str(editions.new), "-f", "ids")
    assert (result.code, result.out) == (1, "NEW-1\nOV-1\nOV-2\nRC-1\n")
    assert re.fullmatch(
        rf"directives: note: {re.escape(str(old))}: quotes not checked: {re.escape(str(old))}"
        r":\d+:\d+: meeting\.source\.file: cannot read .*\n",
        result.err,
    )
    strict = cli("diff", str(old), str(editions.new), "--check-quotes")
    assert (strict.code, strict.out) == (3, "")
    assert "meeting.source.file: cannot read" in strict.err


def test_without_sources_structural_problems_still_fail(cli: Invoke, tmp_path: Path) -> None:
    broken = tmp_path / "old.yaml"
    broken.write_text(
        BUNDLED.read_text(encoding="utf-8").replace("act: requested", "akt: requested", 1)
    )
    result = cli("diff", str(broken), str(BUNDLED))
    assert result.code == 3
    assert re.match(rf"directives: error: {re.escape(str(broken))}:\d+:\d+: .*akt", result.err)


# ---- by words ------------------------------------------------------------------------------


def next_year(text: str) -> str:
    """The edited edition as another meeting: new meeting id, every directive renamed."""
    text = text.replace(f"id: {MEETING}", "id: special-equipment-safety-2020", 1)
    return re.sub(r"^  - id: ([A-Z]+-\d+)", r"  - id: Y20-\1", text, flags=re.M)


@pytest.fixture(scope="session")
def next_meeting(editions: Editions) -> Path:
    path = editions.new.with_name("next-year.yaml")
    path.write_text(next_year(editions.new.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_match_text_pairs_directives_under_other_ids(
    cli: Invoke, editions: Editions, next_meeting: Path
) -> None:
    result = cli("diff", str(editions.old), str(next_meeting), "--match", "text", "-f", "json")
    assert result.code == 1, result.err
    records = json.loads(result.out)
    assert {r["kind"] for r in records} == {"directive"}
    assert all(
        list(r) == ["change", "kind", "meeting", "id", "old_id", "similarity", "fields"]
        for r in records
    )
    by_id = {r["id"]: r for r in records}
    assert by_id["Y20-OV-1"]["change"] == "changed"
    assert by_id["Y20-OV-1"]["old_id"] == "OV-1"
    assert 0.5 <= by_id["Y20-OV-1"]["similarity"] < 1
    assert by_id["Y20-OV-1"]["fields"] == {"text": {"old": OV1_OLD, "new": OV1_NEW}}
    # Moved to another category, same words: unchanged when paired by words.
    assert by_id["Y20-OV-2"] | {"fields": None} == {
        "change": "unchanged",
        "kind": "directive",
        "meeting": "special-equipment-safety-2020",
        "id": "Y20-OV-2",
        "old_id": "OV-2",
        "similarity": 1.0,
        "fields": None,
    }
    unpaired = {(r["change"], r["id"]) for r in records if r["old_id"] is None}
    assert unpaired == {("added", "Y20-NEW-1"), ("removed", "RC-1")}
    paired = [r for r in records if r["old_id"] is not None]
    assert all(r["id"] == f"Y20-{r['old_id']}" for r in paired)
    assert len(paired) == 39


def test_match_text_is_0_for_the_same_words_under_new_ids(cli: Invoke, tmp_path: Path) -> None:
    renamed = tmp_path / "renamed.yaml"
    shutil.copytree(SOURCE.parent, tmp_path / "sources")
    renamed.write_text(next_year(BUNDLED.read_text(encoding="utf-8")), encoding="utf-8")
    assert cli("diff", str(BUNDLED), str(renamed)).code == 1
    result = cli("diff", str(BUNDLED), str(renamed), "--match", "text", "-f", "plain")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 40
    assert all(line.startswith("unchanged\tdirective\t") for line in lines)
    assert lines[0].split("\t")[3:6] == ["Y20-OV-1", "OV-1", "1.0"]


def test_threshold_1_pairs_only_the_same_words(
    cli: Invoke, editions: Editions, next_meeting: Path
) -> None:
    result = cli(
        "diff",
        str(editions.old),
        str(next_meeting),
        "--match",
        "text",
        "--threshold",
        "1",
        "-f",
        "jsonl",
    )
    records = [json.loads(line) for line in result.out.splitlines()]
    assert {(r["change"], r["id"]) for r in records if r["change"] in ("added", "removed")} == {
        ("added", "Y20-NEW-1"),
        ("added", "Y20-OV-1"),
        ("removed", "RC-1"),
        ("removed", "OV-1"),
    }


@pytest.mark.parametrize("value", ["0", "1.5", "-1", "nan"])
def test_a_threshold_out_of_range_is_a_usage_error(
    cli: Invoke, editions: Editions, value: str
) -> None:
    result = cli(
        "diff", str(editions.old), str(editions.new), "--match", "text", "--threshold", value
    )
    assert result.code == 2
    assert result.err.startswith("directives: error: --threshold must be above 0 and at most 1")


def test_greedy_pairing_takes_the_best_pair_first_and_each_old_once(tmp_path: Path) -> None:
    def side(*texts: str) -> diff.Side:
        from directives_cli.model import Directive

        items = tuple(
            Directive(f"D-{n}", "m", "c", t, t, "s", "stressed", t) for n, t in enumerate(texts)
        )
        return diff.Side(str(tmp_path), (), items)

    old = side("inspect boilers weekly", "train elevator inspectors")
    new = side("train the elevator inspectors", "inspect boilers weekly", "inspect boilers daily")
    changes = diff.match_text(old, new, 0.3)
    assert [(c.change, c.id, c.old_id) for c in changes] == [
        ("changed", "D-0", "D-1"),
        ("unchanged", "D-1", "D-0"),
        ("added", "D-2", None),
    ]


def test_match_text_output_does_not_depend_on_hash_seed(
    sh: Callable[..., subprocess.CompletedProcess[str]], editions: Editions, next_meeting: Path
) -> None:
    command = f"directives diff {editions.old} {next_meeting} --match text -f jsonl --no-cache"
    outputs = {sh(command, env={"PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(outputs) == 1
    assert outputs.pop().count("\n") == 41


# ---- the word diff -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("a b c", "a x c", "a [-b-]{+x+} c"),
        ("keep it", "keep it", "keep it"),
        ("", "new words", "{+new words+}"),
        ("old words", "", "[-old words-]"),
        ("safety, first.", "safety first!", "safety[-,-] first[-.-]{+!+}"),
    ],
)
def test_word_diff_marks(old: str, new: str, expected: str) -> None:
    pieces = word_diff(old, new)
    assert marked(pieces) == expected
    assert "".join(t for op, t in pieces if op != "+") == old
    assert "".join(t for op, t in pieces if op != "-") == new


def test_catalogue_text_is_escaped_not_markup(cli: Invoke, tmp_path: Path) -> None:
    from conftest import catalogue_text

    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(catalogue_text([{"id": "A-1", "title": "plain"}]), "utf-8")
    new.write_text(catalogue_text([{"id": "A-1", "title": "[bold]x\x1b[2J"}]), "utf-8")
    table = cli("diff", str(old), str(new), "-f", "table", "--color", "never")
    assert "{+[bold]x\\x1b[2J+}" in table.out
    plain = cli("diff", str(old), str(new), "-f", "plain")
    assert plain.out.endswith("\ttitle\t[-plain-]{+[bold]x\\x1b[2J+}\n")
    assert "\x1b" not in table.out + plain.out


# ---- documentation and git -----------------------------------------------------------------


def test_help_documents_threshold_default_and_exit_statuses(cli: Invoke) -> None:
    result = cli("diff", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert f"[default: {diff.DEFAULT_THRESHOLD}]" in text
    assert "directives diff old.yaml meetings/x.yaml" in text
    assert "1 they differ" in text


def _git_driver_command() -> str:
    """The wrapper README documents, read from README so the two cannot drift apart."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"^git config diff\.directives\.command '(.+)'$", readme, re.M)
    assert found, "README lacks the git config line of the diff driver"
    return found.group(1)


def test_git_diff_driver_from_readme(
    sh: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    assert shutil.which("git"), "git is needed for this test"
    repo = tmp_path / "repo"
    meetings = repo / "meetings"
    (meetings / "sources").mkdir(parents=True)
    shutil.copy(SOURCE, meetings / "sources" / SOURCE.name)
    text = BUNDLED.read_text(encoding="utf-8")
    (meetings / "x.yaml").write_text(text, encoding="utf-8")
    (repo / ".gitattributes").write_text("meetings/*.yaml diff=directives\n", encoding="utf-8")
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    git = "git -c user.name=t -c user.email=t@example.org"
    setup = sh(f"cd {repo} && git init -q && git add . && {git} commit -qm one", env=env)
    assert setup.returncode == 0, setup.stderr
    (meetings / "x.yaml").write_text(edited(text), encoding="utf-8")
    command = _git_driver_command().replace("'", "'\\''")
    result = sh(f"cd {repo} && git -c diff.directives.command='{command}' diff", env=env)
    assert result.returncode == 0, result.stderr
    assert "directives diff meetings/x.yaml" in result.stdout
    assert "[-should-]{+must+}" in result.stdout
    assert "removed\tdirective" in result.stdout
    review = sh(
        f"cd {repo} && git show HEAD:meetings/x.yaml > old.yaml && "
        "directives diff old.yaml meetings/x.yaml -f ids",
        env=env,
    )
    assert (review.returncode, review.stdout) == (1, "NEW-1\nOV-1\nOV-2\nRC-1\n")


def test_a_changed_note_is_a_change_of_its_own_field(cli: Invoke, tmp_path: Path) -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    noted = _replace_once(
        text,
        "    title: Politics and overall aims\n",
        "    title: Politics and overall aims\n    note: An editor's grouping.\n",
    )
    noted = _replace_once(noted, "A reading of a machine translation: possibly", "Possibly")
    old, new = _edition(tmp_path / "old", text), _edition(tmp_path / "new", noted)
    result = cli("diff", str(old), str(new), "-f", "json")
    assert result.code == 1, result.err
    fields = {r["id"]: r["fields"] for r in json.loads(result.out)}
    assert list(fields) == ["overall", "RF-4"]
    assert fields["overall"] == {"note": {"old": None, "new": "An editor's grouping."}}
    assert list(fields["RF-4"]) == ["note"]
