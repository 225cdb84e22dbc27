"""Time `directives diff` on two editions of a large catalogue against a bare YAML load.

The old edition is `generate.py`'s catalogue; the new one is a copy with every 200th
directive's title edited, every 1,000th moved to another category, every 500th removed
and one added beside every 500th (same quote, so it stays valid). Three cases, each run
alternately with its baseline in the same run, medians printed with their ratio:

* cold: no index yet (an empty cache before every run), so both sides are loaded,
  validated, indexed and compared; target at most 2x a bare CSafeLoader load of both.
* warm: both sides indexed already (the cache from an earlier call), so diff reads rows
  from the two indexes; reported against the same bare load ("far less").
* warm --match text (with ``--match``): the same, pairing by words instead of ids
  (information only; about 10 s at 10,000 directives on a busy 2-core machine).

    .venv/bin/python benchmarks/diff_bench.py [--directives 100000] [--runs 3] [--match]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402 - the generator beside this script
from run import BARE_LOAD, compile_product, find_tools  # noqa: E402

_DIRECTIVE = re.compile(r"^  - id: ", re.M)


def edit_file(text: str, counter: list[int]) -> str:
    """One meeting file with its directives edited, removed, added and moved."""
    head, _, rest = text.partition("\ndirectives:\n")
    body, _, tail = rest.partition("\n\nstatistics:\n")
    first_category = re.search(r'^  - id: "([^"]+)"', head, re.M)
    assert first_category is not None
    blocks = ["  - id: " + b for b in _DIRECTIVE.split(body) if b]
    out: list[str] = []
    for block in blocks:
        counter[0] += 1
        n = counter[0]
        if n % 500 == 1:
            continue
        if n % 200 == 0:
            block = block.replace('    title: "', '    title: "Revised ', 1)
        if n % 1000 == 3:
            block = re.sub(r'    category: "[^"]+"', f'    category: "{first_category[1]}"', block)
        out.append(block)
        if n % 500 == 2:
            out.append(re.sub(r'^  - id: "([^"]+)"', r'  - id: "\1-NEW"', block))
    return f"{head}\ndirectives:\n" + "\n".join(out) + f"\n\nstatistics:\n{tail}"


def new_edition(old: Path, new: Path) -> list[Path]:
    """Copy the old edition's folder (sources too) and edit every meeting file."""
    if new.exists():
        shutil.rmtree(new)
    shutil.copytree(old, new)
    counter = [0]
    files = sorted(new.glob("*.yaml"))
    for path in files:
        path.write_text(edit_file(path.read_text(encoding="utf-8"), counter), encoding="utf-8")
    return files


def timed(
    argv: Sequence[str], env: dict[str, str], prepare: Callable[[], None], ok: set[int]
) -> float:
    prepare()
    start = time.perf_counter()
    done = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{argv[:3]} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed * 1000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--directives", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "diff")
    parser.add_argument("--match", action="store_true", help="also time --match text")
    args = parser.parse_args(argv)
    compile_product()
    tools = find_tools()
    print(f"generating {args.directives} directives under {args.out}", file=sys.stderr)
    made = generate.generate(args.directives, args.out / "old")
    new_files = new_edition(made.directory, args.out / "new" / "catalogue")
    old_dir, new_dir = str(made.directory), str(args.out / "new" / "catalogue")
    cache = args.out / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    for name in ("DIRECTIVES_CATALOG", "NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        env.pop(name, None)

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def nothing() -> None:
        pass

    diff = [tools.directives, "diff", old_dir, new_dir, "-f", "jsonl"]
    bare = [tools.python, "-c", BARE_LOAD, *map(str, made.files), *map(str, new_files)]
    cases = [
        ("cold (no index)", diff, empty_cache, 2.0),
        ("warm (both indexed)", diff, nothing, None),
    ]
    if args.match:
        cases.append(("warm --match text", [*diff, "--match", "text"], nothing, None))
    print(f"{'case':<22} {'size':>7} {'median ms':>10} {'bare load ms':>13} {'ratio':>6}  target")
    for name, command, prepare, target in cases:
        if prepare is nothing:
            timed(command, env, nothing, {1})  # make sure both indexes exist
        ours, base = [], []
        for _ in range(args.runs):
            ours.append(timed(command, env, prepare, {1}))
            base.append(timed(bare, env, nothing, {0}))
        mine, theirs = statistics.median(ours), statistics.median(base)
        ratio = mine / theirs
        verdict = "" if target is None else f"<={target}x {'PASS' if ratio <= target else 'FAIL'}"
        print(f"{name:<22} {made.count:>7} {mine:>10.0f} {theirs:>13.0f} {ratio:>6.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
