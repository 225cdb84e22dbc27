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
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from directives_cli import __version__

# Not typing.TYPE_CHECKING: importing typing costs a warm call milliseconds, and type
# checkers honour any constant of this name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from directives_cli.model import Catalogue

    Row = tuple[Any, ...]
    Stat = tuple[int, int, int, int, int]

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


def create_indexes(conn: sqlite3.Connection) -> None:
    """The b-tree indexes, made once the rows are in."""
    for statement in _INDEXES.split(";"):
        if statement.strip():
            conn.execute(statement)


INSERT_DIRECTIVE = (
    "INSERT INTO directives(position, id, document, meeting, category, act, speaker, tags,"
    " addressees, title, text, quote, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


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
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def open_cached(target: Path, key: str) -> tuple[sqlite3.Connection, int] | None:
    """The connection to the cache file ``target`` and its number of directives, if the
    file is complete and current (built under ``key``, its sources unchanged); else None."""
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
            return conn, int(meta.get("directives", "0"))
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


def file_identity(path: str) -> Stat:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


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
    parts = [f"format {FORMAT}", f"version {__version__}", _code_identity(), where]
    parts.extend(f"{name} {' '.join(map(str, st))}" for name, st in zip(files, stats, strict=True))
    return storable("\n".join(parts))


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
    """16 hex digits naming a cache file. Not hashlib: importing it costs several
    milliseconds of every warm call, and the name needs no strength, since the full key
    stored inside the file is what is compared (a collision only means a rebuild)."""
    import zlib

    data = text.encode("utf-8", "surrogatepass")
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def dependencies(catalogue: Catalogue) -> list[tuple[str, Stat | None]]:
    """The source texts the quotes were checked against, with their identity now."""
    seen: dict[str, Stat | None] = {}
    for doc in catalogue.documents:
        source = doc.meeting.source
        if source is not None and source.file:
            # Joined as the loader joins it, without normalising "..": through a
            # symlinked directory, normalising could name another file.
            name = absolute(os.path.join(os.path.dirname(doc.path), source.file))
            if name not in seen:
                seen[name] = _stat_or_none(name)
    return list(seen.items())


def absolute(path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def _dependencies_unchanged(recorded: str) -> bool:
    for name, st in json.loads(recorded):
        now = _stat_or_none(name)
        if (None if st is None else tuple(st)) != now:
            return False
    return True


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
                if entry.name.endswith(".tmp"):
                    stale = now - entry.stat().st_mtime > _STALE_TEMP_SECONDS
                if stale and entry.name != keep.name:
                    os.unlink(entry.path)
                    removed += 1
    except OSError:
        pass


def write_meta(
    conn: sqlite3.Connection, key: str, deps: list[tuple[str, Stat | None]], count: int
) -> None:
    rows = {
        "format": str(FORMAT),
        "key": key,
        "dependencies": encode(deps),
        "directives": str(count),
        "version": __version__,
    }
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO meta VALUES (?, ?)", rows.items())
    conn.commit()


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
