"""Streaming machine output (issue 5): `list` and `search` write records as they are read,
and the bytes are exactly those of rendering the whole list at once.

The whole-list rendering is spelled out here independently (`whole_list`: one
json.dumps/yaml.dump/csv writer over every record, as render_records did before it
streamed), so the chunk seams are checked against the standard libraries, not against
themselves. The CLI half runs a generated catalogue of a few thousand directives, big
enough to span many chunks and query pages.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Invoke
from directives_cli import query, search, store
from directives_cli.commands import Output
from directives_cli.database import Index
from directives_cli.errors import UsageError
from directives_cli.model import Directive, Filters
from directives_cli.output import FLUSH_EVERY, emit
from directives_cli.render import Format, machine
from directives_cli.render.escape import DANGEROUS_BEYOND_C0, escape_field
from directives_cli.render.formats import default_fields
from directives_cli.render.records import directive_records, pick
from fixtures.render import samples

Record = Mapping[str, object]
MACHINE_FORMATS = [f for f in Format if f is not Format.TABLE]
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
#: Enough directives for several 256-record chunks and 500-directive pages per call.
GENERATED = 3000

# Every CLI call here reads catalogues that never change: one index cache per session.
pytestmark = pytest.mark.usefixtures("shared_cache")

# ---- the whole-list rendering, independently ---------------------------------------------------

_JSON_UNSAFE = re.compile(f"[{DANGEROUS_BEYOND_C0}]")
_YAML_OPTIONS: dict[str, Any] = {
    "sort_keys": False,
    "allow_unicode": True,
    "default_flow_style": False,
    "width": 1_000_000_000,
}


def _json_text(value: object, indent: int | None) -> str:
    """json.dumps, with terminal-active characters as the \\u escapes ensure_ascii writes."""
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return _JSON_UNSAFE.sub(lambda m: json.dumps(m.group())[1:-1], text)


def _csv_text(header: Sequence[str], rows: Sequence[Record]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([machine._text(value) for value in row.values()] for row in rows)
    return buffer.getvalue()


def _markdown_text(header: Sequence[str], rows: Sequence[Record]) -> str:
    lines: list[list[object]] = [list(header), *[list(row.values()) for row in rows]]
    out = ["| " + " | ".join(machine._markdown_cell(c) for c in line) + " |" for line in lines]
    out.insert(1, "|" + " --- |" * len(header))
    return "\n".join(out) + "\n"


def whole_list(records: Sequence[Record], fmt: Format, fields: Sequence[str]) -> str:
    """Every record rendered in one call, the way render_records worked before streaming.
    (Per-value spellings, `_text` and `_markdown_cell`, are machine's own: they are not
    what streaming changed.)"""
    rows = [pick(record, fields) for record in records]
    match fmt:
        case Format.PLAIN:
            return "".join(machine._plain_line(row) for row in rows)
        case Format.IDS:
            return "".join(f"{escape_field(machine._text(r['id']))}\n" for r in records)
        case Format.CSV:
            return _csv_text(fields, rows)
        case Format.JSON:
            return _json_text(rows, 2) + "\n"
        case Format.JSONL:
            return "".join(_json_text(row, None) + "\n" for row in rows)
        case Format.YAML:
            text: str = yaml.dump(rows, Dumper=yaml.CSafeDumper, **_YAML_OPTIONS)
            return text
        case _:
            return _markdown_text(fields, rows)


# ---- render level: any records, every format, any chunk size -----------------------------------

_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=())),
    st.sampled_from(samples.HOSTILE),
    st.sampled_from(["no", "2018", "1.10", "null", "~", "- x", "", " ", "a: b", "x\ud800y"]),
)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), _TEXT)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_FIELD_NAMES = st.lists(st.text(min_size=1, max_size=8), unique=True, max_size=4)


@st.composite
def record_sets(draw: st.DrawFn) -> tuple[list[dict[str, object]], tuple[str, ...]]:
    """Records that all hold ``id`` and the fields shown (plus maybe one not shown)."""
    fields = tuple(dict.fromkeys(["id", *draw(_FIELD_NAMES)]))
    keys = (*fields, "hidden") if draw(st.booleans()) else fields
    values: st.SearchStrategy[object] = _VALUES
    shape = st.fixed_dictionaries(dict.fromkeys(keys, values))
    return draw(st.lists(shape, max_size=12)), tuple(draw(st.permutations(fields)))


def _has_surrogate(value: object) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in json.dumps(value, ensure_ascii=False))


@settings(max_examples=300, deadline=None)
@given(data=record_sets(), fmt=st.sampled_from(MACHINE_FORMATS), size=st.sampled_from([1, 2, 5]))
def test_streamed_records_are_the_whole_list_rendering(
    data: tuple[list[dict[str, object]], tuple[str, ...]], fmt: Format, size: int
) -> None:
    records, fields = data
    with mock.patch.object(machine, "CHUNK_RECORDS", size):
        chunks = list(machine.iter_records(iter(records), fmt, fields))
    streamed = "".join(chunks)
    assert streamed == machine.render_records(records, fmt, fields)
    assert all(chunks), "no empty writes"
    # libyaml cannot encode a lone surrogate: such a record alone goes to the pure-Python
    # dumper (documented), where the whole-list rendering sent every record there.
    if fmt is not Format.YAML or not _has_surrogate(records):
        assert streamed == whole_list(records, fmt, fields)


@settings(max_examples=200, deadline=None)
@given(data=record_sets())
def test_one_record_shown_as_json_is_json_dumps_indented(
    data: tuple[list[dict[str, object]], tuple[str, ...]],
) -> None:
    """`show ID -f json` shares the fast indented layout; it is json.dumps(indent=2)'s."""
    for record in data[0]:
        assert machine.render_pairs([record], Format.JSON) == _json_text(record, 2) + "\n"


