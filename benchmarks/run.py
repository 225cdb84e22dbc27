"""The benchmark command of issue 5: every case against its baseline, in the same run.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 5] [--quick] [--json FILE]

Shared machines are noisy, so no number here is an absolute: each case is timed next to a
baseline that pays the same machine costs (Python start-up, jq, a bare YAML load), the two are
run alternately (case first on even runs, baseline first on odd ones), and the verdict is on the
ratio of their medians. Peak memory is the ru_maxrss ``os.wait4`` reports for the one command
(and anything it waited for), taken by a small launcher process (see LAUNCHER for why).

Only the standard library is needed; hyperfine is not used (it runs all of one command before
the next and reports no per-process peak memory). The generated catalogues and the index cache
(``XDG_CACHE_HOME``) live under ``--out`` (default benchmarks/out/, git-ignored), so nothing
touches the user's own cache. Exit status 0 unless the harness itself breaks.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import fcntl
import json
import os
import platform
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import generate

HERE = Path(__file__).resolve().parent
#: Where the scale targets of the issue apply; smaller sizes are reported for information.
TARGET_SIZE = 100_000
#: The size behind --million (issue 15): 100 files of 10,000 directives.
MILLION = 1_000_000
WARM_MEMORY_MIB = 150.0
#: A cold build at a million directives must also stay under this peak (issue 15).
COLD_MEMORY_MIB = 1024.0
#: Issue 15's bounds: warm queries against jq, the first call after a change against a
#: bare load (100,000; 0.9x at a million), an incremental rebuild against a full one.
WARM_TARGET = 0.1
COLD_TARGET = 1.3
COLD_TARGET_MILLION = 0.9
ONE_OF_10_TARGET = 0.2
ONE_OF_100_TARGET = 0.05
#: The index may take at most this many times the bytes of the catalogue's YAML.
INDEX_SIZE_TARGET = 1.2
PTY_SIZE = (40, 120)  # rows, columns: a common terminal


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Sample:
    """One finished child: wall time, its peak memory, how it ended and what it printed."""

    seconds: float
    rss_mib: float
    status: int
    output: bytes
    error: str = ""
    timed_out: bool = False
    leftovers: int = 0
    #: Whether the watched cache directory changed during the call (an index was written).
    cache_changed: bool = False


@dataclass
class Command:
    """A command line to time: argv, environment, and whether it draws on a terminal."""

    label: str
    argv: list[str]
    env: dict[str, str]
    tty: bool = False
    #: Called (untimed) before every run, e.g. to change the catalogue.
    prepare: Callable[[], None] | None = None
    #: The cache directory, watched so a warm call that rebuilt the index is noticed.
    watch: Path | None = None


def become_subreaper() -> bool:
    """Adopt the orphans of our children (Linux), so a call that leaves a process running in
    the background after it returns is seen (the issue forbids that)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(36, 1, 0, 0, 0)) == 0  # PR_SET_CHILD_SUBREAPER


def leftover_children() -> list[int]:
    """Processes whose parent is this harness: after a measured child was reaped there should
    be none, unless that child left something running."""
    _reap_adopted()
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == me:
            found.append(int(entry.name))
    return found


def _reap_adopted() -> None:
    """Collect adopted orphans that have ended, so they are not counted again."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def rss_mib(maxrss: int) -> float:
    """ru_maxrss in MiB: kibibytes on Linux, bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


@dataclass(frozen=True)
class Settings:
    """How the harness runs: the same for every case."""

    runs: int
    timeout: float
    out: Path
    #: Whether orphans are adopted, so leftover_children() sees them.
    subreaper: bool


