"""Full-text search over the index: which directives match, how well, and why.

Matching. Every term must match (``any_term``: at least one); a term with spaces is a
phrase (its words adjacent, in order); fields are title, text, quote, tags, addressees,
speaker, the category's title and the note, or those ``fields`` names. Matching ignores case,
accents, compatibility forms and punctuation (quote marks, dashes) and English inflections
("reforming" finds "reform", "accident" finds "accidents") on both sides; text in scripts
written without spaces (Chinese, Japanese, Thai...) matches as a run of characters, so
any substring of it is found, one character long or more (each character is indexed as a
token of its own; punctuation between two of them is skipped). See :mod:`.textfold`. The
engine is SQLite FTS5 (standard library, one on-disk index per catalogue state, fast at
100,000 directives). User input is never query syntax: each term is one quoted phrase.

Which terms, and how written (:mod:`.terms`): a term that is one function word ("of",
"how") is not required unless every term is one; a Chinese term is cut at its function
characters into pieces that must each occur; each remaining term is searched in every
spelling of its compounds the index holds ("grass-roots": also "grassroots"), as one term.

Ranking is BM25 with per-field weights, the formula Lucene uses::

    score(D) = sum over terms t of
               idf(t) * f(t,D) * (k1 + 1) / (f(t,D) + k1 * (1 - b + b * |D| / avgdl))
    idf(t)   = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))
    f(t,D)   = sum over fields F of WEIGHTS[F] * (occurrences of t in F of D)

N is the number of directives, n(t) how many contain t (in the fields searched), |D| the
number of words in D's searchable fields and avgdl its mean; k1 = 1.2, b = 0.75. The
weights (:data:`WEIGHTS`): title 4, tags 3, category 2, text 1, quote 1, addressees 0.5,
speaker 0.5, note 0.25 - a title or tag names what a directive is about, while the text and
quote restate it and the addressees and speaker repeat across many directives; a note is an
editor's reading, not the source, so it finds a directive but ranks it lowest. Scores are
rounded to 6 decimals, after a query of several terms whose every term stands in a
directive's title has that directive's score multiplied by :data:`TITLE_BONUS`; equal scores
keep catalogue order, so results are deterministic.
FTS5's own ``bm25()`` computes the same sum but floors idf at 1e-6 for a term in more than
half the directives, which in a 40-directive catalogue silences words like "safety";
so each term runs as its own FTS5 query and its idf is swapped for the one above. A term
of several spellings runs one query per spelling; n(t) counts the directives holding any
of them, and a directive scores by its best spelling.

Showing why. `Hit.matched` names the fields in which the index found any term (in the
order the machine formats publish fields; "category" means the category's title).
`Hit.terms` are the matched words as the text spells them ("Innovate", "accidents"), found
again in Python and confirmed by stemming them with the index's own tokenizer; machine
formats can skip that work with ``SearchQuery(with_terms=False)``. `iter_search` yields
hits a batch at a time, so a search matching 100,000 directives never holds them all.

``--regex``: Python ``re`` over the fields as written (case-insensitive, ``^``/``$`` at
line and tag boundaries), scored by weighted match counts. CPython's regex engine holds
the GIL and cannot be stopped by a thread, and no static check of a pattern is sound
(``\\w*\\w*\\w*x`` is polynomial, ``(a|a)*b`` exponential), so matching runs under a SIGALRM
watchdog: the regex engine polls for signals, and the handler stops any pattern that has
spent more than :data:`REGEX_ROW_SECONDS` on one directive with a UsageError naming it.
Work that progresses row by row is never cut short, however large the catalogue. The
third-party ``regex`` module's timeout would also serve but is a compiled dependency for
an opt-in flag. Without interval timers (Windows) or off the main thread, ``--regex`` is
refused rather than run unguarded.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
import signal
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from types import FrameType

from directives_cli import textfold

# The fields a search covers; options.py (the CLI layer) reads them from here.
from directives_cli.database import SEARCH_FIELDS_ALLOWED as SEARCH_FIELDS_ALLOWED
from directives_cli.database import SEARCH_LIST_SEPARATOR, WORDS_TABLE
from directives_cli.errors import UsageError
from directives_cli.model import DIRECTIVE_FIELDS, Directive, Filters, Hit
from directives_cli.plain import TYPE_CHECKING, NamedTuple
from directives_cli.safetext import quoted
from directives_cli.terms import HYPHENS, content_terms, spellings

if TYPE_CHECKING:
    from typing import Any

    from directives_cli.database import Index

#: BM25 field weights (see the module docstring), in SEARCH_FIELDS_ALLOWED order.
WEIGHTS: dict[str, float] = {
    "title": 4.0,
    "text": 1.0,
    "quote": 1.0,
    "tags": 3.0,
    "addressees": 0.5,
    "speaker": 0.5,
    "category": 2.0,
    "note": 0.25,
}
#: A query of several terms whose every term stands in a directive's title names that
#: directive: its score is multiplied by this, so "deepen the reform of safety
#: supervision" finds the directive of that title before a longer one that repeats some
#: of the words, however common the words are in the rest of the catalogue.
TITLE_BONUS = 1.5
#: BM25's k1 and b, as FTS5's bm25() fixes them (stated here; not tunable).
K1, B = 1.2, 0.75
#: Decimals a score keeps: stable across platforms, fine enough to order by.
SCORE_DECIMALS = 6
#: Longest pattern ``--regex`` accepts, in characters.
REGEX_MAX_LENGTH = 1000
#: Seconds one directive may take under ``--regex`` before the pattern is stopped.
REGEX_ROW_SECONDS = 1.0
#: Seconds a whole ``--regex`` search may take by default (``--timeout`` changes it): a
#: simple pattern reads 100,000 directives in about 4 s, a runaway one never finishes.
SEARCH_SECONDS = 20.0
#: Most terms one search takes: each costs a query of the index (and a pass over every
#: directive with --regex), and no question needs more.
MAX_TERMS = 64
#: Most distinct regex matches reported per hit.
_REGEX_TERMS = 10
#: Regex matches counted per field: enough to rank, bounded work.
_REGEX_COUNT_CAP = 100

#: Matched fields are reported in the order the machine formats publish fields.
MATCHED_ORDER: tuple[str, ...] = tuple(f for f in DIRECTIVE_FIELDS if f in SEARCH_FIELDS_ALLOWED)

_BM25 = f"bm25({WORDS_TABLE}, {', '.join(str(WEIGHTS[f]) for f in SEARCH_FIELDS_ALLOWED)})"
#: FTS5's idf floor for terms in more than half the rows (see the module docstring).
_FTS5_IDF_FLOOR = 1e-6
#: Hits whose directives, matched fields and words are worked out per round trip.
_BATCH = 500
#: Joins a hit's fields for one scan; phrases never span it, as they never span fields.
_FIELD_BREAK = "\x00"
#: Non-word characters between the words of a phrase, as the tokenizer skips them.
_GAP = r"(?:[^\w\x00]|_)+"


# ---- the index ------------------------------------------------------------------------------


# ---- the query --------------------------------------------------------------------------------


class SearchQuery(NamedTuple):
    """What to search for; see the module docstring for the meaning of each part."""

    terms: tuple[str, ...]
    filters: Filters = Filters()
    #: Match directives with any of the terms instead of all of them.
    any_term: bool = False
    #: Search only these fields (SEARCH_FIELDS_ALLOWED names); empty means all.
    fields: tuple[str, ...] = ()
    #: Treat each term as a Python regular expression.
    regex: bool = False
    #: At most this many hits, the best ones.
    limit: int | None = None
    #: Seconds the whole ``--regex`` matching may take (infinity: no budget).
    seconds: float = SEARCH_SECONDS
    #: Fill in `Hit.terms` (the words to highlight). Machine formats do not show them, and
    #: finding them is most of the per-hit work, so those can ask for ``False``.
    with_terms: bool = True

    @property
    def scope(self) -> tuple[str, ...]:
        """The fields searched, in SEARCH_FIELDS_ALLOWED order."""
        if not self.fields:
            return SEARCH_FIELDS_ALLOWED
        return tuple(f for f in SEARCH_FIELDS_ALLOWED if f in self.fields)


def check_query(query: SearchQuery) -> None:
    """Raise UsageError for a query that cannot run: no terms, an empty term, an unknown
    ``--in`` field, a negative limit, an invalid or oversized regex, or a word search for
    a term with nothing to search for (only punctuation)."""
    if not query.terms:
        raise UsageError("give at least one search term")
    unknown = [f for f in query.fields if f not in SEARCH_FIELDS_ALLOWED]
    if unknown:
        raise UsageError(
            f"unknown field {quoted(unknown[0])} for --in "
            f"(valid: {', '.join(SEARCH_FIELDS_ALLOWED)})"
        )
    if query.limit is not None and query.limit < 0:
        raise UsageError(f"the limit must be 0 or more, not {query.limit}")
    if len(query.terms) > MAX_TERMS:
        raise UsageError(
            f"{len(query.terms)} search terms; the limit is {MAX_TERMS}: search for fewer"
            " (a quoted phrase counts as one term)"
        )
    if not query.seconds > 0:  # NaN too
        raise UsageError(f"--timeout must be a number of seconds above 0, not {query.seconds:g}")
    for term in query.terms:
        if not term.strip():
            raise UsageError("a search term is empty; give words to search for")
        if not _encodable(term):
            raise UsageError(f"search term {quoted(term)} is not valid text (undecodable bytes)")
        if query.regex:
            _compile(term)
        elif not any(ch.isalnum() for ch in term):
            raise UsageError(
                f"search term {quoted(term)} has no letters or digits to search for;"
                " use --regex to search for punctuation"
            )


def _encodable(term: str) -> bool:
    """False for text holding bytes the shell could not decode (lone surrogates)."""
    try:
        term.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _compile(pattern: str) -> re.Pattern[str]:
    if len(pattern) > REGEX_MAX_LENGTH:
        raise UsageError(
            f"regular expression is {len(pattern)} characters long; the limit is {REGEX_MAX_LENGTH}"
        )
    try:
        return re.compile(pattern, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise UsageError(f"invalid regular expression {quoted(pattern)}: {exc}") from None
    except (OverflowError, RecursionError):
        raise UsageError(f"regular expression {quoted(pattern)} is too complex") from None


def count_some(index: Index, query: SearchQuery) -> int:
    """How many directives `--any` would find for a word query that needs several terms
    (0 for one term, a regex or an `--any` query): what "nothing found" can offer when
    no directive has every word. Counts the ranking only; no directive is read."""
    check_query(query)
    if query.regex or query.any_term:
        return 0
    stemmer = textfold.Stemmer()
    try:
        terms = _parse_terms(index, query, stemmer)
        if len(terms) < 2:
            return 0
        any_query = SearchQuery(query.terms, query.filters, any_term=True, fields=query.fields)
        return len(_rank(index, terms, any_query))
    finally:
        stemmer.close()


def search(index: Index, query: SearchQuery) -> list[Hit]:
    """The directives that match ``query``, best first (ties in catalogue order)."""
    return list(iter_search(index, query))


def iter_search(index: Index, query: SearchQuery) -> Iterator[Hit]:
    """As `search`, but yields hits a batch at a time, so writing 100,000 of them never
    holds them all. The query is checked now (UsageError), the rest happens as consumed."""
    check_query(query)
    if query.regex:
        return iter(_regex_search(index, query))
    return _word_search(index, query)


def _word_search(index: Index, query: SearchQuery) -> Iterator[Hit]:
    stemmer = textfold.Stemmer()
    try:
        terms = _parse_terms(index, query, stemmer)
        ranked = _rank(index, terms, query)
        finder = _WordFinder(terms, stemmer) if query.with_terms else None
        yield from _hits(index, ranked, terms, query.scope, finder)
    finally:
        stemmer.close()


# ---- word search: ranking ---------------------------------------------------------------------


class _Spelling(NamedTuple):
    """One way of writing a term, ready for the index and for finding it in the text."""

    #: The FTS5 phrase, column filter included.
    phrase: str
    #: The bare phrase, to combine with other terms under one column filter.
    bare: str
    #: Stems of its words, for a term of words; empty for a spaceless term.
    stems: tuple[str, ...]
    #: The folded term, for a term in a script written without spaces.
    substring: str | None

    @classmethod
    def parse(cls, term: str, scope: Sequence[str], stemmer: textfold.Stemmer) -> _Spelling:
        bare = textfold.fts_phrase(term)
        phrase = bare if len(scope) == len(SEARCH_FIELDS_ALLOWED) else _restrict(bare, scope)
        if textfold.has_spaceless(term):
            return cls(phrase, bare, (), " ".join(textfold.fold(term).split()))
        return cls(phrase, bare, stemmer.tokens(term), None)


class _Term(NamedTuple):
    """One term the query requires: any of its spellings satisfies it (see :mod:`.terms`)."""

    spellings: tuple[_Spelling, ...]

    @property
    def bare(self) -> str:
        """Every spelling as one FTS5 expression."""
        if len(self.spellings) == 1:
            return self.spellings[0].bare
        return f"({' OR '.join(s.bare for s in self.spellings)})"


def _parse_terms(index: Index, query: SearchQuery, stemmer: textfold.Stemmer) -> list[_Term]:
    """The terms that matter (function words dropped, Chinese cut at its function
    characters), each with the spellings of its compounds that the index holds."""
    known = functools.partial(_held, index)
    return [
        _Term(tuple(_Spelling.parse(s, query.scope, stemmer) for s in spellings(term, known)))
        for term in content_terms(query.terms)
    ]


def _held(index: Index, texts: Collection[str]) -> set[str]:
    """Of these words or phrases, those some directive holds. One indexed lookup each that
    stops at the first match (fts5vocab would count a common word's whole doclist)."""
    sql = f"SELECT 1 FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH ? LIMIT 1"
    return {text for text in texts if index.rows(sql, [textfold.fts_phrase(text)])}


def _restrict(expression: str, scope: Sequence[str]) -> str:
    return f"{{{' '.join(scope)}}} : {expression}"


def _rank(index: Index, terms: Sequence[_Term], query: SearchQuery) -> list[tuple[int, float]]:
    """(rowid, score) of every hit, best first, ties in catalogue order, cut to the limit."""
    total = _row_count(index)
    scores = [_term_scores(index, term, total) for term in terms]
    combined = _combine(scores, any_term=query.any_term)
    for rowid in _whole_title(index, terms, query.scope) & combined.keys():
        combined[rowid] *= TITLE_BONUS
    if query.filters != Filters():
        allowed = _allowed(index, query.filters)
        combined = {rowid: s for rowid, s in combined.items() if rowid in allowed}
    keyed = ((-round(s, SCORE_DECIMALS), rowid) for rowid, s in combined.items())
    ordered = sorted(keyed) if query.limit is None else heapq.nsmallest(query.limit, keyed)
    return [(rowid, -negated) for negated, rowid in ordered]


def _whole_title(index: Index, terms: Sequence[_Term], scope: Sequence[str]) -> set[int]:
    """Rows whose title holds every one of several terms (any spelling of each)."""
    if len(terms) < 2 or "title" not in scope:
        return set()
    expression = " AND ".join(_restrict(term.bare, ("title",)) for term in terms)
    sql = f"SELECT rowid FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH ?"
    return {row[0] for row in index.rows(sql, [expression])}


def _row_count(index: Index) -> int:
    rows = index.rows("SELECT value FROM search_meta WHERE name = 'rows'")
    return int(rows[0][0]) if rows else 0


def _term_scores(index: Index, term: _Term, total: int) -> dict[int, float]:
    """BM25 of one term for every directive containing it (see the module docstring).

    A term of several spellings is one word written several ways: its idf counts the
    directives holding any of them, and a directive scores by its best spelling."""
    found = [_matches(index, spelling) for spelling in term.spellings]
    holding = len(found[0]) if len(found) == 1 else len({r for rows in found for r, _ in rows})
    best: dict[int, float] = {}
    for rows in found:
        if not rows:
            continue
        factor = _idf(total, holding) / -_fts5_idf(total, len(rows))  # bm25() is negated
        for rowid, bm25 in rows:
            score = bm25 * factor
            if score > best.get(rowid, 0.0):
                best[rowid] = score
    return best


def _matches(index: Index, spelling: _Spelling) -> list[tuple[int, float]]:
    """(rowid, FTS5 bm25) of every directive holding one spelling."""
    rows = index.rows(
        f"SELECT rowid, {_BM25} FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH ?",
        [spelling.phrase],
    )
    return [(rowid, bm25) for rowid, bm25 in rows]


def _idf(total: int, found: int) -> float:
    return math.log(1.0 + (total - found + 0.5) / (found + 0.5))


def _fts5_idf(total: int, found: int) -> float:
    """The idf FTS5's bm25() used, to divide out of its scores."""
    fts5_idf = math.log((total - found + 0.5) / (found + 0.5))
    return _FTS5_IDF_FLOOR if fts5_idf <= 0.0 else fts5_idf


def _combine(scores: Sequence[dict[int, float]], *, any_term: bool) -> dict[int, float]:
    """Sum per-term scores over the directives every term matched (or any, for --any)."""
    if len(scores) == 1:
        return scores[0]
    if any_term:
        keys: Iterable[int] = {rowid for s in scores for rowid in s}
    else:
        smallest = min(scores, key=len)
        keys = [rowid for rowid in smallest if all(rowid in s for s in scores)]
    return {rowid: sum(s.get(rowid, 0.0) for s in scores) for rowid in keys}


def _allowed(index: Index, filters: Filters) -> set[int]:
    from directives_cli.query import where_clause

    where, params = where_clause(filters, alias="d")
    return {
        row[0] for row in index.rows(f"SELECT d.position FROM directives d WHERE {where}", params)
    }


# ---- word search: why each hit matched ---------------------------------------------------------


def _hits(
    index: Index,
    ranked: Sequence[tuple[int, float]],
    terms: Sequence[_Term],
    scope: Sequence[str],
    finder: _WordFinder | None,
) -> Iterator[Hit]:
    """Hits in ranked order, a batch of directives at a time."""
    titles = _category_titles(index) if "category" in scope else {}
    masks = _matched_masks(index, terms, scope, [rowid for rowid, _ in ranked])
    for start in range(0, len(ranked), _BATCH):
        yield from _batch(index, ranked[start : start + _BATCH], masks, titles, finder)


def _batch(
    index: Index,
    batch: Sequence[tuple[int, float]],
    masks: dict[int, int],
    titles: dict[tuple[str, str], str],
    finder: _WordFinder | None,
) -> list[Hit]:
    """One batch of hits: their directives, matched fields and (with a finder) words."""
    from directives_cli.query import fetch_directives

    directives = list(fetch_directives(index, [rowid for rowid, _ in batch]))
    fields = [masks.get(rowid, 0) for rowid, _ in batch]
    if finder is None:
        words: list[tuple[str, ...]] = [()] * len(batch)
    else:
        texts = [
            [_field_text(d, name, titles) for name in _MASK_FIELDS[mask]]
            for d, mask in zip(directives, fields, strict=True)
        ]
        words = finder.find(texts)
    return [
        Hit(d, score, _MASK_OUTPUT[mask], found)
        for (_, score), d, mask, found in zip(batch, directives, fields, words, strict=True)
    ]


#: Up to this many hits, matched fields are looked up hit by hit; beyond, each field's
#: matches are read whole (per-hit lookups cost a doclist seek each: slower in bulk).
_PROBE_LIMIT = 64


def _matched_masks(
    index: Index, terms: Sequence[_Term], scope: Sequence[str], rowids: Sequence[int]
) -> dict[int, int]:
    """For each of ``rowids``, a bit per field (SEARCH_FIELDS_ALLOWED order) in which the
    index found any of the terms."""
    any_term = " OR ".join(term.bare for term in terms)
    probe = len(rowids) <= _PROBE_LIMIT
    wanted = set(rowids)
    masks: dict[int, int] = {}
    for name in scope:
        bit = 1 << SEARCH_FIELDS_ALLOWED.index(name)
        sql = f"SELECT rowid FROM {WORDS_TABLE} WHERE {WORDS_TABLE} MATCH ?"
        params: list[object] = [_restrict(f"({any_term})", (name,))]
        if probe:
            sql += f" AND rowid IN ({','.join('?' * len(rowids))})"
            params += rowids
        for (rowid,) in index.rows(sql, params):
            if rowid in wanted:
                masks[rowid] = masks.get(rowid, 0) | bit
    return masks


#: The field names each bit mask stands for.
_MASK_FIELDS: tuple[tuple[str, ...], ...] = tuple(
    tuple(f for bit, f in enumerate(SEARCH_FIELDS_ALLOWED) if mask >> bit & 1)
    for mask in range(1 << len(SEARCH_FIELDS_ALLOWED))
)


#: The same, in MATCHED_ORDER: how a hit reports them.
_MASK_OUTPUT: tuple[tuple[str, ...], ...] = tuple(
    tuple(f for f in MATCHED_ORDER if f in fields) for fields in _MASK_FIELDS
)


def _in_output_order(fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(f for f in MATCHED_ORDER if f in fields)


def _category_titles(index: Index) -> dict[tuple[str, str], str]:
    rows = index.rows("SELECT meeting, id, title FROM categories")
    return {(meeting, cid): title for meeting, cid, title in rows}


def _field_text(d: Directive, name: str, titles: dict[tuple[str, str], str]) -> str:
    """A directive field as the index saw it: lists one item a line, category as title."""
    if name == "tags":
        return SEARCH_LIST_SEPARATOR.join(d.tags)
    if name == "addressees":
        return SEARCH_LIST_SEPARATOR.join(d.addressees)
    if name == "category":
        return titles.get((d.meeting, d.category), "")
    value: str | None = getattr(d, name)
    return value or ""


#: A stretch of a hit's text that may be an occurrence of a term: (term number, the
#: stretch folded, the stretch as the text spells it).
_Candidate = tuple[int, str, str]


class _WordFinder:
    """Finds the words of a hit that the index matched, spelt as the text spells them.

    A word term's stems are known; a word whose fold starts with a stem minus its last
    letter is a candidate (true of every Porter stem: "happi" <- "happy"), and candidates
    are stemmed, all new ones of a batch in one round trip, to keep those that match.
    Each spelling of a term is looked for; a one-word spelling also across hyphens, as
    the index holds "grass-roots" closed too ("grassroots" finds it).
    """

    def __init__(self, terms: Sequence[_Term], stemmer: textfold.Stemmer) -> None:
        self._stemmer = stemmer
        #: Every spelling of every term, in term order: candidates are numbered by it.
        self._spellings = [spelling for term in terms for spelling in term.spellings]
        self._patterns = [
            _candidates_pattern(s.stems) if s.substring is None and s.stems else None
            for s in self._spellings
        ]
        #: (spelling number, folded stretch) -> whether it is an occurrence of the spelling.
        self._confirmed: dict[tuple[int, str], bool] = {}

    def find(self, hits: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
        """For each hit (its matched fields' texts), the matched words, in term order."""
        # One scan per hit: fields joined by a character no phrase gap may cross.
        scanned = [self._scan(_FIELD_BREAK.join(texts)) for texts in hits]
        self._confirm({(n, folded) for found in scanned for n, folded, _ in found})
        return [self._keep(found) for found in scanned]

    def _scan(self, text: str) -> list[_Candidate]:
        folded = textfold.fold(text)
        aligned = len(folded) == len(text)
        found: list[_Candidate] = []
        for number, spelling in enumerate(self._spellings):
            pattern = self._patterns[number]
            if spelling.substring is not None:
                for start, end in _occurrences(folded, spelling.substring):
                    surface = text[start:end] if aligned else folded[start:end]
                    found.append((number, folded[start:end], surface))
            elif pattern is not None:
                for m in pattern.finditer(folded):
                    start, end = m.span()
                    if start and textfold.continues_word(folded[start - 1]):
                        continue  # inside a word, not at its start
                    found.append((number, m.group(), text[start:end] if aligned else m.group()))
        return found

    def _confirm(self, candidates: Iterable[tuple[int, str]]) -> None:
        """Decide every candidate not decided before, stemming their words in one go."""
        new = [c for c in candidates if c not in self._confirmed]
        words = {c: tuple(textfold.words(c[1])) for c in new}
        self._stemmer.learn(w for ws in words.values() for w in (*ws, "".join(ws)))
        for (number, folded), ws in words.items():
            spelling = self._spellings[number]
            stems = tuple(s for w in ws for s in self._stemmer.tokens(w))
            closed = (
                len(spelling.stems) == 1 and self._stemmer.tokens("".join(ws)) == spelling.stems
            )
            self._confirmed[number, folded] = (
                spelling.substring is not None or stems == spelling.stems or closed
            )

    def _keep(self, found: list[_Candidate]) -> tuple[str, ...]:
        """The confirmed spellings, grouped by term, each once (ignoring case)."""
        if len(self._spellings) > 1:
            found.sort(key=lambda c: c[0])
        unique: dict[str, str] = {}
        for number, folded, surface in found:
            if self._confirmed[number, folded]:
                # A phrase can run from one tag (or addressee) into the next: report each part.
                for part in surface.split(SEARCH_LIST_SEPARATOR):
                    unique.setdefault(part.casefold(), part)
        return tuple(unique.values())


#: Between the letters of a one-word spelling: a hyphen the index closed ("grass-roots").
_HYPHEN_GAP = f"[{HYPHENS}]?"


def _candidates_pattern(stems: Sequence[str]) -> re.Pattern[str]:
    prefixes = [s[:-1] if len(s) > 2 else s for s in stems]
    if len(prefixes) == 1:
        letters = _HYPHEN_GAP.join(re.escape(ch) for ch in prefixes[0])
        return re.compile(letters + textfold.WORD_TAIL)
    return re.compile(_GAP.join(re.escape(p) + textfold.WORD_TAIL for p in prefixes))


def _occurrences(text: str, needle: str) -> Iterator[tuple[int, int]]:
    """The spans of ``needle`` in ``text``, left to right, not overlapping."""
    start = text.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = text.find(needle, start + len(needle))


# ---- regex search ---------------------------------------------------------------------------


class _RegexTimeout(Exception):
    """A pattern spent longer than REGEX_ROW_SECONDS on one directive, or the whole
    search longer than its budget (``total``)."""

    def __init__(self, total: bool) -> None:
        super().__init__()
        self.total = total


def _regex_search(index: Index, query: SearchQuery) -> list[Hit]:
    """Hits for ``--regex``: every directive's fields run through the patterns, in
    catalogue order, under the watchdog."""
    patterns = [_compile(term) for term in query.terms]
    found: list[tuple[float, int, Hit]] = []
    current = ""
    done = 0
    try:
        with _Watchdog(REGEX_ROW_SECONDS, query.seconds) as watchdog:
            titles = _category_titles(index)
            for position, d in _directives_in_order(index, query.filters):
                watchdog.progress, current = position, d.id
                done += 1
                texts = {name: _field_text(d, name, titles) for name in query.scope}
                result = _regex_match(patterns, texts, any_term=query.any_term)
                if result is not None:
                    score, matched, terms = result
                    hit = Hit(d, score, _in_output_order(matched), terms)
                    found.append((-score, position, hit))
    except _RegexTimeout as stop:
        if stop.total:
            raise UsageError(_over_budget(query, done - 1, index.directive_count)) from None
        raise UsageError(_runaway(query.terms, current)) from None
    found.sort(key=lambda item: item[:2])
    hits = [hit for _, _, hit in found]
    return hits if query.limit is None else hits[: query.limit]


def _runaway(patterns: Sequence[str], directive: str) -> str:
    shown = " ".join(repr(p) for p in patterns)
    return (
        f"regular expression {shown} ran for over {REGEX_ROW_SECONDS:g} s on directive"
        f" {directive} and was stopped: it backtracks catastrophically (nested quantifiers"
        " such as (a+)+ do); simplify the pattern"
    )


def _over_budget(query: SearchQuery, done: int, total: int) -> str:
    shown = " ".join(repr(p) for p in query.terms)
    return (
        f"regular expression search for {shown} ran for over {query.seconds:g} s in all"
        f" (--timeout) and was stopped after {max(done, 0)} of {total} directives: make the"
        " pattern cheaper (anchor it; avoid .* before a repeated group), narrow the search"
        " with --in or the filters, or give it longer with --timeout SECONDS"
    )


def _directives_in_order(index: Index, filters: Filters) -> Iterator[tuple[int, Directive]]:
    """(position, directive) in catalogue order, a page at a time so that 100,000 of them
    are never all in memory."""
    from directives_cli.query import directives_after

    after = -1
    while True:
        page = directives_after(index, filters, after, _BATCH)
        yield from page
        if len(page) < _BATCH:
            return
        after = page[-1][0]


def _regex_match(
    patterns: Sequence[re.Pattern[str]], texts: dict[str, str], *, any_term: bool
) -> tuple[float, list[str], tuple[str, ...]] | None:
    """(score, matched fields, matched strings) when the patterns match, else None."""
    score = 0.0
    matched: list[str] = []
    strings: dict[str, str] = {}
    matching = 0
    for pattern in patterns:
        hit = False
        for name, text in texts.items():
            count = 0
            for m in pattern.finditer(text):
                count += 1
                if m.group() and len(strings) < _REGEX_TERMS:
                    strings.setdefault(m.group().casefold(), m.group())
                if count >= _REGEX_COUNT_CAP:
                    break
            if count:
                hit = True
                score += WEIGHTS[name] * count
                if name not in matched:
                    matched.append(name)
        if not hit and not any_term:
            return None
        matching += hit
    if not matching:
        return None
    return round(score, SCORE_DECIMALS), matched, tuple(strings.values())


class _Watchdog:
    """Stops the main thread when ``progress`` has not changed for ``seconds``, or when
    ``budget`` seconds have passed in all.

    A SIGALRM interval timer ticks ten times a second; the handler, which CPython runs
    even inside a regex match, notes each change of ``progress`` and raises _RegexTimeout
    when there has been none for ``seconds``, or when the clock has passed the budget:
    a pattern slow on every directive but under the per-directive bound would otherwise
    run for minutes on a large catalogue. The previous handler and timer are restored.
    """

    _TICK = 0.1

    def __init__(self, seconds: float, budget: float = math.inf) -> None:
        self._deadline = budget
        #: Set by the caller each time it moves on (to the next directive).
        self.progress = -1
        self._seconds = seconds
        self._seen = -1
        self._ticks = 0
        self._active = False
        self._previous: Any = None
        self._previous_timer = (0.0, 0.0)

    def __enter__(self) -> _Watchdog:
        if not hasattr(signal, "setitimer"):
            raise UsageError("--regex needs interval timers (POSIX) to stop runaway patterns")
        if threading.current_thread() is not threading.main_thread():
            raise UsageError("--regex runs only in the main thread, where it can be stopped")
        self._active = True
        self._deadline += time.monotonic()
        self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        self._previous_timer = signal.setitimer(signal.ITIMER_REAL, self._TICK, self._TICK)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._active = False
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, self._previous)
        if self._previous_timer[0] > 0:
            signal.setitimer(signal.ITIMER_REAL, *self._previous_timer)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if not self._active:
            return
        if time.monotonic() >= self._deadline:
            self._active = False
            raise _RegexTimeout(total=True)
        if self.progress != self._seen:
            self._seen = self.progress
            self._ticks = 0
            return
        self._ticks += 1
        if self._ticks * self._TICK >= self._seconds:
            self._active = False
            raise _RegexTimeout(total=False)


# ---- suggestions ------------------------------------------------------------------------------


#: Suggestions offered per misspelled word.
SUGGESTIONS = 3
#: Directive stems compared closely per misspelled word, after a quick similarity cut.
_SHORTLIST = 12


def suggest(index: Index, terms: Sequence[str], limit: int = SUGGESTIONS) -> list[str]:
    """Spellings from the catalogue's own words for terms that look misspelled.

    A word counts as known when some directive contains it (as the search matches words,
    inflections included) or the meetings, categories or statistics use it; "elevater"
    suggests "elevator" though only a statistic names elevators. A phrase comes back with
    its unknown words replaced. Scripts written without spaces get no suggestions, nor
    do the function words a search does not require ("how", "which").
    """
    vocabulary = _Vocabulary(index)
    try:
        out: list[str] = []
        for term in content_terms(terms):
            out.extend(_term_suggestions(term, vocabulary, limit))
        return list(dict.fromkeys(out))
    finally:
        vocabulary.close()


def outside_directives(index: Index, phrases: Sequence[str]) -> list[str]:
    """Of these words or phrases, the words that the meeting record (meetings,
    categories, statistics) uses but no directive does: search cannot find them, and
    `directives meeting` shows them. Lets "nothing found" say where a word does appear
    ("elevator" is only in the 2018 figures) instead of leaving the reader guessing."""
    return [word for word, _ in outside_where(index, phrases)]


def outside_where(index: Index, phrases: Sequence[str]) -> list[tuple[str, str]]:
    """`outside_directives` with where each word is: "figures" when a statistic (its
    subject, period, change or quote) uses it, so `directives figures` shows it, else
    "meeting" (the meeting's own record or a category)."""
    vocabulary = _Vocabulary(index)
    try:
        words = [w for p in content_terms(phrases) for w in textfold.words(textfold.fold(p))]
        figures = _figure_words(index)
        return [
            (w, "figures" if w in figures else "meeting")
            for w in dict.fromkeys(words)
            if (w in vocabulary.extra or w in figures) and not vocabulary.in_directives(w)
        ]
    finally:
        vocabulary.close()


def _figure_words(index: Index) -> set[str]:
    """Folded words of every statistic: subject, period, change and quote."""
    from directives_cli.query import documents

    texts = [
        f"{s.subject} {s.period} {s.change} {s.quote}"
        for doc in documents(index)
        for s in doc.statistics
    ]
    return {w for text in texts for w in textfold.words(textfold.fold(text))}


def _term_suggestions(term: str, vocabulary: _Vocabulary, limit: int) -> list[str]:
    if textfold.has_spaceless(term):
        return []
    words = textfold.words(textfold.fold(term))
    if not words or all(vocabulary.known(w) for w in words):
        return []
    if len(words) == 1:
        return vocabulary.closest(words[0])[:limit]
    fixed = []
    for word in words:
        if vocabulary.known(word):
            fixed.append(word)
            continue
        closest = vocabulary.closest(word)
        if not closest:
            return []
        fixed.append(closest[0])
    return [" ".join(fixed)]


class _Vocabulary:
    """The catalogue's words: the index's stems, and the words of meetings, categories
    and statistics (few enough to read whole)."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._stemmer = textfold.Stemmer()
        self._stems: dict[str, int] | None = None
        self._titles: dict[tuple[str, str], str] | None = None
        self.extra = _catalogue_words(index)

    def close(self) -> None:
        self._stemmer.close()

    def known(self, word: str) -> bool:
        """True when the catalogue uses ``word`` (any inflection, for directives)."""
        return word in self.extra or self.in_directives(word)

    def in_directives(self, word: str) -> bool:
        """True when some directive uses ``word`` in any inflection: search finds it."""
        stems = self._stemmer.tokens(word)
        return bool(stems) and all(
            self._index.rows("SELECT 1 FROM search_vocab WHERE term = ?", [s]) for s in stems
        )

    def closest(self, word: str) -> list[str]:
        """Catalogue words within a few typing slips of ``word``, closest and commonest
        first, one spelling per stem ("accidents", not also "accident")."""
        allowed = _allowed_distance(word)
        counts = self._surfaces_near(word)
        for extra in self.extra:
            counts.setdefault(extra, 0)
        near = {c: d for c in counts if (d := _distance(word, c)) <= allowed}
        self._stemmer.learn(near)
        best: dict[tuple[str, ...], tuple[int, int, str]] = {}
        for candidate, distance in near.items():
            stem = self._stemmer.tokens(candidate)
            entry = (distance, -counts[candidate], candidate)
            if stem not in best or entry < best[stem]:
                best[stem] = entry
        return [candidate for _, _, candidate in sorted(best.values())]

    def _surfaces_near(self, word: str) -> dict[str, int]:
        """Directive words whose stems resemble ``word`` or its stem, with how many
        directives use them."""
        stems = self._all_stems()
        wanted = [word, *self._stemmer.tokens(word)]
        import difflib

        shortlist = dict.fromkeys(
            s for w in wanted for s in difflib.get_close_matches(w, stems, _SHORTLIST, 0.6)
        )
        surfaces: dict[str, int] = {}
        for stem in shortlist:
            for surface in self._spellings(stem):
                surfaces[surface] = max(surfaces.get(surface, 0), stems[stem])
        return surfaces

    def _all_stems(self) -> dict[str, int]:
        if self._stems is None:
            rows = self._index.rows("SELECT term, doc FROM search_vocab")
            self._stems = {term: doc for term, doc in rows if not textfold.has_spaceless(term)}
        return self._stems

    def _spellings(self, stem: str) -> list[str]:
        """How directives spell the words that stem to ``stem`` (read from a few of them)."""
        rows = self._index.rows(
            "SELECT doc, col FROM search_instances WHERE term = ? LIMIT 5", [stem]
        )
        words = [w for doc, col in rows for w in textfold.words(self._text(doc, col).lower())]
        self._stemmer.learn(words)
        return list(dict.fromkeys(w for w in words if self._stemmer.tokens(w) == (stem,)))

    def _text(self, position: int, name: str) -> str:
        from directives_cli.query import fetch_directives

        if self._titles is None:
            self._titles = _category_titles(self._index)
        for d in fetch_directives(self._index, [position]):
            return textfold.fold(_field_text(d, name, self._titles))
        return ""


def _catalogue_words(index: Index) -> set[str]:
    """Folded words of every meeting, category and statistic."""
    from directives_cli.query import documents

    texts: list[str] = []
    for doc in documents(index):
        meeting = doc.meeting
        texts += [meeting.title, meeting.location, meeting.published_title or ""]
        texts += [*meeting.attendees, *meeting.guided_by, *meeting.implemented]
        texts += [*(s.name for s in meeting.speakers), meeting.note or ""]
        texts += [f"{c.title} {c.description} {c.note or ''}" for c in doc.categories]
        texts += [f"{s.subject} {s.change} {s.note or ''}" for s in doc.statistics]
    return {w for text in texts for w in textfold.words(textfold.fold(text))}


def _allowed_distance(word: str) -> int:
    """Typing slips tolerated: none in a word of three letters or fewer (any word is a
    slip away from "on" or "at"), one up to five, two up to nine, three beyond."""
    size = len(word)
    return 0 if size <= 3 else 1 if size <= 5 else 2 if size <= 9 else 3


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 3:
        return 99
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current.append(value)
        previous2, previous = previous, current
    return previous[-1]
