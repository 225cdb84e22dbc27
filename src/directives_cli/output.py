"""Writing a command's result to stdout, and ending quietly when the reader has gone.

Shared by both parsers (`cli.py`, `fastpath.py`); the only module besides them that
touches the process's streams.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sys
from collections.abc import Callable, Iterable

from directives_cli.errors import OutputError
from directives_cli.exits import ExitStatus
from directives_cli.outcome import Output
from directives_cli.plain import TYPE_CHECKING
from directives_cli.render import Format

if TYPE_CHECKING:
    from typing import NoReturn, TextIO

#: Streamed text is flushed whenever about this much (in characters) has been written
#: since the last flush, so a reader (`| head`, `| jq`) gets records while the rest are
#: still being made, without a system call per record.
FLUSH_EVERY = 64 * 1024


def emit(output: Output, color: str) -> None:
    """Write text as is, then the streamed chunks as they are made; draw renderables
    through a Rich console made only now, so machine formats never import Rich. Notes go
    to stderr first, the summary once stdout is written.

    A closed pipe ends quietly (status 141); any other failure to write stdout (a full
    disk, a closed stdout) is an `OutputError` (status 74), whatever wrote it: our own
    writes, the chunks, or Rich. A note that cannot be written costs nothing: stderr is
    for remarks, and the answer on stdout still goes out.
    """
    for note in output.notes:
        say(f"directives: note: {note}")
    try:
        _write_stdout(output, color)
    except BrokenPipeError:
        quiet_broken_pipe()
    except OSError as error:
        abandon_stdout()
        raise OutputError(f"cannot write output: {_reason(error)}") from None
    if output.summary:
        say(f"directives: {output.summary}")


def _write_stdout(output: Output, color: str) -> None:
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise OSError(errno.EBADF, "standard output is closed")
    write = _exact_writer() if output.exact else sys.stdout.write
    if output.text:
        write(output.text)
    _write_chunks(output.chunks, write)
    if output.renderables:
        _draw(output.renderables, color)
    sys.stdout.flush()


#: Spaces at the end of a line, before any closing colour codes: Rich pads every line of
#: a table to the width, which a file or a `diff` of two runs should not hold.
_TRAILING = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


class _Buffer(io.StringIO):
    """A buffer that tells Rich the encoding of the stdout it stands in for, so the view
    is drawn for what stdout can hold (`#` bars on an ASCII stdout, not escaped blocks)."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self._encoding = encoding

    # typeshed declares `encoding` a plain attribute; CPython's TextIOBase makes it a
    # read-only property, so a property is the only way to give a buffer one.
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def _draw(renderables: Iterable[object], color: str) -> None:
    """Draw through Rich: straight onto a terminal; anywhere else onto a buffer drawn
    alike (a buffer is no terminal either, so Rich picks the same width and colours), then
    written with the padding at the ends of lines removed."""
    from directives_cli.render.console import make_console

    if is_terminal():
        console = make_console(sys.stdout, color=color)
        for renderable in renderables:
            console.print(renderable)
        return
    buffer = _Buffer(getattr(sys.stdout, "encoding", None) or "utf-8")
    console = make_console(buffer, color=color)
    for renderable in renderables:
        console.print(renderable)
    sys.stdout.write(_TRAILING.sub(r"\1", buffer.getvalue()))


def _reason(error: OSError) -> str:
    """An OS error in words, without Python's "[Errno 28]"."""
    if error.errno == errno.EBADF:
        return "standard output is closed"
    return error.strerror or str(error)


def say(line: str) -> None:
    """One line on stderr, if stderr can take it: a full or closed stderr must not turn
    an answer into a failure, nor an error's status into another one."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(f"{line}\n")
        stream.flush()
    except (OSError, ValueError):
        _discard(stream)


def abandon_stdout() -> None:
    """After stdout failed, drop what is still buffered: otherwise the interpreter's own
    flush at exit fails again, prints a farewell and turns our status into 120."""
    _discard(sys.stdout)


def _discard(stream: TextIO | None) -> None:
    """Point a failed stream's descriptor at /dev/null and drop its buffer there. A stream
    without a descriptor (a test's StringIO) is left as it is."""
    if stream is None:
        return
    try:
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
        stream.flush()
    except (OSError, ValueError):
        pass


def stdout_failed() -> bool:
    """Whether stdout is closed or cannot take what it holds: tells a failed write from
    any other OSError that reaches `entry.run` (Click writing help, for one)."""
    if sys.stdout is None:
        return True
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _exact_writer() -> Callable[[str], object]:
    """Where stdout's encoding is not UTF-8, a writer that puts UTF-8 bytes on its
    binary buffer, so CSV and YAML stay lossless instead of gaining `\u201c` escapes
    that would be read back as six literal characters."""
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("_", "-")
    buffer = getattr(sys.stdout, "buffer", None)
    if encoding in ("utf-8", "utf8") or buffer is None:
        return sys.stdout.write
    sys.stdout.flush()

    def write(text: str) -> object:
        return buffer.write(text.encode("utf-8", "backslashreplace"))

    return write


def _write_chunks(chunks: Iterable[str], write: Callable[[str], object]) -> None:
    """Write each chunk as soon as it is made.

    Making a chunk can fail after others were written (the cached index became
    unreadable, Ctrl-C); failures known in advance (no hit, a bad regex, a runaway one)
    are raised before the first chunk. The text written so far is then flushed and the
    error goes on to `entry.run`, which prints its one stderr line and exits with its
    status. Chunks end between records, so stdout holds whole records and nothing after
    them: a JSON array is left unclosed, so a parser rejects it rather than taking it
    for the whole answer; line formats simply stop. Scripts must check the exit status.
    """
    pending = 0
    try:
        for chunk in chunks:
            write(chunk)
            pending += len(chunk)
            if pending >= FLUSH_EVERY:
                sys.stdout.flush()
                pending = 0
    except BaseException:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        raise


def quiet_broken_pipe() -> NoReturn:
    """Stop writing to a reader that has gone away, without Python's farewell noise
    ("Exception ignored ... BrokenPipeError") when the interpreter flushes at exit."""
    _discard(sys.stdout)
    # What a shell reports for a process ended by a closed pipe (128 + SIGPIPE), as grep.
    os._exit(ExitStatus.PIPE)


def is_terminal() -> bool:
    """Whether stdout is a terminal: decides the default format (table or plain)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed (None), or a closed file object
        return False


def chosen_format(fmt: Format | None) -> Format:
    """``--format`` if given, else table for a person at a terminal, plain for a pipe."""
    if fmt is not None:
        return fmt
    return Format.TABLE if is_terminal() else Format.PLAIN