#: Runs one command and reports its time and peak memory. Why a launcher: on exec, Linux
#: charges the replaced address space's high-water mark to the new program's ru_maxrss, so a
#: child spawned straight from this harness (posix_spawn shares our memory until exec) would
#: report the harness's own peak, and a forked one our current size. This launcher is a
#: minimal Python (-I -S, about 5 MiB) that forks the command: the command's peak is reported
#: exactly whenever it exceeds ~5 MiB (every Python process does), and its time is taken
#: around fork and wait4 only, without the launcher's own start-up.
LAUNCHER = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as out:
    out.write(f"{seconds!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run_once(command: Command, settings: Settings) -> Sample:
    """Run the command under the launcher, collect its output, read back its measurements."""
    if command.prepare is not None:
        command.prepare()
    report = settings.out / ".measured"
    report.unlink(missing_ok=True)
    before = snapshot(command.watch)
    argv = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *command.argv]
    with (settings.out / ".stderr").open("w+b") as err:
        reader, pairs = _plumbing(command.tty, err.fileno())
        actions = [(os.POSIX_SPAWN_DUP2, fd, target) for fd, target in pairs]
        try:
            pid = os.posix_spawn(argv[0], argv, command.env, file_actions=actions, setpgroup=0)
        finally:
            for fd in {fd for fd, _ in pairs} - {err.fileno()}:  # our copies of its ends
                os.close(fd)
        output, timed_out = _drain(reader, pid, time.perf_counter() + settings.timeout)
        os.waitpid(pid, 0)
        os.close(reader)
        err.seek(0)
        written = output if command.tty else err.read()  # on a pty, stderr is the terminal
    lines = written.decode(errors="replace").strip().splitlines()
    error = lines[-1] if lines else ""
    leftovers = len(leftover_children()) if settings.subreaper else 0
    seconds, maxrss, status = _measured(report)
    changed = before != snapshot(command.watch)
    return Sample(seconds, rss_mib(maxrss), status, output, error, timed_out, leftovers, changed)


def snapshot(directory: Path | None) -> list[tuple[str, int]]:
    """Names and modification times of the files under a directory (none: empty)."""
    if directory is None:
        return []
    found = []
    for path in sorted(directory.rglob("*")):
        with contextlib.suppress(OSError):  # a temporary file may vanish meanwhile
            found.append((str(path), path.stat().st_mtime_ns))
    return found


def _measured(report: Path) -> tuple[float, int, int]:
    """(seconds, ru_maxrss, exit status) as the launcher wrote them; status -9 if it could not
    (it was killed at the timeout)."""
    try:
        seconds, maxrss, status = report.read_text().split()
    except (OSError, ValueError):
        return 0.0, 0, -9
    return float(seconds), int(maxrss), int(status)


def _plumbing(tty: bool, err_fd: int) -> tuple[int, list[tuple[int, int]]]:
    """The parent's read end and (fd, child fd) pairs for the child's 0/1/2: a pseudo-terminal
    sized like a real one, or /dev/null in, a pipe out (what "piped output" means) and stderr
    to a file that is read only to explain a failure."""
    if tty:
        master, slave = pty.openpty()
        rows, cols = PTY_SIZE
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        return master, [(slave, 0), (slave, 1), (slave, 2)]
    reader, writer = os.pipe()
    null = os.open(os.devnull, os.O_RDONLY)
    return reader, [(null, 0), (writer, 1), (err_fd, 2)]


def _drain(reader: int, group: int, deadline: float) -> tuple[bytes, bool]:
    """Read the command's output until it closes it; at the deadline, kill the launcher's
    process group (the launcher and the command it started, nothing else)."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            os.killpg(group, signal.SIGKILL)
            return b"".join(chunks), True
        if not select.select([reader], [], [], left)[0]:
            continue
        try:
            data = os.read(reader, 1 << 16)
        except OSError as error:  # a pty reports EIO once the child side is closed
            if error.errno == errno.EIO:
                break
            raise
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks), False


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One row of the table: a product command, the baseline it is held to, the target."""

    name: str
    size: str
    command: Command
    baseline: Command
    #: The issue's bound on median(case) / median(baseline).
    ratio_target: float
    #: "" no memory target, "abs" at most WARM_MEMORY_MIB, "baseline" at most the baseline's.
    memory: str = ""
    #: False where the issue sets no target (scale cases below TARGET_SIZE): information only.
    applies: bool = True
    #: An absolute cap on the case's peak memory besides ``memory`` (MiB), if any.
    cap_mib: float | None = None


