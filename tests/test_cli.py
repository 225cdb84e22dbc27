"""The output contract of `directives`, end to end through the real entry point.

Every test runs the CLI as a user or a script would (in-process through `cli.run`, or
as a subprocess where a pipe, a terminal or the process's encoding matters) against the
bundled catalogue or a catalogue written for the test, and asserts the exit code first.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BUNDLED, Invoke, catalogue_text, directives_command
from directives_cli import __version__
from directives_cli.model import ACTS, DIRECTIVE_FIELDS

ESC = "\x1b"
FORMATS = ("table", "plain", "csv", "json", "jsonl", "yaml", "ids", "markdown")
HOSTILE = "Use [/] to close [bold]x[link=http://e]y"

# No test here writes, corrupts or counts cache files: one index cache for the session, so
# the bundled catalogue (and each catalogue a test writes) is indexed once, not per test.
pytestmark = pytest.mark.usefixtures("shared_cache")


def bundled_ids(cli: Invoke) -> list[str]:
    result = cli("list", "-f", "ids")
    assert result.code == 0, result.err
    return result.out.splitlines()


def bundled_records() -> list[dict[str, object]]:
    document = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    return list(document["directives"])


# ---- version, help --------------------------------------------------------------------


@pytest.mark.typer_only
def test_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out == f"directives {__version__}\n"


@pytest.mark.typer_only
@pytest.mark.parametrize(
    "command", ["list", "search", "show", "categories", "meeting", "validate", "schema"]
)
def test_every_command_help_says_what_it_does_and_gives_examples(cli: Invoke, command: str) -> None:
    result = cli(command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0
    assert "Examples" in result.out
    assert f"directives {command}" in result.out


@pytest.mark.typer_only
def test_top_level_help_documents_exit_codes(cli: Invoke) -> None:
    result = cli("--help", env={"COLUMNS": "200"})
    assert result.code == 0
    for code in ("0 ok", "1 `search` matched nothing", "2 usage error", "3 catalogue"):
        assert code in result.out


# ---- list ---------------------------------------------------------------------------------


def test_list_piped_is_plain_tab_separated_in_catalogue_order(cli: Invoke) -> None:
    result = cli("list")
    assert result.code == 0
    expected = [
        "\t".join([str(d["id"]), str(d["category"]), str(d["act"]), str(d["title"])])
        for d in bundled_records()
    ]
    assert result.out.splitlines() == expected
    assert ESC not in result.out


def test_list_ids_are_identical_in_every_format(cli: Invoke) -> None:
    ids = [str(d["id"]) for d in bundled_records()]
    assert bundled_ids(cli) == ids
    assert [r["id"] for r in json.loads(cli("list", "-f", "json").out)] == ids
    lines = cli("list", "-f", "jsonl").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ids
    rows = list(csv.DictReader(io.StringIO(cli("list", "-f", "csv").out)))
    assert [row["id"] for row in rows] == ids
    assert [r["id"] for r in yaml.safe_load(cli("list", "-f", "yaml").out)] == ids
    plain = cli("list", "-f", "plain").out.splitlines()
    assert [line.split("\t")[0] for line in plain] == ids
    table = cli("list", "-f", "table", env={"COLUMNS": "100"}).out
    for directive_id in ids:
        assert re.search(rf"(?<![\w.-]){re.escape(directive_id)}(?![\w.-])", table)
    markdown = cli("list", "-f", "markdown").out.splitlines()
    assert [line.split("|")[1].strip() for line in markdown[2:]] == ids


def test_list_json_is_the_full_record_with_meeting(cli: Invoke) -> None:
    records = json.loads(cli("list", "-f", "json").out)
    source = bundled_records()
    assert len(records) == len(source)
    for record, written in zip(records, source, strict=True):
        assert tuple(record) == DIRECTIVE_FIELDS
        assert record["meeting"] == "special-equipment-safety-2019"
        for key in ("id", "category", "title", "text", "speaker", "act", "quote"):
            assert record[key] == written[key]


def test_machine_formats_are_byte_stable(cli: Invoke) -> None:
    for fmt in FORMATS[1:]:
        first = cli("list", "-f", fmt).out
        assert cli("list", "-f", fmt, "--no-cache").out == first
        assert cli("list", "-f", fmt).out == first


def test_category_filter_is_or_within_and_across_filters(cli: Invoke) -> None:
    records = bundled_records()
    result = cli("list", "-c", "risk-control", "-c", "reform", "-f", "ids")
    assert result.code == 0
    expected = [d["id"] for d in records if d["category"] in ("risk-control", "reform")]
    assert result.out.splitlines() == expected
    both = cli("list", "-c", "reform", "--act", "stressed", "-f", "ids").out.splitlines()
    assert both == [
        d["id"] for d in records if d["category"] == "reform" and d["act"] == "stressed"
    ]
    assert both, "the catalogue has stressed reform directives"


def test_speaker_and_tag_filters(cli: Invoke) -> None:
    records = bundled_records()
    result = cli("list", "--speaker", "chen gang", "-f", "ids")
    assert result.out.splitlines() == [d["id"] for d in records if d["speaker"] == "Chen Gang"]
    tag = str(records[0]["tags"][0])  # type: ignore[index]
    tagged = cli("list", "--tag", tag, "-f", "ids").out.splitlines()
    assert tagged == [d["id"] for d in records if tag in d.get("tags", [])]  # type: ignore[operator]


def test_list_matching_nothing_is_success_with_empty_output(cli: Invoke) -> None:
    result = cli("list", "--speaker", "Nobody At All")
    assert (result.code, result.out) == (0, "")
    assert cli("list", "--speaker", "Nobody", "-f", "json").out == "[]\n"


def test_limit_sort_and_fields(cli: Invoke) -> None:
    assert len(cli("list", "-n", "3", "-f", "ids").out.splitlines()) == 3
    by_title = cli("list", "--sort", "title", "-f", "ids").out.splitlines()
    records = bundled_records()
    expected = [str(d["id"]) for d in sorted(records, key=lambda d: str(d["title"]).casefold())]
    assert by_title == expected
    by_id = cli("list", "--sort", "id", "-f", "ids").out.splitlines()
    natural = sorted(by_id, key=lambda i: (i.split("-")[0], int(i.split("-")[1])))
    assert by_id == natural
    assert by_id.index("RF-2") < by_id.index("RF-10")
    result = cli("list", "--fields", "id,speaker", "-f", "csv")
    assert result.out.splitlines()[0] == "id,speaker"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["list", "-c", "nope"], "risk-control"),
        (["list", "--act", "shouted"], "stressed"),
        (["list", "--fields", "id,nope"], "title"),
        (["list", "--sort", "nope"], "catalogue"),
        pytest.param(["list", "-f", "xml"], "xml", marks=pytest.mark.typer_only),
        pytest.param(
            ["list", "--no-such-option"], "--no-such-option", marks=pytest.mark.typer_only
        ),
        (["search", "x", "--in", "nope"], "title"),
    ],
)
def test_usage_errors_exit_2_with_one_line_listing_valid_values(
    cli: Invoke, args: list[str], needle: str
) -> None:
    result = cli(*args)
    assert result.code == 2, result
    assert result.out == ""
    assert result.err.startswith("directives: error: ")
    assert result.err.count("\n") == 1
    assert needle in result.err
    assert "Traceback" not in result.err


# ---- show --------------------------------------------------------------------------------


def test_show_plain_is_key_tab_value_with_source_context(cli: Invoke) -> None:
    first = bundled_records()[0]
    result = cli("show", str(first["id"]))
    assert result.code == 0
    pairs = dict(line.split("\t", 1) for line in result.out.splitlines())
    assert pairs["id"] == first["id"]
    assert pairs["quote"] == first["quote"]
    assert str(first["quote"]) in pairs["context"]
    assert len(pairs["context"]) > len(str(first["quote"]))


def test_show_json_is_one_object_and_several_ids_an_array(cli: Invoke) -> None:
    ids = bundled_ids(cli)
    one = json.loads(cli("show", ids[0], "-f", "json").out)
    assert isinstance(one, dict) and one["id"] == ids[0]
    several = json.loads(cli("show", ids[0], ids[-1], "-f", "json").out)
    assert [d["id"] for d in several] == [ids[0], ids[-1]]


def test_show_table_sets_the_quote_in_its_sentence(cli: Invoke) -> None:
    first = bundled_records()[0]
    result = cli("show", str(first["id"]), "-f", "table", env={"COLUMNS": "400"})
    assert result.code == 0
    flat = " ".join(result.out.split())
    for word in str(first["quote"]).split()[:4]:
        assert word in flat


def test_show_unknown_id_exits_1_and_suggests(cli: Invoke) -> None:
    ids = bundled_ids(cli)
    typo = ids[0] + "9"
    result = cli("show", typo)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith(f"directives: error: no directive '{typo}'")
    assert ids[0] in result.err


def test_show_every_format(cli: Invoke) -> None:
    ids = bundled_ids(cli)
    for fmt in FORMATS:
        result = cli("show", ids[0], "-f", fmt)
        assert result.code == 0, (fmt, result.err)
        assert ids[0] in result.out
    assert yaml.safe_load(cli("show", ids[0], "-f", "yaml").out)["id"] == ids[0]
    assert cli("show", ids[0], "-f", "ids").out == f"{ids[0]}\n"


# ---- search ------------------------------------------------------------------------------


def test_search_json_carries_score_and_matched(cli: Invoke) -> None:
    result = cli("search", "reform", "-f", "json")
    assert result.code == 0
    hits = json.loads(result.out)
    assert hits
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert {"score", "matched", *DIRECTIVE_FIELDS} <= set(hit)
        assert hit["matched"]


def test_search_nothing_found_exits_1_with_suggestion(cli: Invoke) -> None:
    result = cli("search", "reformm")
    assert result.code == 1
    assert result.out == ""
    assert "reform" in result.err
    assert result.err.startswith("directives: error: no directive matches")


def test_search_every_format_parses(cli: Invoke) -> None:
    ids = cli("search", "safety", "-f", "ids").out.splitlines()
    assert ids
    assert [h["id"] for h in json.loads(cli("search", "safety", "-f", "json").out)] == ids
    rows = list(csv.DictReader(io.StringIO(cli("search", "safety", "-f", "csv").out)))
    assert [r["id"] for r in rows] == ids
    assert [r["id"] for r in yaml.safe_load(cli("search", "safety", "-f", "yaml").out)] == ids
    for fmt in ("table", "plain", "jsonl", "markdown"):
        assert cli("search", "safety", "-f", fmt).code == 0


# ---- categories, meeting -----------------------------------------------------------------


def test_categories_counts_match_the_catalogue(cli: Invoke) -> None:
    rows = json.loads(cli("categories", "-f", "json").out)
    records = bundled_records()
    assert [r["id"] for r in rows][:4] == ["risk-control", "responsibility", "reform", "capacity"]
    for row in rows:
        assert row["count"] == sum(1 for d in records if d["category"] == row["id"])
    for fmt in FORMATS:
        assert cli("categories", "-f", fmt).code == 0


def test_meeting_reports_the_conference_and_its_figures(cli: Invoke) -> None:
    (meeting,) = json.loads(cli("meeting", "-f", "json").out) or [None]
    assert meeting["id"] == "special-equipment-safety-2019"
    assert (meeting["start"], meeting["end"]) == ("2019-01-24", "2019-01-25")
    assert meeting["location"] == "Hefei, Anhui"
    changes = {s["change"] for s in meeting["statistics"]}
    assert {"-45%", "-46%"} <= changes
    for fmt in FORMATS:
        assert cli("meeting", "-f", fmt).code == 0, fmt


# ---- catalogue selection and errors ------------------------------------------------------


def test_catalog_option_env_and_directory(cli: Invoke, tmp_path: Path) -> None:
    one = tmp_path / "a.yaml"
    one.write_text(catalogue_text([{"id": "A-1"}], meeting_id="meeting-a"), encoding="utf-8")
    two = tmp_path / "b.yml"
    two.write_text(catalogue_text([{"id": "B-1"}], meeting_id="meeting-b"), encoding="utf-8")
    assert cli("--catalog", str(one), "list", "-f", "ids").out == "A-1\n"
    assert cli("list", "--catalog", str(one), "-f", "ids").out == "A-1\n"
    assert cli("list", "-f", "ids", env={"DIRECTIVES_CATALOG": str(two)}).out == "B-1\n"
    assert cli("list", "-f", "ids", "--catalog", str(tmp_path)).out == "A-1\nB-1\n"
    only_b = cli("list", "--meeting", "meeting-b", "-f", "ids", "--catalog", str(tmp_path))
    assert only_b.out == "B-1\n"


@pytest.mark.parametrize(
    ("args", "env", "origin"),
    [
        (["--catalog", "/no/such/file.yaml", "list"], {}, "--catalog"),
        (["list"], {"DIRECTIVES_CATALOG": "/no/such/dir"}, "DIRECTIVES_CATALOG"),
    ],
)
def test_missing_catalogue_names_its_origin(
    cli: Invoke, args: list[str], env: dict[str, str], origin: str
) -> None:
    result = cli(*args, env=env)
    assert result.code == 3
    assert result.err.count("\n") == 1
    assert origin in result.err and "/no/such/" in result.err


def test_invalid_catalogue_exits_3_with_file_line_column(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(catalogue_text([{"id": "X-1", "act": "shouted"}]), encoding="utf-8")
    result = cli("list", "--catalog", str(bad))
    assert result.code == 3
    assert result.out == ""
    assert re.match(rf"directives: error: {re.escape(str(bad))}:\d+:\d+: .*act", result.err)
    assert result.err.count("\n") == 1


@pytest.mark.typer_only
def test_validate_bundled_is_clean_and_bad_lists_every_problem(cli: Invoke, tmp_path: Path) -> None:
    assert cli("validate", str(BUNDLED)).code == 0
    assert cli("validate").code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        catalogue_text([{"id": "X-1", "act": "shouted"}, {"id": "X-2", "category": "gamma"}]),
        encoding="utf-8",
    )
    result = cli("validate", str(bad), str(BUNDLED))
    assert result.code == 3
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert all(re.match(rf"{re.escape(str(bad))}:\d+:\d+: ", line) for line in lines)
    assert "act" in lines[0] and "category" in lines[1]


@pytest.mark.typer_only
def test_schema_is_json(cli: Invoke) -> None:
    result = cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert "directives" in schema["properties"]


# ---- hostile text --------------------------------------------------------------------------


def hostile_catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        catalogue_text(
            [
                {"id": "H-1", "title": HOSTILE},
                {"id": "H-2", "title": f"clear{ESC}[2J{ESC}]52;c;ZXZpbA==\x07 rtl\u202eevil\x85"},
                {"id": "H-3", "title": "tab\there\nnewline"},
            ]
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_markup_is_printed_literally_in_every_format(cli: Invoke, tmp_path: Path, fmt: str) -> None:
    path = hostile_catalogue(tmp_path)
    result = cli("list", "--catalog", str(path), "-f", fmt, "--fields", "id,title")
    assert result.code == 0
    if fmt == "ids":
        return
    assert HOSTILE in result.out or HOSTILE.replace("|", "\\|") in result.out


@pytest.mark.parametrize("fmt", ["table", "plain"])
def test_control_characters_never_reach_the_terminal_raw(
    cli: Invoke, tmp_path: Path, fmt: str
) -> None:
    path = hostile_catalogue(tmp_path)
    for args in (["list", "-f", fmt], ["show", "H-2", "-f", fmt]):
        result = cli(*args, "--catalog", str(path), "--color", "never")
        assert result.code == 0
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", result.out)
        assert "\\x1b" in result.out


def test_machine_formats_stay_lossless_for_hostile_text(cli: Invoke, tmp_path: Path) -> None:
    path = hostile_catalogue(tmp_path)
    written = json.loads(path.read_text(encoding="utf-8"))["directives"]
    titles = [d["title"] for d in written]
    records = json.loads(cli("list", "--catalog", str(path), "-f", "json").out)
    assert [r["title"] for r in records] == titles
    rows = list(csv.DictReader(io.StringIO(cli("list", "--catalog", str(path), "-f", "csv").out)))
    assert [r["title"] for r in rows] == titles
    loaded = yaml.safe_load(cli("list", "--catalog", str(path), "-f", "yaml").out)
    assert [r["title"] for r in loaded] == titles
    plain = cli("list", "--catalog", str(path), "-f", "plain").out
    assert len(plain.splitlines()) == 3


# ---- terminals, colour, width ------------------------------------------------------------


@pytest.mark.parametrize("columns", ["0", "1", "20", "100000", "junk"])
def test_table_never_loses_a_record_or_an_id_at_any_width(cli: Invoke, columns: str) -> None:
    result = cli("list", "-f", "table", env={"COLUMNS": columns})
    assert result.code == 0, result.err
    flat = result.out.replace("\n", "").replace("│", "").replace(" ", "")
    for directive_id in bundled_ids(cli):
        assert directive_id in flat


def test_color_never_always_and_env(cli: Invoke) -> None:
    assert ESC not in cli("list", "-f", "table", "--color", "never").out
    assert ESC in cli("list", "-f", "table", "--color", "always").out
    assert ESC in cli("list", "-f", "table", env={"FORCE_COLOR": "1"}).out
    # An explicit flag overrides $NO_COLOR, as the NO_COLOR convention asks.
    assert ESC in cli("list", "-f", "table", "--color", "always", env={"NO_COLOR": "1"}).out
    no_color = cli("list", "-f", "table", env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).out
    assert not re.search(r"\x1b\[[0-9;]*(3[0-8]|9[0-7]|38;)", no_color)
    assert ESC not in cli("list", "-f", "table", env={"TERM": "dumb"}).out
    assert ESC not in cli("list", "-f", "json", "--color", "always").out


def test_terminal_default_is_a_table_and_pipe_default_is_plain() -> None:
    import pty

    command = [*directives_command(), "list"]
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child becomes the CLI
        os.execvpe(command[0], command, env)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert os.waitstatus_to_exitcode(status) == 0
    assert "┃" in shown or "│" in shown or "━" in shown
    piped = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    assert piped.returncode == 0
    assert "\t" in piped.stdout and ESC not in piped.stdout


# ---- pipes and encodings -------------------------------------------------------------------


def test_closed_pipe_ends_quietly(sh) -> None:  # type: ignore[no-untyped-def]
    result = sh("directives list | head -1; echo status=${PIPESTATUS[0]}")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[1] in ("status=0", "status=141")
    assert result.stderr == ""
    big = sh("for i in 1 2 3; do directives list -f json; done | true; echo done")
    assert big.stdout == "done\n" and big.stderr == ""


def test_ascii_stdout_prints_escapes_not_a_traceback(sh) -> None:  # type: ignore[no-untyped-def]
    result = sh("directives list -f json", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    json.loads(result.stdout)
    plain = sh(
        "directives search 'distribution service' -f plain", env={"PYTHONIOENCODING": "ascii"}
    )
    assert plain.returncode == 0, plain.stderr
    plain.stdout.encode("ascii")


@pytest.mark.parametrize("fmt", ["csv", "yaml", "json", "jsonl"])
def test_ascii_stdout_keeps_data_formats_lossless(sh, fmt: str) -> None:  # type: ignore[no-untyped-def]
    ascii_run = sh(f"directives show RF-8 RC-1 -f {fmt}", env={"PYTHONIOENCODING": "ascii"})
    utf8_run = sh(f"directives show RF-8 RC-1 -f {fmt}")
    assert ascii_run.returncode == 0, ascii_run.stderr
    parse = {
        "csv": lambda text: list(csv.DictReader(io.StringIO(text))),
        "yaml": yaml.safe_load,
        "json": json.loads,
        "jsonl": lambda text: [json.loads(line) for line in text.splitlines()],
    }[fmt]
    assert parse(ascii_run.stdout) == parse(utf8_run.stdout)


def test_shell_loop_over_ids(sh) -> None:  # type: ignore[no-untyped-def]
    script = (
        "directives list -f ids | head -3 | "
        'while read -r id; do directives show "$id" -f json | python3 -c '
        "'import json,sys; print(json.load(sys.stdin)[\"id\"])'; done"
    )
    result = sh(script)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_unexpected_error_is_one_line_and_debug_shows_traceback(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    from directives_cli import query

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(query, "check_filters", broken)
    result = cli("list")
    assert result.code == 70
    assert result.err == (
        "directives: error: unexpected RuntimeError: boom "
        "(run again with --debug for a traceback)\n"
    )
    with pytest.raises(RuntimeError):
        cli("--debug", "list")


@pytest.mark.typer_only
def test_acts_listed_in_help_are_the_contract_acts(cli: Invoke) -> None:
    result = cli("list", "--help", env={"COLUMNS": "300"})
    assert all(act in result.out for act in ACTS)


@pytest.mark.typer_only
def test_schema_command_prints_the_shipped_schema_file(cli: Invoke) -> None:
    shipped = BUNDLED.with_name("directives.schema.json").read_text(encoding="utf-8")
    assert cli("schema").out == shipped


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["search", "elevater"], "did you mean: elevator?"),
        (["search", "elevator"], "'elevator' only in the meeting record: see 'directives meeting'"),
        (["search", "insurance", "-c", "reform"], "some match without the filters"),
        (["search", "insurance", "and", "credit"], "(2 directives match some of the words: --any"),
        (["search", "credit", "qwxzv"], "(1 directive matches some of the words: --any shows"),
    ],
)
def test_nothing_found_says_why(cli: Invoke, args: list[str], hint: str) -> None:
    result = cli(*args)
    assert (result.code, result.out) == (1, "")
    assert hint in result.err
    assert result.err.count("\n") == 1


def test_any_shows_what_the_hint_counted(cli: Invoke) -> None:
    failed = cli("search", "insurance", "and", "credit")
    assert failed.err == (
        "directives: error: no directive matches 'insurance' 'and' 'credit'"
        " (2 directives match some of the words: --any shows them)\n"
    )
    shown = cli("search", "--any", "insurance", "and", "credit", "-f", "ids")
    assert (shown.code, shown.out.split()) == (0, ["RS-4", "RS-5"])


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["training", "of", "personnel"], "CB-5"),
        (["how", "to", "prevent", "serious", "accidents"], "RC-5"),
        (["grass-roots", "capacity"], "CB-2"),
        (["grassroots"], "CB-2"),
        (["grass roots"], "CB-2"),
        (["prevention and control"], "RC-1"),
    ],
)
def test_search_forgives_how_people_ask(cli: Invoke, args: list[str], first: str) -> None:
    result = cli("search", *args, "-f", "json")
    assert result.code == 0
    hits = json.loads(result.out)
    assert hits[0]["id"] == first


def test_matched_shows_only_the_words_that_mattered(cli: Invoke) -> None:
    """OV-1's speaker ("the conference") and addressees ("the cadres ...") hold "the"."""
    hits = json.loads(cli("search", "the", "politics", "-f", "json").out)
    assert hits[0]["id"] == "OV-1"
    assert hits[0]["matched"] == ["category", "title", "text", "quote", "tags"]
    phrase = json.loads(cli("search", "the conference", "-f", "json", "-n", "1").out)
    assert "speaker" in phrase[0]["matched"]


