"""The relevance set: questions as analysts type them, each with the directive that must
come first (tests/fixtures/search/questions.yaml; benchmarks/relevance.py reports top-1
accuracy and mean reciprocal rank over the same file).

Every question is asked of the search itself, of the command line through both parsers,
with and without the cache, and of the bundled catalogue padded with 5,000 unrelated
directives: the same directive must come first everywhere.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from conftest import Invoke
from directives_cli import loader, search, store
from directives_cli.model import Catalogue, Directive, Document, Meeting
from directives_cli.search import SearchQuery

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "directives.yaml"
QUESTIONS_FILE = Path(__file__).parent / "fixtures" / "search" / "questions.yaml"
QUESTIONS: list[tuple[str, str]] = [
    (str(item["ask"]), str(item["first"]))
    for item in yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
]
#: Results compared between the paths.
TOP = 5


@pytest.fixture(scope="session")
def bundled() -> store.Index:
    return store.open_index(BUNDLED, use_cache=False)


@pytest.fixture(scope="session")
def padded() -> store.Index:
    """The bundled catalogue and a second meeting of 5,000 directives sharing its common
    words ("safety", "supervision", "the"), so every idf changes."""
    words = ("safety", "supervision", "the", "of", "work", "market", "alpha", "beta", "gamma",
             "delta", "equipment", "special", "level", "system")  # fmt: skip
    filler = tuple(
        Directive(
            id=f"F-{n}",
            meeting="filler",
            category="general",
            title=" ".join(words[(n + k) % len(words)] for k in range(6)),
            text=" ".join(words[(n * k + 3) % len(words)] for k in range(40)),
            speaker="the conference",
            act="stressed",
            quote=" ".join(words[(n + 2 * k) % len(words)] for k in range(12)),
            addressees=(),
            tags=(words[n % len(words)],),
        )
        for n in range(5000)
    )
    meeting = Meeting(id="filler", title="Filler", start="2020-01-01", location="X")
    extra = Document("/filler.yaml", meeting, (), filler, ())
    catalogue = Catalogue((*loader.load(BUNDLED).documents, extra))
    import sqlite3

    conn = sqlite3.connect(":memory:", isolation_level=None)
    store.build(catalogue, conn)
    return store.Index(conn, (), "", None, len(catalogue.directives))


def ranked(index: store.Index, question: str) -> list[str]:
    query = SearchQuery(terms=tuple(shlex.split(question)), limit=TOP)
    return [hit.directive.id for hit in search.search(index, query)]


def test_there_are_enough_questions() -> None:
    assert len(QUESTIONS) >= 100
    assert len({q for q, _ in QUESTIONS}) == len(QUESTIONS)
    known = {d.id for d in loader.load(BUNDLED).directives}
    assert {first for _, first in QUESTIONS} <= known


@pytest.mark.parametrize(("question", "first"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_the_right_directive_comes_first(bundled: store.Index, question: str, first: str) -> None:
    found = ranked(bundled, question)
    assert found[:1] == [first], found


@pytest.mark.parametrize(("question", "first"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_first_at_scale(padded: store.Index, question: str, first: str) -> None:
    assert ranked(padded, question)[:1] == [first]


#: Every this many questions, the command line also answers without the cache (each such
#: call builds the index anew).
NO_CACHE_STRIDE = 4


def test_the_command_line_gives_the_same_answers(cli: Invoke, bundled: store.Index) -> None:
    """Through this parser, from the cache and (for a sample) without it."""
    for number, (question, _) in enumerate(QUESTIONS):
        args = ["search", *shlex.split(question), "-f", "ids", "--limit", str(TOP)]
        cached = cli(*args)
        assert (cached.code, cached.out.split()) == (0, ranked(bundled, question)), question
        if number % NO_CACHE_STRIDE == 0:
            assert cli(args[0], "--no-cache", *args[1:]).out == cached.out, question
