"""`directives summary` and `directives figures` end to end, checked against what `list`
and `meeting` return for the same catalogue, in every format; and `context` as a field."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import BUNDLED, Invoke, catalogue_text, directives_command

pytestmark = pytest.mark.usefixtures("shared_cache")

FORMATS = ("table", "plain", "csv", "json", "jsonl", "yaml", "ids", "markdown")
#: The `--by` field and the `list -f json` key it groups.
KEYS = {"category": "category", "act": "act", "speaker": "speaker", "meeting": "meeting"}


def _listed(cli: Invoke, *filters: str) -> list[dict[str, object]]:
    result = cli("list", *filters, "-f", "json")
    assert result.code == 0, result.err
    records: list[dict[str, object]] = json.loads(result.out)
    return records


def _summary(cli: Invoke, *args: str) -> list[dict[str, object]]:
    result = cli("summary", *args, "-f", "json")
    assert result.code == 0, result.err
    rows: list[dict[str, object]] = json.loads(result.out)
    return rows


def _expected(records: list[dict[str, object]], by: list[str]) -> Counter[tuple[object, ...]]:
    """What the counts must be, computed from `list`'s own records."""
    counts: Counter[tuple[object, ...]] = Counter()
    for record in records:
        tags = [str(t) for t in record["tags"]] or [None]  # type: ignore[attr-defined]
        for tag in dict.fromkeys(tags) if "tag" in by else [None]:
            counts[tuple(tag if f == "tag" else record[KEYS[f]] for f in by)] += 1
    return counts


FILTER_SETS = [
    (),
    ("-c", "reform"),
    ("-c", "reform,capacity", "--act", "stressed"),
    ("--speaker", "chen"),
    ("--act", "demanded", "--act", "requested"),
    ("--tag", "safety"),
    ("-c", "overall", "--act", "pointed-out"),
]


@pytest.mark.parametrize("filters", FILTER_SETS)
@pytest.mark.parametrize(
    "by", ["category", "act", "speaker", "meeting", "tag", "category,act", "act,tag", "tag,speaker"]
)
def test_counts_equal_what_list_returns(cli: Invoke, filters: tuple[str, ...], by: str) -> None:
    fields = by.split(",")
    records = _listed(cli, *filters)
    rows = _summary(cli, "--by", by, *filters)
    got = Counter({tuple(row[f] for f in fields): int(str(row["count"])) for row in rows})
    assert got == _expected(records, fields)
    assert all(list(row) == [*fields, "count"] for row in rows)
    if "tag" not in fields:
        assert sum(got.values()) == len(records)


@pytest.mark.parametrize("by", ["category", "act", "tag"])
def test_each_count_is_list_with_that_value_as_a_filter(cli: Invoke, by: str) -> None:
    for row in _summary(cli, "--by", by):
        if row[by] is None:
            continue
        option = "-c" if by == "category" else f"--{by}"
        assert len(_listed(cli, option, str(row[by]))) == row["count"], row


def test_a_directive_with_two_tags_counts_in_both(cli: Invoke, write_catalogue) -> None:  # type: ignore[no-untyped-def]
    path = write_catalogue(
        catalogue_text(
            [
                {"id": "A-1", "tags": ["risk", "Reform"]},
                {"id": "A-2", "tags": ["reform"]},
                {"id": "A-3"},
            ]
        )
    )
    rows = _summary(cli, "--by", "tag", "--catalog", str(path))
    assert rows == [
        {"tag": "Reform", "count": 2},
        {"tag": "risk", "count": 1},
        {"tag": None, "count": 1},
    ]
    assert len(_listed(cli, "--tag", "Reform", "--catalog", str(path))) == 2


@pytest.mark.typer_only
def test_acts_come_in_contract_order_with_the_documented_shape(cli: Invoke) -> None:
    rows = _summary(cli, "--by", "act")
    assert [row["act"] for row in rows] == ["pointed-out", "requested", "demanded", "stressed"]
    assert {"act": "demanded", "count": 13} in rows


