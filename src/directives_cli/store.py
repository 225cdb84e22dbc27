"""Opening a catalogue's index: from the cache when it is current, else built now.

Building turns a loaded `Catalogue` into the rows and full-text entries of the tables
`database` declares, in catalogue order. A warm call reaches only `open_index` and the
cache lookup; the loader (and with it ``yaml``) is imported on a cache miss alone.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from directives_cli.database import (
    BODY_SHIFT,
    INSERT_BODY,
    INSERT_DIRECTIVE,
    LIST_SEPARATOR,
    SEARCH_FIELDS_ALLOWED,
    SEARCH_LIST_SEPARATOR,
    SLOT_GAP,
    SLOT_SHIFT,
    WORDS_TABLE,
    DamagedIndex,
    absolute,
    base_key,
    cache_key,
    connect_for_build,
    create_indexes,
    create_search_tables,
    create_tables,
    decode_list,
    dependencies_unchanged,
    digest,
    document_dependencies,
    encode,
    encode_list,
    latest_state,
    merge_search_if_grown,
    mtime_ns,
    name_words,
    note_search_rows,
    open_cached,
    pack_bodies,
    pack_text,
    prune,
    record_search_size,
    recorded_files,
    still_current,
    storable,
    unpack_bodies,
    usable_cache_dir,
    write_files,
    write_meta,
)

# Tests and the CLI's completion (options.py) name the handle here, beside open_index.
from directives_cli.database import Index as Index
from directives_cli.model import Catalogue, Directive, Document, Statistic
from directives_cli.paths import catalogue_files, file_identity

TYPE_CHECKING = False  # not typing's: see database.py
if TYPE_CHECKING:
    from typing import Any

    from directives_cli.database import Body, Row, Stat

    Slotted = tuple[int, Document]
    #: The speakers and tags of the rows a pruned copy no longer has.
    _Dropped = tuple[set[str], set[str]]


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


class _Source:
    """A plan with the identity of each of its files, taken before any was read."""

    __slots__ = ("plan", "stats")

    def __init__(self, plan: _Plan, stats: tuple[Stat, ...]) -> None:
        self.plan = plan
        self.stats = stats


def _build_in_memory(plan: _Plan) -> Index:
    from directives_cli.yamlsafe import gc_paused

    with gc_paused():
        conn = connect_for_build(":memory:")
        try:
            built = _stream_build(conn, plan, None, {})
        except _Whole:
            conn.close()
            return _whole_in_memory(plan)
        return _finish(conn, plan, None, built.count)


def _whole_in_memory(plan: _Plan) -> Index:
    """The catalogue loaded whole, as before streaming: its problems are reported exactly
    as a full load reports them (every file, sorted, both places of a duplicate id)."""
    catalogue = _load(plan.given)  # raises CatalogueError when the catalogue is invalid
    index = _memory_index(catalogue, plan)
    del catalogue  # freed while the collector is off, so it never walks it
    return index


def _build_cached(target: Path, key: str, plan: _Plan, stats: tuple[Stat, ...]) -> Index:
    from directives_cli.yamlsafe import gc_paused

    with gc_paused():
        index = _refreshed(target, key, _Source(plan, stats))
        if index is None:
            index = _build_file(target, key, plan, stats)
    return index


def _build_file(target: Path, key: str, plan: _Plan, stats: tuple[Stat, ...]) -> Index:
    """Build into a private temporary file beside ``target``, then rename it into place.

    The rename is atomic, so readers see the old file or the new one, never half of one,
    and concurrent builders simply replace each other's equally correct result. No fsync:
    the cache can always be rebuilt, a file cut short by a crash fails the size check and
    is rebuilt, and an fsync would cost a good share of the first call's budget.
    """
    import contextlib  # only here: warm calls never build

    conn: sqlite3.Connection | None = None
    temp = ""
    try:
        with _SigintHeld():
            temp = _temporary(target)
        conn = connect_for_build(temp)
        built = _stream_build(conn, plan, stats, {})
        deps = list(built.deps.items())
        conn.execute("BEGIN")
        write_files(conn, built.files)
        write_meta(conn, key, base_key(plan.where), deps, built.count)
        conn.commit()
        if settle(temp, target, _Source(plan, stats), deps):
            temp = ""
        return _finish(conn, plan, None if temp else str(target), built.count)
    except _Whole:
        if conn is not None:
            conn.close()
        return _whole_in_memory(plan)
    except (OSError, sqlite3.Error):
        # Disk full, cache directory removed meanwhile, ...: the catalogue is fine, so
        # answer from memory instead of failing.
        if conn is not None:
            conn.close()
        return _build_in_memory(plan)
    finally:
        # Not kept (racy or changed while loading: served, not cached), failed, or
        # interrupted (SIGINT raises anywhere in the build): never left behind.
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def settle(temp: str, target: Path, source: _Source, deps: list[tuple[str, Stat | None]]) -> bool:
    """Rename a finished build into place, unless an input changed meanwhile or too
    recently to trust its timestamps (then it is served once and not kept): whether it
    was kept."""
    plan = source.plan
    if not still_current(plan.files, source.stats, deps, mtime_ns(temp)):
        return False
    os.replace(temp, target)
    prune(target)
    return True


class _Whole(Exception):
    """A file of the catalogue is invalid or clashes with another: load it whole instead."""


class _Built:
    """What a streamed build wrote: directives, the files' records, every source text."""

    __slots__ = ("count", "deps", "files")

    def __init__(self) -> None:
        self.count = 0
        self.files: list[tuple[int, str, Stat, list[tuple[str, Stat | None]]]] = []
        self.deps: dict[str, Stat | None] = {}


