"""A large catalogue's files loaded ahead, in other processes, while the index is written.

Why: a cold build is two jobs of about the same size, reading YAML (parse, check, build
the model) and writing the index (rows, compression, full-text tokens), and a bare YAML
load does the first alone. On one core the build cannot beat that load; with two, worker
processes parse the next files while this one writes the last, and a million directives
build in less time than the bare load takes (the benchmark's cold case). Processes, not
threads: parsing holds the GIL. Each file is still loaded alone, as the sequential build
loads it, so a file's problems are found the same way; the caller handles them.

A catalogue under READAHEAD_BYTES, of one file, or on one usable core loads here instead:
starting a worker costs more than it saves. Workers are `forked` children, stopped when
the reading ends, early or not.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

from directives_cli import loader
from directives_cli.errors import CatalogueError
from directives_cli.forked import ChildLost, Forked, usable_cpus, worth_forking

TYPE_CHECKING = False  # not typing's: see database.py
if TYPE_CHECKING:
    from directives_cli.loader import Identity
    from directives_cli.model import Catalogue

    #: What a worker sends back: the file's catalogue (None: not valid), sources read.
    _Found = tuple[Catalogue | None, dict[str, Identity | None]]

#: Least YAML, in bytes, worth loading in other processes (about 5,000 directives).
READAHEAD_BYTES = 4 << 20
#: Worker processes at most: files in flight beside the one being written.
WORKERS = 2


def loaded_files(
    files: Sequence[Path], identities: dict[str, Identity | None]
) -> Generator[Catalogue | None, None, None]:
    """Each file loaded alone, in order: its catalogue, or None when it is not valid.
    ``identities`` receives each source text read, as `loader.load_files` gives them."""
    workers = min(WORKERS, len(files) - 1, usable_cpus())
    if workers < 1 or not worth_forking() or _size(files) < READAHEAD_BYTES:
        for path in files:
            yield load_one(path, identities)
        return
    yield from _ahead(files, identities, workers)


def load_one(path: Path, identities: dict[str, Identity | None]) -> Catalogue | None:
    """One file's catalogue, or None when it is not valid."""
    try:
        return loader.load_files([path], identities=identities)
    except CatalogueError:
        return None


def _ahead(
    files: Sequence[Path], identities: dict[str, Identity | None], workers: int
) -> Iterator[Catalogue | None]:
    running: list[Forked[_Found]] = []
    try:
        running += [_worker(path) for path in files[:workers]]
        for number, path in enumerate(files):
            try:
                found: _Found | None = running[number].result()
            except ChildLost:
                found = None
            if number + workers < len(files):
                running.append(_worker(files[number + workers]))
            if found is None:  # the worker died: load the file here instead
                found = load_one(path, identities), {}
            identities.update(found[1])
            yield found[0]
    finally:
        for worker in running:
            worker.stop()


def _worker(path: Path) -> Forked[_Found]:
    """One file loading in a child: its catalogue and the source texts it read."""
    return Forked(functools.partial(_found, path))


def _found(path: Path) -> _Found:
    read: dict[str, Identity | None] = {}
    return load_one(path, read), read


def _size(files: Sequence[Path]) -> int:
    total = 0
    for path in files:
        with contextlib.suppress(OSError):  # the loader reports it
            total += os.stat(path).st_size
    return total
