"""Write large, realistic schema-1 catalogues for the scale benchmarks (issue 5).

A catalogue of N directives is written as a directory of several YAML files, one meeting per
file (at most ``--per-file`` directives each, at least ``MIN_FILES`` files), every file with its
own source report under ``sources/`` that contains every quote of the file. Real catalogues in
this format are traced to a report, and the quote check is the most expensive rule a loader
enforces, so a benchmark without sources would hide the cost that grows fastest. Pass
``--no-sources`` for catalogues without them.

The same directives are also written as one JSON file, ``{"directives": [record, ...]}``, each
record exactly as `directives list -f json` publishes it (with ``meeting``), so ``jq`` can select
the same records from the same catalogue: that is the scale baseline.

Output is a pure function of the arguments (seeded ``random.Random`` per meeting, YAML written
as text with every string double-quoted), so two runs with the same arguments write the same
bytes. Only the standard library is used, so the generator runs under any Python 3.10+.

    python benchmarks/generate.py --directives 100000 --out benchmarks/out/100000 [--seed 1]
"""

from __future__ import annotations

import argparse
import array
import json
import operator
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The real report the vocabulary is drawn from, so word lengths and frequencies are realistic.
SOURCE_TEXT = REPO / "data" / "sources" / "special-equipment-conference-2019.txt"

#: The speech acts of the contract (model.ACTS), with the verb a report uses for each.
ACT_VERBS: dict[str, str] = {
    "pointed-out": "pointed out",
    "requested": "requested",
    "demanded": "demanded",
    "stressed": "stressed",
}
SPEAKERS: tuple[str, ...] = (
    "the conference",
    "Chen Gang",
    "Li Wei",
    "Zhang Min",
    "Wang Fang",
    "Liu Yang",
)
#: (id, id prefix, title, description) of the themes a meeting groups its directives under.
CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    ("risk-control", "RC", "Risk prevention and control", "Holding the safety bottom line."),
    ("responsibility", "RS", "Responsibility systems", "Main responsibility of enterprises."),
    ("reform", "RF", "Reform", "Deepening the reform of safety supervision."),
    ("capacity", "CP", "Capacity building", "Grassroots and basic support capacity."),
    ("inspection", "IN", "Inspection and testing", "Inspection institutions and their work."),
    ("energy", "EN", "Energy conservation", "Energy saving of boilers and other equipment."),
    ("emergency", "EM", "Emergency response", "Plans, drills and accident handling."),
    ("credit", "CR", "Credit supervision", "Credit records and joint punishment."),
    ("training", "TR", "Training", "Training of inspectors and operators."),
    ("overall", "OV", "Overall aims", "Aims that span every theme."),
)
MEETING_TITLES: tuple[str, ...] = (
    "National Special Equipment Safety Supervision Work Conference",
    "Provincial Elevator Safety Work Meeting",
    "Boiler Energy Conservation Promotion Conference",
    "Market Supervision Safety Production Video Teleconference",
    "Special Equipment Inspection Reform Symposium",
)
LOCATIONS: tuple[str, ...] = ("Hefei, Anhui", "Beijing", "Hangzhou, Zhejiang", "Chengdu, Sichuan")
ADDRESSEES: tuple[str, ...] = (
    "the safety supervision departments of special equipment at all levels",
    "enterprises using special equipment",
    "inspection and testing institutions",
    "the market supervision departments at all levels",
    "the cadres and workers of the whole system",
    "local governments",
    "elevator maintenance units",
    "manufacturing enterprises",
)
TAGS: tuple[str, ...] = (
    "risk",
    "prevention",
    "supervision",
    "responsibility",
    "reform",
    "inspection",
    "elevators",
    "boilers",
    "pressure-vessels",
    "cranes",
    "energy-saving",
    "credit",
    "insurance",
    "training",
    "grassroots",
    "emergency",
    "accidents",
    "hidden-dangers",
    "enterprises",
    "informatization",
    "standards",
    "law",
    "market-vitality",
    "capacity",
)
#: Domain words the short report lacks, so texts do not repeat its 269 words only.
FILLER_TEXT = """
    ensure implement promote establish coordinate regulate monitor evaluate investigate assess
    verify rectify eliminate tighten clarify standardise modernise digitise integrate share
    enterprises institutions inspectors operators personnel departments authorities agencies
    units organisations manufacturers installers maintainers users owners regions provinces
    counties townships districts platforms databases records archives certificates licences
    permits standards regulations rules procedures measures plans programmes campaigns drills
    inspections audits checks reviews reports statistics indicators targets tasks duties
    hazards risks defects faults failures incidents accidents casualties injuries losses
    quality efficiency capacity reliability integrity transparency accountability oversight
    comprehensive systematic effective timely strict rigorous scientific reasonable orderly
    annual quarterly monthly routine special targeted joint unified local central national
    information data technology equipment facilities installations components devices
    operation maintenance installation repair modification testing certification training
    emergency response rescue warning disposal investigation punishment supervision guidance
    public awareness education publicity service innovation reform development security
"""
FILLER: tuple[str, ...] = tuple(FILLER_TEXT.split())
#: Words each used rarely (about one directive in a hundred), so a search for one of them
#: returns a realistic share of a large catalogue instead of a fifth of it.
RARE_TEXT = """
    boiler cableway forklift escalator crane pipeline cylinder autoclave gantry hoist
    amusement ropeway turbine valve vessel welding refinery chemical harbour airport
"""
RARE: tuple[str, ...] = tuple(RARE_TEXT.split())
#: The term the benchmark searches for: one of RARE, in about 1 % of directives, and in no tag,
#: addressee, speaker or category title, whose words the product's search also covers (a tag
#: "boilers" would make "boiler" match an eighth of the catalogue through stemming).
SEARCH_TERM = "forklift"
RARE_WEIGHT = 0.1
SLOTS = 1 << 16
MIN_FILES = 4
PER_FILE = 10_000
#: First line of every YAML file; the benchmark rewrites the number in place (same size) to
#: make "the catalogue changed" without changing what it means.
REVISION_PREFIX = b"# Benchmark catalogue written by benchmarks/generate.py; revision "
REVISION_DIGITS = 6

