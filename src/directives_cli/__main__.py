"""Entry point for `python -m directives_cli` and the `directives` console script."""

from __future__ import annotations


def main() -> None:
    """Run the command line. `entry` imports neither Typer nor Rich, so the common calls
    of shell loops start fast."""
    from directives_cli.entry import run

    run()


if __name__ == "__main__":
    main()
