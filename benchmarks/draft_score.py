"""Score `directives draft` against a hand-made catalogue of the same report.

    python benchmarks/draft_score.py [REPORT CATALOGUE]

Defaults to the bundled report and data/directives.yaml. A hand-made directive is
matched when a drafted directive of its own (each drafted one matches at most one) has
the same act and the same speaker (the meeting's own acts count as one speaker however
they are named) and a quote that overlaps its quote. Prints the match table, then
"matched N/M" and "unmatched drafted K".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
MEETING_NAMES = {"the conference", "the meeting", "会议", "大会"}


def speaker_key(name: str) -> str:
    """One key for the meeting itself, the name otherwise."""
    folded = name.strip().casefold()
    return "<meeting>" if folded in MEETING_NAMES else folded


def fold(text: str) -> str:
    return " ".join(text.replace("“", '"').replace("”", '"').split()).casefold()


def overlaps(a: str, b: str) -> bool:
    """Whether two quotes share a stretch: one inside the other, or a common run of
    at least half the shorter one."""
    a, b = fold(a), fold(b)
    if a in b or b in a:
        return True
    from difflib import SequenceMatcher

    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match()
    return match.size >= max(8, min(len(a), len(b)) // 2)


def score(drafted: list[dict[str, object]], expected: list[dict[str, object]]) -> list[tuple]:
    """(expected id, drafted id or None) in expected order; greedy, best overlap first."""
    used: set[int] = set()
    table = []
    for want in expected:
        found = None
        for n, got in enumerate(drafted):
            if n in used or got["act"] != want["act"]:
                continue
            if speaker_key(str(got["speaker"])) != speaker_key(str(want["speaker"])):
                continue
            if overlaps(str(got["quote"]), str(want["quote"])):
                found = n
                break
        if found is not None:
            used.add(found)
        table.append((want, None if found is None else drafted[found]))
    return table


def draft(report: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "directives_cli", "draft", str(report)],
        capture_output=True,
        text=True,
        check=True,
        cwd=report.parent,
    )
    return list(yaml.safe_load(result.stdout)["directives"])


def main(argv: list[str]) -> int:
    report = Path(argv[0]) if argv else REPO / "data/sources/special-equipment-conference-2019.txt"
    catalogue = Path(argv[1]) if len(argv) > 1 else REPO / "data/directives.yaml"
    expected = yaml.safe_load(catalogue.read_text(encoding="utf-8"))["directives"]
    drafted = draft(report.resolve())
    table = score(drafted, expected)
    matched_ids = {id(got) for _, got in table if got is not None}
    for n, (want, got) in enumerate(table, start=1):
        mark = "ok " if got else "-- "
        shown = f"{got['id']}: {got['quote']}" if got else "(no drafted directive)"
        label = str(want.get("id", n))
        quote = str(want["quote"])[:50]
        print(f"{mark}{label:<8} {want['act']:<12} {quote:<50}  {shown[:70]}")
    extra = [d for d in drafted if id(d) not in matched_ids]
    for got in extra:
        print(f"++ {got['id']:<8} {got['act']:<12} {str(got['quote'])[:50]} (matches none)")
    print(f"matched {len(matched_ids)}/{len(expected)}")
    print(f"unmatched drafted {len(extra)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