@dataclass
class Result:
    """The measured row; ``output`` (the case's last stdout) is kept for the identity check."""

    name: str
    size: str
    baseline: str
    command: str
    baseline_command: str
    case_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)
    case_rss: list[float] = field(default_factory=list)
    baseline_rss: list[float] = field(default_factory=list)
    target: str = ""
    verdict: str = ""
    note: str = ""
    #: Most processes a call of the case left running after it returned (should be 0).
    leftovers: int = 0
    #: Timed runs of a warm case during which the index was written (should be 0).
    rebuilds: int = 0
    #: The one-minute load average when the case finished: what else the machine ran.
    load: float = 0.0
    output: bytes = field(default=b"", repr=False)
    case: Case | None = field(default=None, repr=False)

    @property
    def rss_mib(self) -> float:
        """Median of the case's per-run peaks: a run that met an outside disturbance (the
        package edited meanwhile, so its index rebuilt) does not decide it; the JSON keeps
        every run's peak."""
        return statistics.median(self.case_rss) if self.case_rss else 0.0

    @property
    def baseline_rss_mib(self) -> float:
        """Median of the baseline's per-run peaks."""
        return statistics.median(self.baseline_rss) if self.baseline_rss else 0.0

    @property
    def ratio(self) -> float | None:
        """median(case) / median(baseline), or None when either failed."""
        if not self.case_ms or not self.baseline_ms:
            return None
        return statistics.median(self.case_ms) / statistics.median(self.baseline_ms)


def measure(case: Case, settings: Settings) -> Result:
    """One warm-up of each, then ``runs`` pairs, alternating which goes first."""
    result = Result(
        case.name,
        case.size,
        case.baseline.label,
        case.command.label,
        case.baseline.label,
        target=target_text(case),
        case=case,
    )
    pair = [case.command, case.baseline]
    for run in range(settings.runs + 1):
        for command in pair if run % 2 == 0 else pair[::-1]:
            sample = run_once(command, settings)
            problem = failure(command, sample)
            if problem:
                result.verdict, result.note = "ERROR", problem
                return result
            if command is case.command:
                result.output = sample.output
                result.leftovers = max(result.leftovers, sample.leftovers)
            if run > 0:  # run 0 warms caches (page cache, the index) and is not counted
                record(result, command is case.command, sample)
    result.verdict = verdict(case, result)
    return result


def record(result: Result, is_case: bool, sample: Sample) -> None:
    """Add a timed sample to the case's or the baseline's side: time and peak memory."""
    if is_case:
        result.case_ms.append(sample.seconds * 1000)
        result.case_rss.append(sample.rss_mib)
        result.rebuilds += sample.cache_changed
    else:
        result.baseline_ms.append(sample.seconds * 1000)
        result.baseline_rss.append(sample.rss_mib)


def failure(command: Command, sample: Sample) -> str:
    """Why a sample cannot be used, or "" when it can."""
    if sample.timed_out:
        return f"{command.label}: timed out"
    if sample.status != 0:
        return f"{command.label}: exit {sample.status}: {sample.error}"[:160]
    return ""


def target_text(case: Case) -> str:
    """The target as the table prints it; in parentheses where it is information only."""
    text = f"<={case.ratio_target:g}x"
    if case.memory == "abs":
        text += f", <={WARM_MEMORY_MIB:g}MiB"
    elif case.memory == "baseline":
        text += ", RSS<=base"
    if case.cap_mib is not None:
        text += f", <={case.cap_mib:g}MiB"
    return text if case.applies else f"({text})"


def verdict(case: Case, result: Result) -> str:
    """PASS when the ratio and the memory bound both hold; "info" where no target applies."""
    ratio = result.ratio
    holds = ratio is not None and ratio <= case.ratio_target
    if case.memory == "abs":
        holds = holds and result.rss_mib <= WARM_MEMORY_MIB
    elif case.memory == "baseline":
        holds = holds and result.rss_mib <= result.baseline_rss_mib
    if case.cap_mib is not None:
        holds = holds and result.rss_mib <= case.cap_mib
    if result.leftovers:
        result.note = f"left {result.leftovers} process(es) running after returning"
        holds = False
    if result.rebuilds and case.command.watch is not None:
        result.note = (
            f"cache directory changed during {result.rebuilds} of {len(result.case_ms)} warm runs"
        )
    if not case.applies:
        return "info"
    return "PASS" if holds else "FAIL"


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Tools:
    """The programs the cases run."""

    directives: str
    python: str
    jq: str | None
    sh: str