def _stream_build(
    conn: sqlite3.Connection,
    plan: _Plan,
    stats: tuple[Stat, ...] | None,
    read: dict[str, Stat | None],
) -> _Built:
    """Build the index a file at a time: load one, write its rows, let it go. Peak memory
    is then one file's model, not the catalogue's. Ids unique across files are checked
    against a set of those written; any problem raises `_Whole`, and the caller loads
    the catalogue whole so the messages are a full load's, word for word."""
    import contextlib

    from directives_cli import readahead

    conn.execute("BEGIN")
    create_tables(conn)
    create_search_tables(conn)
    built = _Built()
    seen: set[tuple[str, str]] = set()
    speakers: set[str] = set()
    tags: set[str] = set()
    with contextlib.closing(readahead.loaded_files(plan.given, read)) as loading:
        for number, (slot, loaded) in enumerate(
            zip(full_slots(len(plan.given)), loading, strict=True)
        ):
            if loaded is None:
                raise _Whole
            ids = list(_incoming_ids(loaded))
            if not seen.isdisjoint(ids):
                raise _Whole
            seen.update(ids)
            pairs = [(slot, loaded.documents[0])]
            _insert_rows(conn, pairs, speakers, tags)
            built.count += _search_insert(conn, _search_rows(pairs))
            deps = document_dependencies(loaded.documents[0], read)
            for name, st in deps:
                built.deps.setdefault(name, st)
            if stats is not None:
                built.files.append((slot, plan.files[number], stats[number], deps))
            del loaded, pairs  # one file's model at a time
    _insert_names(conn, speakers, tags)
    create_indexes(conn)
    record_search_size(conn, built.count)
    conn.commit()
    return built


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
    build(catalogue, conn, full_slots(len(catalogue.documents)))
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


def _load(files: Sequence[Path], read: dict[str, Stat | None] | None = None) -> Catalogue:
    from directives_cli import loader

    return loader.load_files(files, identities=read)


# ---- building -----------------------------------------------------------------------------


def full_slots(count: int) -> list[int]:
    """The slots of a full build's files: evenly spaced, leaving room between them."""
    return [(number + 1) * SLOT_GAP for number in range(count)]


def build(catalogue: Catalogue, conn: sqlite3.Connection, slots: Sequence[int] = ()) -> None:
    """Write ``catalogue`` into the empty database ``conn``, in one transaction.

    Positions (directive and category rowids, full-text rowids) are catalogue order: file
    ``n`` owns the positions from ``slots[n] << SLOT_SHIFT`` (see database.SLOT_SHIFT),
    so "catalogue order" is ``ORDER BY position`` everywhere, and a file rebuilt alone
    leaves the others' positions as they are.
    """
    documents = catalogue.documents
    pairs = list(zip(slots or full_slots(len(documents)), documents, strict=True))
    if not conn.in_transaction:
        conn.execute("BEGIN")
    create_tables(conn)
    speakers: set[str] = set()
    tags: set[str] = set()
    _insert_rows(conn, pairs, speakers, tags)
    _insert_names(conn, speakers, tags)
    create_indexes(conn)
    _index_for_search(conn, pairs)
    conn.commit()


