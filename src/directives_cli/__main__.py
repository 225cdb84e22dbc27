"""Entry point for `python -m directives_cli` and the `directives` console script.

The first thing it does, before any heavy import, is take over SIGINT: Python's own
handler would turn a Ctrl-C during the imports into a traceback. Until `entry.run` is
ready to report an interrupt itself (and again once it has finished), Ctrl-C ends the
call at once with the contract's one line and status 130.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

#: The stderr line and status of an interrupt (`exits.ExitStatus.INTERRUPTED`), spelt out
#: here because importing anything of the package is what this handler must not wait for.
INTERRUPTED_LINE = b"directives: error: interrupted\n"
INTERRUPTED_STATUS = 130


def interrupted_now(signum: int, frame: object) -> None:
    """End the process at once: nothing is half-written yet, or everything already is."""
    with contextlib.suppress(OSError):
        os.write(2, INTERRUPTED_LINE)
    os._exit(INTERRUPTED_STATUS)


signal.signal(signal.SIGINT, interrupted_now)


def main() -> None:
    """Run the command line. `entry` imports neither Typer nor Rich, so the common calls
    of shell loops start fast."""
    from directives_cli.entry import run

    try:
        run(interrupt_handler=interrupted_now)
    except SystemExit as stop:
        finish(stop.code)


def finish(code: object) -> None:
    """End with ``code`` once the streams are flushed, without the interpreter's shutdown:
    it puts SIGINT back to the system default first, so a Ctrl-C in those last moments
    would kill the process silently instead of giving the one line and 130."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":
    main()
