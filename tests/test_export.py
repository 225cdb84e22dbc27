"""`directives export --sqlite`: a database of the user's own, faithful to the JSON formats,
deterministic, never half-written, and readable by sqlite-utils and Datasette as they are.

Every export here is made through the real CLI; the database is then opened with Python's
sqlite3, sqlite-utils (Python API and its own command line) and Datasette's Python API.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from datasette.app import Datasette

from conftest import BUNDLED, REPO, Invoke, catalogue_text

TWO_MEETINGS = REPO / "tests" / "fixtures" / "loader" / "two-meetings"
TABLES = ("meetings", "categories", "directives", "statistics")
LIST_FIELDS = {"addressees", "tags", "speakers", "guided_by", "implemented", "attendees", "source"}

Export = Callable[..., Path]


@pytest.fixture
def export(cli: Invoke, tmp_path: Path) -> Export:
    """Export with the given arguments into a new file; assert it succeeded quietly."""
    made = iter(range(1000))

    def run(*args: str, catalog: Path = BUNDLED) -> Path:
        target = tmp_path / f"export-{next(made)}.db"
        result = cli("export", "--sqlite", str(target), "--catalog", str(catalog), *args)
        assert result.code == 0, result.err
        assert result.out == ""
        assert result.err.splitlines()[-1].startswith("directives: note: wrote ")
        return target

    return run


def rows(path: Path, table: str) -> list[dict[str, Any]]:
    """A table's rows in rowid order, with JSON columns decoded, as dicts by column name."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
    finally:
        conn.close()
    return [
        {
            k: json.loads(v) if k in LIST_FIELDS and v is not None else v
            for k, v in zip(r.keys(), r, strict=True)
        }
        for r in found
    ]


def json_out(cli: Invoke, *args: str) -> list[Any]:
    result = cli(*args, "-f", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, list)
    return data


# ---- faithful to the JSON formats ------------------------------------------------------------

FILTERS = [
    (),
    ("-c", "risk-control"),
    ("--act", "stressed", "--act", "demanded"),
    ("--speaker", "Chen Gang", "-c", "reform", "-c", "capacity"),
    ("--tag", "reform"),
    ("--speaker", "nobody at all"),
]
TWO_MEETING_FILTERS = [(), ("--meeting", "second-meeting"), ("-c", "safety", "--act", "requested")]


def _check_faithful(cli: Invoke, path: Path, catalog: Path, filters: tuple[str, ...]) -> None:
    """Every table equals what the JSON formats say for the same catalogue and filters."""
    where = ("--catalog", str(catalog))
    directives = json_out(cli, "list", *where, *filters)
    assert rows(path, "directives") == directives

    meeting_filter = [filters[i + 1] for i, a in enumerate(filters) if a == "--meeting"]
    meetings = json_out(cli, "meeting", *where, *meeting_filter)
    assert rows(path, "meetings") == [
        {k: v for k, v in m.items() if k != "statistics"} for m in meetings
    ]
    assert rows(path, "statistics") == [
        {"id": s["id"], "meeting": m["id"], **{k: v for k, v in s.items() if k != "id"}}
        for m in meetings
        for s in m["statistics"]
    ]
    figures = json_out(cli, "figures", *where, *[f"--meeting={m}" for m in meeting_filter])
    assert rows(path, "statistics") == figures

    categories = rows(path, "categories")
    counted = [(d["meeting"], d["category"]) for d in directives]
    assert [c["count"] for c in categories] == [
        counted.count((c["meeting"], c["id"])) for c in categories
    ]
    listed = json_out(cli, "categories", *where, *[f"--meeting={m}" for m in meeting_filter])
    category_filter = {filters[i + 1] for i, a in enumerate(filters) if a == "-c"}
    expected = [c for c in listed if not category_filter or c["id"] in category_filter]
    if not set(filters) - {"--meeting", *meeting_filter}:
        assert categories == expected  # a meeting filter alone: exactly `categories -f json`
    assert [{k: v for k, v in c.items() if k != "count"} for c in categories] == [
        {k: v for k, v in c.items() if k != "count"} for c in expected
    ]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: " ".join(f) or "all")
def test_bundled_export_equals_the_json_formats(
    cli: Invoke, export: Export, filters: tuple[str, ...]
) -> None:
    path = export(*filters)
    _check_faithful(cli, path, BUNDLED, filters)


