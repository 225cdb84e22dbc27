"""The benchmark tooling: the generator's catalogues and the harness's plumbing.

No timing here (issue 5: performance is measured as ratios by benchmarks/run.py, never asserted
in tests). What is checked is what makes the numbers meaningful: the generated catalogue is
deterministic, valid and the same records as its JSON twin, and the harness reads a child's
output, exit status and peak memory correctly, on a pipe and on a pseudo-terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import Invoke
from directives_cli import loader
from directives_cli.model import ACTS
from fixtures.bench.scripts import script

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


generate = script("generate")
run = script("run")


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _yaml(path: Path) -> dict[str, object]:
    """One generated file, parsed as the product's loader parses it (C loader)."""
    with path.open("rb") as handle:
        data = yaml.load(handle, Loader=yaml.CSafeLoader)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> generate.Generated:
    """One catalogue of 1,000 directives, shared by the tests that only read it."""
    return generate.generate(1000, tmp_path_factory.mktemp("bench"), seed=1)


def test_same_arguments_write_the_same_bytes(tmp_path: Path) -> None:
    generate.main(["--directives", "1000", "--out", str(tmp_path / "a")])
    generate.main(["--directives", "1000", "--out", str(tmp_path / "b"), "--seed", "1"])
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second
    assert len(first) == 4 + 4 + 1  # meeting files, their sources, the JSON twin


def test_another_seed_writes_another_catalogue(tmp_path: Path) -> None:
    one = generate.generate(200, tmp_path / "a", seed=1)
    two = generate.generate(200, tmp_path / "b", seed=2)
    assert one.json_file.read_bytes() != two.json_file.read_bytes()


def test_requested_count_in_several_files(made: generate.Generated) -> None:
    counts = [len(_yaml(path)["directives"]) for path in made.files]
    assert made.count == sum(counts) == 1000
    assert len(made.files) >= 4
    assert sorted(made.files) == list(made.files), "files sort in meeting order"


def test_large_catalogues_stay_within_the_per_file_bound() -> None:
    assert generate.split_counts(100_000, 10_000) == [10_000] * 10
    assert generate.split_counts(10_000, 10_000) == [2500] * 4
    assert sum(generate.split_counts(12_345, 10_000)) == 12_345
    assert generate.split_counts(2, 10_000) == [1, 1]


def test_records_look_like_real_directives(made: generate.Generated) -> None:
    records = json.loads(made.json_file.read_text(encoding="utf-8"))["directives"]
    for record in records:
        assert 40 <= len(record["title"]) <= 70
        assert 200 <= len(record["text"]) <= 400
        assert 60 <= len(record["quote"]) <= 150
        assert 2 <= len(record["tags"]) <= 4
        assert 0 <= len(record["addressees"]) <= 2
        assert record["act"] in ACTS
    for path in made.files:
        assert 4 <= len(_yaml(path)["categories"]) <= 6


def test_generated_catalogue_is_valid(made: generate.Generated) -> None:
    assert loader.check([made.directory]) == []


@pytest.mark.typer_only
def test_validate_command_accepts_it(made: generate.Generated, cli: Invoke) -> None:
    result = cli("validate", str(made.directory))
    assert result.code == 0, result.out + result.err


def test_every_quote_is_in_its_meetings_source(made: generate.Generated) -> None:
    for path in made.files:
        data = _yaml(path)
        meeting = data["meeting"]
        assert isinstance(meeting, dict)
        source = (path.parent / meeting["source"]["file"]).read_text(encoding="utf-8")
        for item in [*data["directives"], *data["statistics"]]:
            assert item["quote"] in source


def test_json_twin_holds_the_same_records(made: generate.Generated) -> None:
    twin = json.loads(made.json_file.read_text(encoding="utf-8"))["directives"]
    from_yaml = []
    for path in made.files:
        data = _yaml(path)
        meeting = data["meeting"]["id"]
        for item in data["directives"]:
            record = {"meeting": meeting, "addressees": [], "tags": [], **item}
            from_yaml.append(record)
    assert [r["id"] for r in twin] == [r["id"] for r in from_yaml]
    assert twin == from_yaml


def test_list_ids_matches_the_json_twin(made: generate.Generated, cli: Invoke) -> None:
    result = cli("list", "--catalog", str(made.directory), "-f", "ids")
    assert result.code == 0, result.err
    twin = json.loads(made.json_file.read_text(encoding="utf-8"))["directives"]
    assert result.out.split() == [r["id"] for r in twin]


def test_sample_queries_find_records(made: generate.Generated) -> None:
    twin = json.loads(made.json_file.read_text(encoding="utf-8"))["directives"]
    assert any(r["category"] == made.category for r in twin)
    assert any(r["id"] == made.middle_id for r in twin)
    assert any(made.search_term in r["text"].lower() for r in twin)


def test_set_revision_changes_content_not_size_or_meaning(tmp_path: Path) -> None:
    made = generate.generate(50, tmp_path)
    path = made.files[0]
    before, parsed = path.read_bytes(), _yaml(path)
    generate.set_revision(path, 42)
    after = path.read_bytes()
    assert after != before and len(after) == len(before)
    assert _yaml(path) == parsed


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_quoted_strings_read_back_exactly(value: str) -> None:
    assert yaml.load(f"k: {generate.quoted(value)}", Loader=yaml.CSafeLoader) == {"k": value}