@pytest.mark.typer_only
@pytest.mark.parametrize("fmt", FORMATS)
def test_summary_in_every_format_holds_the_same_rows(cli: Invoke, fmt: str) -> None:
    rows = _summary(cli, "--by", "category,act")
    result = cli("summary", "--by", "category,act", "-f", fmt, env={"COLUMNS": "120"})
    assert result.code == 0, result.err
    out = result.out
    if fmt == "csv":
        assert list(csv.DictReader(io.StringIO(out))) == [
            {k: str(v) for k, v in row.items()} for row in rows
        ]
        assert out.startswith("category,act,count\r\n")
    elif fmt == "jsonl":
        assert [json.loads(line) for line in out.splitlines()] == rows
    elif fmt == "yaml":
        assert yaml.safe_load(out) == rows
    elif fmt == "plain":
        assert out.splitlines() == [f"{r['category']}\t{r['act']}\t{r['count']}" for r in rows]
    elif fmt == "ids":
        assert out.splitlines() == list(dict.fromkeys(str(r["category"]) for r in rows))
    elif fmt == "markdown":
        lines = out.splitlines()
        assert lines[0] == "| category | act | count |"
        assert lines[2:] == [f"| {r['category']} | {r['act']} | {r['count']} |" for r in rows]
    elif fmt == "table":
        for category in {str(r["category"]) for r in rows}:
            assert category in out
        assert "40 directives" in out


def _pty_table(*args: str, env: dict[str, str]) -> str:
    """`directives ARGS` through `script`, so stdout is a terminal, at 100 columns."""
    command = " ".join([*directives_command(), *args])
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_table_on_a_terminal_has_bars_and_shares(cli: Invoke) -> None:
    result = cli("summary", "-f", "table", env={"COLUMNS": "100"})
    assert result.code == 0, result.err
    reform = next(line for line in result.out.splitlines() if line.startswith("reform"))
    assert "16" in reform and "40.0%" in reform and "█" * 20 in reform


def test_table_falls_back_to_ascii_bars(tmp_path: Path) -> None:
    done = subprocess.run(
        [*directives_command(), "summary", "-f", "table", "--color", "never"],
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONIOENCODING": "ascii",
            "COLUMNS": "100",
            "XDG_CACHE_HOME": str(tmp_path),
        },
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")
    assert "#" * 20 in text and "40.0%" in text


@pytest.mark.typer_only
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--by", "colour"), "unknown field 'colour' for --by (valid: category, act,"),
        (("--by", "categroy"), "unknown field 'categroy' for --by (did you mean category? "),
        (("--by", "act,tag,speaker"), "--by takes one field or two"),
        (("-c", "reforms"), "unknown category 'reforms' (did you mean reform?"),
    ],
)
def test_summary_usage_errors(cli: Invoke, args: tuple[str, ...], message: str) -> None:
    result = cli("summary", *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"directives: error: {message}")


@pytest.mark.typer_only
def test_summary_notes_a_speaker_nobody_has(cli: Invoke) -> None:
    result = cli("summary", "--speaker", "zhang", "-f", "json")
    assert (result.code, result.out) == (0, "[]\n")
    assert "no speaker 'zhang' in the catalogue" in result.err


# ---- figures ----------------------------------------------------------------------------


def _statistics() -> list[dict[str, object]]:
    document = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    meeting = document["meeting"]["id"]
    return [{"id": s["id"], "meeting": meeting, **s} for s in document["statistics"]]


def test_figures_are_the_meetings_statistics(cli: Invoke) -> None:
    result = cli("figures", "-f", "json")
    assert result.code == 0, result.err
    keys = ["id", "meeting", "subject", "period", "change", "quote", "note"]
    expected = [{k: s.get(k) for k in keys} for s in _statistics()]
    assert json.loads(result.out) == expected
    meeting = json.loads(cli("meeting", "-f", "json").out)[0]
    assert [{k: v for k, v in f.items() if k != "meeting"} for f in expected] == [
        {k: v for k, v in s.items() if k in keys} for s in meeting["statistics"]
    ]


@pytest.mark.typer_only
def test_the_2018_figures_as_csv_in_one_command(cli: Invoke) -> None:
    result = cli("figures", "--meeting", "special-equipment-safety-2019", "-f", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["id"] for r in rows] == [str(s["id"]) for s in _statistics()]
    assert {r["period"] for r in rows} == {"2018"}
    assert rows[3]["change"] == "-45%"


@pytest.mark.typer_only
@pytest.mark.parametrize("fmt", FORMATS)
def test_figures_in_every_format(cli: Invoke, fmt: str) -> None:
    result = cli("figures", "--fields", "id,change,context", "-f", fmt, env={"COLUMNS": "100"})
    assert result.code == 0, result.err
    for statistic in _statistics():
        assert str(statistic["id"]) in result.out
    if fmt in ("plain", "csv", "json", "jsonl", "yaml", "markdown"):
        assert "all decreased significantly." in result.out


