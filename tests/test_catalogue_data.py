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
#: The categories of the meeting's four requested themes (their titles are the source's).
THEMES = ("risk-control", "responsibility", "reform", "capacity")
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
    "implemented",
    "attendees",
    "source",
    "note",
}
CATEGORY_REQUIRED = {"id", "title", "description"}
CATEGORY_KEYS = CATEGORY_REQUIRED | {"note"}
DIRECTIVE_REQUIRED = {"id", "category", "title", "text", "speaker", "act", "quote"}
DIRECTIVE_KEYS = DIRECTIVE_REQUIRED | {"addressees", "tags", "note"}
STATISTIC_REQUIRED = {"id", "subject", "period", "change", "quote"}
STATISTIC_KEYS = STATISTIC_REQUIRED | {"note"}

#: Words a directive's title or text may use though the source need not: articles and the
#: joining words that turn a clause of the source into a sentence. Any other word must be
#: the source's, in some inflection.
FUNCTION_WORDS = frozenset(
    ("a", "an", "the", "of", "to", "in", "on", "and", "that", "be", "is", "it", "we")
    + ("must", "should")
)
#: Endings taken off a word to compare it with the source's words ("deepened" and
#: "deepening" are both "deepen"), longest first so that "-ing" goes before "-s".
INFLECTIONS = ("ing", "ed", "es", "s", "ly")

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


def words(text: str) -> list[str]:
    """Lower-case words, possessives dropped ("government's" is "government"), hyphenated
    words split ("post-event" is "post" and "event")."""
    text = re.sub(r"['’]s\b", "", text.lower())
    return re.findall(r"[a-z0-9]+", text)


def base(word: str) -> str:
    """A word without its inflection, so that forms of one word compare equal: one ending
    off (a stem of at least three letters kept), "-ied"/"-ies" back to "-y", a final "e"
    off ("promote" and "promoted" are both "promot")."""
    if word.endswith(("ied", "ies")) and len(word) > 5:
        return word[:-3] + "y"
    for ending in INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


@cache
def source_bases() -> frozenset[str]:
    return frozenset(base(w) for w in words(raw_source()))


def foreign_words(text: str, allowed: frozenset[str] | None = None) -> list[str]:
    """The words of ``text`` that are neither function words nor a form of a word of
    ``allowed`` (the bases of the words to compare with; default: the whole source)."""
    known = source_bases() if allowed is None else allowed
    return sorted({w for w in words(text) if w not in FUNCTION_WORDS and base(w) not in known})


def quote_bases(directive: dict[str, Any]) -> frozenset[str]:
    """What a directive's text may say: its quote, its addressees and the lead-ins of the
    acts ("Chen Gang stressed that it is necessary to"), in any inflection."""
    said = [directive["quote"], *directive.get("addressees", ()), *CONNECTIVES]
    return frozenset(base(w) for text in said for w in words(text))


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
        assert CATEGORY_REQUIRED <= set(category) <= CATEGORY_KEYS, category["id"]
    for directive in directives():
        assert DIRECTIVE_REQUIRED <= set(directive) <= DIRECTIVE_KEYS, directive["id"]
    for statistic in statistics():
        assert STATISTIC_REQUIRED <= set(statistic) <= STATISTIC_KEYS, statistic["id"]


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


def test_guided_by_and_implemented_are_as_the_source_divides_them() -> None:
    """ "Guided by X, the conference implemented the spirit of Y and Z": X guided it; Y and
    Z are what it implemented, each named whole."""
    meeting = catalogue()["meeting"]
    start = source().index("Guided by ")
    turn = source().index(", the conference implemented the spirit of ", start)
    end = source().index(", summed up", turn)
    guiding = source()[start + len("Guided by ") : turn]
    implemented = source()[turn:end].split("implemented the spirit of ", 1)[1]
    assert [fold(name) for name in meeting["guided_by"]] == [guiding]
    assert " and ".join(fold(name) for name in meeting["implemented"]) == implemented
    assert len(meeting["implemented"]) == 2
    for name in meeting["implemented"]:
        assert name.startswith("the ") and "conference" in name.lower(), name


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


def requested_themes() -> list[str]:
    """The meeting's four requested themes, each as the source words it, both halves."""
    start, end = span("requested")
    passage = source()[start:end].split(" should ", 1)[1]
    return [clause.strip() for clause in re.split(r"[;,]", passage)][:4]


def test_the_four_themes_are_categories_titled_as_the_source_words_them() -> None:
    categories = {c["id"]: c for c in catalogue()["categories"]}
    assert len(categories) == len(catalogue()["categories"]), "duplicate category id"
    themes = requested_themes()
    assert all(" and " in theme for theme in themes), themes
    for clause, cid in REQUESTED_CLAUSES.items():
        title = categories[cid]["title"]
        assert title[0].isupper() and title[0].lower() + title[1:] in themes, cid
        assert clause in title.lower(), (cid, clause)
    assert {categories[cid]["title"].lower() for cid in THEMES} == set(themes)


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


@pytest.mark.parametrize("directive", directives(), ids=directive_ids())
def test_title_and_text_use_only_the_sources_words(directive: dict[str, Any]) -> None:
    """The editor's reading belongs in `note`: a title or text holds the source's words,
    in any inflection, joined by a few function words; a text, only the words of its own
    quote, its addressees and its act's lead-in, so it says nothing the quote does not."""
    rejected = {
        "title": foreign_words(directive["title"]),
        "text": foreign_words(directive["text"], quote_bases(directive)),
    }
    assert not any(rejected.values()), f"{directive['id']}: not the source's words: {rejected}"


def test_the_word_check_rejects_words_the_source_lacks() -> None:
    assert foreign_words("Chen Gang demanded that serious accidents be strictly prevented.") == []
    assert foreign_words("The central government's new requirements, deeply understand.") == []
    assert foreign_words("A profound understanding of grassroots capacity building.") == []
    assert foreign_words("Neither is neglected for the other.") == ["neglected", "neither", "other"]
    supporting = {"quote": "do a good job of supporting measures"}
    assert (
        foreign_words("We must do a good job of supporting measures.", quote_bases(supporting))
        == []
    )
    assert foreign_words("Do a good job of the measures of reform.", quote_bases(supporting)) == [
        "reform"
    ]
    assert foreign_words("Those in special equipment work") == ["those"]


def test_notes_say_they_are_readings_of_a_machine_translation() -> None:
    data = catalogue()
    noted = [data["meeting"], *data["categories"], *directives(), *statistics()]
    notes = [item["note"] for item in noted if "note" in item]
    assert notes, "the catalogue explains its translation oddities"
    for note in notes:
        assert note.startswith("A reading of a machine translation"), note
        assert fold(note) not in source(), "a note is never the source's words"


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
