"""The bundled catalogue is faithful to its source and complete.

These tests read data/directives.yaml with plain ``yaml.safe_load`` rather than the
project's loader, so the data is checked against the contract on its own terms and a
loader bug cannot hide a data error (or the other way round).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
CATALOGUE = DATA / "directives.yaml"

ACTS = ("pointed-out", "requested", "demanded", "stressed")
THEMES = {
    "risk-control": "Risk prevention and control",
    "responsibility": "Responsibility systems",
    "reform": "Reform",
    "capacity": "Capacity building",
}
#: The id prefix each category's directives carry.
PREFIXES = {"risk-control": "RC", "responsibility": "RS", "reform": "RF", "capacity": "CB"}
EXTRA_PREFIXES = {"overall": "OV"}

#: Fields the contract allows (schema 1 plus the agreed meeting extras).
TOP_KEYS = {"schema", "meeting", "categories", "directives", "statistics"}
MEETING_KEYS = {
    "id",
    "title",
    "published_title",
    "start",
    "end",
    "location",
    "organiser",
    "speakers",
    "guided_by",
    "attendees",
    "source",
}
CATEGORY_KEYS = {"id", "title", "description"}
DIRECTIVE_REQUIRED = {"id", "category", "title", "text", "speaker", "act", "quote"}
DIRECTIVE_KEYS = DIRECTIVE_REQUIRED | {"addressees", "tags"}
STATISTIC_KEYS = {"id", "subject", "period", "change", "quote"}

#: Where in the source each speech act is made: from its lead-in to the next passage.
ACT_SPANS = {
    "pointed-out": ("The meeting pointed out", "In 2018,"),
    "requested": ("The meeting requested", "Chen Gang pointed out"),
    "demanded": ("Chen Gang demanded", "Chen Gang stressed"),
    "stressed": ("Chen Gang stressed", "Representatives of"),
}
#: Words an act's passage may keep once every directive quote is taken out of it: lead-ins,
#: addressees and connectives. Any other word left over is an instruction nobody catalogued.
CONNECTIVES = frozenset(
    ("the", "meeting", "pointed", "out", "that", "cadres", "and", "workers", "of", "whole")
    + ("system", "should", "requested", "safety", "supervision", "departments", "special")
    + ("equipment", "at", "all", "levels", "chen", "gang", "demanded", "he", "stressed")
    + ("it", "is", "necessary", "to", "we", "must")
)
#: Verbs that open an instruction: a quote holding "and <verb>" merges two directives.
OPENING_VERBS = (
    ("adhere", "accelerate", "be", "carry", "consolidate", "deepen", "do", "enhance", "focus")
    + ("implement", "play", "release", "realize", "speed", "stimulate", "strengthen")
    + ("strictly", "strive", "use")
)
#: The meeting's four "requested" clauses, one per theme.
REQUESTED_CLAUSES = {
    "strengthen risk prevention and control": "risk-control",
    "improve the responsibility system": "responsibility",
    "deepen the reform of safety supervision": "reform",
    "strengthen the building of grassroots capacity": "capacity",
}
TYPOGRAPHIC = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def fold(text: str) -> str:
    """Fold whitespace runs and typographic quotes, as the contract compares quotes."""
    return re.sub(r"\s+", " ", text.translate(TYPOGRAPHIC))


def occurrences(haystack: str, needle: str) -> list[int]:
    """Every start position of needle in haystack, overlapping matches included."""
    found, start = [], haystack.find(needle)
    while start != -1:
        found.append(start)
        start = haystack.find(needle, start + 1)
    return found


@cache
def raw_catalogue() -> str:
    return CATALOGUE.read_text(encoding="utf-8")


@cache
def catalogue() -> dict[str, Any]:
    data = yaml.safe_load(raw_catalogue())
    assert isinstance(data, dict)
    return data


@cache
def raw_source() -> str:
    file: str = catalogue()["meeting"]["source"]["file"]
    return (CATALOGUE.parent / file).read_text(encoding="utf-8")


@cache
def source() -> str:
    return fold(raw_source())


def directives() -> list[dict[str, Any]]:
    return list(catalogue()["directives"])


def statistics() -> list[dict[str, Any]]:
    return list(catalogue()["statistics"])


def span(act: str) -> tuple[int, int]:
    """The character range of the source passage where ``act`` is made."""
    begin, end = ACT_SPANS[act]
    start = source().index(begin)
    return start, source().index(end, start)


def directive_ids() -> list[str]:
    return [d["id"] for d in directives()]


# --- the file itself -------------------------------------------------------------------------


def test_first_line_points_editors_at_the_schema() -> None:
    first = raw_catalogue().splitlines()[0]
    assert first == "# yaml-language-server: $schema=directives.schema.json"
    assert catalogue()["schema"] == 1


def test_no_tabs_anchors_aliases_or_duplicate_keys() -> None:
    text = raw_catalogue()
    assert "\t" not in text
    tokens = {type(t).__name__ for t in yaml.scan(text)}
    assert not tokens & {"AnchorToken", "AliasToken", "TagToken"}

    def walk(node: yaml.Node, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value]
            assert len(keys) == len(set(keys)), f"duplicate key under {path}: {keys}"
            for key, value in node.value:
                walk(value, f"{path}.{key.value}")
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{path}[{index}]")

    root = yaml.compose(text)
    assert root is not None
    walk(root, "$")


def test_no_field_is_empty_or_retyped_by_yaml() -> None:
    """Apart from ``schema``, every leaf is a non-empty string: YAML 1.1 turned no date,
    year or percentage into another type, and no list or mapping is empty."""

    def walk(value: object, path: str) -> None:
        if isinstance(value, dict):
            assert value, f"{path} is empty"
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            assert value, f"{path} is empty"
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        else:
            assert isinstance(value, str), f"{path} is {type(value).__name__}: {value!r}"
            assert value.strip() == value and value, f"{path} is blank or padded: {value!r}"

    data = dict(catalogue())
    del data["schema"]
    walk(data, "$")


def test_only_contract_fields_are_used() -> None:
    data = catalogue()
    assert set(data) <= TOP_KEYS
    assert set(data["meeting"]) <= MEETING_KEYS
    assert set(data["meeting"]["source"]) == {"title", "file"}
    for category in data["categories"]:
        assert set(category) == CATEGORY_KEYS, category["id"]
    for directive in directives():
        assert DIRECTIVE_REQUIRED <= set(directive) <= DIRECTIVE_KEYS, directive["id"]
    for statistic in statistics():
        assert set(statistic) == STATISTIC_KEYS, statistic["id"]


# --- the meeting -----------------------------------------------------------------------------


def test_meeting_facts_match_the_source() -> None:
    meeting = catalogue()["meeting"]
    headline = raw_source().splitlines()[0]
    assert meeting["id"] == "special-equipment-safety-2019"
    assert meeting["title"] == "National Special Equipment Safety Supervision Work Conference"
    assert meeting["title"] in source()
    assert meeting["published_title"] == headline
    assert meeting["source"] == {
        "title": headline,
        "file": "sources/special-equipment-conference-2019.txt",
    }
    assert (meeting["start"], meeting["end"]) == ("2019-01-24", "2019-01-25")
    assert "From January 24th to 25th" in source()
    assert meeting["location"] == "Hefei, Anhui"
    assert "held in Hefei, Anhui" in source()


def test_no_organiser_is_invented() -> None:
    """The source names no organiser; Chen Gang's role is not one."""
    assert "organiser" not in catalogue()["meeting"]