_PLAIN = re.compile(r"[ !#-\[\]-~]*")  # printable ASCII without '"' and '\'


@dataclass(frozen=True)
class Generated:
    """What was written, and the sample queries the benchmark runs against it."""

    directory: Path
    json_file: Path
    files: tuple[Path, ...]
    count: int
    category: str
    middle_id: str
    search_term: str = SEARCH_TERM


@dataclass(frozen=True)
class Vocabulary:
    """Words laid out over 65,536 slots in proportion to their weights, so drawing a word is
    one 16-bit random number and drawing a phrase is one C call (generating 100,000
    directives word by word through ``random.choices`` took over ten seconds)."""

    table: tuple[str, ...]

    def draw(self, rng: random.Random, count: int) -> tuple[str, ...]:
        """``count`` words at random, by weight."""
        slots = array.array("H", rng.getrandbits(16 * count).to_bytes(2 * count, "little"))
        if sys.byteorder == "big":  # same words, so same bytes, on every machine
            slots.byteswap()
        picked = operator.itemgetter(*slots)(self.table)
        return picked if isinstance(picked, tuple) else (picked,)


def load_vocabulary(source: Path = SOURCE_TEXT) -> Vocabulary:
    """Words of the real report (with their real frequencies), then filler, then rare words."""
    tokens = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", source.read_text(encoding="utf-8"))
    weighted = [(t, 1.0) for t in tokens] + [(w, 1.0) for w in FILLER]
    weighted += [(w, RARE_WEIGHT) for w in RARE]
    total = sum(weight for _, weight in weighted)
    table: list[str] = []
    seen = 0.0
    for word, weight in weighted:
        seen += weight
        table += [word] * (round(seen / total * SLOTS) - len(table))
    return Vocabulary(tuple(table))