def test_repeated_fields_are_printed_once(cli: Invoke) -> None:
    result = cli("list", "--fields", "id,title,id", "-f", "csv", "-n", "1")
    assert result.out.splitlines()[0] == "id,title"
    assert len(next(csv.reader(io.StringIO(result.out.splitlines()[1])))) == 2


def test_show_yaml_mirrors_json_one_mapping_for_one_id(cli: Invoke) -> None:
    one = yaml.safe_load(cli("show", "RC-1", "-f", "yaml").out)
    assert one == json.loads(cli("show", "RC-1", "-f", "json").out)
    several = yaml.safe_load(cli("show", "RC-1", "RC-2", "-f", "yaml").out)
    assert [d["id"] for d in several] == ["RC-1", "RC-2"]


def test_categories_plain_starts_with_the_category_id(cli: Invoke) -> None:
    first_column = [line.split("\t")[0] for line in cli("categories").out.splitlines()]
    assert first_column[:4] == ["risk-control", "responsibility", "reform", "capacity"]


def test_a_speaker_or_tag_nobody_has_gets_a_note_on_stderr(cli: Invoke) -> None:
    result = cli("list", "--speaker", "Chen Gan", "--tag", "reform", "-f", "ids")
    assert (result.code, result.out) == (0, "")
    assert result.err == (
        "directives: note: no speaker 'Chen Gan' in the catalogue (did you mean: Chen Gang)\n"
    )
    quiet = cli("list", "--speaker", "chen gang", "-f", "ids")
    assert quiet.out and quiet.err == ""