IMPORT_YAML = "import yaml"
#: The cold baseline: the same YAML files, parsed by the C loader, GC off, nothing else.
BARE_LOAD = (
    "import gc, sys, yaml\n"
    "gc.disable()\n"
    "docs = [yaml.load(open(p, 'rb'), Loader=yaml.CSafeLoader) for p in sys.argv[1:]]"
)
LOOP = 'for id in "$@"; do "$BENCH_DIRECTIVES" show "$id" -f json; done'
LOOP_BASELINE = 'for id in "$@"; do "$BENCH_PYTHON" -c "import yaml"; done'


def startup_cases(tools: Tools, env: dict[str, str], ids: Sequence[str], loop: int) -> list[Case]:
    """Start-up on the bundled catalogue, index warm: each held to `python -c "import yaml"`."""
    d, py = tools.directives, tools.python
    base = Command("import yaml", [py, "-c", IMPORT_YAML], env)
    base_tty = Command("import yaml (pty)", [py, "-c", IMPORT_YAML], tty_env(env), tty=True)
    first = ids[0] if ids else "RC-1"
    return [
        Case("list -f json", "bundled", cmd([d, "list", "-f", "json"], env), base, 2.5),
        Case(
            f"show {first} -f json",
            "bundled",
            cmd([d, "show", first, "-f", "json"], env),
            base,
            2.5,
        ),
        Case(
            "list (table, pty)",
            "bundled",
            Command("directives list (pty)", [d, "list"], tty_env(env), True, watch=cache_of(env)),
            base_tty,
            4,
        ),
        Case("--help", "bundled", cmd([d, "--help"], env), base, 4),
        loop_case(tools, env, ids or [first], loop),
    ]


def loop_case(tools: Tools, env: dict[str, str], ids: Sequence[str], loop: int) -> Case:
    """A script's loop, `for id in ...; do directives show "$id" -f json; done`, over the
    catalogue's ids in turn: the total held to the same loop of `python -c "import yaml"`."""
    env = {**env, "BENCH_DIRECTIVES": tools.directives, "BENCH_PYTHON": tools.python}
    args = [ids[i % len(ids)] for i in range(loop)]
    argv = [tools.sh, "-c", LOOP, "sh", *args]
    product = Command(f"sh loop of {loop} show", argv, env, watch=cache_of(env))
    baseline = Command(f"{loop} x import yaml", [tools.sh, "-c", LOOP_BASELINE, "sh", *args], env)
    return Case(f"loop: {loop} x show -f json", "bundled", product, baseline, 2.5)


def scale_cases(tools: Tools, env: dict[str, str], made: generate.Generated) -> list[Case]:
    """Warm queries against jq on the JSON twin, and the first call after a change against a
    bare CSafeLoader load of the same files."""
    d, size = tools.directives, str(made.count)
    env = {**env, "DIRECTIVES_CATALOG": str(made.directory)}
    applies = made.count >= TARGET_SIZE
    million = made.count >= MILLION
    cases = []
    if tools.jq is not None:
        for name, argv, jq_argv in warm_queries(tools, made):
            product = Command(f"directives {name}", [d, *argv], env, watch=cache_of(env))
            baseline = Command("jq", jq_argv, env)
            cases.append(Case(name, size, product, baseline, WARM_TARGET, "abs", applies))
    bump = Bumper(made.files)
    cold = Command("directives list -f ids (changed)", [d, "list", "-f", "ids"], env, prepare=bump)
    bare = Command("bare CSafeLoader", [tools.python, "-c", BARE_LOAD, *map(str, made.files)], env)
    target = COLD_TARGET_MILLION if million else COLD_TARGET
    cap = COLD_MEMORY_MIB if million else None
    cases.append(Case("list -f ids, changed", size, cold, bare, target, "baseline", applies, cap))
    return cases


