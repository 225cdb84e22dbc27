"""Entry point for `python -m directives_cli` and the `directives` console script."""

from __future__ import annotations


def main() -> None:
    """Run the command line; imported lazily so `--version` and friends start fast."""
    from directives_cli.cli import run

    run()


if __name__ == "__main__":
    main()