# ---- editors' notes, the meeting record, whole themes -------------------------------------


def noted_records() -> list[dict[str, object]]:
    return [d for d in bundled_records() if "note" in d]


@pytest.mark.parametrize("term", ["delegate", "streamline"])
def test_search_finds_what_a_phrase_most_likely_means_through_its_note(
    cli: Invoke, term: str
) -> None:
    expected = [d["id"] for d in noted_records() if term in str(d["note"]).lower()]
    assert expected, f"a note reads a phrase as {term!r}"
    result = cli("search", term, "-f", "json")
    assert result.code == 0, result.err
    hits = json.loads(result.out)
    assert [h["id"] for h in hits] == expected
    for hit in hits:
        assert hit["matched"] == ["note"]
        assert term not in str(hit["text"]).lower() and term in str(hit["note"]).lower()
    within = cli("search", term, "--in", "note", "-f", "ids")
    assert (within.code, within.out.splitlines()) == (0, expected)
    assert cli("search", term, "--in", "title,text,quote", "-f", "ids").code == 1


def test_search_for_half_of_a_theme_finds_the_whole_theme(cli: Invoke) -> None:
    phrase = "efficiency of supervision"
    categories = json.loads(cli("categories", "-f", "json").out)
    (theme,) = [c for c in categories if phrase in str(c["title"])]
    result = cli("search", phrase, "-f", "json")
    assert result.code == 0, result.err
    hits = {h["id"]: h for h in json.loads(result.out)}
    members = [str(d["id"]) for d in bundled_records() if d["category"] == theme["id"]]
    assert len(members) == theme["count"] > 1
    assert set(members) <= set(hits)
    assert all("category" in hits[m]["matched"] for m in members)