def _insert_rows(
    conn: sqlite3.Connection, pairs: Sequence[Slotted], speakers: set[str], tags: set[str]
) -> None:
    """The document, category and directive rows of these files, noting names on the way."""
    conn.executemany("INSERT INTO documents VALUES (?,?,?,?,?,?,?)", _document_rows(pairs))
    conn.executemany("INSERT INTO categories VALUES (?,?,?,?,?,?,?)", _category_rows(pairs))
    conn.executemany(INSERT_DIRECTIVE, _directive_rows(pairs, speakers, tags))
    conn.executemany(INSERT_BODY, _body_rows(pairs))


def _document_rows(pairs: Sequence[Slotted]) -> Iterator[Row]:
    for slot, doc in pairs:
        meeting = doc.meeting
        source = meeting.source
        yield (
            slot,
            storable(absolute(doc.path)),
            meeting.id,
            meeting.start,
            encode(meeting.record()),
            encode([_statistic_row(s) for s in doc.statistics]),
            pack_text(source.text) if source is not None else None,
        )


def _category_rows(pairs: Sequence[Slotted]) -> Iterator[Row]:
    for slot, doc in pairs:
        position = slot << SLOT_SHIFT
        for category in doc.categories:
            yield (position, slot, category.meeting, category.id, category.title,
                   category.description, category.note)  # fmt: skip
            position += 1


def _directive_rows(pairs: Sequence[Slotted], speakers: set[str], tags: set[str]) -> Iterator[Row]:
    """Directive rows in catalogue order, noting every speaker and tag on the way: the
    columns that filters and sorts read (the long fields are `_body_rows`').

    The hot loop of a 100,000-directive build: locals only, one pass, and tags encoded
    by `encode_list` (a join, about a quarter of the cost of JSON).
    """
    sep = LIST_SEPARATOR
    for slot, doc in pairs:
        position = slot << SLOT_SHIFT
        for d in doc.directives:
            t = d.tags
            joined = sep + sep.join(t) if t else ""
            if joined.count(sep) != len(t):
                joined = encode_list(t)
            speakers.add(d.speaker)
            tags.update(t)
            yield position, d.id, slot, d.category, d.act, d.speaker, joined, d.title
            position += 1


def _body_rows(pairs: Sequence[Slotted]) -> Iterator[tuple[int, bytes]]:
    """Each block of a file's directives with its long fields packed
    (`database.pack_bodies`): text, quote, addressees and note, in position order."""
    size = 1 << BODY_SHIFT
    for slot, doc in pairs:
        block = (slot << SLOT_SHIFT) >> BODY_SHIFT
        directives = doc.directives
        for start in range(0, len(directives), size):
            records = [
                (d.text, d.quote, d.addressees, d.note) for d in directives[start : start + size]
            ]
            yield block, pack_bodies(records)
            block += 1


def _insert_names(conn: sqlite3.Connection, speakers: set[str], tags: set[str]) -> None:
    """Distinct speakers and tags with their case-folded forms, so filters match any case
    (SQLite's NOCASE folds ASCII only) without folding every row."""
    conn.executemany(
        "INSERT INTO speaker_names VALUES (?,?,?)",
        ((s, s.casefold(), name_words(s)) for s in sorted(speakers)),
    )
    conn.executemany(
        "INSERT INTO tag_names VALUES (?,?)", ((t, t.casefold()) for t in sorted(tags))
    )


def _index_for_search(conn: sqlite3.Connection, pairs: Sequence[Slotted]) -> None:
    """Fill the full-text table from the same rows, in the same order."""
    index_directives(conn, _search_rows(pairs))


def index_directives(conn: sqlite3.Connection, rows: Iterable[tuple[int, Directive, str]]) -> None:
    """Create the full-text tables in ``conn`` and index ``rows`` (rowid, directive,
    category title), in the caller's transaction.

    One contentless FTS5 table: the text lives once, in the directives table, and search
    reads it from there, so the index adds only its posting lists. Rows are fed from a
    generator into one executemany: no list of 100,000 rows is ever built.
    """
    create_search_tables(conn)
    count = _search_insert(conn, rows)
    record_search_size(conn, count)


_SEARCH_COLUMNS = ", ".join(SEARCH_FIELDS_ALLOWED)
_SEARCH_MARKS = ", ".join("?" * len(SEARCH_FIELDS_ALLOWED))


