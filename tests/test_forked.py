"""A call run in a forked child (`forked`): its result comes back as it was, a child that
raises or dies is reported as lost, and no child outlives `stop`, early or not."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from directives_cli import forked

pytestmark = pytest.mark.skipif(not forked.FORKS, reason="bare fork is used on Linux only")


def test_the_result_comes_back_whole() -> None:
    value = {"text": "Strengthen \x1c supervision", "ids": list(range(5000)), "none": None}
    assert forked.Forked(lambda: value).result() == value


def test_a_result_larger_than_a_pipe_holds() -> None:
    big = "x" * (8 << 20)
    assert forked.Forked(lambda: big).result() == big


def test_work_runs_in_another_process() -> None:
    assert forked.Forked(os.getpid).result() != os.getpid()


def test_a_child_that_raises_is_lost() -> None:
    def fails() -> None:
        raise OSError("disk full")

    with pytest.raises(forked.ChildLost):
        forked.Forked(fails).result()


def test_a_child_killed_before_it_sends_is_lost() -> None:
    child = forked.Forked(lambda: time.sleep(60))
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(forked.ChildLost):
        child.result()
    assert child.pid == 0


def test_stop_ends_a_child_that_still_runs(tmp_path: Path) -> None:
    marker = tmp_path / "finished"
    child = forked.Forked(lambda: (time.sleep(5), marker.touch()))
    pid = child.pid
    child.stop()
    child.stop()  # twice is harmless
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: no zombie left
    time.sleep(0.1)
    assert not marker.exists()


def test_a_child_ignores_sigint() -> None:
    """Ctrl-C is the parent's to report; the child's copy of its handler never runs."""

    def interrupted() -> str:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        return "finished"

    assert forked.Forked(interrupted).result() == "finished"


def test_forking_is_worth_it_only_beside_another_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "usable_cpus", lambda: 1)
    assert not forked.worth_forking()
    monkeypatch.setattr(forked, "usable_cpus", lambda: 2)
    assert forked.worth_forking()
    monkeypatch.setattr(forked, "FORKS", False)
    assert not forked.worth_forking()


def test_no_fork_raises_and_keeps_no_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(forked.os, "fork", refused)
    with pytest.raises(OSError):
        forked.Forked(lambda: None)
    assert len(os.listdir("/proc/self/fd")) == before
