"""Folding and tokenizing for search: Python must agree with the FTS5 index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from directives_cli import textfold

SOURCE = Path(__file__).resolve().parents[1] / "data/sources/special-equipment-conference-2019.txt"


@pytest.fixture(scope="module")
def stemmer() -> textfold.Stemmer:
    return textfold.Stemmer()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Reform", "reform"),
        ("Réforme", "reforme"),
        ("e\u0301le\u0300ve", "eleve"),  # accents written as separate combining marks
        ("Straße", "strasse"),
        ("ＡＢＣ ﬁne", "abc fine"),  # full-width letters and a ligature
        ("“distribution service”", "“distribution service”"),  # punctuation is kept
        ("安全监察", "安全监察"),
        ("ガイド", "ガイド"),  # kana voicing marks are letters, not accents
        ("हिन्दी", "हिन्दी"),  # Devanagari vowel signs are kept
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert textfold.fold(text) == folded


def test_index_form_leaves_ascii_alone_and_spaces_out_spaceless_scripts() -> None:
    assert textfold.index_form("Post-Event Supervision") == "Post-Event Supervision"
    assert textfold.index_form("ISO9001质量") == "iso9001 质  量 "
    assert textfold.index_form("Ａ") == "a"


def test_has_spaceless() -> None:
    assert textfold.has_spaceless("安全")
    assert textfold.has_spaceless("エレベーター")
    assert textfold.has_spaceless("ISO标准")
    assert not textfold.has_spaceless("réforme")
    assert not textfold.has_spaceless("reform")


def test_fts_phrase_quotes_everything() -> None:
    assert textfold.fts_phrase('say "no" AND NEAR(') == '"say ""no"" AND NEAR("'
    assert textfold.fts_phrase("*") == '"*"'


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Reforming the system", ("reform", "the", "system")),
        ("reforms", ("reform",)),
        ("accidents", ("accid",)),
        ("accident", ("accid",)),
        ("post-event", ("post", "event")),
        ("“distribution service”", ("distribut", "servic")),
        ("Réformes", ("reform",)),
        ("Straße", ("strass",)),
        ("ＡＢＣ", ("abc",)),
        ("安全监察", ("安", "全", "监", "察")),
        ("*", ()),
        ("", ()),
    ],
)
def test_stemmer_tokens(stemmer: textfold.Stemmer, text: str, tokens: tuple[str, ...]) -> None:
    assert stemmer.tokens(text) == tokens


def test_stemmer_learns_in_bulk_and_caches(stemmer: textfold.Stemmer) -> None:
    stemmer.learn(["training", "trained", "training"])
    assert stemmer.tokens("training") == stemmer.tokens("trained") == ("train",)


def test_a_stem_less_its_last_letter_starts_the_word(stemmer: textfold.Stemmer) -> None:
    """What search relies on to find a matched word's spelling in the text: checked over
    every word of the conference report and a list of hard English inflections."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", SOURCE.read_text(encoding="utf-8"))}
    words |= {
        "happy", "happiness", "ability", "probability", "stability", "sensibility",
        "relational", "conditional", "organization", "realization", "generalizations",
        "hopping", "rated", "ponies", "caresses", "radically", "possibly", "electrical",
    }  # fmt: skip
    stemmer.learn(words)
    for word in words:
        (stem,) = stemmer.tokens(word)
        prefix = stem[:-1] if len(stem) > 2 else stem
        assert textfold.fold(word).startswith(prefix), (word, stem)


def test_words_are_cut_as_the_index_cuts_them() -> None:
    found = textfold.words("top-level_design, “new” 2019")
    assert found == ["top", "level", "design", "new", "2019"]
    assert textfold.words("ISO9001质量") == ["ISO9001", "质", "量"]


def test_a_word_continues_through_letters_but_not_into_spaceless_script() -> None:
    assert textfold.continues_word("a")
    assert textfold.continues_word("9")
    assert not textfold.continues_word("-")
    assert not textfold.continues_word("质")