@pytest.mark.parametrize("fmt", MACHINE_FORMATS, ids=str)
def test_empty_input_renders_as_before(fmt: Format) -> None:
    fields = default_fields(fmt)
    assert machine.render_records([], fmt, fields) == whole_list([], fmt, fields)
    assert machine.render_records(iter(()), fmt, fields) == whole_list([], fmt, fields)


def test_a_yaml_record_with_a_lone_surrogate_keeps_its_neighbours_text() -> None:
    """The record libyaml cannot encode is dumped alone; its neighbours keep libyaml's
    exact U+0085, and the text does not depend on where chunks fall."""
    records = [{"id": "a\x85b"}, {"id": "x\ud800"}, {"id": "c\x85d"}]
    texts = set()
    for size in (1, 2, 3):
        with mock.patch.object(machine, "CHUNK_RECORDS", size):
            texts.add(machine.render_records(records, Format.YAML, ("id",)))
    (text,) = texts
    assert yaml.safe_load(text) == records


def test_records_are_read_only_as_chunks_are_asked_for() -> None:
    pulled = 0

    def counted() -> Iterator[dict[str, object]]:
        nonlocal pulled
        for n in range(10 * machine.CHUNK_RECORDS):
            pulled += 1
            yield {"id": f"X-{n}"}

    chunks = machine.iter_records(counted(), Format.JSON, ("id",))
    assert pulled == 0
    next(chunks)
    assert pulled == machine.CHUNK_RECORDS


def test_an_unknown_field_still_fails_in_every_format() -> None:
    for fmt in MACHINE_FORMATS:
        with pytest.raises(UsageError, match="unknown field 'nope'"):
            machine.render_records([{"id": "A-1"}], fmt, ("id", "nope"))


# ---- emit: writes as chunks come --------------------------------------------------------------


