"""One call run in a forked child while this process goes on; its result comes back pickled.

Why: building or updating the index is several jobs of which some do not wait for each
other (reading the next file while this one is written; copying and pruning the earlier
index while the changed files are read), and parsing holds the GIL, so a second core
helps only through a second process. A bare fork is cheap (the child shares this
process's pages) and needs no pickling of the work, only of its result.

The child is forked with SIGINT blocked, and ignores it before unblocking: an interrupt
is this process's to report, in one line, and never reaches a child's copy of its
handler. The child ends with `os._exit`: it runs none of this process's exit handlers
and flushes none of its buffers. `Forked.stop` kills and reaps it whenever the caller is
done, early or not, so no child outlives the command.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

#: Where a bare fork is safe and cheap (macOS frameworks are not fork-safe; Windows has
#: no fork): elsewhere callers do the work in this process.
FORKS = sys.platform.startswith("linux")

T = TypeVar("T")


class ChildLost(Exception):
    """The child ended without sending its result: it failed, or was killed."""


def worth_forking() -> bool:
    """Whether a child can run beside this process: fork is safe here and at least two
    CPUs are usable (on one, a child only adds its start-up to the same work)."""
    return FORKS and usable_cpus() >= 2


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity), not the machine's count."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


class Forked(Generic[T]):
    """``work()`` running in a forked child from the moment this is made."""

    __slots__ = ("pid", "reader")

    def __init__(self, work: Callable[[], T]) -> None:
        self.reader, writer = os.pipe()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.pid = os.fork()
            if self.pid == 0:
                _child(work, self.reader, writer)
        except OSError:  # no fork (a process limit): the caller's to handle, no pipe kept
            os.close(self.reader)
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(writer)

    def result(self) -> T:
        """What ``work()`` returned, once the child has ended; raises ChildLost when it
        raised instead, or died before sending it."""
        chunks = []
        while chunk := os.read(self.reader, 1 << 20):
            chunks.append(chunk)
        self.stop()
        try:
            sent: tuple[T] = pickle.loads(b"".join(chunks))
            (value,) = sent
        except Exception as lost:  # noqa: BLE001 - a child cut short sends anything at all
            raise ChildLost from lost
        return value

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


def _child(work: Callable[[], object], reader: int, writer: int) -> None:
    """The child: run the work, send its result (nothing when it raised), end."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.close(reader)
        data = memoryview(pickle.dumps((work(),), pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(writer, data) :]
    finally:
        os._exit(0)
