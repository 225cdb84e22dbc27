"""The SQLite index every query runs on, and its on-disk cache.

Why one database for everything: `list`, `show` and `search` then give the same answers
whether the catalogue holds fifty directives or a hundred thousand, and a warm call (the
catalogue unchanged since the last one) opens a prepared file instead of parsing YAML.
This module never imports ``yaml``; only a cache miss reaches the loader, which does.

Cache layout: ``$XDG_CACHE_HOME/directives`` (else ``~/.cache/directives``), mode 0700,
one file per catalogue state named ``<path-digest>-<key-digest>.sqlite`` (16 hex digits
each). The key covers the index format, the package version and code, the catalogue path,
and the identity of every catalogue file (absolute path, size, mtime, ctime, inode,
device); the ctime catches an edit even when the size is kept and the mtime is forced
back. The source texts named by ``meeting.source.file`` are inputs too: their paths and
identities are recorded inside the database and checked on every hit. Files are written
once (temporary file, then an atomic rename) and never modified in place, so readers open
them ``immutable`` and two processes building at once each finish with a complete, correct
file. Anything unreadable, stale or truncated is rebuilt silently; a cache directory that
cannot be used means an in-memory index, never an error. An index built from inputs
changed within the filesystem's timestamp granularity is served but not kept ("racy
git"), since a further edit could then leave every timestamp as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directives_cli import __version__
from directives_cli.model import Catalogue, Directive, Document, Statistic

#: Version of the table layout below; bump it whenever a table or column changes.
FORMAT = 4

#: Separates the items of a stored list (tags, addressees); a value containing it is
#: stored as JSON instead, recognisable by its leading "[".
LIST_SEPARATOR = "\x1f"

#: Cache files of other states of the same catalogue removed per rebuild (bounded work).
_PRUNE_LIMIT = 32
#: A leftover temporary file older than this belonged to a build that died: remove it.
_STALE_TEMP_SECONDS = 3600.0
#: SQLite result codes that mean the cache file itself is damaged.
_DAMAGED = {10, 11, 26}  # SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB

_SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
    position INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    meeting TEXT NOT NULL COLLATE NOCASE,
    start TEXT NOT NULL,
    meeting_json TEXT NOT NULL,
    statistics TEXT NOT NULL,
    source TEXT
);
CREATE TABLE categories(
    position INTEGER PRIMARY KEY,
    document INTEGER NOT NULL,
    meeting TEXT NOT NULL COLLATE NOCASE,
    id TEXT NOT NULL COLLATE NOCASE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    note TEXT
);
CREATE TABLE directives(
    position INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    document INTEGER NOT NULL,
    meeting TEXT NOT NULL COLLATE NOCASE,
    category TEXT NOT NULL COLLATE NOCASE,
    act TEXT NOT NULL COLLATE NOCASE,
    speaker TEXT NOT NULL,
    tags TEXT NOT NULL,
    addressees TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    quote TEXT NOT NULL,
    note TEXT
);
CREATE TABLE speaker_names(speaker TEXT PRIMARY KEY, fold TEXT NOT NULL);
CREATE TABLE tag_names(tag TEXT PRIMARY KEY, fold TEXT NOT NULL);
"""

# Created after the rows are in: one sort per index instead of a b-tree update per row.
# (category, document) serves `list -c` and the per-category counts; keyed by meeting
# instead, the text comparisons made it twice as slow to build at 100,000 directives.
_INDEXES = """
CREATE UNIQUE INDEX directives_id ON directives(id);
CREATE INDEX directives_category ON directives(category, document);
CREATE INDEX speaker_names_fold ON speaker_names(fold);
CREATE INDEX tag_names_fold ON tag_names(fold);
"""

