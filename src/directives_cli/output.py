"""Writing a command's result to stdout, and ending quietly when the reader has gone.

Shared by both parsers (`cli.py`, `fastpath.py`); the only module besides them that
touches the process's streams.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from typing import NoReturn

from directives_cli.exits import ExitStatus
from directives_cli.outcome import Output
from directives_cli.render import Format

#: Streamed text is flushed whenever about this much (in characters) has been written
#: since the last flush, so a reader (`| head`, `| jq`) gets records while the rest are
#: still being made, without a system call per record.
FLUSH_EVERY = 64 * 1024


def emit(output: Output, color: str) -> None:
    """Write text as is, then the streamed chunks as they are made; draw renderables
    through a Rich console made only now, so machine formats never import Rich. Notes go
    to stderr first, the summary once stdout is written."""
    for note in output.notes:
        sys.stderr.write(f"directives: note: {note}\n")
    try:
        write = _exact_writer() if output.exact else sys.stdout.write
        if output.text:
            write(output.text)
        _write_chunks(output.chunks, write)
        if output.renderables:
            from directives_cli.render.console import make_console

            console = make_console(sys.stdout, color=color)
            for renderable in output.renderables:
                console.print(renderable)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()
    if output.summary:
        sys.stderr.write(f"directives: {output.summary}\n")


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
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    # What a shell reports for a process ended by a closed pipe (128 + SIGPIPE), as grep.
    os._exit(ExitStatus.PIPE)


def is_terminal() -> bool:
    """Whether stdout is a terminal: decides the default format (table or plain)."""
    try:
        return sys.stdout.isatty()
    except ValueError:
        return False


def chosen_format(fmt: Format | None) -> Format:
    """``--format`` if given, else table for a person at a terminal, plain for a pipe."""
    if fmt is not None:
        return fmt
    return Format.TABLE if is_terminal() else Format.PLAIN