def incremental_case(
    tools: Tools, env: dict[str, str], made: generate.Generated, target: float
) -> Case:
    """The first call after one file (the middle one) changed, against the first call
    after every file changed (a full cold build), on the same cache, alternately."""
    env = {**env, "DIRECTIVES_CATALOG": str(made.directory)}
    argv = [tools.directives, "show", made.middle_id, "-f", "json"]
    middle = made.files[len(made.files) // 2]
    one = Command("directives show, 1 changed", argv, env, prepare=Bumper([middle]))
    every = Command("show, all changed", argv, env, prepare=Bumper(made.files))
    name = f"1 of {len(made.files)} files changed"
    return Case(name, str(made.count), one, every, target, "", made.count >= TARGET_SIZE)


def warm_queries(tools: Tools, made: generate.Generated) -> list[tuple[str, list[str], list[str]]]:
    """(name, directives argv, jq argv) of the three sampled warm queries."""
    assert tools.jq is not None
    term, category, ident, twin = (
        made.search_term,
        made.category,
        made.middle_id,
        str(made.json_file),
    )
    # The fields `search` covers that the twin has (it also covers the category's title,
    # which is no generated word); the plural mirrors the search's stemming.
    fields = '[.title, .text, .quote, .speaker] + .tags + .addressees | join(" ")'
    match = f'test("\\\\b{term}s?\\\\b"; "i")'
    return [
        (
            f"search {term} -f json",
            ["search", term, "-f", "json"],
            [tools.jq, "-c", f"[.directives[] | select({fields} | {match})]", twin],
        ),
        (
            f"list -c {category} -f ids",
            ["list", "-c", category, "-f", "ids"],
            [tools.jq, "-r", f'.directives[] | select(.category == "{category}") | .id', twin],
        ),
        (
            f"show {ident} -f json",
            ["show", ident, "-f", "json"],
            [tools.jq, "-c", f'.directives[] | select(.id == "{ident}")', twin],
        ),
    ]


class Bumper:
    """Changes these files of a catalogue before each call: new content and mtime, same size
    and meaning, so any kind of cache key (stat or content) sees them changed. Given every
    file, the whole index has to be rebuilt, as after editing every meeting."""

    #: Shared by every Bumper, so two of them never write a file's earlier revision back.
    revision = 0

    def __init__(self, files: Sequence[Path]) -> None:
        self.files = list(files)

    def __call__(self) -> None:
        Bumper.revision += 1
        for path in self.files:
            generate.set_revision(path, Bumper.revision)


def cmd(argv: list[str], env: dict[str, str]) -> Command:
    """A piped, warm `directives` call labelled with its arguments."""
    return Command(" ".join(["directives", *argv[1:]]), argv, env, watch=cache_of(env))


def cache_of(env: dict[str, str]) -> Path:
    """The cache directory a command's environment points at."""
    return Path(env["XDG_CACHE_HOME"])


def tty_env(env: dict[str, str]) -> dict[str, str]:
    """A terminal's environment: colour allowed, width from the pty itself."""
    return {**env, "TERM": "xterm-256color"}


# --------------------------------------------------------------------------- identity


def with_no_cache(argv: list[str]) -> list[str]:
    """The same call through the unindexed path: `--no-cache` right after the subcommand."""
    return [argv[0], argv[1], "--no-cache", *argv[2:]]


def identity_checks(results: Sequence[Result], settings: Settings) -> list[str]:
    """For each warm query measured at this size: is the cached answer byte for byte the
    --no-cache one (the issue: results identical whatever the path), and does it hold the
    records jq selected?"""
    lines = []
    for result in results:
        if result.verdict == "ERROR" or result.baseline != "jq":
            continue
        assert result.case is not None
        command = result.case.command
        fresh = run_once(replace_argv(command, with_no_cache(command.argv)), settings)
        same = "identical" if fresh.output == result.output else "DIFFERENT"
        jq_note = compare_with_jq(result, settings)
        lines.append(f"{result.size} {result.name}: cached vs --no-cache {same}; {jq_note}")
    return lines


def replace_argv(command: Command, argv: list[str]) -> Command:
    """A copy of a command with other arguments."""
    return Command(command.label, argv, command.env, command.tty)


def compare_with_jq(result: Result, settings: Settings) -> str:
    """How the product's records compare with jq's selection of the same records."""
    assert result.case is not None
    jq_sample = run_once(result.case.baseline, settings)
    ours, theirs = record_ids(result.output), record_ids(jq_sample.output)
    if ours is None or theirs is None:
        return "records not comparable"
    if ours == theirs:
        return f"same {len(ours)} records as jq, same order"
    if sorted(ours) == sorted(theirs):
        return f"same {len(ours)} records as jq, ranked differently"
    return f"{len(ours)} records; jq selects {len(theirs)} ({len(set(ours) & set(theirs))} common)"


def record_ids(output: bytes) -> list[str] | None:
    """The ids in an output: one JSON object, an array of objects or one id per line."""
    text = output.decode(errors="replace").strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        lines = text.splitlines()
        if text.startswith("{"):  # jq -c: one object per line
            return [str(json.loads(line).get("id")) for line in lines]
        return lines
    items = data if isinstance(data, list) else [data]
    return [str(item.get("id")) for item in items if isinstance(item, dict)]


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, object]:
    """The facts a reader needs to judge the numbers."""
    jq = shutil.which("jq")
    jq_version = ""
    if jq is not None:
        jq_version = subprocess.run([jq, "--version"], capture_output=True, text=True).stdout

    return {
        "nproc": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "jq": jq_version.strip() or None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


COLUMNS = (
    ("case", 28),
    ("size", 7),
    ("median ms", 10),
    ("baseline", 18),
    ("base ms", 9),
    ("ratio", 6),
    ("target", 20),
    ("RSS MiB", 8),
    ("base RSS", 8),
    ("verdict", 7),
)


def table(results: Sequence[Result]) -> str:
    """The results as a fixed-width text table, one row per case."""
    rows = [[name for name, _ in COLUMNS]]
    rows += [row(result) for result in results]
    widths = [max(width, *(len(r[i]) for r in rows)) for i, (_, width) in enumerate(COLUMNS)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def row(result: Result) -> list[str]:
    """One table row; medians in ms, ratio to two decimals."""
    case_ms = f"{statistics.median(result.case_ms):.1f}" if result.case_ms else "-"
    base_ms = f"{statistics.median(result.baseline_ms):.1f}" if result.baseline_ms else "-"
    ratio = f"{result.ratio:.2f}" if result.ratio is not None else "-"
    return [
        result.name,
        result.size,
        case_ms,
        result.baseline,
        base_ms,
        ratio,
        result.target,
        f"{result.rss_mib:.1f}" if result.rss_mib else "-",
        f"{result.baseline_rss_mib:.1f}" if result.baseline_rss_mib else "-",
        result.verdict,
    ]


def summary(results: Sequence[Result]) -> list[str]:
    """Which targets hold, which do not, and what broke."""
    judged = [r for r in results if r.verdict in ("PASS", "FAIL")]
    held = sum(r.verdict == "PASS" for r in judged)
    lines = [f"targets holding: {held} of {len(judged)}"]
    lines += [f"FAIL  {r.size} {r.name}: {shortfall(r)}" for r in judged if r.verdict == "FAIL"]
    lines += [f"ERROR {r.size} {r.name}: {r.note}" for r in results if r.verdict == "ERROR"]
    lines += [
        f"note  {r.size} {r.name}: {r.note}" for r in results if r.note and r.verdict != "ERROR"
    ]
    return lines


def shortfall(result: Result) -> str:
    """By how much a failing row misses each of its bounds, and the machine's load while
    it ran (a shared machine's other work is the usual reason a time bound is missed)."""
    case = result.case
    ratio = result.ratio
    if case is None or ratio is None:
        return "not measured"
    missed = []
    if ratio > case.ratio_target:
        missed.append(_over(f"time {ratio:.2f}x", ratio, case.ratio_target, "x"))
    bounds = []
    if case.memory == "abs":
        bounds.append(WARM_MEMORY_MIB)
    elif case.memory == "baseline":
        bounds.append(result.baseline_rss_mib)
    if case.cap_mib is not None:
        bounds.append(case.cap_mib)
    for bound in bounds:
        if result.rss_mib > bound:
            missed.append(_over(f"peak {result.rss_mib:.0f} MiB", result.rss_mib, bound, " MiB"))
    if result.leftovers:
        missed.append(result.note)
    cpus = os.cpu_count() or 1
    return "; ".join(missed) + f" (load average {result.load:.1f} on {cpus} CPUs as it ended)"


def _over(what: str, value: float, bound: float, unit: str) -> str:
    shown = f"{bound:.2f}{unit}" if unit == "x" else f"{bound:.0f}{unit}"
    return f"{what} against at most {shown}, {value / bound - 1:.0%} over"


JSON_FIELDS = (
    "name",
    "size",
    "baseline",
    "command",
    "baseline_command",
    "case_ms",
    "baseline_ms",
    "case_rss",
    "baseline_rss",
    "rss_mib",
    "baseline_rss_mib",
    "rebuilds",
    "load",
    "target",
    "verdict",
    "note",
    "leftovers",
)


def save_json(
    path: Path, facts: dict[str, object], results: Sequence[Result], checks: Sequence[str]
) -> None:
    """Everything measured, every sample included, for later comparison."""
    rows = [
        {
            **{name: getattr(result, name) for name in JSON_FIELDS},
            "ratio": result.ratio,
            "argv": result.case.command.argv[:8] if result.case else [],
            "baseline_argv": result.case.baseline.argv[:8] if result.case else [],
        }
        for result in results
    ]
    payload = {"machine": facts, "results": rows, "identity": list(checks)}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line; --quick means two sizes and three runs unless given explicitly."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", help="comma list of catalogue sizes (1000,10000,100000)")
    parser.add_argument("--runs", type=int, help="timed runs per case and baseline (5)")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000 and 3 runs")
    parser.add_argument("--loop", type=int, default=100, help="show calls in the loop case")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="work directory")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per call")
    parser.add_argument("--no-sources", action="store_true", help="catalogues without sources")
    parser.add_argument("--json", type=Path, help="also save the results to this file")
    parser.add_argument(
        "--million",
        action="store_true",
        help="also 1,000,000 directives in 100 files (many minutes: two cold builds a run)",
    )
    parser.add_argument(
        "--million-runs", type=int, default=1, help="timed runs at the million size (1)"
    )
    parser.add_argument(
        "--no-incremental", action="store_true", help="skip the 1-of-10 and 1-of-100 cases"
    )
    args = parser.parse_args(argv)
    default_sizes = "1000,10000" if args.quick else "1000,10000,100000"
    args.sizes = [int(s) for s in (args.sizes or default_sizes).split(",") if s.strip()]
    if args.million and MILLION not in args.sizes:
        args.sizes.append(MILLION)
    args.runs = args.runs or (3 if args.quick else 5)
    return args


