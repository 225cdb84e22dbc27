"""Word classes the rules need: is this English word a verb, a noun? What are the
content words of a Chinese clause?

Backed by two libraries, imported on the draft path only: lemminflect (an English
lexicon of word forms, no model) and rjieba (the jieba Chinese segmenter and tagger,
compiled, its dictionary inside the wheel). Neither downloads anything.
"""

from __future__ import annotations

from functools import cache
from typing import Any

#: Words that may start a verb phrase's object: a verb followed by one of these is a
#: verb even where the same word could be a noun ("control the risks").
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "on",
        "in",
        "up",
        "out",
        "of",
        "for",
        "with",
        "at",
        "from",
        "into",
        "forward",
        "our",
        "their",
        "its",
        "this",
        "these",
        "that",
        "those",
        "all",
        "every",
        "each",
        "more",
        "further",
        "new",
        "good",
    ]
)


#: Words that open a noun phrase: a verb before one has its own object.
DETERMINERS = frozenset(
    ("the", "a", "an", "their", "our", "its", "his", "her", "this", "these", "those", "all")
    + ("every", "each", "such", "more")
)


@cache
def _english() -> Any:
    import lemminflect  # type: ignore[import-untyped]

    return lemminflect


@cache
def readings(word: str) -> frozenset[str]:
    """The parts of speech the lexicon knows for this word form ("VERB", "NOUN", ...)."""
    lower = word.lower()
    return frozenset(_english().getAllLemmas(lower).keys())


def is_base_verb(word: str) -> bool:
    """Whether ``word`` is a verb in its base form ("strengthen", not "strengthened"),
    the form an instruction's verbs take."""
    lower = word.lower()
    if not lower.isalpha():
        return False
    lemmas = _english().getAllLemmas(lower, upos="VERB").get("VERB", ())
    return lower in lemmas


_AUXILIARIES = frozenset(("is", "are", "was", "were", "has", "have", "had", "will", "would"))


def is_finite_verb(word: str) -> bool:
    """A verb form that is not the base form nor a participle in -ing ("fell",
    "improved", "remains"), or an auxiliary: a sentence holding one has its own verb."""
    lower = word.lower()
    if lower in _AUXILIARIES:
        return True
    if not lower.isalpha() or lower.endswith("ing"):
        return False
    lemmas = _english().getAllLemmas(lower, upos="VERB").get("VERB", ())
    return bool(lemmas) and lower not in lemmas


def is_noun_too(word: str) -> bool:
    """Whether the word can also be read as a noun or adjective ("control", "use")."""
    return bool(readings(word) & {"NOUN", "ADJ", "PROPN"})


def noun_lemma(word: str) -> str:
    """The singular of a noun ("mechanisms" -> "mechanism"), else the word."""
    lower = word.lower()
    lemmas = _english().getAllLemmas(lower, upos="NOUN").get("NOUN", ())
    return lemmas[0] if lemmas else lower


def is_content_noun(word: str) -> bool:
    """A word worth a tag: a noun or adjective, and not a base-form verb only."""
    found = readings(word)
    return bool(found & {"NOUN", "ADJ", "PROPN"}) and len(word) > 2


def chinese_tags(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) for each word of a Chinese text, as jieba tags them."""
    import rjieba

    return [(str(w), str(f)) for w, f in rjieba.tag(text)]