@pytest.mark.typer_only
def test_figures_context_is_the_source_sentence(cli: Invoke) -> None:
    result = cli("figures", "--fields", "id,quote,context", "-f", "json")
    for record in json.loads(result.out):
        assert record["quote"] in record["context"]
        assert list(record) == ["id", "quote", "context"]


@pytest.mark.typer_only
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fields", "id,text"), "unknown field 'text' (valid: id, meeting, subject, period, "),
        (("--meeting", "nope-2019"), "unknown meeting 'nope-2019' ("),
    ],
)
def test_figures_usage_errors(cli: Invoke, args: tuple[str, ...], message: str) -> None:
    result = cli("figures", *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"directives: error: {message}")


# ---- context as a field ----------------------------------------------------------------


def test_list_and_search_context_equals_show(cli: Invoke) -> None:
    shown = {
        r["id"]: r["context"]
        for r in json.loads(cli("show", "RC-1", "RC-9", "RF-2", "-f", "json").out)
    }
    listed = cli("list", "--fields", "id,quote,context", "-f", "json")
    assert listed.code == 0, listed.err
    records = {r["id"]: r for r in json.loads(listed.out)}
    assert all(records[i]["context"] == c for i, c in shown.items())
    assert all(r["quote"].split()[0] in r["context"] for r in records.values())
    found = cli("search", "double prevention", "--fields", "id,context", "-f", "json")
    assert found.code == 0, found.err
    assert json.loads(found.out)[0] == {"id": "RC-9", "context": shown["RC-9"]}


def test_context_is_never_a_default_field(cli: Invoke) -> None:
    assert "context" not in json.loads(cli("list", "-f", "json").out)[0]
    assert "context" not in json.loads(cli("search", "reform", "-f", "json").out)[0]


@pytest.mark.parametrize("fmt", ["plain", "json", "csv", "yaml"])
def test_show_takes_fields(cli: Invoke, fmt: str) -> None:
    result = cli("show", "RC-1", "--fields", "id,act,context", "-f", fmt)
    assert result.code == 0, result.err
    whole = json.loads(cli("show", "RC-1", "-f", "json").out)
    if fmt == "json":
        assert json.loads(result.out) == {k: whole[k] for k in ("id", "act", "context")}
    elif fmt == "plain":
        assert result.out == f"id\tRC-1\nact\t{whole['act']}\ncontext\t{whole['context']}\n"
    else:
        assert whole["context"] in result.out
        assert "title" not in result.out and whole["text"] not in result.out


def test_show_unknown_field_lists_the_fields_show_has(cli: Invoke) -> None:
    result = cli("show", "RC-1", "--fields", "id,score")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "directives: error: unknown field 'score' (valid: id, meeting, category, title, "
        "text, speaker, act, quote, addressees, tags, note, context)\n"
    )


@pytest.mark.typer_only
@pytest.mark.parametrize(
    ("command", "fields"),
    [
        (
            "list",
            "id, meeting, category, title, text, speaker, act, quote, addressees, tags, note.",
        ),
        ("search", "addressees, tags, score, matched, note."),
        ("show", "addressees, tags, note, context."),
        ("figures", "id, meeting, subject, period, change, quote, note."),
    ],
)
def test_each_help_lists_the_fields_it_accepts(cli: Invoke, command: str, fields: str) -> None:
    result = cli(command, "--help", env={"COLUMNS": "300"})
    assert result.code == 0
    assert fields in " ".join(result.out.split())


# ---- meeting ------------------------------------------------------------------------------


def test_meeting_markdown_has_no_json_and_the_figures_as_a_table(cli: Invoke) -> None:
    result = cli("meeting", "-f", "markdown")
    assert result.code == 0, result.err
    assert '{"' not in result.out and '["' not in result.out
    assert "the Emergency Management Department<br>the Banking" in result.out
    assert "| id | subject | period | change | quote |" in result.out
    assert "| ST-4 | elevator accidents | 2018 | -45% |" in result.out


def test_meeting_table_prints_the_published_title_once(cli: Invoke) -> None:
    result = cli("meeting", "-f", "table", env={"COLUMNS": "200"})
    assert result.code == 0, result.err
    title = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))["meeting"]["published_title"]
    assert result.out.count(title) == 1
    assert "sources/special-equipment-conference-2019.txt" in result.out


def test_meeting_csv_keeps_lists_as_json_arrays(cli: Invoke) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("meeting", "-f", "csv").out)))
    assert json.loads(rows[0]["attendees"])[0] == "the Emergency Management Department"