def test_show_keeps_the_note_apart_from_text_and_quote_in_every_format(cli: Invoke) -> None:
    noted = noted_records()[0]
    bare = next(d for d in bundled_records() if "note" not in d)
    one = json.loads(cli("show", str(noted["id"]), "-f", "json").out)
    assert one["note"] == noted["note"] and one["text"] == noted["text"]
    assert one["quote"] == noted["quote"]
    assert json.loads(cli("show", str(bare["id"]), "-f", "json").out)["note"] is None
    pairs = dict(line.split("\t", 1) for line in cli("show", str(noted["id"])).out.splitlines())
    assert pairs["note"] == noted["note"]
    assert "note\t\n" in cli("show", str(bare["id"])).out
    table = cli("show", str(noted["id"]), "-f", "table", env={"COLUMNS": "400"}).out
    flat = " ".join(table.replace("│", " ").split())
    assert f"Editor's note {noted['note']}" in flat
    assert flat.index(str(noted["text"])) < flat.index("«") < flat.index("Editor's note")
    assert "Editor's note" not in cli("show", str(bare["id"]), "-f", "table").out
    for fmt in FORMATS:
        result = cli("show", str(noted["id"]), "-f", fmt)
        assert result.code == 0, (fmt, result.err)
        if fmt != "ids":
            assert "Editor's note" in result.out if fmt == "table" else "note" in result.out