class _Stdout(io.StringIO):
    """A stdout that records what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed_at: list[int] = []

    def flush(self) -> None:
        self.flushed_at.append(len(self.getvalue()))


def test_emit_writes_and_flushes_while_chunks_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    seen: list[int] = []
    piece = "x" * (FLUSH_EVERY // 2)

    def chunks() -> Iterator[str]:
        for _ in range(8):
            seen.append(len(out.getvalue()))
            yield piece

    emit(Output(chunks=chunks()), "never")
    assert out.getvalue() == piece * 8
    assert seen == [n * len(piece) for n in range(8)], "each chunk written before the next"
    assert len(out.flushed_at) >= 4


# ---- the CLI on a generated catalogue ---------------------------------------------------------


def _generator() -> ModuleType:
    """benchmarks/generate.py, imported by path (benchmarks/ is not a package)."""
    if "generate" in sys.modules:
        return sys.modules["generate"]
    spec = importlib.util.spec_from_file_location("generate", BENCHMARKS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = _generator().generate(GENERATED, tmp_path_factory.mktemp("generated"), seed=1)
    assert made.count == GENERATED
    path: Path = made.directory
    return path


@pytest.fixture(scope="module")
def generated_index(catalogue: Path) -> Iterator[Index]:
    """The generated catalogue's index, built once (in memory) for every expectation."""
    with store.open_index(catalogue, use_cache=False) as index:
        yield index


def _listed(index: Index, **options: Any) -> list[Directive]:
    return query.list_directives(index, Filters(), **options)


def _found(index: Index, *terms: str, **options: Any) -> list[Any]:
    return search.search(index, search.SearchQuery(terms=terms, **options))


@pytest.mark.parametrize("fmt", MACHINE_FORMATS, ids=str)
def test_list_streams_exactly_the_whole_list(
    cli: Invoke, catalogue: Path, generated_index: Index, fmt: Format
) -> None:
    result = cli("list", "-f", str(fmt), "--catalog", str(catalogue))
    fields = default_fields(fmt)
    expected = whole_list(directive_records(_listed(generated_index), fields), fmt, fields)
    assert (result.code, result.err) == (0, "")
    assert result.out == expected


@pytest.mark.parametrize("fmt", MACHINE_FORMATS, ids=str)
def test_search_streams_exactly_the_whole_list(
    cli: Invoke, catalogue: Path, generated_index: Index, fmt: Format
) -> None:
    result = cli("search", "safety", "-f", str(fmt), "--catalog", str(catalogue))
    hits = _found(generated_index, "safety")
    assert len(hits) > 2 * machine.CHUNK_RECORDS, "the query spans several chunks"
    fields = default_fields(fmt, search=True)
    assert (result.code, result.err) == (0, "")
    assert result.out == whole_list(directive_records(hits, fields), fmt, fields)


