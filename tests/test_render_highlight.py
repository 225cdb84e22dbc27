"""Finding search terms in text for highlights and snippets (render/highlight.py)."""

from __future__ import annotations

from directives_cli.render.highlight import ELLIPSIS, SNIPPET_LENGTH, snippet, terms_pattern

TEXT = (
    "The conference stressed that the safety supervision departments at all levels should "
    "deepen the reform of safety supervision, build a double prevention mechanism against "
    "accidents, and keep reforming the inspection system so that elevator accidents fall."
)


def found(terms: list[str], text: str) -> list[str]:
    pattern = terms_pattern(terms)
    assert pattern is not None
    return [m.group() for m in pattern.finditer(text)]


def test_terms_match_case_insensitively_at_word_starts_to_the_word_end() -> None:
    assert found(["reform"], "Reform, reforms, REFORMING; preform") == [
        "Reform",
        "reforms",
        "REFORMING",
    ]


def test_a_phrase_matches_across_any_whitespace_and_wins_over_its_words() -> None:
    assert found(["prevention", "double prevention"], "double \n prevention; prevention") == [
        "double \n prevention",
        "prevention",
    ]


def test_terms_are_literal_text_not_patterns() -> None:
    assert found(["a+b", "[x]"], "a+b aab [x] x") == ["a+b", "[x]"]


def test_text_without_spaces_matches_anywhere() -> None:
    assert found(["安全"], "特种设备安全监察") == ["安全"]


def test_no_terms_no_pattern() -> None:
    assert terms_pattern([]) is None
    assert terms_pattern(["", "  "]) is None


def test_snippet_is_built_around_the_most_terms() -> None:
    result = snippet([TEXT], terms_pattern(["elevator", "accidents"]))
    assert "elevator accidents fall." in result
    assert result.startswith(ELLIPSIS)
    assert len(result) <= SNIPPET_LENGTH + 2


def test_snippet_cuts_at_word_boundaries() -> None:
    result = snippet([TEXT], terms_pattern(["double"]))
    assert result.startswith(ELLIPSIS) and result.endswith(ELLIPSIS)
    inner = result.strip(ELLIPSIS)
    assert f" {inner} " in f" {TEXT} "


def test_snippet_prefers_the_text_that_holds_more_terms() -> None:
    pattern = terms_pattern(["elevator", "lift"])
    assert snippet(["an elevator", "an elevator or lift"], pattern) == "an elevator or lift"
    assert snippet(["an elevator", "an elevator too"], pattern) == "an elevator"


def test_snippet_without_a_match_shows_the_opening() -> None:
    result = snippet([TEXT, "quote"], terms_pattern(["absent"]))
    assert result == TEXT[: len(result) - 1] + ELLIPSIS
    assert snippet(["short"], None) == "short"
    assert snippet([], None) == ""


def test_snippet_folds_line_breaks_and_tabs_to_spaces() -> None:
    assert snippet(["one\n\ttwo\r\nthree"], None) == "one two three"
