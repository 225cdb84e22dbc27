"""Which files a catalogue path stands for, decided with `stat` alone.

`resolve_catalogue` picks the path (``--catalog``, ``$DIRECTIVES_CATALOG`` or the bundled
catalogue) and `catalogue_files` turns it into the YAML files to read, refusing anything
that is not a regular file of sane size before it is opened. Every call runs this (the
index is keyed by these files), so it is its own small module: a warm call must never
import the loader, which reads YAML.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from directives_cli.errors import CatalogueError, Problem
from directives_cli.safetext import shown

#: Largest catalogue (or source) file read. A meeting's file is far smaller (100,000
#: directives with 300-character texts take about 70 MiB in all, in several files);
#: the limit refuses a runaway or hostile file before a byte of it is read.
MAX_FILE_BYTES: int = 64 * 1024 * 1024

#: The environment variable that names a catalogue when --catalog is not given.
ENV_VAR = "DIRECTIVES_CATALOG"

_SUFFIXES = (".yaml", ".yml")


def bundled_path() -> Path:
    """The catalogue shipped with the package.

    In a wheel it sits in the package (hatch force-includes the repo's ``data/``);
    in an editable or source checkout it is the repo's own ``data/directives.yaml``.
    """
    here = Path(__file__).parent
    packaged = here / "data" / "directives.yaml"
    if packaged.is_file():
        return packaged
    return here.parents[1] / "data" / "directives.yaml"


def resolve_catalogue(option: str | None, environ: Mapping[str, str]) -> Path:
    """The catalogue path to load: ``--catalog``, else ``$DIRECTIVES_CATALOG``, else bundled.

    A path that does not exist is an error naming where it came from; falling back
    silently would answer questions from the wrong catalogue. An empty variable
    counts as unset, as shells and the XDG conventions treat it.
    """
    if option == "":
        raise CatalogueError("catalogue path is empty (from --catalog)")
    if option is not None:
        origin, path = "from --catalog", Path(option)
    elif environ.get(ENV_VAR):
        origin, path = f"from {ENV_VAR}", Path(environ[ENV_VAR])
    else:
        origin, path = "the bundled catalogue: the installation is incomplete", bundled_path()
    try:
        os.stat(path)
    except (FileNotFoundError, ValueError):  # ValueError: a NUL, which no file name holds
        raise CatalogueError(f"catalogue not found: {shown(path)} ({origin})") from None
    except OSError as error:
        reason = os_reason(error)
        raise CatalogueError(
            f"cannot access catalogue {shown(path)}: {reason} ({origin})"
        ) from None
    return path


def catalogue_files(path: Path) -> list[Path]:
    """The YAML files a catalogue path stands for, checked with `stat` only.

    A file stands for itself; a directory for its ``*.yaml``/``*.yml`` files (sorted
    by name, not recursive, hidden files skipped as a shell glob would). FIFOs,
    devices, sockets, symlink loops and files over MAX_FILE_BYTES are refused before
    anything is opened, so ``--catalog /dev/zero`` fails at once instead of hanging.
    """
    try:
        info = os.stat(path)
    except OSError as error:
        raise CatalogueError([file_problem(path, os_reason(error))]) from None
    if stat.S_ISDIR(info.st_mode):
        return _directory_files(path)
    reason = refusal(info)
    if reason:
        raise CatalogueError([file_problem(path, reason)])
    return [path]


def _directory_files(directory: Path) -> list[Path]:
    """The catalogue files of a directory, or every reason one of them is refused."""
    files, refused = screen_directory(directory)
    if refused:
        raise CatalogueError(refused)
    return files


def screen_directory(directory: Path) -> tuple[list[Path], list[Problem]]:
    """A directory's catalogue files that may be read, and a problem for each that may
    not, so `validate` can still check the readable ones."""
    try:
        with os.scandir(directory) as entries:
            names = sorted(
                e.name for e in entries if e.name.endswith(_SUFFIXES) and not e.name.startswith(".")
            )
    except OSError as error:
        raise CatalogueError([file_problem(directory, os_reason(error))]) from None
    if not names:
        raise CatalogueError([file_problem(directory, "directory holds no *.yaml or *.yml file")])
    readable, refused = [], []
    for file in (directory / name for name in names):
        try:
            reason = refusal(os.stat(file))
        except OSError as error:
            reason = os_reason(error)
        if reason:
            refused.append(file_problem(file, reason))
        else:
            readable.append(file)
    return readable, refused


def refusal(info: os.stat_result) -> str:
    """Why a file with this status must not be read ("" when it may be)."""
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > MAX_FILE_BYTES:
            size = info.st_size / (1024 * 1024)
            limit = MAX_FILE_BYTES // (1024 * 1024)
            return f"file is {size:.1f} MiB, over the {limit} MiB limit for a catalogue file"
        return ""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return f"not a regular file ({kind}); refusing to read it"


def file_identity(path: str | Path) -> tuple[int, int, int, int, int]:
    """What says a file is still the one read: size, mtime, ctime, inode, device. The
    ctime catches an edit even when the size is kept and the mtime is forced back."""
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def contained(folder: str | Path, written: str) -> str | None:
    """Where ``written`` (a path relative to ``folder``, or absolute) leads, with every
    symlink resolved, when that is inside ``folder`` (itself resolved); else None.

    The rule for a catalogue's source text: it must lie in the catalogue file's own
    folder tree, so a catalogue cannot read ``/etc/passwd`` or ``/proc/self/environ``
    into `show` and the cache. Decided with `realpath` (lstat and readlink only), so
    nothing outside is ever opened; a symlink loop resolves to where it stops.
    """
    if "\x00" in written:
        return None
    base = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(folder, written))
    prefix = base if base.endswith(os.sep) else base + os.sep
    return target if target == base or target.startswith(prefix) else None


def os_reason(error: OSError) -> str:
    """An OS error in words a user can act on, without the path repeated."""
    if error.errno == errno.ELOOP:
        return "too many levels of symbolic links (a symlink loop?)"
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or str(error)).lower()


def file_problem(path: Path, message: str) -> Problem:
    """A problem with a whole file: linters report those at 1:1."""
    return Problem(str(path), 1, 1, message)