def test_meeting_shows_what_guided_it_and_what_it_implemented_in_every_format(
    cli: Invoke,
) -> None:
    written = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))["meeting"]
    (meeting,) = json.loads(cli("meeting", "-f", "json").out)
    assert meeting["guided_by"] == written["guided_by"]
    assert meeting["implemented"] == written["implemented"] and meeting["implemented"]
    assert meeting["note"] == written["note"]
    assert not set(meeting["guided_by"]) & set(meeting["implemented"])
    (from_yaml,) = yaml.safe_load(cli("meeting", "-f", "yaml").out)
    assert from_yaml["implemented"] == written["implemented"]
    (row,) = csv.DictReader(io.StringIO(cli("meeting", "-f", "csv").out))
    assert json.loads(row["implemented"]) == written["implemented"]
    pairs = dict(line.split("\t", 1) for line in cli("meeting").out.splitlines() if line)
    assert json.loads(pairs["implemented"]) == written["implemented"]
    assert pairs["note"] == written["note"]
    table = " ".join(cli("meeting", "-f", "table", env={"COLUMNS": "400"}).out.split())
    assert f"implemented {', '.join(written['implemented'])}" in table
    assert f"Editor's note {written['note']}" in table
    for fmt in ("jsonl", "markdown"):
        result = cli("meeting", "-f", fmt)
        assert result.code == 0 and written["implemented"][0] in result.out, fmt