@pytest.mark.parametrize(
    ("args", "options"),
    [
        (
            ("list", "--sort", "title", "--limit", "700", "-f", "jsonl"),
            {"sort": "title", "limit": 700},
        ),
        (
            ("list", "-c", "risk-control", "--fields", "id,tags", "-f", "csv"),
            {"filters": Filters(categories=("risk-control",))},
        ),
        (
            ("search", "safety", "reform", "--any", "--limit", "600", "-f", "json"),
            {"terms": ("safety", "reform"), "any_term": True, "limit": 600},
        ),
        (
            ("search", "forklift", "--in", "title,text", "-f", "yaml"),
            {"terms": ("forklift",), "fields": ("title", "text")},
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_options_apply_to_the_whole_stream(
    cli: Invoke,
    catalogue: Path,
    generated_index: Index,
    args: tuple[str, ...],
    options: dict[str, Any],
) -> None:
    """Sorting, filters, limits and --fields apply to the whole result, not per chunk."""
    result = cli(*args, "--catalog", str(catalogue))
    fmt, is_search = Format(args[-1]), args[0] == "search"
    index = generated_index
    if is_search:
        items: Sequence[Any] = search.search(index, search.SearchQuery(**options))
    else:
        rest = {k: v for k, v in options.items() if k != "filters"}
        items = query.list_directives(index, options.get("filters", Filters()), **rest)
    fields = ("id", "tags") if "--fields" in args else default_fields(fmt, search=is_search)
    assert (result.code, result.err) == (0, "")
    assert result.out == whole_list(directive_records(items, fields), fmt, fields)


# ---- search's exit status is decided before any output ----------------------------------------


@pytest.mark.parametrize("fmt", [*MACHINE_FORMATS, Format.TABLE], ids=str)
def test_search_limit_zero_shows_nothing_but_succeeds_when_something_matches(
    cli: Invoke, fmt: Format
) -> None:
    """Like `head -n 0`: the format's empty answer (json's "[]", csv's header), exit 0."""
    result = cli("search", "reform", "--limit", "0", "-f", str(fmt))
    assert (result.code, result.err) == (0, "")
    if fmt is not Format.TABLE:
        assert result.out == whole_list([], fmt, default_fields(fmt, search=True))


def test_search_limit_zero_fails_when_nothing_matches(cli: Invoke) -> None:
    result = cli("search", "zzyzx", "--limit", "0", "-f", "json")
    assert (result.code, result.out) == (1, "")
    assert result.err == "directives: error: no directive matches 'zzyzx'\n"


@pytest.mark.parametrize("fmt", MACHINE_FORMATS, ids=str)
def test_no_hit_is_exit_1_with_nothing_on_stdout(cli: Invoke, catalogue: Path, fmt: Format) -> None:
    """Not even json's "[]" or csv's header: the stream starts only after a first hit."""
    result = cli("search", "zzyzx", "-f", str(fmt), "--catalog", str(catalogue))
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("directives: error: no directive matches 'zzyzx'")
    assert result.err.count("\n") == 1


def test_word_search_suggests_spellings_but_regex_does_not(cli: Invoke) -> None:
    word = cli("search", "elevater", "-f", "json")
    assert word.code == 1
    assert "did you mean: elevator" in word.err
    regex = cli("search", "--regex", "elevater", "-f", "json")
    assert (regex.code, regex.out) == (1, "")
    assert regex.err == "directives: error: no directive matches 'elevater'\n"


def test_regex_search_streams_its_hits(
    cli: Invoke, catalogue: Path, generated_index: Index
) -> None:
    result = cli("search", "--regex", r"safet(y|ies)", "-f", "jsonl", "--catalog", str(catalogue))
    hits = _found(generated_index, r"safet(y|ies)", regex=True)
    fields = default_fields(Format.JSONL, search=True)
    assert result.code == 0
    assert result.out == whole_list(directive_records(hits, fields), Format.JSONL, fields)


# ---- an error while streaming -----------------------------------------------------------------


def _failing_after(count: int, error: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make fetching directives fail once ``count`` have been read, as a vanished index
    or a stopped regex would, after some output was already written."""
    real = query.fetch_directives

    def fetch(index: Any, positions: Sequence[int]) -> Iterator[Directive]:
        for n, directive in enumerate(real(index, positions)):
            if n == count:
                raise error
            yield directive

    monkeypatch.setattr(query, "fetch_directives", fetch)


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (UsageError("stopped on purpose"), 2, "directives: error: stopped on purpose\n"),
        (
            RuntimeError("boom"),
            70,
            "directives: error: unexpected RuntimeError: boom"
            " (run again with --debug for a traceback)\n",
        ),
    ],
)
def test_an_error_mid_stream_keeps_complete_records_and_reports_once(
    cli: Invoke,
    catalogue: Path,
    generated_index: Index,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    code: int,
    message: str,
) -> None:
    """Records written before the failure stay (whole ones: chunks end between records),
    the error is one stderr line with its status, and a JSON array is left unclosed so
    no parser mistakes the cut-short answer for the whole one."""
    fields = default_fields(Format.JSON)
    whole = whole_list(directive_records(_listed(generated_index), fields), Format.JSON, fields)
    _failing_after(1200, error, monkeypatch)
    result = cli("list", "-f", "json", "--catalog", str(catalogue))
    assert (result.code, result.err) == (code, message)
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.out)
    assert whole.startswith(result.out)
    assert result.out.endswith("\n  }"), "cut between records"
    assert 0 < result.out.count('\n    "id": ') <= 1200


def test_a_closed_pipe_mid_stream_is_quiet(sh: Any, catalogue: Path) -> None:
    result = sh(
        f"directives list -f json --catalog '{catalogue}' | head -c 100 > /dev/null;"
        " echo status=${PIPESTATUS[0]}"
    )
    assert result.stderr == ""
    assert result.stdout.strip() in ("status=0", "status=141")
