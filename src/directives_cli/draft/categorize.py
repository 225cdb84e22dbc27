"""Suggesting, for each drafted directive, the closest category of another catalogue."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from directives_cli.draft import lexicon


@dataclass(frozen=True, slots=True)
class Theme:
    """A category to choose from, with the words that describe it: its title,
    description and the directives it holds in its own catalogue."""

    id: str
    title: str
    description: str
    words: str


@dataclass(frozen=True, slots=True)
class Choice:
    """The category suggested and the words it shares with the directive."""

    id: str
    shared: tuple[str, ...]


def choose(text: str, themes: tuple[Theme, ...], lang: str) -> Choice:
    """The theme sharing the most (rarer words weigh more) with ``text``; the first
    theme when none shares a word, so the author sees an empty reason and checks it."""
    bags = [_terms(f"{t.title} {t.description} {t.words}", lang) for t in themes]
    spread = Counter(term for bag in bags for term in set(bag))
    wanted = set(_terms(text, lang))
    best, best_score = 0, 0.0
    best_shared: tuple[str, ...] = ()
    for index, bag in enumerate(bags):
        shared = sorted(wanted & set(bag))
        score = sum(1.0 / spread[term] for term in shared)
        if score > best_score:
            best, best_score, best_shared = index, score, tuple(shared)
    return Choice(themes[best].id, best_shared)


def _terms(text: str, lang: str) -> list[str]:
    """Comparable words: English noun lemmas, Chinese words of two characters or more."""
    if lang == "zh" or re.search("[\u4e00-\u9fff]", text):
        return [w for w, _ in lexicon.chinese_tags(text) if len(w) >= 2 and w.isalnum()]
    words = re.findall(r"[A-Za-z][A-Za-z-]+", text)
    return [lexicon.noun_lemma(w) for w in words if len(w) > 3]