def test_added_fields_come_last_so_no_column_moves(cli: Invoke) -> None:
    listed = next(csv.reader(io.StringIO(cli("list", "-f", "csv").out)))
    assert listed == [*DIRECTIVE_FIELDS] and listed[-1] == "note"
    found = next(csv.reader(io.StringIO(cli("search", "reform", "-f", "csv").out)))
    assert found == [*DIRECTIVE_FIELDS[:-1], "score", "matched", "note"]
    for line in cli("list").out.splitlines():
        assert len(line.split("\t")) == 4


def test_a_bad_note_is_reported_at_its_line_and_column(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "notes.yaml"
    path.write_text(catalogue_text([{"id": "A-1", "note": ""}]), encoding="utf-8")
    result = cli("validate", str(path))
    assert result.code == 3
    assert re.fullmatch(
        rf"{re.escape(str(path))}:\d+:\d+: directives\[0\]\.note: expected text, found an"
        r" empty string\n",
        result.out,
    ), result.out
    good = tmp_path / "good.yaml"
    good.write_text(catalogue_text([{"id": "A-1", "note": "A reading."}]), encoding="utf-8")
    assert cli("validate", str(good)).code == 0
    shown = json.loads(cli("--catalog", str(good), "show", "A-1", "-f", "json").out)
    assert shown["note"] == "A reading."
