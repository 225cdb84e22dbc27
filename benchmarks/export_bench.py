"""Issue 16's speed target: `directives export --sqlite` of 100,000 directives in at most 1.5x
the time of a warm `directives list -f json` of the same catalogue written to a file.

    python benchmarks/export_bench.py [--size 100000] [--runs 5] [--json FILE]

It reuses run.py's harness, so the numbers mean what the main benchmark's mean: the catalogue
comes from generate.py, the index is warm for both (one untimed warm-up of each), the two
commands run alternately (export first on even runs, the listing first on odd ones), and the
verdict is on the ratio of the medians; peak memory is each command's own. Both commands go
through `sh -c ... > FILE` or write FILE themselves, so each pays for putting its bytes in a
file, and the export replaces its file every run (`--force`). Afterwards the export is opened
and its rows are counted against the listing's records, so a fast but empty export cannot pass.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import generate
import run

EXPORT = 'exec "$0" export --sqlite "$1" --force'
LISTING = 'exec "$0" list -f json > "$1"'
RATIO_TARGET = 1.5


def export_case(
    tools: run.Tools, env: dict[str, str], made: generate.Generated, out: Path
) -> run.Case:
    """The export against the warm listing, both of the same generated catalogue."""
    env = {**env, "DIRECTIVES_CATALOG": str(made.directory)}
    database, listing = out / "export-bench.db", out / "export-bench-list.json"
    product = run.Command(
        "directives export --sqlite FILE --force",
        [tools.sh, "-c", EXPORT, tools.directives, str(database)],
        env,
        watch=run.cache_of(env),
    )
    baseline = run.Command(
        "list -f json > FILE", [tools.sh, "-c", LISTING, tools.directives, str(listing)], env
    )
    applies = made.count >= run.TARGET_SIZE
    return run.Case(
        "export --sqlite", str(made.count), product, baseline, RATIO_TARGET, "", applies
    )


def rows_check(out: Path) -> str:
    """Whether the last export holds as many directives as the last listing printed."""
    database, listing = out / "export-bench.db", out / "export-bench-list.json"
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        exported = conn.execute("SELECT count(*) FROM directives").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM directives_fts_docsize").fetchone()[0]
    finally:
        conn.close()
    listed = len(json.loads(listing.read_text(encoding="utf-8")))
    same = "same" if exported == listed == indexed else "DIFFERENT"
    return f"rows: export {exported} (full-text {indexed}), list -f json {listed}: {same}"


def report(
    facts: dict[str, object],
    results: Sequence[run.Result],
    checks: Sequence[str],
    settings: run.Settings,
) -> None:
    """The machine, the table row, the row check and the verdict, on stdout."""
    print(
        f"machine: {facts['machine']}, {facts['nproc']} CPUs, Python {facts['python']}, "
        f"{facts['system']}, load {facts['load_average']}"
    )
    print(f"medians of {settings.runs} runs, export and listing alternated\n")
    print(run.table(results))
    print("\n".join(["", *checks, "", *run.summary(results)]))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="directives (100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (5)")
    parser.add_argument("--out", type=Path, default=run.HERE / "out", help="work directory")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per call")
    parser.add_argument("--json", type=Path, help="also save the results to this file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, measure, print the row, the row check and the verdict."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    settings = run.Settings(args.runs, args.timeout, args.out.resolve(), run.become_subreaper())
    tools = run.find_tools()
    run.compile_product()
    facts = run.machine()
    started = time.perf_counter()
    made = generate.generate(args.size, settings.out / f"export-{args.size}", args.seed)
    took = time.perf_counter() - started
    print(f"generated {made.count} directives ({took:.1f} s)", file=sys.stderr)
    env = run.base_env(run.fresh_cache(settings.out, f"export-{args.size}"))
    results = run.run_cases([export_case(tools, env, made, settings.out)], settings)
    checks = [rows_check(settings.out)] if results[0].verdict != "ERROR" else []
    report(facts, results, checks, settings)
    if args.json:
        run.save_json(args.json, facts, results, checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