@pytest.mark.parametrize("filters", TWO_MEETING_FILTERS, ids=lambda f: " ".join(f) or "all")
def test_two_meeting_export_equals_the_json_formats(
    cli: Invoke, export: Export, filters: tuple[str, ...]
) -> None:
    path = export(*filters, catalog=TWO_MEETINGS)
    _check_faithful(cli, path, TWO_MEETINGS, filters)
    if not filters:
        assert [(c["meeting"], c["id"]) for c in rows(path, "categories")] == [
            ("first-meeting", "safety"),
            ("second-meeting", "safety"),
        ]


def test_columns_are_the_json_keys_in_order(cli: Invoke, export: Export) -> None:
    path = export()
    conn = sqlite3.connect(path)
    columns = {
        table: [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')] for table in TABLES
    }
    conn.close()
    assert columns["directives"] == list(json_out(cli, "list")[0])
    assert columns["categories"] == list(json_out(cli, "categories")[0])
    meeting = json_out(cli, "meeting")[0]
    assert columns["meetings"] == [k for k in meeting if k != "statistics"]
    assert columns["statistics"] == [
        "id", "meeting", "subject", "period", "change", "quote", "note",
    ]  # fmt: skip


def test_hostile_text_survives_the_export(cli: Invoke, export: Export, tmp_path: Path) -> None:
    odd = "nul\x00 tab\t line\nbreak \u202e bidi \U0001f600 [\"json\", 1] 'q' \\ é"
    text = catalogue_text(
        [
            {
                "id": "ODD-1",
                "title": odd,
                "text": odd,
                "tags": [odd, "plain"],
                "addressees": ["x, y", odd],
            }
        ]
    )
    path = tmp_path / "odd" / "catalogue.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    exported = export(catalog=path)
    _check_faithful(cli, exported, path, ())
    assert rows(exported, "directives")[0]["tags"] == [odd, "plain"]


# ---- schema: keys, indexes, full-text search ----------------------------------------------


def test_keys_and_facet_indexes(export: Export) -> None:
    db = sqlite_utils.Database(export(catalog=TWO_MEETINGS))
    assert db.table("meetings").pks == ["id"]
    assert db.table("categories").pks == ["meeting", "id"]
    assert db.table("directives").pks == ["id"]
    assert db.table("statistics").pks == ["id"]
    outbound = {
        tuple(row[2:5]) for row in db.execute('PRAGMA foreign_key_list("directives")').fetchall()
    }
    assert outbound == {
        ("meetings", "meeting", "id"),
        ("categories", "meeting", "meeting"),
        ("categories", "category", "id"),
    }
    assert {(fk.column, fk.other_table) for fk in db.table("statistics").foreign_keys} == {
        ("meeting", "meetings")
    }
    indexed = {tuple(index.columns) for index in db.table("directives").indexes}
    assert {("category",), ("act",), ("speaker",), ("meeting",)} <= indexed
    conn = db.conn
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute('INSERT INTO directives_fts(directives_fts) VALUES ("integrity-check")')


def test_full_text_is_what_sqlite_utils_enable_fts_creates(export: Export, tmp_path: Path) -> None:
    """The FTS table and its triggers, compared with what sqlite-utils itself writes for the
    same columns on a copy of the export: same names, same SQL, same contents."""
    path = export()
    db = sqlite_utils.Database(path)
    table = db.table("directives")
    assert table.detect_fts() == "directives_fts"
    columns = db.table("directives_fts").columns_dict
    ours = _fts_schema(db)

    copy = tmp_path / "copy.db"
    shutil.copy(path, copy)
    theirs_db = sqlite_utils.Database(copy)
    theirs_db.table("directives").disable_fts()
    assert theirs_db.table("directives").detect_fts() is None
    theirs_db.table("directives").enable_fts(list(columns), create_triggers=True, tokenize="porter")
    assert _fts_schema(theirs_db) == ours
    query = "SELECT rowid, * FROM directives_fts WHERE directives_fts MATCH 'reform' ORDER BY rowid"
    assert db.execute(query).fetchall() == theirs_db.execute(query).fetchall()
    config = "SELECT * FROM directives_fts_config ORDER BY k"
    assert db.execute(config).fetchall() == theirs_db.execute(config).fetchall()


def _fts_schema(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """The FTS table and triggers as (name, sql), identifiers quoted one way
    (sqlite-utils 3 quotes with brackets, 4 with double quotes)."""
    found = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE name LIKE 'directives_fts%'"
        " OR type = 'trigger' ORDER BY name"
    ).fetchall()
    normal = []
    for name, sql in found:
        for word in ("directives_fts", "directives_ai", "directives_ad", "directives_au"):
            sql = sql.replace(f"[{word}]", f'"{word}"')
        for column in ("directives", "title", "text", "quote", "speaker", "addressees", "tags"):
            sql = sql.replace(f"[{column}]", f'"{column}"')
        normal.append((name, sql))
    return normal


def test_sqlite_utils_reads_the_export(export: Export) -> None:
    path = export()
    db = sqlite_utils.Database(path)
    assert set(TABLES) <= set(db.table_names())
    assert [db.table(t).count for t in TABLES] == [1, 5, 40, 5]
    hits = list(db.table("directives").search("double prevention", columns=["id"]))
    assert hits == [{"id": "RC-9"}]
    # Porter stemming: the plural finds the singular, as the tool's own search does.
    assert len(list(db.table("directives").search("reforms"))) >= 10
    # An editor's note is searched too, as by `directives search delegate`.
    noted = [r["id"] for r in db.table("directives").search("delegate", columns=["id"])]
    assert noted and all("delegate" in str(db.table("directives").get(i)["note"]) for i in noted)


def test_sqlite_utils_command_line_searches_the_export(export: Export) -> None:
    path = export()
    tool = Path(sys.executable).with_name("sqlite-utils")
    done = subprocess.run(
        [str(tool), "search", str(path), "directives", "double prevention", "-c", "id"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"id": "RC-9"}]


def test_triggers_keep_the_search_in_step_with_edits(export: Export) -> None:
    db = sqlite_utils.Database(export())
    table = db.table("directives")
    assert list(table.search("zeppelin")) == []
    table.update("RC-1", {"title": "Inspect every zeppelin"})
    assert [r["id"] for r in table.search("zeppelin")] == ["RC-1"]
    table.insert({**table.get("RC-2"), "id": "NEW-1", "text": "A zeppelin hangar."})
    assert sorted(r["id"] for r in table.search("zeppelin")) == ["NEW-1", "RC-1"]
    table.delete("RC-1")
    assert [r["id"] for r in table.search("zeppelin")] == ["NEW-1"]


# ---- Datasette -------------------------------------------------------------------------------


def _datasette(path: Path, metadata: Path, *urls: str) -> list[Any]:
    """GET each URL from Datasette serving ``path`` with ``metadata``; the JSON bodies."""

    async def fetch() -> list[Any]:
        ds = Datasette([str(path)], metadata=json.loads(metadata.read_text(encoding="utf-8")))
        await ds.invoke_startup()
        answers = []
        for url in urls:
            response = await ds.client.get(url)
            assert response.status_code == 200, (url, response.text[:500])
            answers.append(response.json())
        return answers

    return asyncio.run(fetch())


def test_datasette_serves_the_export_with_its_metadata(cli: Invoke, tmp_path: Path) -> None:
    path, metadata = tmp_path / "conference.db", tmp_path / "metadata.json"
    result = cli("export", "--sqlite", str(path), "--metadata", str(metadata))
    assert result.code == 0, result.err
    table, search, tables, about = _datasette(
        path,
        metadata,
        "/conference/directives.json?_size=100",
        "/conference/directives.json?_search=double+prevention&_shape=array",
        "/conference.json",
        "/-/metadata.json",
    )
    assert table["rows"] and len(table["rows"]) == 40
    facets = table["facet_results"]
    assert set(facets) == {"category", "act", "speaker", "meeting"}
    counts = {r["value"]: r["count"] for r in facets["category"]["results"]}
    assert counts == {c["id"]: c["count"] for c in json_out(cli, "categories")}
    assert [r["id"] for r in search] == ["RC-9"]
    listed = {t["name"]: t for t in tables["tables"]}
    assert listed["directives"]["fts_table"] == "directives_fts"
    assert listed["directives_fts"]["hidden"]
    meeting = json_out(cli, "meeting")[0]
    assert about["title"] == meeting["title"]
    assert about["source"] == meeting["source"]["title"]
    assert meeting["source"]["file"] in about["description"]


def test_datasette_labels_foreign_keys_with_the_label_columns(cli: Invoke, tmp_path: Path) -> None:
    path, metadata = tmp_path / "two.db", tmp_path / "two.json"
    result = cli(
        "export", "--sqlite", str(path), "--metadata", str(metadata), "--catalog", str(TWO_MEETINGS)
    )
    assert result.code == 0, result.err
    (page,) = _datasette(path, metadata, "/two/statistics.json?_labels=on&_shape=array")
    assert page[0]["meeting"] == {"value": "second-meeting", "label": "The second meeting"}
    tables = json.loads(metadata.read_text(encoding="utf-8"))["databases"]["two"]["tables"]
    assert {name: t["label_column"] for name, t in tables.items()} == {
        "directives": "title",
        "categories": "title",
        "meetings": "title",
        "statistics": "subject",
    }
    assert tables["directives"]["facets"] == ["category", "act", "speaker", "meeting"]


# ---- deterministic -------------------------------------------------------------------------


def test_exporting_twice_gives_the_same_bytes(cli: Invoke, export: Export, tmp_path: Path) -> None:
    first, second = export(catalog=TWO_MEETINGS), export(catalog=TWO_MEETINGS)
    assert first.read_bytes() == second.read_bytes()
    meta_a, meta_b = tmp_path / "a" / "m.json", tmp_path / "b" / "m.json"
    for meta in (meta_a, meta_b):
        meta.parent.mkdir()
        assert (
            cli("export", "--sqlite", str(meta.with_suffix(".db")), "--metadata", str(meta)).code
            == 0
        )
    assert meta_a.read_bytes() == meta_b.read_bytes()


def test_a_catalogue_made_from_the_export_exports_the_same_bytes(
    export: Export, tmp_path: Path
) -> None:
    """Rows -> schema-1 YAML -> export again: the very same file, so the export holds
    everything the catalogue says (bar the source text, copied beside it)."""
    for catalog in (BUNDLED, TWO_MEETINGS):
        first = export(catalog=catalog)
        remade = tmp_path / f"remade-{catalog.stem}"
        _catalogue_from_export(first, remade, catalog)
        again = export(catalog=remade)
        assert again.read_bytes() == first.read_bytes(), catalog


def _catalogue_from_export(path: Path, folder: Path, original: Path) -> None:
    """Write one schema-1 file per meeting row (JSON is YAML), sources copied along."""
    folder.mkdir()
    source_root = original if original.is_dir() else original.parent
    for number, meeting in enumerate(rows(path, "meetings")):
        mid = meeting["id"]
        source = meeting["source"]
        if isinstance(source, dict) and source.get("file"):
            (folder / source["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source_root / source["file"], folder / source["file"])
        document = {
            "schema": 1,
            "meeting": _present(meeting),
            "categories": [
                _present(c, drop=("meeting", "count"))
                for c in rows(path, "categories")
                if c["meeting"] == mid
            ],
            "directives": [
                _present(d, drop=("meeting",))
                for d in rows(path, "directives")
                if d["meeting"] == mid
            ],
            "statistics": [
                _present(s, drop=("meeting",))
                for s in rows(path, "statistics")
                if s["meeting"] == mid
            ],
        }
        text = json.dumps(document, ensure_ascii=False, indent=1)
        (folder / f"{number:03d}.yaml").write_text(text, encoding="utf-8")


def _present(record: dict[str, object], drop: tuple[str, ...] = ()) -> dict[str, object]:
    """A row as catalogue fields: optional ones left out when empty, nested ones too."""
    kept: dict[str, object] = {}
    for key, value in record.items():
        if key in drop or value is None or value == []:
            continue
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
        if isinstance(value, list):
            value = [
                {k: v for k, v in item.items() if v is not None} if isinstance(item, dict) else item
                for item in value
            ]
        kept[key] = value
    return kept


# ---- never overwrite, never half a file ------------------------------------------------------


def test_an_existing_file_is_kept_without_force(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "mine.db"
    target.write_bytes(b"precious")
    result = cli("export", "--sqlite", str(target))
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"directives: error: {target} already exists (run again with --force to replace it)\n"
    )
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.db"]

    result = cli("export", "--sqlite", str(target), "--force")
    assert result.code == 0, result.err
    assert sqlite_utils.Database(target).table("directives").count == 40


def test_an_existing_metadata_file_stops_the_whole_export(cli: Invoke, tmp_path: Path) -> None:
    target, metadata = tmp_path / "new.db", tmp_path / "metadata.json"
    metadata.write_text("{}", encoding="utf-8")
    result = cli("export", "--sqlite", str(target), "--metadata", str(metadata))
    assert result.code == 2
    assert "metadata.json already exists" in result.err
    assert not target.exists()
    assert metadata.read_text(encoding="utf-8") == "{}"


def test_the_same_file_for_both_is_a_usage_error(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    result = cli("export", "--sqlite", str(target), "--metadata", str(target))
    assert result.code == 2
    assert "name the same file" in result.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("-c", "no-such-category"), 2, "unknown category 'no-such-category'"),
        (("--act", "whispered"), 2, "whispered"),
        (("--catalog", "missing.yaml"), 3, "catalogue not found"),
    ],
)
def test_a_failed_export_leaves_no_file(
    cli: Invoke, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    target = tmp_path / "out" / "x.db"
    target.parent.mkdir()
    result = cli("export", "--sqlite", str(target), *args)
    assert result.code == code
    assert result.err.startswith("directives: error: ") and message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert list(target.parent.iterdir()) == []


def test_an_unwritable_place_is_exit_74_with_one_line(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "x.db"
    result = cli("export", "--sqlite", str(target))
    assert result.code == 74
    assert result.err == f"directives: error: cannot write {target}: No such file or directory\n"
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_midway_is_exit_74_and_leaves_nothing(
    tmp_path: Path, sh: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    """The database stops growing halfway (a file-size limit: writes fail with EFBIG, as
    on a full disk): one error line, exit 74, and neither the file nor its temporary."""
    folder = tmp_path / "out"
    folder.mkdir()
    done = sh(f"ulimit -f 64 && directives export --no-cache --sqlite '{folder}/x.db'")
    assert done.returncode == 74, done.stderr
    assert done.stderr.startswith(f"directives: error: cannot write {folder}/x.db: ")
    assert done.stderr.count("\n") == 1
    assert list(folder.iterdir()) == []


def test_the_note_names_what_was_written(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "d.db"
    where = ("--catalog", str(TWO_MEETINGS))
    result = cli("export", "--sqlite", str(target), *where)
    assert result.code == 0
    meetings = json_out(cli, "meeting", *where)
    counts = (
        f"{len(meetings)} meetings, {len(json_out(cli, 'categories', *where))} categories,"
        f" {len(json_out(cli, 'list', *where))} directives,"
        f" {sum(len(m['statistics']) for m in meetings)} statistic"
    )
    assert result.err == f"directives: note: wrote {counts} to {target}\n"


def test_export_help_has_examples(cli: Invoke) -> None:
    result = cli("export", "--help")
    assert result.code == 0
    assert "directives export --sqlite directives.db" in result.out
    assert "datasette directives.db -m metadata.json" in result.out


def test_readme_documents_the_export_with_its_screenshot() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Export to SQLite", 1)[1].split("\n## ", 1)[0]
    for command in ("directives export --sqlite", "sqlite-utils search", "datasette ", "sqlite3 "):
        assert command in section, command
    for table in (*TABLES, "directives_fts"):
        assert f"`{table}`" in section, table
    image = section.split("![", 1)[1].split("](", 1)[1].split(")", 1)[0]
    assert (REPO / image).read_bytes().startswith(b"\x89PNG")


def test_the_export_benchmark_runs_and_checks_the_rows(tmp_path: Path) -> None:
    """benchmarks/export_bench.py end to end on a small catalogue: no timing is judged
    here (the size is below the target's), only that it measures both sides and that
    the rows it counts agree."""
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "export_bench.py"),
            "--size",
            "300",
            "--runs",
            "1",
            "--out",
            str(tmp_path),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "rows: export 300 (full-text 300), list -f json 300: same" in done.stdout
    assert re.search(r"^export --sqlite +300 +[0-9.]+ +list -f json > FILE ", done.stdout, re.M)