def _search_insert(conn: sqlite3.Connection, rows: Iterable[tuple[int, Directive, str]]) -> int:
    """Add ``rows`` to the full-text table; how many there were."""
    counter = _Counter()
    conn.executemany(
        f"INSERT INTO {WORDS_TABLE}(rowid, {_SEARCH_COLUMNS}) VALUES (?, {_SEARCH_MARKS})",
        counter.each(_index_rows(rows)),
    )
    return counter.count


def _search_delete(conn: sqlite3.Connection, rows: Iterable[tuple[int, Any, str]]) -> None:
    """Take ``rows`` out of the contentless full-text table. FTS5 needs the values they
    were indexed with, so they go through the same `_index_rows` as an insert: the
    posting lists, row count and column lengths (BM25's N and avgdl) end as a full
    build's would."""
    conn.executemany(
        f"INSERT INTO {WORDS_TABLE}({WORDS_TABLE}, rowid, {_SEARCH_COLUMNS})"
        f" VALUES ('delete', ?, {_SEARCH_MARKS})",
        _index_rows(rows),
    )


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


def _search_rows(pairs: Sequence[Slotted]) -> Iterator[tuple[int, Directive, str]]:
    for slot, doc in pairs:
        position = slot << SLOT_SHIFT
        titles = {c.id: c.title for c in doc.categories}
        for d in doc.directives:
            yield position, d, titles.get(d.category, "")
            position += 1


def _statistic_row(statistic: Statistic) -> list[str | None]:
    """A statistic's fields after its meeting, in the order `Statistic` takes them."""
    s = statistic
    return [s.id, s.subject, s.period, s.change, s.quote, s.note]


# ---- incremental rebuilds -----------------------------------------------------------------


#: Past this share of files to read again, a full build is cheaper than copying the index.
_REFRESH_SHARE = 0.5


class _Changes:
    """What turns an earlier index into the current one: the slot of every current file,
    which files (by number) to read again, and the slots whose rows go."""

    __slots__ = ("drop", "reload", "slots")

    def __init__(self, slots: list[int], reload: list[int], drop: list[int]) -> None:
        self.slots = slots
        self.reload = reload
        self.drop = drop


def _refreshed(target: Path, key: str, source: _Source) -> Index | None:
    """The index brought up to date from this catalogue's last cached one, reading only
    the files that changed (or whose source text did); None when a full build is due:
    no usable earlier index, too much changed, or the changed files are not valid (the
    full load then reports every problem exactly as it always has)."""
    state = latest_state(target, base_key(source.plan.where))
    if state is None:
        return None
    earlier, old = state
    try:
        changes = _changes(recorded_files(old), source)
    except (sqlite3.Error, ValueError, TypeError):
        changes = None
    finally:
        old.close()
    if changes is None:
        return None
    return _update_copy(earlier, target, key, source, changes)


def _changes(
    recorded: dict[str, tuple[int, Stat, list[list[Any]]]], source: _Source
) -> _Changes | None:
    files = source.plan.files
    current = set(files)
    drop = [slot for name, (slot, _, _) in recorded.items() if name not in current]
    known: list[int | None] = []
    reload: list[int] = []
    for number, name in enumerate(files):
        entry = recorded.get(name)
        if entry is None:
            known.append(None)
            reload.append(number)
            continue
        slot, identity, deps = entry
        known.append(slot)
        if tuple(identity) != source.stats[number] or not dependencies_unchanged(deps):
            reload.append(number)
            drop.append(slot)
    if len(reload) > _REFRESH_SHARE * len(files):
        return None
    slots = _fill_slots(known)
    return None if slots is None else _Changes(slots, reload, drop)