def find_tools() -> Tools:
    """The `directives` next to this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("directives")
    found = str(beside) if beside.exists() else shutil.which("directives")
    if found is None:
        raise SystemExit("run.py: no `directives` command: run it with the project's venv Python")
    return Tools(found, sys.executable, shutil.which("jq"), shutil.which("sh") or "/bin/sh")


def base_env(cache: Path) -> dict[str, str]:
    """The user's environment without what would change the product's output or cache."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env["XDG_CACHE_HOME"] = str(cache)
    return env


DROPPED_ENV = frozenset(
    {"DIRECTIVES_CATALOG", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "XDG_CACHE_HOME"}
)


def fresh_cache(out: Path, name: str) -> Path:
    """An empty cache directory of our own for one catalogue."""
    cache = out / "cache" / name
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    return cache


def bundled_ids(tools: Tools, env: dict[str, str], settings: Settings) -> list[str]:
    """The bundled catalogue's ids, as a script would get them (this also warms its index)."""
    sample = run_once(
        Command("list -f ids", [tools.directives, "list", "-f", "ids"], env), settings
    )
    return sample.output.decode().split() if sample.status == 0 else []


def run_cases(cases: Sequence[Case], settings: Settings) -> list[Result]:
    """Measure each case, printing progress to stderr (the table goes to stdout)."""
    results = []
    for case in cases:
        print(f"  {case.size:>7}  {case.name} ...", file=sys.stderr, flush=True)
        results.append(measure(case, settings))
        results[-1].load = os.getloadavg()[0]
    return results


