"""`directives draft`: drafted catalogues are valid as written, find the instructions a
careful author would catalogue, and keep the command's contract (output, errors)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from conftest import REPO, SOURCE, Invoke, directives_command

FIXTURES = REPO / "tests" / "fixtures" / "draft"
REPORTS = sorted(FIXTURES.glob("*.txt"))


def _scorer() -> ModuleType:
    """The benchmark's matcher, so the test and the printed table agree."""
    spec = importlib.util.spec_from_file_location("draft_score", REPO / "benchmarks/draft_score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SCORE = _scorer()


def _draft(report: Path, folder: Path, *args: str) -> str:
    """Copy a report into a folder and draft it there as a user would: a subprocess
    in that folder, YAML on stdout."""
    shutil.copy(report, folder / report.name)
    result = subprocess.run(
        [*directives_command(), "draft", report.name, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def bundled_draft(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The bundled report drafted once for the session: (the YAML's path, its text)."""
    folder = tmp_path_factory.mktemp("bundled")
    text = _draft(SOURCE, folder)
    path = folder / "draft.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.fixture(scope="session")
def fixture_drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each test report drafted once for the session."""
    drafts = {}
    for report in REPORTS:
        folder = tmp_path_factory.mktemp(report.stem)
        text = _draft(report, folder)
        path = folder / "draft.yaml"
        path.write_text(text, encoding="utf-8")
        drafts[report.stem] = (path, text)
    return drafts


def test_bundled_report_matches_the_hand_made_catalogue(bundled_draft: tuple[Path, str]) -> None:
    drafted = yaml.safe_load(bundled_draft[1])["directives"]
    expected = yaml.safe_load((REPO / "data/directives.yaml").read_text("utf-8"))["directives"]
    table = SCORE.score(drafted, expected)
    matched = [want["id"] for want, got in table if got is not None]
    used = {id(got) for _, got in table if got is not None}
    unmatched = [d["id"] for d in drafted if id(d) not in used]
    assert len(matched) >= 36, [want["id"] for want, got in table if got is None]
    assert len(unmatched) <= 4, unmatched


def test_bundled_draft_validates(cli: Invoke, bundled_draft: tuple[Path, str]) -> None:
    result = cli("validate", str(bundled_draft[0]))
    assert (result.code, result.out) == (0, ""), result.out


def test_bundled_draft_meeting(bundled_draft: tuple[Path, str]) -> None:
    meeting = yaml.safe_load(bundled_draft[1])["meeting"]
    hand = yaml.safe_load((REPO / "data/directives.yaml").read_text("utf-8"))["meeting"]
    for key in ("title", "start", "end", "location", "published_title"):
        assert meeting[key] == hand[key], key
    assert meeting["speakers"] == hand["speakers"]


def test_bundled_draft_keeps_the_assessment_behind_a_comment(
    bundled_draft: tuple[Path, str],
) -> None:
    comments = [line for line in bundled_draft[1].splitlines() if line.lstrip().startswith("#")]
    assessment = "Chen Gang pointed out that the national special equipment security front"
    assert any(assessment in line and "assessment" in line for line in comments)
    quotes = [d["quote"] for d in yaml.safe_load(bundled_draft[1])["directives"]]
    assert not any("achieving remarkable results" in q for q in quotes)


def test_bundled_draft_statistics(bundled_draft: tuple[Path, str]) -> None:
    stats = yaml.safe_load(bundled_draft[1])["statistics"]
    assert [(s["period"], s["change"]) for s in stats] == [("2018", "-45%"), ("2018", "-46%")]
    assert "elevator accidents" in stats[0]["subject"]


@pytest.mark.parametrize("stem", [r.stem for r in REPORTS])
def test_test_report_drafts_its_instructions(
    stem: str, fixture_drafts: dict[str, tuple[Path, str]]
) -> None:
    expected = yaml.safe_load((FIXTURES / f"{stem}.expected.yaml").read_text("utf-8"))
    drafted = yaml.safe_load(fixture_drafts[stem][1])
    table = SCORE.score(drafted["directives"], expected["directives"])
    missing = [want["quote"] for want, got in table if got is None]
    assert not missing
    used = {id(got) for _, got in table if got is not None}
    assert [d["quote"] for d in drafted["directives"] if id(d) not in used] == []
    for key, value in expected["meeting"].items():
        assert drafted["meeting"][key] == value, key
    assert len(drafted.get("statistics", [])) == expected["statistics"]


@pytest.mark.parametrize("stem", [r.stem for r in REPORTS])
def test_test_report_draft_validates(
    cli: Invoke, stem: str, fixture_drafts: dict[str, tuple[Path, str]]
) -> None:
    result = cli("validate", str(fixture_drafts[stem][0]))
    assert (result.code, result.out) == (0, ""), result.out


def test_both_languages_are_covered() -> None:
    assert sum(r.name.startswith("en-") for r in REPORTS) >= 3
    assert sum(r.name.startswith("zh-") for r in REPORTS) >= 3


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled report in a fresh current folder."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "report.txt"
    shutil.copy(SOURCE, path)
    return path


def test_same_input_same_bytes(cli: Invoke, report: Path) -> None:
    first, second = cli("draft", "report.txt"), cli("draft", "report.txt")
    assert first.code == 0 and first.out == second.out and first.out.startswith("schema: 1\n")


def test_stdout_draft_validates_in_the_shell(
    sh: Callable[..., subprocess.CompletedProcess[str]], report: Path
) -> None:
    loop = "directives draft report.txt > r.yaml && directives validate r.yaml"
    result = sh(f"cd '{report.parent}' && {loop}")
    assert result.returncode == 0, result.stderr
    assert "source.file" not in result.stdout


def test_output_file_refuses_to_overwrite(cli: Invoke, report: Path) -> None:
    target = report.parent / "out.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = cli("draft", "report.txt", "-o", "out.yaml")
    assert result.code == 2
    assert result.err == "directives: error: out.yaml exists; use --force to overwrite it\n"
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = cli("draft", "report.txt", "-o", "out.yaml", "--force")
    assert forced.code == 0 and forced.out == ""
    assert target.read_text(encoding="utf-8") == cli("draft", "report.txt").out


def test_output_in_another_folder_names_the_report_from_there(cli: Invoke, report: Path) -> None:
    (report.parent / "catalogues").mkdir()
    shutil.move(report, report.parent / "catalogues" / "report.txt")
    result = cli("draft", "catalogues/report.txt", "-o", "catalogues/meeting.yaml")
    assert result.code == 0, result.err
    drafted = yaml.safe_load((report.parent / "catalogues/meeting.yaml").read_text("utf-8"))
    assert drafted["meeting"]["source"]["file"] == "report.txt"
    assert cli("validate", "catalogues/meeting.yaml").code == 0


def test_report_outside_the_yaml_folder_is_refused(cli: Invoke, report: Path) -> None:
    (report.parent / "sub").mkdir()
    result = cli("draft", "report.txt", "-o", "sub/meeting.yaml")
    assert result.code == 2
    assert result.err.startswith("directives: error: report.txt is outside the folder of")
    assert "source.file must be inside" in result.err and result.err.count("\n") == 1
    assert not (report.parent / "sub/meeting.yaml").exists()


def test_no_year_requires_start(cli: Invoke, report: Path) -> None:
    text = "Work Conference\n\nOn May 3, the Harbour Safety Work Conference was held in Ningbo. "
    text += "The meeting requested that port companies should inspect every crane.\n"
    report.write_text(text, encoding="utf-8")
    result = cli("draft", "report.txt")
    assert result.code == 2
    assert "no year" in result.err and "--start YYYY-MM-DD" in result.err
    dated = cli("draft", "report.txt", "--start", "2024-05-03")
    assert dated.code == 0
    assert 'start: "2024-05-03"' in dated.out and "inspect every crane" in dated.out


def test_bad_start_is_a_usage_error(cli: Invoke, report: Path) -> None:
    result = cli("draft", "report.txt", "--start", "2019-02-30")
    assert result.code == 2 and "--start" in result.err


def test_missing_and_non_utf8_reports(cli: Invoke, report: Path) -> None:
    missing = cli("draft", "nowhere.txt")
    assert (missing.code, missing.err) == (2, "directives: error: nowhere.txt: no such file\n")
    report.write_bytes(b"Title\n\nline two \xff\n")
    bad = cli("draft", "report.txt")
    assert bad.code == 2
    assert bad.err.startswith("directives: error: report.txt:3: not UTF-8 text")


def test_lang_forces_the_rules(cli: Invoke, report: Path) -> None:
    shutil.copy(FIXTURES / "zh-food-safety-2022.txt", report)
    detected = cli("draft", "report.txt")
    forced = cli("draft", "report.txt", "--lang", "zh")
    assert detected.code == forced.code == 0 and detected.out == forced.out
    assert 'speaker: "王华"' in forced.out
    # Read as English, the Chinese dates and instructions are not found.
    assert "found no date" in cli("draft", "report.txt", "--lang", "en").err
    english = cli("draft", "report.txt", "--lang", "en", "--start", "2022-01-10")
    assert english.code == 0 and yaml.safe_load(english.out)["directives"] == []
    assert cli("draft", "report.txt", "--lang", "fr").code == 2


def test_categories_from_a_catalogue_are_suggested(cli: Invoke, report: Path) -> None:
    result = cli("draft", "report.txt", "--categories", str(REPO / "data/directives.yaml"))
    assert result.code == 0, result.err
    drafted = yaml.safe_load(result.out)
    hand = yaml.safe_load((REPO / "data/directives.yaml").read_text("utf-8"))
    assert [c["id"] for c in drafted["categories"]] == [c["id"] for c in hand["categories"]]
    chosen = {d["quote"]: d["category"] for d in drafted["directives"]}
    agree = sum(chosen.get(d["quote"]) == d["category"] for d in hand["directives"])
    assert agree >= 20, agree
    assert result.out.count("# category suggested") == len(drafted["directives"])
    (report.parent / "r.yaml").write_text(result.out, encoding="utf-8")
    assert cli("validate", "r.yaml").code == 0


def test_control_characters_in_a_report_are_escaped(cli: Invoke, report: Path) -> None:
    text = report.read_text(encoding="utf-8").replace(
        "achieving remarkable results", "achieving \x1b[31mremarkable results"
    )
    report.write_text(text, encoding="utf-8")
    result = cli("draft", "report.txt")
    assert result.code == 0 and "\x1b" not in result.out
    (report.parent / "r.yaml").write_text(result.out, encoding="utf-8")
    assert cli("validate", "r.yaml").code == 0


def test_draft_help_has_examples(cli: Invoke) -> None:
    result = cli("draft", "--help")
    assert result.code == 0 and "directives draft report.txt > report.yaml" in result.out


def test_draft_imports_no_cli_module() -> None:
    code = (
        "import sys, directives_cli.draft as d, directives_cli.draft.files;"
        "bad = [m for m in sys.modules if m.startswith('directives_cli.') and "
        "m.split('.')[1] in ('cli', 'commands', 'options', 'fastpath', 'render', 'output')];"
        "print(bad)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_pre_commit_hook_runs_validate(
    sh: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hook["id"] == "directives-validate" and hook["language"] == "python"
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: 1\nmeeting: {}\n", encoding="utf-8")
    good = sh(f"{hook['entry']} '{REPO / 'data/directives.yaml'}'")
    bad = sh(f"{hook['entry']} '{broken}'")
    assert (good.returncode, bad.returncode) == (0, 3)
    assert bad.stdout.startswith(f"{broken}:")


def test_report_with_only_an_assessment_drafts_no_directive(cli: Invoke, report: Path) -> None:
    text = "Harbour Work Conference\n\nOn May 3, 2024, the Harbour Work Conference was held in "
    text += "Ningbo. Li Hua pointed out that the port has done well.\n"
    report.write_text(text, encoding="utf-8")
    result = cli("draft", "report.txt")
    assert result.code == 0 and yaml.safe_load(result.out)["directives"] == []
    assert "# Left out, check it" in result.out and "the port has done well" in result.out
    (report.parent / "r.yaml").write_text(result.out, encoding="utf-8")
    assert cli("validate", "r.yaml").code == 0


def test_speaker_named_before_a_role(cli: Invoke, report: Path) -> None:
    text = "Flood Control Conference\n\nOn June 2, 2023, the Hubei Flood Control Conference "
    text += "was held in Wuhan. Li Ming, Vice Governor of Hubei, stressed that dike patrols must "
    text += "cover every section and reservoirs should lower their water levels. He demanded "
    text += "that cities must clear their drainage pipes.\n"
    report.write_text(text, encoding="utf-8")
    result = cli("draft", "report.txt")
    assert result.code == 0, result.err
    drafted = yaml.safe_load(result.out)
    assert drafted["meeting"]["speakers"] == [{"name": "Li Ming", "role": "Vice Governor of Hubei"}]
    assert {(d["speaker"], d["act"]) for d in drafted["directives"]} == {
        ("Li Ming", "stressed"),
        ("Li Ming", "demanded"),
    }
    assert "clear their drainage pipes" in [d["quote"] for d in drafted["directives"]]