def test_speaker_and_role_are_as_the_source_words_them() -> None:
    speakers = catalogue()["meeting"]["speakers"]
    assert speakers == [
        {
            "name": "Chen Gang",
            "role": "a member of the Party Committee of the General Administration of "
            "Market Supervision",
        }
    ]
    assert f"{speakers[0]['name']}, {speakers[0]['role']}" in source()


def test_guidance_names_occur_in_the_guidance_sentence() -> None:
    guided_by = catalogue()["meeting"]["guided_by"]
    start = source().index("Guided by")
    sentence = source()[start : source().index(". ", start)]
    assert len(guided_by) == len(set(guided_by)) == 3
    for name in guided_by:
        assert fold(name) in sentence, name
    assert any("Xi Jinping" in name for name in guided_by)
    assert any("Video Teleconference" in name for name in guided_by)
    assert any("National Market Supervision Work Conference" in name for name in guided_by)


def test_attendees_are_named_in_the_last_sentence() -> None:
    attendees = catalogue()["meeting"]["attendees"]
    last = source()[source().index("Representatives of") :]
    assert len(attendees) == len(set(attendees))
    for attendee in attendees:
        assert fold(attendee) in last, attendee
    for body in (
        "Emergency Management Department",
        "Banking Insurance Regulatory Commission",
        "market supervision department",
        "special equipment safety supervision institutions",
        "China Special Equipment Inspection and Research Institute",
        "Special Equipment Safety and Energy Conservation Promotion Association",
    ):
        assert sum(body in attendee for attendee in attendees) == 1, body


# --- categories ------------------------------------------------------------------------------


def test_the_four_themes_are_categories() -> None:
    categories = {c["id"]: c for c in catalogue()["categories"]}
    for cid, title in THEMES.items():
        assert categories[cid]["title"] == title
    assert len(categories) == len(catalogue()["categories"]), "duplicate category id"


def test_an_added_category_says_why_it_exists() -> None:
    for category in catalogue()["categories"]:
        if category["id"] not in THEMES:
            assert "fit none of the four themes" in category["description"], category["id"]
            assert category["id"] in EXTRA_PREFIXES


def test_every_category_is_used_and_every_directive_has_a_category() -> None:
    known = {c["id"] for c in catalogue()["categories"]}
    used = {d["category"] for d in directives()}
    assert used <= known, used - known
    assert known <= used, known - used


# --- directives ------------------------------------------------------------------------------


def test_ids_are_unique_across_directives_and_statistics() -> None:
    ids = directive_ids() + [s["id"] for s in statistics()]
    assert len(ids) == len(set(ids))