_INSERT_DIRECTIVE = (
    "INSERT INTO directives(position, id, document, meeting, category, act, speaker, tags,"
    " addressees, title, text, quote, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)

# Compact, non-ASCII kept as is; prebuilt because json.dumps with options builds an
# encoder per call, which costs a visible share of a 100,000-directive build.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

Row = tuple[Any, ...]
Stat = tuple[int, int, int, int, int]


@dataclass(eq=False)
class Index:
    """An open index of one catalogue: the connection every query uses, and where it came
    from. Query through `rows`, which rebuilds a damaged cache file and retries once."""

    conn: sqlite3.Connection
    #: The catalogue files the index was built from, absolute, in catalogue order.
    files: tuple[str, ...]
    #: The catalogue path the index was opened for (a file or a directory), absolute.
    path: str = ""
    #: The cache file in use, or None for an in-memory index.
    cache_file: str | None = None
    #: Number of directives, so callers can pick strategies by size without counting.
    directive_count: int = 0
    _recovered: bool = field(default=False, repr=False)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Run one read-only statement and fetch every row.

        A cache file damaged after it was checked (bytes overwritten in place) surfaces
        here as a SQLite corruption error: drop the file, rebuild, and run again once.
        """
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            if not self._damaged(exc):
                raise
            self._rebuild()
            return self.conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Release the connection (and with it the cache file's descriptor)."""
        self.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _damaged(self, exc: sqlite3.DatabaseError) -> bool:
        if self.cache_file is None or self._recovered or not self.path:
            return False
        code = getattr(exc, "sqlite_errorcode", None)  # absent on errors Python raises itself
        return code is not None and code & 0xFF in _DAMAGED

    def _rebuild(self) -> None:
        assert self.cache_file is not None
        with contextlib.suppress(OSError):
            os.unlink(self.cache_file)
        fresh = open_index(Path(self.path))
        self.conn.close()
        self.conn, self.files = fresh.conn, fresh.files
        self.cache_file, self.directive_count = fresh.cache_file, fresh.directive_count
        self._recovered = True


# ---- opening ------------------------------------------------------------------------------


def open_index(path: Path, *, use_cache: bool = True) -> Index:
    """The index of the catalogue at ``path``: from the cache when it is current, else
    built now (and cached when the cache directory is usable).

    Raises errors.CatalogueError when the catalogue cannot be read or is invalid; problems
    with the cache itself are never errors, only slower.
    """
    from directives_cli import loader

    given = loader.catalogue_files(path)
    plan = _Plan(os.path.abspath(path), tuple(os.path.abspath(f) for f in given), given)
    cache = _cache_dir() if use_cache else None
    if cache is None:
        return _build_in_memory(plan)
    try:
        stats = tuple(_stat(f) for f in plan.files)
    except OSError:
        return _build_in_memory(plan)  # vanished meanwhile: let the loader say so
    key = _key(plan.where, plan.files, stats)
    target = cache / f"{_digest(plan.where)}-{_digest(key)}.sqlite"
    index = _open_cached(target, key, plan)
    if index is not None:
        return index
    return _build_cached(target, key, plan, stats)


@dataclass(frozen=True)
class _Plan:
    """What one open is about: the catalogue path and its files, absolute (for identity)
    and as the loader should name them in messages (as the user spelled the path)."""

    where: str
    files: tuple[str, ...]
    given: Sequence[Path]


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
    import tempfile

    count = len(catalogue.directives)
    conn: sqlite3.Connection | None = None
    temp = ""
    try:
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
        os.close(handle)
        conn = _connect_for_build(temp)
        build(catalogue, conn)
        deps = _dependencies(catalogue)
        _write_meta(conn, key, deps, count)
        keep = _still_current(plan.files, stats, deps, _mtime_ns(temp))
        if keep:
            os.replace(temp, target)
            _prune(target)
        else:
            os.unlink(temp)  # racy or changed while loading: serve it, do not keep it
        return _finish(conn, plan, str(target) if keep else None, count)
    except (OSError, sqlite3.Error):
        # Disk full, cache directory removed meanwhile, ...: the catalogue is fine, so
        # answer from memory instead of failing.
        if conn is not None:
            conn.close()
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        return _memory_index(catalogue, plan)


def _memory_index(catalogue: Catalogue, plan: _Plan) -> Index:
    conn = _connect_for_build(":memory:")
    build(catalogue, conn)
    return _finish(conn, plan, None, len(catalogue.directives))


def _finish(conn: sqlite3.Connection, plan: _Plan, cache: str | None, count: int) -> Index:
    conn.execute("PRAGMA query_only = ON")
    return Index(conn, plan.files, plan.where, cache, count)


def _load(files: Sequence[Path]) -> Catalogue:
    from directives_cli import loader

    return loader.load_files(files)


def _connect_for_build(where: str) -> sqlite3.Connection:
    """A connection tuned for one bulk transaction into a private file: no journal, no
    syncing (a failed build is discarded whole, never reused)."""
    conn = sqlite3.connect(where, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def _open_cached(target: Path, key: str, plan: _Plan) -> Index | None:
    """The cached index at ``target`` if it is complete and current, else None."""
    conn: sqlite3.Connection | None = None
    try:
        size = os.stat(target).st_size
        conn = sqlite3.connect(_immutable_uri(target), uri=True, isolation_level=None)
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        current = (
            meta.get("format") == str(FORMAT)
            and meta.get("key") == key
            and page_size * pages == size
            and _dependencies_unchanged(meta.get("dependencies", "[]"))
        )
        if current:
            count = int(meta.get("directives", "0"))
            return Index(conn, plan.files, plan.where, str(target), count)
    except (OSError, sqlite3.Error, ValueError, TypeError):
        pass
    if conn is not None:
        conn.close()
    return None


def _immutable_uri(path: Path) -> str:
    """A read-only, lock-free SQLite URI: safe because cache files never change in place."""
    text = str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{text}?mode=ro&immutable=1"


# ---- identity -----------------------------------------------------------------------------


def _stat(path: str) -> Stat:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _stat_or_none(path: str) -> Stat | None:
    try:
        return _stat(path)
    except OSError:
        return None


def _mtime_ns(path: str) -> int:
    return os.stat(path).st_mtime_ns


def _key(where: str, files: tuple[str, ...], stats: tuple[Stat, ...]) -> str:
    """Everything a cached index depends on that can be known without opening it."""
    parts = [f"format {FORMAT}", f"version {__version__}", _code_identity(), where]
    parts.extend(f"{name} {' '.join(map(str, st))}" for name, st in zip(files, stats, strict=True))
    return "\n".join(parts)


def _code_identity() -> str:
    """The package's own modules, by size and mtime: an editable install whose loader or
    index code changed must not serve an index the old code built."""
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        with os.scandir(here) as entries:
            found = sorted(
                f"{e.name}:{e.stat().st_size}:{e.stat().st_mtime_ns}"
                for e in entries
                if e.name.endswith(".py")
            )
    except OSError:
        return "code unknown"
    return "code " + ",".join(found)


def _digest(text: str) -> str:
    """16 hex digits naming a cache file. Not hashlib: importing it costs several
    milliseconds of every warm call, and the name needs no strength, since the full key
    stored inside the file is what is compared (a collision only means a rebuild)."""
    import zlib

    data = text.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def _dependencies(catalogue: Catalogue) -> list[tuple[str, Stat | None]]:
    """The source texts the quotes were checked against, with their identity now."""
    seen: dict[str, Stat | None] = {}
    for doc in catalogue.documents:
        source = doc.meeting.source
        if source is not None and source.file:
            # Joined as the loader joins it, without normalising "..": through a
            # symlinked directory, normalising could name another file.
            name = _absolute(os.path.join(os.path.dirname(doc.path), source.file))
            if name not in seen:
                seen[name] = _stat_or_none(name)
    return list(seen.items())


def _absolute(path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def _dependencies_unchanged(recorded: str) -> bool:
    for name, st in json.loads(recorded):
        now = _stat_or_none(name)
        if (None if st is None else tuple(st)) != now:
            return False
    return True


def _still_current(
    files: tuple[str, ...],
    stats: tuple[Stat, ...],
    deps: list[tuple[str, Stat | None]],
    written_ns: int,
) -> bool:
    """Whether the index just built may be kept under its key.

    Not when a catalogue file changed while it was loading (the key names the old state),
    and not when any input was changed so recently that a further edit could keep its
    size and timestamps (the "racy git" problem). ``written_ns`` is the new cache file's
    mtime: a timestamp from the filesystem clock taken after every input was read, so it
    accounts for the filesystem's own timestamp granularity.
    """
    try:
        if tuple(_stat(f) for f in files) != stats:
            return False
    except OSError:
        return False
    recorded = list(stats) + [st for _, st in deps if st is not None]
    return all(max(st[1], st[2]) < written_ns for st in recorded)


# ---- cache directory ----------------------------------------------------------------------


def cache_dir() -> Path | None:
    """Where cache files live: ``$XDG_CACHE_HOME/directives``, else ``~/.cache/directives``
    (None when no home can be found)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec says relative values are ignored
        try:
            base = os.path.join(os.path.expanduser("~"), ".cache")
        except (KeyError, RuntimeError):
            return None
        if not os.path.isabs(base):
            return None
    return Path(base) / "directives"


def _cache_dir() -> Path | None:
    """The cache directory, created private if missing; None when it cannot be created or
    is not ours alone (another user able to plant files there could feed us any index)."""
    where = cache_dir()
    if where is None:
        return None
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(where)
    except OSError:
        return None
    getuid: Callable[[], int] | None = getattr(os, "getuid", None)
    if getuid is not None and (st.st_uid != getuid() or st.st_mode & 0o022):
        return None
    if not os.access(where, os.W_OK | os.X_OK):
        return None
    return where


def _prune(keep: Path) -> None:
    """Remove this catalogue's other cache files and long-dead temporary files. Bounded,
    best effort: another process may be removing the same files."""
    prefix = keep.name.split("-", 1)[0] + "-"
    now = time.time()
    removed = 0
    try:
        with os.scandir(keep.parent) as entries:
            for entry in entries:
                if removed >= _PRUNE_LIMIT:
                    break
                stale = entry.name.startswith(prefix) and entry.name.endswith(".sqlite")
                if entry.name.endswith(".tmp"):
                    stale = now - entry.stat().st_mtime > _STALE_TEMP_SECONDS
                if stale and entry.name != keep.name:
                    os.unlink(entry.path)
                    removed += 1
    except OSError:
        pass


# ---- building -----------------------------------------------------------------------------


def build(catalogue: Catalogue, conn: sqlite3.Connection) -> None:
    """Write ``catalogue`` into the empty database ``conn``, in one transaction.

    Directive rowids are catalogue order (0..n-1), so "catalogue order" is ``ORDER BY
    rowid`` everywhere, including in the full-text tables search builds from the same rows.
    """
    if not conn.in_transaction:
        conn.execute("BEGIN")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?)", _document_rows(catalogue.documents)
    )
    conn.executemany(
        "INSERT INTO categories VALUES (?,?,?,?,?,?,?)", _category_rows(catalogue.documents)
    )
    speakers: set[str] = set()
    tags: set[str] = set()
    conn.executemany(_INSERT_DIRECTIVE, _directive_rows(catalogue.documents, speakers, tags))
    _insert_names(conn, speakers, tags)
    for statement in _INDEXES.split(";"):
        if statement.strip():
            conn.execute(statement)
    _index_for_search(conn, catalogue)
    conn.commit()


def _document_rows(documents: Sequence[Document]) -> Iterator[Row]:
    for position, doc in enumerate(documents):
        meeting = doc.meeting
        source = meeting.source
        yield (
            position,
            _absolute(doc.path),
            meeting.id,
            meeting.start,
            _encode(meeting.record()),
            _encode([_statistic_row(s) for s in doc.statistics]),
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


def encode_list(items: Sequence[str]) -> str:
    """A tuple of strings as one column: "" for none, else each item after a separator,
    or a JSON array when an item itself holds the separator."""
    if not items:
        return ""
    if any(LIST_SEPARATOR in item for item in items):
        return _encode(list(items))
    return LIST_SEPARATOR + LIST_SEPARATOR.join(items)


def decode_list(column: str) -> tuple[str, ...]:
    """The inverse of `encode_list`."""
    if not column:
        return ()
    if column[0] == LIST_SEPARATOR:
        return tuple(column[1:].split(LIST_SEPARATOR))
    return tuple(json.loads(column))


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
    """Let the search module add its full-text tables, fed the same rows in the same order.
    Imported here, not at the top: a warm call never builds, so never pays for it."""
    from directives_cli import search

    search.index_directives(conn, _search_rows(catalogue.documents))


def _search_rows(documents: Sequence[Document]) -> Iterator[tuple[int, Directive, str]]:
    position = 0
    for doc in documents:
        titles = {c.id: c.title for c in doc.categories}
        for d in doc.directives:
            yield position, d, titles.get(d.category, "")
            position += 1


def _write_meta(
    conn: sqlite3.Connection, key: str, deps: list[tuple[str, Stat | None]], count: int
) -> None:
    rows = {
        "format": str(FORMAT),
        "key": key,
        "dependencies": _encode(deps),
        "directives": str(count),
        "version": __version__,
    }
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())
    conn.commit()


# ---- records ------------------------------------------------------------------------------


def _statistic_row(statistic: Statistic) -> list[str | None]:
    """A statistic's fields after its meeting, in the order `Statistic` takes them."""
    s = statistic
    return [s.id, s.subject, s.period, s.change, s.quote, s.note]