def _settings(tmp_path: Path) -> run.Settings:
    """No subreaper here: adopting orphans would change the pytest process for every test."""
    return run.Settings(runs=1, timeout=30, out=tmp_path, subreaper=False)


def test_harness_captures_output_status_and_memory(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('x' * 200000); sys.exit(3)"
    command = run.Command("py", [sys.executable, "-c", code], {})
    sample = run.run_once(command, _settings(tmp_path))
    assert sample.status == 3
    assert sample.output == b"x" * 200000
    assert sample.rss_mib > 1
    assert not sample.timed_out and sample.leftovers == 0


def test_harness_reports_the_commands_memory_not_its_own(tmp_path: Path) -> None:
    ballast = bytearray(64 * 1024 * 1024)  # this process is now far bigger than `python -c pass`
    ballast[::4096] = b"x" * len(ballast[::4096])
    command = run.Command("py", [sys.executable, "-c", "pass"], {})
    sample = run.run_once(command, _settings(tmp_path))
    del ballast
    assert 4 < sample.rss_mib < 32


def test_harness_stops_a_command_at_the_timeout(tmp_path: Path) -> None:
    command = run.Command("py", [sys.executable, "-c", "import time; time.sleep(30)"], {})
    settings = run.Settings(runs=1, timeout=0.5, out=tmp_path, subreaper=False)
    sample = run.run_once(command, settings)
    assert sample.timed_out
    assert run.failure(command, sample) == "py: timed out"


def test_harness_notices_a_cache_written_during_a_call(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    code = f"open({str(cache / 'index.sqlite')!r}, 'w').close()"
    command = run.Command("py", [sys.executable, "-c", code], {}, watch=cache)
    settings = _settings(tmp_path)
    assert run.run_once(command, settings).cache_changed
    assert not run.run_once(
        run.Command("py", [sys.executable, "-c", "pass"], {}, watch=cache), settings
    ).cache_changed


def test_harness_runs_a_terminal_command_on_a_pty(tmp_path: Path) -> None:
    code = "import os, sys; print(sys.stdout.isatty(), os.get_terminal_size().columns)"
    command = run.Command("py", [sys.executable, "-c", code], {}, tty=True)
    sample = run.run_once(command, _settings(tmp_path))
    assert sample.status == 0
    assert sample.output.split() == [b"True", str(run.PTY_SIZE[1]).encode()]


LEAVES_A_PROCESS = (
    "import subprocess, sys\n"
    "sleep = [sys.executable, '-c', 'import time; time.sleep(2)']\n"
    "subprocess.Popen(sleep, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"
)
HARNESS = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import run
settings = run.Settings(1, 30, Path(sys.argv[2]), run.become_subreaper())
command = run.Command("py", [sys.executable, "-c", sys.argv[3]], {})
print(settings.subreaper, run.run_once(command, settings).leftovers)
"""


def test_harness_sees_processes_left_running(tmp_path: Path) -> None:
    # In a child process, so that only it becomes a subreaper.
    argv = [sys.executable, "-c", HARNESS, str(BENCHMARKS), str(tmp_path), LEAVES_A_PROCESS]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "1"]


def test_record_ids_reads_every_output_shape() -> None:
    assert run.record_ids(b'[{"id": "A"}, {"id": "B"}]\n') == ["A", "B"]
    assert run.record_ids(b'{"id": "A"}\n') == ["A"]
    assert run.record_ids(b'{"id": "A"}\n{"id": "B"}\n') == ["A", "B"]
    assert run.record_ids(b"A\nB\n") == ["A", "B"]
    assert run.record_ids(b"") == []


def test_verdicts_hold_only_where_ratio_and_memory_hold() -> None:
    def judged(case_ms: float, rss: float, applies: bool = True) -> str:
        command = run.Command("c", ["c"], {})
        case = run.Case("c", "100000", command, command, 0.5, "abs", applies)
        result = run.Result("c", "100000", "jq", "c", "jq", [case_ms], [10.0], [rss], [20.0])
        return str(run.verdict(case, result))

    assert judged(4.0, 100) == "PASS"
    assert judged(6.0, 100) == "FAIL"
    assert judged(4.0, 200) == "FAIL"
    assert judged(4.0, 100, applies=False) == "info"


def test_a_failing_row_says_by_how_much_and_under_what_load() -> None:
    command = run.Command("c", ["c"], {})
    case = run.Case("c", "1000000", command, command, 0.9, "baseline", cap_mib=1024)
    result = run.Result("c", "1000000", "bare", "c", "bare", [12.0], [10.0], [1300], [1200])
    result.case, result.load = case, 3.5
    assert run.verdict(case, result) == "FAIL"
    said = run.shortfall(result)
    assert "time 1.20x against at most 0.90x, 33% over" in said
    assert "peak 1300 MiB against at most 1200 MiB, 8% over" in said
    assert "peak 1300 MiB against at most 1024 MiB, 27% over" in said
    assert "load average 3.5 on" in said
    result.verdict = "FAIL"
    assert run.summary([result])[1].startswith("FAIL  1000000 c: time 1.20x")


def test_the_header_says_how_many_runs_each_size_had() -> None:
    million = run.parse_args(["--sizes", ",", "--million", "--million-runs", "3"])
    assert run.runs_text(million) == "5 runs (3 at 1,000,000)"
    assert run.runs_text(run.parse_args(["--sizes", "100000", "--runs", "3"])) == "3 runs"
    same = run.parse_args(["--million", "--runs", "1"])
    assert run.runs_text(same) == "1 run"