def run_size(
    size: int, args: argparse.Namespace, tools: Tools, settings: Settings
) -> tuple[list[Result], list[str]]:
    """Generate one catalogue, measure its cases and check its results."""
    started = time.perf_counter()
    made = generate.generate(size, settings.out / str(size), args.seed, sources=not args.no_sources)
    took = time.perf_counter() - started
    print(
        f"generated {made.count} directives in {len(made.files)} files ({took:.1f} s)",
        file=sys.stderr,
    )
    env = base_env(fresh_cache(settings.out, str(size)))
    if size >= MILLION:
        settings = Settings(args.million_runs, settings.timeout, settings.out, settings.subreaper)
    results = run_cases(scale_cases(tools, env, made), settings)
    checks = identity_checks(results, settings)
    checks.append(index_size(size, env, made))
    if size == TARGET_SIZE and not args.no_incremental:
        results += incremental_results(size, args, tools, settings, made)
    return results, checks


def incremental_results(
    size: int, args: argparse.Namespace, tools: Tools, settings: Settings, made: generate.Generated
) -> list[Result]:
    """One file of 10 changed (the catalogue above), and one of 100 (a twin in 100 files)."""
    env = base_env(fresh_cache(settings.out, f"{size}-of-10"))
    cases = [incremental_case(tools, env, made, ONE_OF_10_TARGET)]
    hundred = generate.generate(
        size,
        settings.out / f"{size}-100-files",
        args.seed,
        sources=not args.no_sources,
        per_file=max(1, size // 100),
    )
    env = base_env(fresh_cache(settings.out, f"{size}-of-100"))
    cases.append(incremental_case(tools, env, hundred, ONE_OF_100_TARGET))
    return run_cases(cases, settings)


def index_size(size: int, env: dict[str, str], made: generate.Generated) -> str:
    """The index file's size against the YAML it was built from (sources not counted)."""
    yaml_bytes = sum(path.stat().st_size for path in made.files)
    found = sorted((cache_of(env) / "directives").glob("*.sqlite"), key=lambda p: p.stat().st_mtime)
    if not found:
        return f"{size} index size: no index file found"
    index_bytes = found[-1].stat().st_size
    ratio = index_bytes / yaml_bytes
    verdict = (
        "PASS" if ratio <= INDEX_SIZE_TARGET else f"FAIL, {ratio / INDEX_SIZE_TARGET - 1:.0%} over"
    )
    if size < TARGET_SIZE:
        verdict = "info"
    return (
        f"{size} index size: {index_bytes / 1e6:.1f} MB for {yaml_bytes / 1e6:.1f} MB of YAML"
        f" = {ratio:.2f}x (target <={INDEX_SIZE_TARGET:g}x) {verdict}"
    )


def compile_product() -> None:
    """Write the package's bytecode first, so an editable checkout is measured as
    `pip install .` leaves it (pip compiles on install). Without this, a machine with
    PYTHONDONTWRITEBYTECODE set (this one has it) recompiles every module on every call."""
    import compileall

    import directives_cli

    compileall.compile_dir(Path(directives_cli.__file__).parent, quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every case, print the table and the verdicts, optionally save them as JSON."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    settings = Settings(args.runs, args.timeout, args.out.resolve(), become_subreaper())
    tools = find_tools()
    compile_product()
    facts = machine()
    print(" ".join(f"{k}={v}" for k, v in facts.items()), file=sys.stderr)
    env = base_env(fresh_cache(settings.out, "bundled"))
    ids = bundled_ids(tools, env, settings)
    results = run_cases(startup_cases(tools, env, ids, args.loop), settings)
    checks: list[str] = []
    for size in args.sizes:
        size_results, size_checks = run_size(size, args, tools, settings)
        results += size_results
        checks += size_checks
    report(facts, results, checks, settings, runs_text(args))
    if args.json:
        save_json(args.json, facts, results, checks)
    return 0


def runs_text(args: argparse.Namespace) -> str:
    """How many timed runs each median is of: the million size has its own count."""
    text = f"{args.runs} run{'s' * (args.runs != 1)}"
    if MILLION in args.sizes and args.million_runs != args.runs:
        text += f" ({args.million_runs} at {MILLION:,})"
    return text


def report(
    facts: dict[str, object],
    results: Sequence[Result],
    checks: Sequence[str],
    settings: Settings,
    runs: str,
) -> None:
    """The table, the identity checks and the verdicts, on stdout."""
    print(
        f"machine: {facts['machine']}, {facts['nproc']} CPUs, Python {facts['python']}, "
        f"{facts['system']}, {facts['jq']}, load {facts['load_average']}"
    )
    end_load = [round(x, 2) for x in os.getloadavg()]
    print(
        f"medians of {runs}, each case run alternately with its baseline; "
        f"load at the end {end_load}\n"
    )
    print(table(results))
    if checks:
        print("\nresults, cached index vs --no-cache:")
        print("\n".join(f"  {line}" for line in checks))
    print()
    print("\n".join(summary(results)))
    if not settings.subreaper:
        print("(background processes not checked: needs Linux)")


if __name__ == "__main__":
    sys.exit(main())