def test_ids_carry_their_category_prefix_and_number_in_source_order() -> None:
    prefixes = PREFIXES | EXTRA_PREFIXES
    seen: dict[str, int] = {}
    for directive in directives():
        prefix = prefixes[directive["category"]]
        seen[prefix] = seen.get(prefix, 0) + 1
        assert directive["id"] == f"{prefix}-{seen[prefix]}"


def test_directives_are_listed_in_source_order() -> None:
    positions = [source().index(fold(d["quote"])) for d in directives()]
    assert positions == sorted(positions)


@pytest.mark.parametrize("directive", directives(), ids=directive_ids())
def test_quote_occurs_exactly_once_verbatim(directive: dict[str, Any]) -> None:
    quote = directive["quote"]
    assert len(occurrences(source(), fold(quote))) == 1, quote
    # Exact characters too: typographic quotes and capitals kept as the source has them.
    assert len(occurrences(raw_source(), quote)) == 1, quote


@pytest.mark.parametrize("directive", directives(), ids=directive_ids())
def test_quote_is_one_clause_of_its_act(directive: dict[str, Any]) -> None:
    quote = fold(directive["quote"])
    start, end = span(directive["act"])
    position = source().index(quote)
    assert start <= position and position + len(quote) <= end, directive["act"]
    assert not re.search(r"[;,.]", quote), "a quote is one clause"
    merged = [v for v in OPENING_VERBS if re.search(rf"\band {v}\b", quote)]
    assert not merged, f"two instructions in one quote: {merged}"


def test_every_instruction_in_the_source_is_catalogued() -> None:
    """Take each act's quotes out of its passage: only lead-ins and connectives remain."""
    quotes = [fold(d["quote"]) for d in directives()]
    for act in ACTS:
        start, end = span(act)
        passage = source()[start:end]
        for quote in quotes:
            passage = passage.replace(quote, " ")
        leftover = set(re.findall(r"[a-z]+", passage.lower())) - CONNECTIVES
        assert not leftover, f"{act}: uncatalogued words {sorted(leftover)}"


def test_chen_gangs_assessment_is_not_a_directive() -> None:
    start = source().index("Chen Gang pointed out")
    end = source().index("Chen Gang demanded")
    for directive in directives():
        position = source().index(fold(directive["quote"]))
        assert not start <= position < end, directive["id"]


def test_each_requested_theme_clause_is_present() -> None:
    by_quote = {d["quote"]: d for d in directives()}
    for clause, category in REQUESTED_CLAUSES.items():
        directive = by_quote[clause]
        assert (directive["category"], directive["act"]) == (category, "requested")
        assert directive["speaker"] == "the conference"


@pytest.mark.parametrize("directive", directives(), ids=directive_ids())
def test_speaker_act_and_addressees_agree_with_the_source(directive: dict[str, Any]) -> None:
    assert directive["act"] in ACTS
    if directive["act"] in ("pointed-out", "requested"):
        assert directive["speaker"] == "the conference"
        assert directive["addressees"], "the meeting named who must act"
        assert any(a.lower() in directive["text"].lower() for a in directive["addressees"])
    else:
        assert directive["speaker"] == "Chen Gang"
        assert directive["text"].startswith(f"Chen Gang {directive['act']} ")
    start, end = span(directive["act"])
    for addressee in directive.get("addressees", []):
        assert fold(addressee) in source()[start:end], addressee


@pytest.mark.parametrize("directive", directives(), ids=directive_ids())
def test_title_text_and_tags_are_well_formed(directive: dict[str, Any]) -> None:
    title, text, tags = directive["title"], directive["text"], directive["tags"]
    assert len(title) <= 60 and title[0].isupper() and not title.endswith(".")
    assert text[0].isupper() and text.endswith(".") and "  " not in text
    assert len(text) > len(title)
    assert 2 <= len(tags) <= 5 and len(tags) == len(set(tags))
    for tag in tags:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tag), tag


def test_every_act_is_used() -> None:
    assert {d["act"] for d in directives()} == set(ACTS)


# --- statistics ------------------------------------------------------------------------------


@pytest.mark.parametrize("statistic", statistics(), ids=lambda s: s["id"])
def test_statistic_is_quoted_exactly_and_dated_2018(statistic: dict[str, Any]) -> None:
    quote = fold(statistic["quote"])
    assert len(occurrences(source(), quote)) == 1, quote
    assert re.fullmatch(r"ST-\d+", statistic["id"])
    assert statistic["period"] == "2018"
    change = statistic["change"]
    figure = change.lstrip("-")
    assert figure in quote, f"{change!r} is not what the quote reports"


def test_statistics_include_the_elevator_figures() -> None:
    changes = {s["subject"]: s["change"] for s in statistics()}
    assert changes["elevator accidents"] == "-45%"
    assert changes["deaths in elevator accidents"] == "-46%"
    assert "decreased by 45% and 46% respectively" in source()


def test_statistics_include_the_overall_2018_decreases() -> None:
    significant = [s for s in statistics() if s["change"] == "decreased significantly"]
    subjects = " ".join(s["subject"] for s in significant)
    for word in ("accidents", "deaths", "injured"):
        assert word in subjects
    assert len(significant) == 3