def quoted(value: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``value``."""
    if _PLAIN.fullmatch(value):
        return f'"{value}"'
    return '"' + "".join(_escape(c) for c in value) + '"'


def _escape(char: str) -> str:
    """One character as YAML double-quoted text; non-printables as escapes PyYAML reads."""
    if char in '"\\':
        return "\\" + char
    code = ord(char)
    if 0x20 <= code <= 0x7E:
        return char
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def phrase(rng: random.Random, vocab: Vocabulary, low: int, high: int) -> str:
    """Words joined to a length between ``low`` and ``high``, cut at a word boundary."""
    target = rng.randint(low, high)
    text = " ".join(vocab.draw(rng, target // 5 + 4))
    while len(text) <= target:
        text += " " + " ".join(vocab.draw(rng, 8))
    cut = text.rfind(" ", 0, target + 1)
    if cut < low:
        cut = text.find(" ", low)
    return text[:cut] if low <= cut <= high else text[:high].rstrip()


def sentence(rng: random.Random, vocab: Vocabulary, low: int, high: int, end: str = "") -> str:
    """A phrase starting with a capital letter, as titles and texts do."""
    text = phrase(rng, vocab, low, high - len(end))
    return text[0].upper() + text[1:] + end


def split_counts(total: int, per_file: int) -> list[int]:
    """Directives per file: at least MIN_FILES files, at most ``per_file`` each, even sizes."""
    files = max(MIN_FILES, -(-total // per_file))
    files = min(files, max(total, 1))
    base, extra = divmod(total, files)
    return [base + (1 if i < extra else 0) for i in range(files)]


@dataclass(frozen=True)
class MeetingPlan:
    """Who and what one generated meeting is about: fixed before its directives are drawn."""

    number: int
    id: str
    title: str
    categories: tuple[tuple[str, str, str, str], ...]
    start: str


def plan_meeting(rng: random.Random, number: int) -> MeetingPlan:
    """A meeting with 4-6 categories from the pool, in the pool's order."""
    title = MEETING_TITLES[number % len(MEETING_TITLES)]
    count = rng.randint(4, 6)
    picked = sorted(rng.sample(range(len(CATEGORIES)), count))
    year = 2010 + number % 15
    start = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    meeting_id = f"{slug}-{year}-{number:03d}"
    return MeetingPlan(number, meeting_id, title, tuple(CATEGORIES[i] for i in picked), start)


def directive(
    rng: random.Random, vocab: Vocabulary, plan: MeetingPlan, serial: int
) -> dict[str, str | list[str]]:
    """One directive record in contract key order (the JSON twin publishes it as is)."""
    category = rng.choice(plan.categories)
    return {
        "id": f"M{plan.number:03d}-{category[1]}-{serial}",
        "meeting": plan.id,
        "category": category[0],
        "title": sentence(rng, vocab, 40, 70),
        "text": sentence(rng, vocab, 200, 400, "."),
        "speaker": rng.choice(SPEAKERS),
        "act": rng.choice(tuple(ACT_VERBS)),
        "quote": phrase(rng, vocab, 60, 150),
        "addressees": rng.sample(ADDRESSEES, rng.randint(0, 2)),
        "tags": rng.sample(TAGS, rng.randint(2, 4)),
    }


def statistics(rng: random.Random, plan: MeetingPlan) -> list[dict[str, str]]:
    """Two reported figures per meeting, each quoting the report like the real catalogue."""
    figures = []
    for n, subject in enumerate(("elevator accidents", "boiler deaths"), start=1):
        change = f"-{rng.randint(5, 60)}%"
        quote = f"the number of {subject} decreased by {change[1:]}"
        figures.append(
            {
                "id": f"M{plan.number:03d}-ST-{n}",
                "subject": subject,
                "period": plan.start[:4],
                "change": change,
                "quote": quote,
            }
        )
    return figures


def yaml_list(values: Sequence[str]) -> str:
    """A flow sequence of double-quoted strings."""
    return "[" + ", ".join(quoted(v) for v in values) + "]"


def meeting_yaml(
    plan: MeetingPlan,
    records: Sequence[dict[str, str | list[str]]],
    figures: Sequence[dict[str, str]],
    source: str | None,
) -> str:
    """The YAML text of one meeting file, every string double-quoted."""
    lines = [REVISION_PREFIX.decode() + "0" * REVISION_DIGITS, "schema: 1", "", "meeting:"]
    lines += [
        f"  id: {quoted(plan.id)}",
        f"  title: {quoted(plan.title)}",
        f"  start: {quoted(plan.start)}",
        f"  location: {quoted(LOCATIONS[plan.number % len(LOCATIONS)])}",
        f"  attendees: {yaml_list(ADDRESSEES[:3])}",
    ]
    if source is not None:
        lines += ["  source:", f"    title: {quoted(plan.title)}", f"    file: {quoted(source)}"]
    lines += ["", "categories:"]
    for cat_id, _, title, description in plan.categories:
        lines += [f"  - id: {quoted(cat_id)}", f"    title: {quoted(title)}"]
        lines.append(f"    description: {quoted(description)}")
    lines += ["", "directives:"]
    for record in records:
        lines += directive_yaml(record)
    lines += ["", "statistics:"]
    for figure in figures:
        lines.append(f"  - id: {quoted(figure['id'])}")
        lines += [f"    {key}: {quoted(figure[key])}" for key in list(figure)[1:]]
    return "\n".join(lines) + "\n"


def directive_yaml(record: dict[str, str | list[str]]) -> list[str]:
    """The lines of one directive; ``meeting`` is implied by the file, empty lists omitted."""
    lines = [f"  - id: {quoted(str(record['id']))}"]
    for key in ("category", "title", "text", "speaker", "act", "quote"):
        lines.append(f"    {key}: {quoted(str(record[key]))}")
    for key in ("addressees", "tags"):
        values = record[key]
        if values:
            lines.append(f"    {key}: {yaml_list(list(values))}")
    return lines


def report(
    plan: MeetingPlan,
    records: Sequence[dict[str, str | list[str]]],
    figures: Sequence[dict[str, str]],
) -> str:
    """The meeting's source report: prose in which every quote occurs verbatim."""
    head = f"{plan.title}\n\nThe {plan.title} was held on {plan.start}. "
    sentences = [f"The meeting reported that {f['quote']}." for f in figures]
    for record in records:
        verb = ACT_VERBS[str(record["act"])]
        speaker = str(record["speaker"])
        sentences.append(f"{speaker[0].upper()}{speaker[1:]} {verb} that {record['quote']}.")
    paragraphs = [" ".join(sentences[i : i + 6]) for i in range(0, len(sentences), 6)]
    return head + "\n\n".join(paragraphs) + "\n"


def clean(directory: Path) -> None:
    """Remove files an earlier, larger run left, so the directory holds only this catalogue."""
    for pattern in ("*.yaml", "*.yml", "sources/*.txt"):
        for old in directory.glob(pattern):
            old.unlink()


def generate(
    total: int, out: Path, seed: int = 1, *, sources: bool = True, per_file: int = PER_FILE
) -> Generated:
    """Write ``out/catalogue/*.yaml`` (+ ``sources/``) and ``out/catalogue.json``, at most
    ``per_file`` directives a file."""
    vocab = load_vocabulary()
    directory = out / "catalogue"
    (directory / "sources").mkdir(parents=True, exist_ok=True)
    clean(directory)
    files: list[Path] = []
    everything: list[dict[str, str | list[str]]] = []
    first_category = ""
    for number, count in enumerate(split_counts(total, per_file), start=1):
        rng = random.Random(f"{seed}:{number}")
        plan = plan_meeting(rng, number)
        first_category = first_category or plan.categories[0][0]
        records = [directive(rng, vocab, plan, serial) for serial in range(1, count + 1)]
        figures = statistics(rng, plan)
        files.append(write_meeting(directory, plan, records, figures, sources=sources))
        everything += records
    json_file = out / "catalogue.json"
    write_json(json_file, everything)
    middle = str(everything[len(everything) // 2]["id"]) if everything else ""
    return Generated(directory, json_file, tuple(files), len(everything), first_category, middle)


def write_meeting(
    directory: Path,
    plan: MeetingPlan,
    records: Sequence[dict[str, str | list[str]]],
    figures: Sequence[dict[str, str]],
    *,
    sources: bool,
) -> Path:
    """Write one meeting file (and its report); the name sorts in meeting order."""
    source = None
    if sources:
        source = f"sources/{plan.id}.txt"
        (directory / source).write_text(report(plan, records, figures), encoding="utf-8")
    path = directory / f"{plan.number:03d}-{plan.id}.yaml"
    path.write_text(meeting_yaml(plan, records, figures, source), encoding="utf-8")
    return path


def write_json(path: Path, records: Sequence[dict[str, str | list[str]]]) -> None:
    """``{"directives": [...]}``, one record per line: what ``jq '.directives[]'`` walks."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    path.write_text('{"directives": [\n' + body + "\n]}\n", encoding="utf-8")


def set_revision(path: Path, revision: int) -> None:
    """Rewrite the revision number on a file's first line in place: new content and mtime,
    same size and same meaning, the hardest "catalogue changed" case for an index cache."""
    with path.open("r+b") as handle:
        head = handle.read(len(REVISION_PREFIX))
        if head != REVISION_PREFIX:
            raise ValueError(f"{path}: not a generated benchmark catalogue")
        handle.write(b"%0*d" % (REVISION_DIGITS, revision % 10**REVISION_DIGITS))


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: generate one catalogue and say where it went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--directives", type=int, required=True, help="how many directives")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--per-file", type=int, default=PER_FILE, help=f"directives per file (default {PER_FILE})"
    )
    parser.add_argument(
        "--no-sources", action="store_true", help="write no source reports (no quote check)"
    )
    args = parser.parse_args(argv)
    if args.directives < 1:
        parser.error("--directives must be at least 1")
    made = generate(
        args.directives, args.out, args.seed, sources=not args.no_sources, per_file=args.per_file
    )
    print(
        f"{made.count} directives in {len(made.files)} files under {made.directory}; "
        f"JSON twin {made.json_file}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
