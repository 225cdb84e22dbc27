"""How well `directives search` answers people's questions (issue 14).

    python benchmarks/relevance.py [--questions FILE] [--catalog PATH] [--json FILE]

Asks every question of tests/fixtures/search/questions.yaml through the real command line
(`python -m directives_cli search WORDS... -f ids`, each question split as a shell splits
it) and prints, for the directive that should come first: top-1 accuracy (the share of
questions where it does) and mean reciprocal rank (the mean of 1/rank, 0 when it is not in
the first DEPTH results), with every question that missed. The command line is the
contract, so the same script measures any version of the package: put another checkout's
``src`` first on PYTHONPATH to compare. Relevance is not speed: nothing here is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE.parent / "tests" / "fixtures" / "search" / "questions.yaml"
#: Results read per question; a directive further down counts as not found.
DEPTH = 10


@dataclass(frozen=True)
class Answer:
    """One question, the directive expected first, and where it came (None: not found)."""

    ask: str
    first: str
    rank: int | None
    got: tuple[str, ...]


def load_questions(path: Path) -> list[tuple[str, str]]:
    """(question, expected id) pairs, in file order."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [(str(item["ask"]), str(item["first"])) for item in data]


def ask(question: str, first: str, env: dict[str, str]) -> Answer:
    """Run one question through the command line and find the expected id's rank."""
    argv = [sys.executable, "-m", "directives_cli", "search", *shlex.split(question)]
    argv += ["-f", "ids", "--limit", str(DEPTH)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    got = tuple(done.stdout.split())
    rank = got.index(first) + 1 if first in got else None
    return Answer(question, first, rank, got[:3])


def summary(answers: list[Answer]) -> dict[str, float]:
    """Top-1 accuracy and mean reciprocal rank."""
    count = len(answers)
    top1 = sum(a.rank == 1 for a in answers) / count
    mrr = sum(1 / a.rank for a in answers if a.rank) / count
    return {"questions": count, "top1": round(top1, 4), "mrr": round(mrr, 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--catalog", help="catalogue to ask (default: the bundled one)")
    parser.add_argument("--json", type=Path, help="also save the figures and misses here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        if args.catalog:
            env["DIRECTIVES_CATALOG"] = args.catalog
        answers = [ask(q, first, env) for q, first in load_questions(args.questions)]
    figures = summary(answers)
    misses = [a for a in answers if a.rank != 1]
    for miss in misses:
        where = f"rank {miss.rank}" if miss.rank else "not found"
        print(f"miss: {miss.ask!r}: {miss.first} {where}; first: {' '.join(miss.got) or '-'}")
    print(
        f"questions {figures['questions']}  top-1 {figures['top1']:.3f}  MRR {figures['mrr']:.3f}"
    )
    if args.json:
        record = {**figures, "misses": [a.__dict__ for a in misses]}
        args.json.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
