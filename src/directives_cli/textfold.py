"""What a word is, and which spellings count as the same word, for search.

The full-text index (SQLite FTS5, see :mod:`.search`) decides matches; this module keeps
the Python side in step with it, so that the words the search reports and highlights are
the ones the index matched:

- :data:`TOKENIZER` is the FTS5 tokenizer: ``unicode61`` splits on everything that is not
  a letter, digit or mark, folds case and strips accents (``remove_diacritics 2``);
  ``porter`` reduces English inflections ("reforms", "reforming" -> "reform"). Because
  every quote mark and dash is a separator to ``unicode61``, "double prevention" and
  “distribution service”, "post-event" and "post–event" index the same tokens with no
  folding of our own.
- :func:`index_form` is applied to every field before it is indexed and to every search
  term before it is quoted into a query: compatibility forms (full-width Latin, ligatures)
  and case folds that ``unicode61`` lacks ("ß" -> "ss") are normalised, and each character
  of a script written without spaces (Chinese, Japanese, Thai...) becomes a token of its
  own, so a term in those scripts is a phrase of characters: a substring match.
- :func:`fold` is the same equivalence for comparing text in Python.
- :class:`Stemmer` asks SQLite itself what a word stems to, so Python never disagrees with
  the index about inflections.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import unicodedata
from collections.abc import Iterable

#: The FTS5 tokenizer every search table uses. Marks count as word characters so scripts
#: that write vowels as combining marks (Devanagari, Bengali...) keep whole words.
TOKENIZER = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'"

#: Scripts written without spaces between words: CJK ideographs and their extensions,
#: kana, Hangul, Bopomofo, Thai, Lao, Khmer, Myanmar, and the ideographic iteration marks.
_SPACELESS_CLASS = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u2e80-\u2fdf\u3005-\u3007"
    "\u3021-\u3029\u3031-\u3035\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff"
)
_SPACELESS = f"[{_SPACELESS_CLASS}]"
#: Combining marks that are accents on Latin, Greek and Cyrillic letters (what
#: ``remove_diacritics`` strips), not the vowel signs other scripts spell words with.
_ACCENTS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
#: A character that continues a word: a word character not of a spaceless script.
WORD_CHAR = f"[^\\W_{_SPACELESS_CLASS}]"
#: The rest of a word: word characters, except that each spaceless character is a word.
WORD_TAIL = f"{WORD_CHAR}*"
#: One token as the index sees it: a run of word characters, or a spaceless character.
_WORD = f"[^\\W_{_SPACELESS_CLASS}]+|[{_SPACELESS_CLASS}]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Patterns compile on first use: the character classes above take milliseconds
    each, which every start-up would pay at import time."""
    return re.compile(pattern)


def words(text: str) -> list[str]:
    """The tokens of ``text`` as the index cuts them (before stemming)."""
    return _compiled(_WORD).findall(text)


def continues_word(char: str) -> bool:
    """True when a word running into ``char`` would go on through it."""
    return char.isalnum() and not _compiled(_SPACELESS).match(char)


def starts_spaceless(text: str) -> bool:
    """True when ``text`` begins with a character of a script written without spaces."""
    return _compiled(_SPACELESS).match(text) is not None


def has_spaceless(text: str) -> bool:
    """True when ``text`` holds a character of a script written without spaces."""
    return not text.isascii() and _compiled(_SPACELESS).search(text) is not None


def index_form(text: str) -> str:
    """``text`` as the FTS5 tokenizer should see it (see the module docstring).

    ASCII passes through untouched: ``unicode61`` already folds its case, and a field is
    usually ASCII, so the common case of a 100,000-directive build costs one check.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).casefold()
    spaceless = _compiled(_SPACELESS)
    if spaceless.search(text):
        text = spaceless.sub(r" \g<0> ", text)
    return text


def fold(text: str) -> str:
    """``text`` with case, accents and compatibility forms folded, for comparing in Python.

    The same equivalence as the index: "Réforme", "REFORME" and "reforme" fold alike.
    Length changes only where a character folds to several ("ß" -> "ss") or accents were
    written as separate combining marks, which callers mapping positions must allow for.
    """
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    stripped = _compiled(_ACCENTS).sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", stripped)


_POSSESSIVE = r"(?<=\w)['’]s\b"


def fts_phrase(term: str) -> str:
    """``term`` as one FTS5 phrase: quoted, so no user input is ever query syntax. (A NUL
    would end the query string early; like other control characters, it only separates.)

    An English possessive is dropped ("market's" -> "market"), as stemming drops other
    endings: the index holds "government's" as "govern" + "s", so a bare "market" phrase
    finds both spellings while "market s" would find only the possessive."""
    term = _compiled(_POSSESSIVE).sub("", term)
    return '"' + index_form(term).replace('"', '""').replace("\x00", " ") + '"'


class Stemmer:
    """The index's own tokenizer, on an in-memory table: what a term or word becomes.

    Cheap to create (about a millisecond) and caches every word it has seen, so callers
    can ask about the same words many times.
    """

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:")
        self._conn.execute(f'CREATE VIRTUAL TABLE words USING fts5(w, tokenize="{TOKENIZER}")')
        self._conn.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, instance)")
        self._cache: dict[str, tuple[str, ...]] = {}

    def tokens(self, text: str) -> tuple[str, ...]:
        """The index tokens of ``text`` in order: "Reforming  the" -> ("reform", "the")."""
        found = self._cache.get(text)
        if found is None:
            self.learn((text,))
            found = self._cache[text]
        return found

    def learn(self, texts: Iterable[str]) -> None:
        """Tokenize every text not seen before, in one round trip to SQLite."""
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if not new:
            return
        with self._conn:
            self._conn.executemany(
                "INSERT INTO words(rowid, w) VALUES (?, ?)",
                ((n, index_form(t)) for n, t in enumerate(new)),
            )
            found: dict[int, list[str]] = {}
            # A token that folds to nothing (a lone combining mark: diacritics removed)
            # comes back as NULL; it is no word, so no stem either.
            for doc, term in self._conn.execute(
                "SELECT doc, term FROM tokens WHERE term IS NOT NULL AND term != '' "
                "ORDER BY doc, offset"
            ):
                found.setdefault(doc, []).append(term)
            self._conn.execute("DELETE FROM words")
        for n, text in enumerate(new):
            self._cache[text] = tuple(found.get(n, ()))

    def close(self) -> None:
        """Release the in-memory database."""
        self._conn.close()