def _fill_slots(known: list[int | None]) -> list[int] | None:
    """Slots for new files (None) between their neighbours' kept ones, in order; None
    when the kept ones are out of order or there is no room left between two of them."""
    slots: list[int] = []
    low = -1
    number = 0
    while number < len(known):
        slot = known[number]
        if slot is not None:
            if slot <= low:
                return None
            slots.append(slot)
            low = slot
            number += 1
            continue
        end = number
        while end < len(known) and known[end] is None:
            end += 1
        run = end - number
        high = known[end] if end < len(known) else low + SLOT_GAP * (run + 1)
        assert high is not None
        if high - low <= run or (high >> (63 - SLOT_SHIFT)) > 0:
            return None
        slots.extend(low + (high - low) * (k + 1) // (run + 1) for k in range(run))
        number = end
    return slots


def _update_copy(
    earlier: Path, target: Path, key: str, source: _Source, changes: _Changes
) -> Index | None:
    """Copy the earlier index beside ``target``, take out the rows of the files that
    changed or went, add those of the files read again, and rename the copy into place
    as a full build would be: readers of the earlier file never see a half-updated one.

    The copy and its deletions (`_pruned_copy`) do not depend on reading the changed
    files, so where a second core helps they run in a `forked` child meanwhile."""
    import contextlib
    import functools

    from directives_cli.errors import CatalogueError
    from directives_cli.forked import ChildLost, Forked, worth_forking

    conn: sqlite3.Connection | None = None
    temp = ""
    pruning: Forked[_Dropped] | None = None
    try:
        with _SigintHeld():
            temp = _temporary(target)
        prune_copy = functools.partial(_pruned_copy, earlier, temp, changes.drop)
        if worth_forking():
            pruning = Forked(prune_copy)
        read: dict[str, Stat | None] = {}
        try:
            loaded = _load([source.plan.given[n] for n in changes.reload], read)
        except CatalogueError:
            return None
        dropped = prune_copy() if pruning is None else pruning.result()
        conn = connect_for_build(temp)
        conn.execute("BEGIN")
        if not _add_files(conn, changes, source, loaded, read, dropped):
            conn.close()
            return None
        deps = _all_dependencies(conn)
        count = conn.execute("SELECT count(*) FROM directives").fetchone()[0]
        note_search_rows(conn, count)
        write_meta(conn, key, base_key(source.plan.where), deps, count)
        conn.commit()
        if settle(temp, target, source, deps):
            temp = ""
        return _finish(conn, source.plan, None if temp else str(target), count)
    except (OSError, sqlite3.Error, DamagedIndex, ChildLost):
        # A damaged earlier index (its file rows unreadable) is no base: build in full.
        if conn is not None:
            conn.close()
        return None
    finally:
        if pruning is not None:  # done, or not needed any more: never left running
            pruning.stop()
        if temp:  # not kept, failed or interrupted: never left behind
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _pruned_copy(earlier: Path, temp: str, drop: Sequence[int]) -> _Dropped:
    """Copy the earlier index over ``temp`` and delete the rows of the files in ``drop``
    (changed or removed), merging the full-text table if it has grown too much; the
    speakers and tags those rows had, for `_forget_names`."""
    import contextlib
    import shutil

    shutil.copyfile(earlier, temp)
    speakers: set[str] = set()
    tags: set[str] = set()
    with contextlib.closing(connect_for_build(temp)) as conn:
        conn.execute("BEGIN")
        for slot in drop:
            _drop_file(conn, slot, speakers, tags)
        merge_search_if_grown(conn)
        conn.commit()
    return speakers, tags


def _add_files(
    conn: sqlite3.Connection,
    changes: _Changes,
    source: _Source,
    loaded: Catalogue,
    read: dict[str, Stat | None],
    dropped: _Dropped,
) -> bool:
    """Check that the files read again clash with no id that stays, and insert them;
    False on a clash (a full load then reports it)."""
    if _clashes(conn, loaded):
        return False
    pairs = [
        (changes.slots[n], doc) for n, doc in zip(changes.reload, loaded.documents, strict=True)
    ]
    speakers: set[str] = set()
    tags: set[str] = set()
    _insert_rows(conn, pairs, speakers, tags)
    _search_insert(conn, _search_rows(pairs))
    conn.executemany(
        "INSERT OR IGNORE INTO speaker_names VALUES (?,?,?)",
        ((s, s.casefold(), name_words(s)) for s in speakers),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO tag_names VALUES (?,?)", ((t, t.casefold()) for t in tags)
    )
    _forget_names(conn, dropped[0] - speakers, dropped[1] - tags)
    plan = source.plan
    write_files(
        conn,
        [
            (slot, plan.files[n], source.stats[n], document_dependencies(doc, read))
            for (slot, doc), n in zip(pairs, changes.reload, strict=True)
        ],
    )
    return True


class _Stored:
    """A directive's searchable fields as the index holds them (its row, and its record
    in a body block), for taking its full-text entry out again (`_search_delete`)."""

    __slots__ = ("addressees", "note", "quote", "speaker", "tags", "text", "title")

    def __init__(self, row: Row, body: Body) -> None:
        self.title, self.speaker, self.tags = row[1], row[2], decode_list(row[3])
        self.text, self.quote, self.addressees, self.note = body[0], body[1], body[2], body[3]


def _drop_file(conn: sqlite3.Connection, slot: int, speakers: set[str], tags: set[str]) -> None:
    """Delete one file's rows everywhere, noting the speakers and tags they had."""
    low, high = slot << SLOT_SHIFT, ((slot + 1) << SLOT_SHIFT) - 1
    blocks = (low >> BODY_SHIFT, high >> BODY_SHIFT)
    titles = dict(
        conn.execute("SELECT id, title FROM categories WHERE position BETWEEN ? AND ?", (low, high))
    )
    rows = conn.execute(
        "SELECT position, title, speaker, tags, category FROM directives"
        " WHERE position BETWEEN ? AND ? ORDER BY position",
        (low, high),
    ).fetchall()
    bodies = [
        record
        for (data,) in conn.execute(
            "SELECT data FROM bodies WHERE block BETWEEN ? AND ? ORDER BY block", blocks
        )
        for record in unpack_bodies(data)
    ]
    stored = [_Stored(row, body) for row, body in zip(rows, bodies, strict=True)]
    for d in stored:
        speakers.add(d.speaker)
        tags.update(d.tags)
    _search_delete(
        conn,
        ((row[0], d, titles.get(row[4], "")) for row, d in zip(rows, stored, strict=True)),
    )
    for table in ("directives", "categories"):
        conn.execute(f"DELETE FROM {table} WHERE position BETWEEN ? AND ?", (low, high))
    conn.execute("DELETE FROM bodies WHERE block BETWEEN ? AND ?", blocks)
    conn.execute("DELETE FROM documents WHERE position = ?", (slot,))
    conn.execute("DELETE FROM files WHERE document = ?", (slot,))


def _clashes(conn: sqlite3.Connection, loaded: Catalogue) -> bool:
    """Whether a directive, statistic or meeting id of the files read again is also an id
    of a file kept: the loader's rule that ids are unique across everything loaded,
    asked of the index instead of the YAML of the files that did not change."""
    conn.execute("CREATE TEMP TABLE incoming(kind TEXT NOT NULL, id TEXT NOT NULL)")
    conn.executemany(
        "INSERT INTO temp.incoming VALUES (?, ?)",
        _incoming_ids(loaded),
    )
    queries = (
        "SELECT 1 FROM directives WHERE id IN"
        " (SELECT id FROM temp.incoming WHERE kind = 'directive') LIMIT 1",
        "SELECT 1 FROM documents WHERE meeting COLLATE BINARY IN"
        " (SELECT id FROM temp.incoming WHERE kind = 'meeting') LIMIT 1",
        "SELECT 1 FROM documents, json_each(documents.statistics) AS s"
        " WHERE json_extract(s.value, '$[0]') IN"
        " (SELECT id FROM temp.incoming WHERE kind = 'statistic') LIMIT 1",
    )
    found = any(conn.execute(query).fetchone() for query in queries)
    conn.execute("DROP TABLE temp.incoming")
    return found


def _incoming_ids(loaded: Catalogue) -> Iterator[tuple[str, str]]:
    for doc in loaded.documents:
        yield "meeting", doc.meeting.id
        for d in doc.directives:
            yield "directive", d.id
        for s in doc.statistics:
            yield "statistic", s.id


def _forget_names(conn: sqlite3.Connection, speakers: set[str], tags: set[str]) -> None:
    """Remove the speakers and tags no directive has any more (candidates only: those
    of the files dropped that the files added do not have)."""
    if speakers:
        used = {
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT speaker FROM directives WHERE speaker IN"
                " (SELECT value FROM json_each(?))",
                (encode(sorted(speakers)),),
            )
        }
        conn.executemany(
            "DELETE FROM speaker_names WHERE speaker = ?", ((s,) for s in speakers - used)
        )
    if tags:
        remaining = set(tags)
        for (column,) in conn.execute("SELECT tags FROM directives WHERE tags != ''"):
            remaining.difference_update(decode_list(column))
            if not remaining:
                break
        conn.executemany("DELETE FROM tag_names WHERE tag = ?", ((t,) for t in remaining))


def _all_dependencies(conn: sqlite3.Connection) -> list[tuple[str, Stat | None]]:
    """Every source text of the updated index, from its files' own records."""
    seen: dict[str, Stat | None] = {}
    for (column,) in conn.execute("SELECT dependencies FROM files ORDER BY document"):
        for name, st in json.loads(column):
            seen.setdefault(name, None if st is None else tuple(st))
    return list(seen.items())
