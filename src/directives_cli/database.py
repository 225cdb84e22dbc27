"""The SQLite index every query runs on: its tables, its handle, and its on-disk cache.

Why one database for everything: `list`, `show` and `search` then give the same answers
whether the catalogue holds fifty directives or a hundred thousand, and a warm call (the
catalogue unchanged since the last one) opens a prepared file instead of parsing YAML.
This is the lowest layer of the index: it knows the tables and the cache files, and
nothing of the loader, the search or the queries above it. `store` fills the tables.

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

Size: the directives table holds the short fields that filters and sorts read; the long
ones (text, quote, addressees, note) are packed a block of consecutive directives at a
time into ``bodies``, and each meeting's source text is compressed (`pack_bodies`), so the
index is no larger than the YAML plus its full-text postings: 1.06 times the YAML at
100,000 directives, against 1.76 with every field stored as written.

Incremental rebuilds: the ``files`` table records each catalogue file's slot, its identity
as it was before it was read, and the source text it was checked against. A miss finds
this catalogue's latest cache file built under the same base key (`latest_state`), and
`store` copies it, replaces the rows of the files that changed, and renames the copy into
place as a new state: an index is still never modified in place, so readers holding the
old file keep a consistent one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from directives_cli import __version__
from directives_cli.paths import file_identity

# Not typing.TYPE_CHECKING: importing typing costs a warm call milliseconds, and type
# checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from directives_cli.model import Document

    Row = tuple[Any, ...]
    Stat = tuple[int, int, int, int, int]
    #: One directive's long fields, as `pack_bodies` packs them: text, quote, addressees, note.
    Body = tuple[str, str, tuple[str, ...], str | None]

#: Version of the table layout below; bump it whenever a table or column changes.
FORMAT = 6


def name_words(name: str) -> str:
    """A name's case-folded words, each between single spaces (" chen gang "), so
    `--speaker chen` can match a whole word of a name with one `instr`, whatever
    punctuation or spacing the name is written with."""
    import re

    return " " + " ".join(re.findall(r"\w+", name.casefold())) + " "


#: Catalogue order without renumbering: a file owns the positions ``slot << SLOT_SHIFT``
#: onwards (its n-th directive or category at ``+ n``), and slots follow file order. So
#: a file rebuilt alone keeps every other file's positions (and full-text rowids), and a
#: file added between two others takes a slot between theirs.
SLOT_SHIFT = 24
#: Distance between the slots of consecutive files in a full build: room for 16 files
#: added one after another between the same two neighbours before a full build renumbers.
SLOT_GAP = 1 << 16


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
    source BLOB
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
    category TEXT NOT NULL COLLATE NOCASE,
    act TEXT NOT NULL COLLATE NOCASE,
    speaker TEXT NOT NULL,
    tags TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE TABLE bodies(block INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE speaker_names(speaker TEXT PRIMARY KEY, fold TEXT NOT NULL, words TEXT NOT NULL);
CREATE TABLE files(
    document INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    identity TEXT NOT NULL,
    dependencies TEXT NOT NULL
);
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

#: The fields a search covers, in the order of the full-text table's columns, and the
#: names ``search --in`` accepts ("category" is the category's title).
SEARCH_FIELDS_ALLOWED: tuple[str, ...] = (
    "title",
    "text",
    "quote",
    "tags",
    "addressees",
    "speaker",
    "category",
    "note",
)
#: Joins the items of a list field (tags, addressees) into the text the full-text table
#: indexes; search joins them the same way to find the words it matched.
SEARCH_LIST_SEPARATOR = "\n"
#: The contentless FTS5 table of the searchable fields (rowid = directive position).
WORDS_TABLE = "search_words"


def create_tables(conn: sqlite3.Connection) -> None:
    """The empty tables of a new index, but for search's (see `create_search_tables`)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def create_search_tables(conn: sqlite3.Connection) -> None:
    """The empty full-text tables, made after the b-tree indexes, just before their rows.
    textfold (and unicodedata with it) is imported only here: warm calls never build."""
    from directives_cli import textfold

    statements = (
        f"CREATE VIRTUAL TABLE {WORDS_TABLE} USING fts5("
        f"{', '.join(SEARCH_FIELDS_ALLOWED)}, content='', tokenize=\"{textfold.TOKENIZER}\")",
        # No incremental merging while loading: a quarter less build time at 100,000
        # directives, and the table is never written again, so queries stay as fast.
        f"INSERT INTO {WORDS_TABLE}({WORDS_TABLE}, rank) VALUES ('automerge', 0)",
        f"CREATE VIRTUAL TABLE search_vocab USING fts5vocab({WORDS_TABLE}, row)",
        f"CREATE VIRTUAL TABLE search_instances USING fts5vocab({WORDS_TABLE}, instance)",
        "CREATE TABLE search_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    )
    for statement in statements:
        conn.execute(statement)


#: How much the full-text table may grow, per directive, after its last full build or
#: merge before an update merges it whole. An update deletes a file's entries by adding
#: delete markers beside its new postings (FTS5 removes both only when it merges
#: segments), so each edit of one file of ten adds about a quarter to the table: merged
#: once past a quarter more, the index stays within 1.2 times the YAML however often
#: files are edited. Per directive, so that files added or removed move the bound too.
SEARCH_GROWTH = 1.25


#: Segments one level of the full-text table may hold before FTS5 merges them all, at
#: the next write (its default is 16). A build leaves up to 15 segments of a megabyte on
#: the lowest level, where each update adds two small ones: with the default, the first
#: update after a build would merge those 15 (a third of a second at 100,000 directives,
#: on every first edit after a build). An update merges the table whole when it has grown
#: by a quarter (`merge_search_if_grown`), which comes long before this many.
SEARCH_CRISIS_MERGE = 64


def record_search_size(conn: sqlite3.Connection, rows: int) -> None:
    """Note a freshly built or merged full-text table's row count, and its size as the
    baseline an update compares against (`merge_search_if_grown`); and let the updates
    that follow add their segments without merging the build's (SEARCH_CRISIS_MERGE)."""
    conn.execute(
        f"INSERT INTO {WORDS_TABLE}({WORDS_TABLE}, rank) VALUES ('crisismerge', ?)",
        (SEARCH_CRISIS_MERGE,),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO search_meta VALUES (?, ?)",
        (("rows", rows), ("pieces", _search_pieces(conn)), ("base_rows", rows)),
    )


def merge_search_if_grown(conn: sqlite3.Connection) -> None:
    """Merge the full-text table whole if it has grown past SEARCH_GROWTH times its
    baseline size per directive. Asked once an update has taken the changed files'
    entries out and before it adds theirs again: the merge then applies every delete
    marker, and the changed files' new postings are not rewritten."""
    rows = int(conn.execute("SELECT count(*) FROM directives").fetchone()[0])
    baseline: dict[str, int] = dict(conn.execute("SELECT name, value FROM search_meta"))
    pieces, base_rows = baseline.get("pieces", 0), baseline.get("base_rows")
    # An index from before this rule has no base_rows: merged once, then it has.
    if base_rows is not None and _search_pieces(conn) * base_rows <= SEARCH_GROWTH * pieces * rows:
        return
    conn.execute(f"INSERT INTO {WORDS_TABLE}({WORDS_TABLE}) VALUES ('optimize')")
    record_search_size(conn, rows)


def note_search_rows(conn: sqlite3.Connection, rows: int) -> None:
    """Note an updated full-text table's row count (BM25's N)."""
    conn.execute("UPDATE search_meta SET value = ? WHERE name = 'rows'", (rows,))


def _search_pieces(conn: sqlite3.Connection) -> int:
    """The full-text table's size, in the pages (rows) of its data table."""
    return int(conn.execute(f"SELECT count(*) FROM {WORDS_TABLE}_data").fetchone()[0])


def create_indexes(conn: sqlite3.Connection) -> None:
    """The b-tree indexes, made once the rows are in."""
    for statement in _INDEXES.split(";"):
        if statement.strip():
            conn.execute(statement)


INSERT_DIRECTIVE = (
    "INSERT INTO directives(position, id, document, category, act, speaker, tags, title)"
    " VALUES (?,?,?,?,?,?,?,?)"
)
INSERT_BODY = "INSERT INTO bodies VALUES (?,?)"


# Compact, non-ASCII kept as is; prebuilt because json.dumps with options builds an
# encoder per call, which costs a visible share of a 100,000-directive build.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_ascii = json.JSONEncoder(separators=(",", ":")).encode


def encode(value: object) -> str:
    """``value`` as compact JSON that SQLite can store. A path need not be UTF-8 (a POSIX
    file name is bytes; Python holds the undecodable ones as lone surrogates, which
    SQLite refuses): such text is written with JSON's ASCII escapes (``\\udcff``), which
    `json.loads` reads back as the very same string."""
    text = _encode(value)
    return text if _is_utf8(text) else _encode_ascii(value)


def storable(text: str) -> str:
    """Text (a path, or a key made of paths) as SQLite can store it, standing for this
    text alone: unchanged when it is UTF-8, as every ordinary path is; else a NUL, which
    no path can hold, then its JSON with ASCII escapes. `unstored` undoes it."""
    return text if _is_utf8(text) else "\x00" + json.dumps(text)


def unstored(text: str) -> str:
    """The text `storable` stood for."""
    return json.loads(text[1:]) if text.startswith("\x00") else text


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class DamagedIndex(Exception):
    """A packed value of the index would not inflate: the cache file was damaged after it
    was checked (SQLite checks its pages' structure, not the bytes of a value; zlib's
    checksum catches those)."""


class Index:
    """An open index of one catalogue: the connection every query uses, and where it came
    from. Query through `rows`, which rebuilds a damaged cache file and retries once.

    A plain class rather than a dataclass: every call makes one, and importing
    `dataclasses` would cost several milliseconds of each."""

    __slots__ = ("_recovered", "cache_file", "conn", "directive_count", "files", "path", "reopen")

    def __init__(
        self,
        conn: sqlite3.Connection,
        files: tuple[str, ...],
        path: str = "",
        cache_file: str | None = None,
        directive_count: int = 0,
        reopen: Callable[[], Index] | None = None,
    ) -> None:
        self.conn = conn
        #: The catalogue files the index was built from, absolute, in catalogue order.
        self.files = files
        #: The catalogue path the index was opened for (a file or a directory), absolute.
        self.path = path
        #: The cache file in use, or None for an in-memory index.
        self.cache_file = cache_file
        #: Number of directives, so callers can pick strategies by size without counting.
        self.directive_count = directive_count
        #: Opens the same catalogue afresh (rebuilding it) when the cache file turns out
        #: damaged; given by the layer that knows how to build, which this one does not.
        self.reopen = reopen
        self._recovered = False

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

    def recover(self) -> bool:
        """After `DamagedIndex`: drop the cache file and rebuild it, once per index;
        False when that cannot help (an in-memory index, or one already rebuilt)."""
        if self.cache_file is None or self._recovered or self.reopen is None:
            return False
        self._rebuild()
        return True

    def close(self) -> None:
        """Release the connection (and with it the cache file's descriptor)."""
        self.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _damaged(self, exc: sqlite3.DatabaseError) -> bool:
        if self.cache_file is None or self._recovered or self.reopen is None:
            return False
        code = getattr(exc, "sqlite_errorcode", None)  # absent on errors Python raises itself
        return code is not None and code & 0xFF in _DAMAGED

    def _rebuild(self) -> None:
        assert self.cache_file is not None and self.reopen is not None
        import contextlib  # only here: warm calls that never recover skip its import

        with contextlib.suppress(OSError):
            os.unlink(self.cache_file)
        fresh = self.reopen()
        self.conn.close()
        self.conn, self.files = fresh.conn, fresh.files
        self.cache_file, self.directive_count = fresh.cache_file, fresh.directive_count
        self._recovered = True


# ---- opening ------------------------------------------------------------------------------


def connect_for_build(where: str) -> sqlite3.Connection:
    """A connection tuned for one bulk transaction into a private file: no journal, no
    syncing (a failed build is discarded whole, never reused)."""
    conn = sqlite3.connect(where, isolation_level=None)
    # First: any statement before it writes a rollback journal beside the file, which a
    # process killed meanwhile (an update's forked child, stopped early) leaves behind.
    conn.execute("PRAGMA journal_mode = OFF")
    # Pages an update frees (a file's old rows, the full-text segments a merge replaces)
    # are given back at its commit, so the file never keeps them: set before any table.
    conn.execute("PRAGMA auto_vacuum = FULL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def open_cached(target: Path, key: str) -> tuple[sqlite3.Connection, int] | None:
    """The connection to the cache file ``target`` and its number of directives, if the
    file is complete and current (built under ``key``, its sources unchanged); else None."""

    def current(meta: dict[str, str]) -> bool:
        recorded = json.loads(meta.get("dependencies", "[]"))
        return meta.get("key") == key and dependencies_unchanged(recorded)

    opened = _open_whole(target, current)
    if opened is None:
        return None
    conn, meta = opened
    return conn, int(meta.get("directives", "0"))


def _open_whole(
    path: Path, wanted: Callable[[dict[str, str]], bool]
) -> tuple[sqlite3.Connection, dict[str, str]] | None:
    """A cache file opened read-only with its meta table, if it is whole (as long as its
    pages say), of this FORMAT, and ``wanted`` by the caller; else None, nothing open."""
    conn: sqlite3.Connection | None = None
    try:
        size = os.stat(path).st_size
        conn = sqlite3.connect(_immutable_uri(path), uri=True, isolation_level=None)
        meta = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        whole = meta.get("format") == str(FORMAT) and page_size * pages == size
        if whole and wanted(meta):
            return conn, meta
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


def _stat_or_none(path: str) -> Stat | None:
    try:
        return file_identity(path)
    except OSError:
        return None


def mtime_ns(path: str) -> int:
    return os.stat(path).st_mtime_ns


def cache_key(where: str, files: tuple[str, ...], stats: tuple[Stat, ...]) -> str:
    """Everything a cached index depends on that can be known without opening it, as
    text SQLite can store (`storable`: the paths may hold raw bytes)."""
    parts = [_base_text(where)]
    parts.extend(f"{name} {' '.join(map(str, st))}" for name, st in zip(files, stats, strict=True))
    return storable("\n".join(parts))


def base_key(where: str) -> str:
    """The part of the key that files do not change: an index built under the same base
    key (same format, code and catalogue path) can be brought up to date file by file."""
    return storable(_base_text(where))


def _base_text(where: str) -> str:
    return "\n".join((f"format {FORMAT}", f"version {__version__}", _code_identity(), where))


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


def digest(text: str) -> str:
    """16 hex digits naming a cache file: zlib's checksums, not hashlib, whose import
    costs several milliseconds of every warm call. The name needs no strength, since the
    full key stored inside the file is what is compared (a collision only means a rebuild)."""
    data = text.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def document_dependencies(
    doc: Document, read: dict[str, Stat | None] | None = None
) -> list[tuple[str, Stat | None]]:
    """The source text one file's quotes were checked against, with its identity as the
    loader noted it just before reading (``read``), else as it is now."""
    source = doc.meeting.source
    if source is None or not source.file:
        return []
    # Joined as the loader joins it (a Path), without normalising "..": through a
    # symlinked directory, normalising could name another file.
    joined = str(Path(doc.path).parent / source.file)
    name = absolute(joined)
    if read is not None and joined in read:
        return [(name, read[joined])]
    return [(name, _stat_or_none(name))]


def absolute(path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def dependencies_unchanged(recorded: Sequence[Sequence[Any]]) -> bool:
    """Whether every source text recorded as (path, identity or None) is as it was: a
    cached index is current, or a file's rows can stay in an update, only then."""
    return all(_stat_or_none(name) == (None if st is None else tuple(st)) for name, st in recorded)


def still_current(
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
        if tuple(file_identity(f) for f in files) != stats:
            return False
    except OSError:
        return False
    if any(_stat_or_none(name) != st for name, st in deps):
        return False  # a source text changed after it was read
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


def usable_cache_dir() -> Path | None:
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


def prune(keep: Path) -> None:
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
                if entry.name.endswith((".tmp", ".tmp-journal")):
                    stale = now - entry.stat().st_mtime > _STALE_TEMP_SECONDS
                if stale and entry.name != keep.name:
                    os.unlink(entry.path)
                    removed += 1
    except OSError:
        pass


def write_meta(
    conn: sqlite3.Connection,
    key: str,
    base: str,
    deps: list[tuple[str, Stat | None]],
    count: int,
) -> None:
    """The key and what a hit checks, in the caller's transaction (or its own)."""
    rows = {
        "format": str(FORMAT),
        "key": key,
        "base": base,
        "dependencies": encode(deps),
        "directives": str(count),
        "version": __version__,
    }
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows.items())
    if own:
        conn.commit()


def write_files(
    conn: sqlite3.Connection, files: Sequence[tuple[int, str, Stat, list[tuple[str, Stat | None]]]]
) -> None:
    """Each file's slot, absolute path, identity before it was read, and the source text it
    was checked against: what an incremental rebuild compares to find what changed."""
    conn.executemany(
        "INSERT INTO files VALUES (?,?,?,?)",
        ((slot, storable(name), encode(st), encode(deps)) for slot, name, st, deps in files),
    )


# ---- an earlier state to start from --------------------------------------------------------


def latest_state(target: Path, base: str) -> tuple[Path, sqlite3.Connection] | None:
    """This catalogue's newest complete cache file built under ``base``, opened read-only:
    the index an incremental rebuild copies and brings up to date. None when there is none."""
    prefix = target.name.split("-", 1)[0] + "-"
    found: list[tuple[float, str]] = []
    try:
        with os.scandir(target.parent) as entries:
            for entry in entries:
                if entry.name.startswith(prefix) and entry.name.endswith(".sqlite"):
                    found.append((entry.stat().st_mtime, entry.path))
    except OSError:
        return None
    for _, name in sorted(found, reverse=True):
        conn = _open_state(Path(name), base)
        if conn is not None:
            return Path(name), conn
    return None


def _open_state(path: Path, base: str) -> sqlite3.Connection | None:
    opened = _open_whole(path, lambda meta: meta.get("base") == base)
    return None if opened is None else opened[0]


def recorded_files(conn: sqlite3.Connection) -> dict[str, tuple[int, Stat, list[list[Any]]]]:
    """Each file an index was built from: its slot, identity and source dependencies."""
    return {
        unstored(path): (slot, tuple(json.loads(identity)), json.loads(deps))
        for slot, path, identity, deps in conn.execute(
            "SELECT document, path, identity, dependencies FROM files"
        )
    }


def connect_for_update(where: str) -> sqlite3.Connection:
    """A private copy being brought up to date: as `connect_for_build`, since a failed
    update is discarded whole."""
    return connect_for_build(where)


# ---- packed text ---------------------------------------------------------------------------

#: A body block holds the long fields of ``1 << BODY_SHIFT`` consecutive positions, which
#: never span two files (a file's slot starts at a multiple of 1 << SLOT_SHIFT). Sixteen:
#: a search hit inflates its whole block, so a block of 64 made a 755-hit search at
#: 100,000 directives 2.4 times slower, for a tenth less size.
BODY_SHIFT = 5
#: zlib's fastest level: at 100,000 directives it packs the bodies in about a second,
#: half a second less than level 6, which saves a tenth of their size.
_LEVEL = 1
#: How a packed block is laid out: this mark, then its records separated by _RECORD,
#: each record's fields by _FIELD. A block whose text holds either separator is written
#: as JSON instead, recognisable by its leading "[".
_SEPARATED, _RECORD, _FIELD = "\x1c", "\x1e", "\x1d"


def body_block(position: int) -> int:
    """The block of `bodies` that holds the long fields of the directive at ``position``."""
    return position >> BODY_SHIFT


def pack_bodies(records: Sequence[Body]) -> bytes:
    """One block's long fields (text, quote, addressees, note of each directive, in
    position order) as one compressed value.

    Why packed: those fields are most of a catalogue's bytes, and stored as written they
    made the directives table as large as the YAML before the full-text postings were
    counted (issue 15 asks for an index of at most 1.2 times the YAML). Nothing filters
    or sorts on them, so they can leave the row; compressed a block at a time, the words
    the directives of a block share are paid for once (a directive alone keeps three
    fifths of its size, a block of sixteen two fifths). Reading one directive inflates
    its block, about 8 KB: tens of microseconds."""
    parts = []
    fields = 0
    for text, quote, addressees, note in records:
        row = [text, quote, encode_list(addressees)] if note is None else [
            text, quote, encode_list(addressees), note]  # fmt: skip
        fields += len(row) - 1
        parts.append(_FIELD.join(row))
    joined = _RECORD.join(parts)
    if joined.count(_RECORD) != len(parts) - 1 or joined.count(_FIELD) != fields:
        joined = encode([list(record) for record in records])
    else:
        joined = _SEPARATED + joined
    return zlib.compress(joined.encode("utf-8", "surrogatepass"), _LEVEL)


def unpack_bodies(data: bytes) -> list[Body]:
    """Every record `pack_bodies` packed in one block, in order (DamagedIndex if the
    block was damaged)."""
    try:
        raw = zlib.decompress(data)
        if raw[:1] != _SEPARATED_BYTE:
            return _json_bodies(raw)
        return [_record(part) for part in raw[1:].split(_RECORD_BYTE)]
    except _UNPACKING_ERRORS as exc:
        raise DamagedIndex(str(exc)) from None


def unpack_some(data: bytes, numbers: Collection[int]) -> dict[int, Body]:
    """The records numbered ``numbers`` (their places in the block) of one packed block.

    A search hit wants one record of its block: inflating stops once the last record
    asked for is complete, half a block on average, and only those records are decoded
    and kept. DamagedIndex if the block was damaged."""
    try:
        return _unpack_some(data, numbers)
    except _UNPACKING_ERRORS as exc:
        raise DamagedIndex(str(exc)) from None


def _unpack_some(data: bytes, numbers: Collection[int]) -> dict[int, Body]:
    last = max(numbers)
    inflater = zlib.decompressobj()
    chunks = [inflater.decompress(data, _INFLATE_STEP)]
    if chunks[0][:1] != _SEPARATED_BYTE:
        rest = inflater.decompress(inflater.unconsumed_tail) + inflater.flush()
        records = _json_bodies(b"".join(chunks) + rest)
        return {n: records[n] for n in numbers}
    seen = chunks[0].count(_RECORD_BYTE)
    while seen <= last and not inflater.eof:
        chunks.append(inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP))
        seen += chunks[-1].count(_RECORD_BYTE)
    parts = b"".join(chunks)[1:].split(_RECORD_BYTE)
    return {n: _record(parts[n]) for n in numbers}


#: Bytes inflated per step by `unpack_some`: a block of 32 directives is about 16 KB.
_INFLATE_STEP = 1024
#: The separators as bytes: UTF-8 never uses these bytes inside another character, so a
#: block can be cut at them before it is decoded.
_SEPARATED_BYTE, _RECORD_BYTE = _SEPARATED.encode(), _RECORD.encode()


def _record(part: bytes) -> Body:
    fields = part.decode("utf-8", "surrogatepass").split(_FIELD)
    note = fields[3] if len(fields) > 3 else None
    return fields[0], fields[1], decode_list(fields[2]), note


def _json_bodies(raw: bytes) -> list[Body]:
    records = json.loads(raw.decode("utf-8", "surrogatepass"))
    return [(text, quote, tuple(addressees), note) for text, quote, addressees, note in records]


def pack_text(text: str | None) -> bytes | None:
    """A source text, compressed whole (a tenth of the index, else)."""
    if text is None:
        return None
    return zlib.compress(text.encode("utf-8", "surrogatepass"), _LEVEL)


def unpack_text(data: bytes | None) -> str | None:
    """The text `pack_text` packed (DamagedIndex if it was damaged)."""
    if data is None:
        return None
    try:
        return zlib.decompress(data).decode("utf-8", "surrogatepass")
    except _UNPACKING_ERRORS as exc:
        raise DamagedIndex(str(exc)) from None


#: What a damaged packed value can raise on the way back: a failed checksum or stream,
#: or (bytes that happen to inflate) text that does not decode or split as written.
_UNPACKING_ERRORS = (zlib.error, UnicodeDecodeError, ValueError, IndexError, TypeError)


# ---- stored lists -------------------------------------------------------------------------


def encode_list(items: Sequence[str]) -> str:
    """A tuple of strings as one column: "" for none, else each item after a separator,
    or a JSON array when an item itself holds the separator."""
    if not items:
        return ""
    if any(LIST_SEPARATOR in item for item in items):
        return encode(list(items))
    return LIST_SEPARATOR + LIST_SEPARATOR.join(items)


def decode_list(column: str) -> tuple[str, ...]:
    """The inverse of `encode_list`."""
    if not column:
        return ()
    if column[0] == LIST_SEPARATOR:
        return tuple(column[1:].split(LIST_SEPARATOR))
    return tuple(json.loads(column))
