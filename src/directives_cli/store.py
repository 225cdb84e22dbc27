"""Opening a catalogue's index: from the cache when it is current, else built now.

Building turns a loaded `Catalogue` into the rows and full-text entries of the tables
`database` declares, in catalogue order. A warm call reaches only `open_index` and the
cache lookup; the loader (and with it ``yaml``) is imported on a cache miss alone.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from directives_cli.database import (
    INSERT_DIRECTIVE,
    LIST_SEPARATOR,
    SEARCH_FIELDS_ALLOWED,
    SEARCH_LIST_SEPARATOR,
    WORDS_TABLE,
    absolute,
    cache_key,
    connect_for_build,
    create_indexes,
    create_search_tables,
    create_tables,
    dependencies,
    digest,
    encode,
    encode_list,
    file_identity,
    mtime_ns,
    open_cached,
    prune,
    still_current,
    storable,
    usable_cache_dir,
    write_meta,
)

# Tests and the CLI's completion (options.py) name the handle here, beside open_index.
from directives_cli.database import Index as Index
from directives_cli.model import Catalogue, Directive, Document, Statistic
from directives_cli.paths import catalogue_files

TYPE_CHECKING = False  # not typing's: see database.py
if TYPE_CHECKING:
    from typing import Any

    from directives_cli.database import Row, Stat


def open_index(path: Path, *, use_cache: bool = True) -> Index:
    """The index of the catalogue at ``path``: from the cache when it is current, else
    built now (and cached when the cache directory is usable).

    Raises errors.CatalogueError when the catalogue cannot be read or is invalid; problems
    with the cache itself are never errors, only slower.
    """
    given = catalogue_files(path)
    plan = _Plan(os.path.abspath(path), tuple(os.path.abspath(f) for f in given), given)
    cache = usable_cache_dir() if use_cache else None
    if cache is None:
        return _build_in_memory(plan)
    try:
        stats = tuple(file_identity(f) for f in plan.files)
    except OSError:
        return _build_in_memory(plan)  # vanished meanwhile: let the loader say so
    key = cache_key(plan.where, plan.files, stats)
    target = cache / f"{digest(plan.where)}-{digest(key)}.sqlite"
    cached = open_cached(target, key)
    if cached is not None:
        return _index(cached[0], plan, str(target), cached[1])
    return _build_cached(target, key, plan, stats)


class _Plan:
    """What one open is about: the catalogue path and its files, absolute (for identity)
    and as the loader should name them in messages (as the user spelled the path)."""

    __slots__ = ("files", "given", "where")

    def __init__(self, where: str, files: tuple[str, ...], given: Sequence[Path]) -> None:
        self.where = where
        self.files = files
        self.given = given


def _build_in_memory(plan: _Plan) -> Index:
    from directives_cli.yamlsafe import gc_paused

    with gc_paused():
        catalogue = _load(plan.given)
        index = _memory_index(catalogue, plan)
        del catalogue  # freed while the collector is off, so it never walks it
    return index


def _build_cached(target: Path, key: str, plan: _Plan, stats: tuple[Stat, ...]) -> Index:
    from directives_cli.yamlsafe import gc_paused

    with gc_paused():
        catalogue = _load(plan.given)
        index = _build_file(catalogue, target, key, plan, stats)
        del catalogue  # freed while the collector is off, so it never walks it
    return index


def _build_file(
    catalogue: Catalogue, target: Path, key: str, plan: _Plan, stats: tuple[Stat, ...]
) -> Index:
    """Build into a private temporary file beside ``target``, then rename it into place.

    The rename is atomic, so readers see the old file or the new one, never half of one,
    and concurrent builders simply replace each other's equally correct result. No fsync:
    the cache can always be rebuilt, a file cut short by a crash fails the size check and
    is rebuilt, and an fsync would cost a good share of the first call's budget.
    """
    import contextlib  # only here: warm calls never build

    count = len(catalogue.directives)
    conn: sqlite3.Connection | None = None
    temp = ""
    try:
        with _SigintHeld():
            temp = _temporary(target)
        conn = connect_for_build(temp)
        build(catalogue, conn)
        deps = dependencies(catalogue)
        write_meta(conn, key, deps, count)
        keep = still_current(plan.files, stats, deps, mtime_ns(temp))
        if keep:
            os.replace(temp, target)
            temp = ""
            prune(target)
        return _finish(conn, plan, str(target) if keep else None, count)
    except (OSError, sqlite3.Error):
        # Disk full, cache directory removed meanwhile, ...: the catalogue is fine, so
        # answer from memory instead of failing.
        if conn is not None:
            conn.close()
        return _memory_index(catalogue, plan)
    finally:
        # Not kept (racy or changed while loading: served, not cached), failed, or
        # interrupted (SIGINT raises anywhere in the build): never left behind.
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _temporary(target: Path) -> str:
    """A new private file beside ``target``; call it with SIGINT held (`_SigintHeld`)."""
    import tempfile

    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    os.close(handle)
    return temp


class _SigintHeld:
    """Holds SIGINT back for the block, so that an interrupt cannot fall between a file's
    creation and its name reaching the variable a ``finally`` removes it by: a pending
    interrupt is raised when the block ends, after the assignment."""

    def __enter__(self) -> None:
        import signal

        self.mask = getattr(signal, "pthread_sigmask", None)
        if self.mask is not None:
            self.previous = self.mask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *exc_info: object) -> None:
        import signal

        if self.mask is not None and signal.SIGINT not in self.previous:
            self.mask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _memory_index(catalogue: Catalogue, plan: _Plan) -> Index:
    conn = connect_for_build(":memory:")
    build(catalogue, conn)
    return _finish(conn, plan, None, len(catalogue.directives))


def _finish(conn: sqlite3.Connection, plan: _Plan, cache: str | None, count: int) -> Index:
    conn.execute("PRAGMA query_only = ON")
    return _index(conn, plan, cache, count)


def _index(conn: sqlite3.Connection, plan: _Plan, cache: str | None, count: int) -> Index:
    """The handle queries use; a cached one can rebuild itself should its file be damaged."""
    where = plan.where

    def reopen() -> Index:
        return open_index(Path(where))

    return Index(conn, plan.files, where, cache, count, reopen if cache else None)


def _load(files: Sequence[Path]) -> Catalogue:
    from directives_cli import loader

    return loader.load_files(files)


# ---- building -----------------------------------------------------------------------------


def build(catalogue: Catalogue, conn: sqlite3.Connection) -> None:
    """Write ``catalogue`` into the empty database ``conn``, in one transaction.

    Directive rowids are catalogue order (0..n-1), so "catalogue order" is ``ORDER BY
    rowid`` everywhere, including in the full-text tables search builds from the same rows.
    """
    if not conn.in_transaction:
        conn.execute("BEGIN")
    create_tables(conn)
    conn.executemany(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?)", _document_rows(catalogue.documents)
    )
    conn.executemany(
        "INSERT INTO categories VALUES (?,?,?,?,?,?,?)", _category_rows(catalogue.documents)
    )
    speakers: set[str] = set()
    tags: set[str] = set()
    conn.executemany(INSERT_DIRECTIVE, _directive_rows(catalogue.documents, speakers, tags))
    _insert_names(conn, speakers, tags)
    create_indexes(conn)
    _index_for_search(conn, catalogue)
    conn.commit()


def _document_rows(documents: Sequence[Document]) -> Iterator[Row]:
    for position, doc in enumerate(documents):
        meeting = doc.meeting
        source = meeting.source
        yield (
            position,
            storable(absolute(doc.path)),
            meeting.id,
            meeting.start,
            encode(meeting.record()),
            encode([_statistic_row(s) for s in doc.statistics]),
            source.text if source is not None else None,
        )


def _category_rows(documents: Sequence[Document]) -> Iterator[Row]:
    position = 0
    for number, doc in enumerate(documents):
        for category in doc.categories:
            yield (position, number, category.meeting, category.id, category.title,
                   category.description, category.note)  # fmt: skip
            position += 1


def _directive_rows(
    documents: Sequence[Document], speakers: set[str], tags: set[str]
) -> Iterator[Row]:
    """Directive rows in catalogue order, noting every speaker and tag on the way.

    The hot loop of a 100,000-directive build: locals only, one pass, and lists encoded
    by `encode_list` (a join, about a quarter of the cost of JSON).
    """
    sep = LIST_SEPARATOR
    position = 0
    for number, doc in enumerate(documents):
        for d in doc.directives:
            t, a = d.tags, d.addressees
            joined_t = sep + sep.join(t) if t else ""
            joined_a = sep + sep.join(a) if a else ""
            if joined_t.count(sep) != len(t) or joined_a.count(sep) != len(a):
                joined_t, joined_a = encode_list(t), encode_list(a)
            speakers.add(d.speaker)
            tags.update(t)
            yield (
                position, d.id, number, d.meeting, d.category, d.act, d.speaker,
                joined_t, joined_a, d.title, d.text, d.quote, d.note,
            )  # fmt: skip
            position += 1


def _insert_names(conn: sqlite3.Connection, speakers: set[str], tags: set[str]) -> None:
    """Distinct speakers and tags with their case-folded forms, so filters match any case
    (SQLite's NOCASE folds ASCII only) without folding every row."""
    conn.executemany(
        "INSERT INTO speaker_names VALUES (?,?)", ((s, s.casefold()) for s in sorted(speakers))
    )
    conn.executemany(
        "INSERT INTO tag_names VALUES (?,?)", ((t, t.casefold()) for t in sorted(tags))
    )


def _index_for_search(conn: sqlite3.Connection, catalogue: Catalogue) -> None:
    """Fill the full-text table from the same rows, in the same order."""
    index_directives(conn, _search_rows(catalogue.documents))


def index_directives(conn: sqlite3.Connection, rows: Iterable[tuple[int, Directive, str]]) -> None:
    """Create the full-text tables in ``conn`` and index ``rows`` (rowid, directive,
    category title), in the caller's transaction.

    One contentless FTS5 table: the text lives once, in the directives table, and search
    reads it from there, so the index adds only its posting lists. Rows are fed from a
    generator into one executemany: no list of 100,000 rows is ever built.
    """
    create_search_tables(conn)
    counter = _Counter()
    conn.executemany(
        f"INSERT INTO {WORDS_TABLE}(rowid, {', '.join(SEARCH_FIELDS_ALLOWED)})"
        f" VALUES (?, {', '.join('?' * len(SEARCH_FIELDS_ALLOWED))})",
        counter.each(_index_rows(rows)),
    )
    conn.execute("INSERT INTO search_meta VALUES ('rows', ?)", (counter.count,))


class _Counter:
    """Counts what passes through, so the row count costs no second pass."""

    def __init__(self) -> None:
        self.count = 0

    def each(self, items: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        for item in items:
            self.count += 1
            yield item


def _index_rows(rows: Iterable[tuple[int, Directive, str]]) -> Iterator[tuple[Any, ...]]:
    # The hot loop of a 100,000-directive build: locals only, ASCII fields untouched
    # unless hyphenated (the index also holds the closed forms of compounds: see terms).
    from directives_cli.terms import index_text as form

    sep = SEARCH_LIST_SEPARATOR
    for rowid, d, category in rows:
        yield (
            rowid, form(d.title), form(d.text), form(d.quote), form(sep.join(d.tags)),
            form(sep.join(d.addressees)), form(d.speaker), form(category), form(d.note or ""),
        )  # fmt: skip


def _search_rows(documents: Sequence[Document]) -> Iterator[tuple[int, Directive, str]]:
    position = 0
    for doc in documents:
        titles = {c.id: c.title for c in doc.categories}
        for d in doc.directives:
            yield position, d, titles.get(d.category, "")
            position += 1


def _statistic_row(statistic: Statistic) -> list[str | None]:
    """A statistic's fields after its meeting, in the order `Statistic` takes them."""
    s = statistic
    return [s.id, s.subject, s.period, s.change, s.quote, s.note]
