"""Titles, tags and slugs made from the words of a clause."""

from __future__ import annotations

import re

from directives_cli.draft import lexicon

#: Words that say nothing about a directive's subject, so they make no tag.
_EN_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "as",
        "its",
        "their",
        "our",
        "this",
        "that",
        "these",
        "those",
        "all",
        "every",
        "each",
        "new",
        "good",
        "job",
        "work",
        "level",
        "levels",
        "way",
        "role",
        "cause",
        "further",
        "more",
        "most",
        "which",
        "who",
        "we",
        "it",
        "be",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "not",
        "no",
        "about",
        "around",
        "over",
        "under",
        "one",
        "two",
        "three",
        "four",
        "five",
        "first",
        "second",
        "out",
        "down",
        "off",
        "up",
    ]
)
_TITLE_WORDS = 9
_ZH_TITLE_CHARS = 18
_TAGS = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def title(clause: str, lang: str) -> str:
    """A short title for a list: the clause itself, cut at a word boundary."""
    if lang == "zh":
        return clause if len(clause) <= _ZH_TITLE_CHARS else clause[:_ZH_TITLE_CHARS] + "…"
    words = clause.split()
    if len(words) > _TITLE_WORDS:
        words = words[:_TITLE_WORDS]
        while len(words) > 3 and words[-1].lower() in _EN_STOP:
            words.pop()
        words.append("…")
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def tags(clause: str, lang: str) -> list[str]:
    """Up to three content words of the clause, as lower-case tags."""
    found = _zh_tags(clause) if lang == "zh" else _en_tags(clause)
    return list(dict.fromkeys(found))[:_TAGS]


def _en_tags(clause: str) -> list[str]:
    words = _WORD.findall(clause)
    if words and lexicon.is_base_verb(words[0]):
        words = words[1:]
    nouns = [w for w in words if w.lower() not in _EN_STOP and lexicon.is_content_noun(w)]
    # Words that are only nouns say more than those that may be verbs ("fail", "hide").
    ranked = sorted(nouns, key=lexicon.is_base_verb)
    return [lexicon.noun_lemma(w) for w in ranked]


def _zh_tags(clause: str) -> list[str]:
    return [
        word
        for word, flag in lexicon.chinese_tags(clause)
        if len(word) >= 2 and flag[:1] in ("n", "l", "j", "i") or flag == "vn" and len(word) >= 2
    ]


def slug(words: str) -> str:
    """Lower-case ASCII words joined by hyphens ("" when none are ASCII)."""
    parts = re.findall(r"[a-z0-9]+", words.lower())
    return "-".join(parts)
