"""A large catalogue's files loaded ahead, in other processes, while the index is written.

Why: a cold build is two jobs of about the same size, reading YAML (parse, check, build
the model) and writing the index (rows, compression, full-text tokens), and a bare YAML
load does the first alone. On one core the build cannot beat that load; with two, worker
processes parse the next files while this one writes the last, and a million directives
build in less time than the bare load takes (the benchmark's cold case). Processes, not
threads: parsing holds the GIL. Each file is still loaded alone, as the sequential build
loads it, so a file's problems are found the same way; the caller handles them.

A catalogue under READAHEAD_BYTES, of one file, or on one usable core loads here instead:
starting a worker costs more than it saves. Workers ignore SIGINT (an interrupt is this
process's to report, in one line) and are stopped when the reading ends, early or not.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

from directives_cli import loader
from directives_cli.errors import CatalogueError

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
#: Where a bare fork is safe and cheap (macOS frameworks are not fork-safe; Windows
#: has no fork): elsewhere every file loads in this process.
_FORKS = sys.platform.startswith("linux")


def loaded_files(
    files: Sequence[Path], identities: dict[str, Identity | None]
) -> Generator[Catalogue | None, None, None]:
    """Each file loaded alone, in order: its catalogue, or None when it is not valid.
    ``identities`` receives each source text read, as `loader.load_files` gives them."""
    workers = min(WORKERS, len(files) - 1, _usable_cpus())
    if workers < 1 or not _FORKS or _size(files) < READAHEAD_BYTES:
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
    running: list[_Worker] = []
    try:
        running += [_Worker(path) for path in files[:workers]]
        for number, path in enumerate(files):
            found = running[number].result()
            if number + workers < len(files):
                running.append(_Worker(files[number + workers]))
            if found is None:  # the worker died: load the file here instead
                found = load_one(path, identities), {}
            identities.update(found[1])
            yield found[0]
    finally:
        for worker in running:
            worker.stop()


class _Worker:
    """One file loaded in a forked child, which pickles the result into a pipe and ends
    with `os._exit`: it runs none of this process's exit handlers and flushes none of its
    buffers. Forked with SIGINT blocked, and ignoring it before unblocking, so an
    interrupt never reaches a child's copy of this process's handler."""

    __slots__ = ("pid", "reader")

    def __init__(self, path: Path) -> None:
        self.reader, writer = os.pipe()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.pid = os.fork()
            if self.pid == 0:
                _work(path, self.reader, writer)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(writer)

    def result(self) -> _Found | None:
        """What the child sent, once it has ended; None if it died without sending it."""
        chunks = []
        while chunk := os.read(self.reader, 1 << 20):
            chunks.append(chunk)
        self.stop()
        try:
            found: _Found = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - a child cut short sends anything at all
            return None
        return found

    def stop(self) -> None:
        """Close the pipe, and end and reap the child if it still runs."""
        if self.reader >= 0:
            os.close(self.reader)
            self.reader = -1
        if self.pid > 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0


def _work(path: Path, reader: int, writer: int) -> None:
    """The child: load one file, send it, end."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.close(reader)
        read: dict[str, Identity | None] = {}
        data = memoryview(pickle.dumps((load_one(path, read), read), pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(writer, data) :]
    finally:
        os._exit(0)


def _size(files: Sequence[Path]) -> int:
    total = 0
    for path in files:
        with contextlib.suppress(OSError):  # the loader reports it
            total += os.stat(path).st_size
    return total


def _usable_cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1
