"""Which words of a query count, and the spellings of compounds (issue 14)."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from directives_cli import terms


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (["training", "of", "personnel"], ("training", "personnel")),
        (["how", "to", "prevent", "serious", "accidents"], ("prevent", "serious", "accidents")),
        (["What", "IS", "the", "credit"], ("credit",)),
        (["don't", "credit", "it's", "I"], ("credit",)),
        (["insurance", "and,", "credit"], ("insurance", "credit")),
        (["market\u2019s", "credit"], ("market\u2019s", "credit")),  # a possessive is a word
        (["the", "of"], ("the", "of")),  # only function words: search for them
        (["AND"], ("AND",)),
        (['"the"', "credit"], ('"the"', "credit")),  # quoted: asked for
        (["\u201cof\u201d", "credit"], ("\u201cof\u201d", "credit")),
        (["prevention and control"], ("prevention and control",)),  # a phrase keeps them
        (["grass-roots", "of"], ("grass-roots",)),
        (["的", "安全"], ("安全",)),
    ],
)
def test_function_words_are_not_required(typed: list[str], kept: tuple[str, ...]) -> None:
    assert terms.content_terms(typed) == kept


@pytest.mark.parametrize(
    ("term", "pieces"),
    [
        ("特种设备的安全", ["特种设备", "安全"]),
        ("风险防控与安全底线", ["风险防控", "安全底线"]),
        ("安全和质量和效率", ["安全", "质量", "效率"]),
        ("质量、安全的工作", ["质量、安全", "工作"]),
        ("ISO9001的质量", ["ISO9001", "质量"]),
        ("安全的", ["安全的"]),  # at an edge: kept, as the text may say it
        ("的安全", ["的安全"]),
        ("安全的监", ["安全的监"]),  # one character would be left: kept whole
        ("了解情况", ["了解情况"]),  # content words keep their characters
        ("参与监管", ["参与监管"]),
        ("建设和谐社会", ["建设和谐社会"]),
        ("加强风险防控", ["加强风险防控"]),
        ("特种设备 的 安全", ["特种设备 的 安全"]),  # a phrase with spaces
        ("reform and opening", ["reform and opening"]),
    ],
)
def test_chinese_terms_are_cut_at_function_characters(term: str, pieces: list[str]) -> None:
    assert terms.function_character_pieces(term) == pieces


def test_a_term_of_function_characters_alone() -> None:
    assert terms.is_function_word("的")
    assert terms.is_function_word("和与")
    assert not terms.is_function_word("和谐")
    assert terms.content_terms(["的"]) == ("的",)


def test_the_lists_hold_what_they_say() -> None:
    for word in ("a", "the", "of", "to", "how", "what", "and", "or", "is", "were", "they"):
        assert word in terms.ENGLISH_STOP_WORDS
    for word in ("first", "new", "safety", "two", "long", "may"):
        assert word not in terms.ENGLISH_STOP_WORDS
    assert all(len(w) == 2 for w in terms.CHINESE_CONTENT_WORDS)
    assert all(
        any(ch in terms.CHINESE_FUNCTION_CHARACTERS for ch in w)
        for w in terms.CHINESE_CONTENT_WORDS
    )


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("post-event supervision", ["postevent"]),
        ("the safety-bottom-line", ["safetybottom", "bottomline", "safetybottomline"]),
        ("post\u2013event and top\u2011level", ["postevent", "toplevel"]),
        ("2018-2019 covid-19", ["covid19"]),
        ("a - b, no-", []),
        ("no hyphen here", []),
    ],
)
def test_closed_compounds(text: str, closed: list[str]) -> None:
    assert terms.closed_compounds(text) == closed


def test_index_text_appends_closed_forms_after_the_field() -> None:
    assert terms.index_text("Implement top-level design") == (
        "Implement top-level design\ntoplevel"
    )
    assert terms.index_text("No compounds") == "No compounds"
    assert terms.index_text("Réforme post-event") == "réforme post-event\npostevent"


#: What the index of these tests holds: words and phrases.
HELD = {"grass roots", "grassroots", "top level", "toplevel", "post event", "over all"}


def known(texts: Collection[str]) -> set[str]:
    return {t for t in texts if t.lower() in HELD}


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("grass-roots", ("grass-roots", "grassroots")),
        ("grassroots", ("grassroots", "grass roots")),
        ("grass roots", ("grass roots", "grassroots")),
        ("Grass Roots capacity", ("Grass Roots capacity", "GrassRoots capacity")),
        ("top-level design", ("top-level design", "toplevel design")),
        ("postevent", ("postevent", "post event")),
        ("overall", ("overall",)),  # "over all": two function words, never a compound
        ("capacity", ("capacity",)),
        ("held", ("held", "hold")),  # irregular verbs: stemming cannot relate them
        ("Built capacity", ("Built capacity", "build capacity")),
        ("安全", ("安全",)),
    ],
)
def test_spellings(term: str, found: tuple[str, ...]) -> None:
    assert terms.spellings(term, known) == found


def test_irregular_verbs_are_listed_once() -> None:
    forms = [form for verb in terms.IRREGULAR_VERBS for form in verb]
    assert len(forms) == len(set(forms))
    assert all(len(verb) >= 2 for verb in terms.IRREGULAR_VERBS)


def test_spellings_ask_the_index_once_and_only_when_needed() -> None:
    asked: list[Collection[str]] = []

    def counting(words: Collection[str]) -> set[str]:
        asked.append(words)
        return known(words)

    terms.spellings("grass roots", counting)
    assert len(asked) == 1
    asked.clear()
    terms.spellings("x", counting)  # nothing to join or split
    assert asked == []
