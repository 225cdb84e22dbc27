"""Which words of a query count, and the spellings a compound word is written in.

People ask the way they speak: "how to prevent serious accidents", "training of
personnel", "grass-roots capacity". Search (:mod:`.search`) asks this module two things:

- **The terms that matter** (`content_terms`). A term typed as a word on its own that is a
  function word (:data:`ENGLISH_STOP_WORDS`: articles, prepositions, auxiliaries, question
  words, conjunctions, pronouns) is not required; a query made only of function words
  keeps them all, since they are then what is asked for. A term with spaces, or written in
  quote marks, is a phrase and keeps every word. Chinese is indexed a character at a time,
  so a function character inside a term (:data:`CHINESE_FUNCTION_CHARACTERS`: 的, 和, 与 ...)
  cannot simply be dropped: the term is cut there into pieces that must each occur
  ("特种设备的安全" -> "特种设备", "安全"), but only where both pieces keep two characters or
  more and the character is not part of a word it gives content to (:data:`CHINESE_CONTENT_WORDS`:
  了解, 参与, 和谐 ...). The pieces always find every directive the whole term found.
- **The spellings of a term** (`spellings`). A compound is written closed, hyphenated or
  spaced ("grassroots", "grass-roots", "grass roots"). The index holds every hyphenated
  word as its parts (the tokenizer separates them) and, after the field's own words, its
  closed forms (`index_text`). A query then asks for each spelling the index can hold: a
  hyphenated word as its parts and closed; two spaced words also closed, when some
  directive holds that word; a closed word also as two words, when some directive holds
  them as a phrase and they are not two function words ("overall" is never "over all").
  What the index holds is the caller's question (``known``): this module never touches
  SQLite. An irregular verb form is also searched as the verb's other forms
  (:data:`IRREGULAR_VERBS`: "held" finds "hold"), which stemming cannot relate.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from itertools import pairwise

from directives_cli import textfold


def _listed(text: str) -> frozenset[str]:
    """The words of a list written as text, a few to a line."""
    return frozenset(text.split())


#: English function words: the Snowball English stop list (Martin Porter,
#: snowballstem.org/algorithms/english/stop.txt), whole, plus the modal auxiliaries it
#: leaves out for their homonyms ("can", "will", "shall", "must", "might"; not "may", a month).
ENGLISH_STOP_WORDS: frozenset[str] = _listed(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing would should could ought i'm you're he's she's it's we're they're i've
    you've we've they've i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll
    they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't
    wouldn't shan't shouldn't can't cannot couldn't mustn't let's that's who's what's here's
    there's when's where's why's how's a an the and but if or because as until while of at
    by for with about against between into through during before after above below to from
    up down in out on off over under again further then once here there when where why how
    all any both each few more most other some such no nor not only own same so than too
    very
    can will shall must might
    """
)

#: Chinese particles and function characters that carry no content of their own.
CHINESE_FUNCTION_CHARACTERS: frozenset[str] = frozenset("的了和与及在是对等之或并")

#: Two-character words in which a function character carries content: a term is never cut
#: inside one of them ("参与监管" stays whole; "了解" is not "解").
CHINESE_CONTENT_WORDS: frozenset[str] = _listed(
    """
    了解 为了 除了 参与 与会 和谐 共和 温和 及时 以及 涉及 普及 危及 存在 现在 正在 实在
    在于 所在 是否 但是 就是 于是 还是 或是 凡是 对象 对策 针对 应对 面对 绝对 反对 相对 核对
    对于 对接 等级 平等 同等 对等 等同 目的 的确 之间 之后 之前 总之 或者 或许 并且 合并 并非
    并行 并重 等待 等于
    """
)

#: English verbs whose irregular forms the Porter stemmer cannot relate, one verb a line:
#: a query word among them also searches for the others ("held" -> "hold", which in turn
#: finds "holds" and "holding"). Forms that are common nouns too ("found", "left") are
#: left out.
IRREGULAR_VERBS: tuple[frozenset[str], ...] = tuple(
    frozenset(line.split())
    for line in """
    hold held
    build built
    lead led
    bring brought
    make made
    take took taken
    keep kept
    give gave given
    seek sought
    grow grew grown
    know knew known
    rise risen
    break broke broken
    choose chose chosen
    draw drew drawn
    pay paid
    meet met
    spend spent
    understand understood
    undertake undertook undertaken
    stand stood
    begin began begun
    write wrote written
    teach taught
    think thought
    sell sold
    tell told
    buy bought
    fight fought
    drive drove driven
    send sent
    lose lost
    """.strip().splitlines()
)
#: Each irregular form, and the other forms of its verb.
_OTHER_FORMS: dict[str, tuple[str, ...]] = {
    form: tuple(sorted(verb - {form})) for verb in IRREGULAR_VERBS for form in verb
}

#: Characters that join the parts of a compound word ("grass-roots", "post‐event"): the
#: hyphen-minus, the Unicode hyphens and the figure and en dashes typed for them.
HYPHENS = "-\u2010\u2011\u2012\u2013"
#: Marks that open a quoted term: a quoted word is never dropped.
QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb\u300c\u300e"
#: At most this many spellings are searched per term (the first is the term as typed).
MAX_SPELLINGS = 8
#: Letters each part of a closed word split in two must have.
_MIN_PART = 2
#: Words longer than this are not cut in two: no compound is, and each cut is one index
#: lookup, so a 100,000-letter "word" would otherwise cost 100,000 of them.
_MAX_SPLIT_WORD = 40
#: Characters a piece of a Chinese term cut at a function character must keep.
_MIN_PIECE = 2

#: Which of a batch of words and two-word phrases some directive holds (as search
#: matches them: inflections included).
Known = Callable[[Collection[str]], Collection[str]]


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """Patterns compile on first use, as in :mod:`.textfold`, to keep start-up cheap."""
    char = textfold.WORD_CHAR
    patterns = {
        "compound": f"{char}+(?:[{HYPHENS}]{char}+)+",
        "hyphen": f"[{HYPHENS}]",
        "word": f"{char}+",
        "edges": r"^\W+|\W+$",
    }
    return re.compile(patterns[name])


# ---- the terms that matter ------------------------------------------------------------------


def content_terms(terms: Sequence[str]) -> tuple[str, ...]:
    """The terms a search requires: function words dropped (unless nothing else was
    asked), Chinese terms cut at their function characters. See the module docstring."""
    kept = [term for term in terms if not is_function_word(term)] or list(terms)
    return tuple(piece for term in kept for piece in function_character_pieces(term))


def is_function_word(term: str) -> bool:
    """True for a term that is one function word, typed without quote marks: "of", "How",
    "don't", "的"."""
    word = term.strip()
    if not word or word[0] in QUOTE_MARKS or any(ch.isspace() for ch in word):
        return False
    if textfold.has_spaceless(word):
        letters = [ch for ch in word if ch.isalnum()]
        return bool(letters) and all(ch in CHINESE_FUNCTION_CHARACTERS for ch in letters)
    key = _pattern("edges").sub("", textfold.fold(word).replace("\u2019", "'"))
    return key in ENGLISH_STOP_WORDS


def function_character_pieces(term: str) -> list[str]:
    """A Chinese term cut at its function characters, where both sides keep at least
    _MIN_PIECE letters and no content word is split; any other term whole."""
    text = term.strip()
    if not textfold.has_spaceless(text) or any(ch.isspace() for ch in text):
        return [term]
    pieces: list[str] = []
    start = 0
    for begin, end in _function_runs(text):
        left = text[start:begin]
        right = _next_piece(text, end)
        if min(_letters(left), _letters(right)) >= _MIN_PIECE and not _in_word(text, begin, end):
            pieces.append(left)
            start = end
    pieces.append(text[start:])
    return pieces


def _function_runs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of function characters inside ``text`` (not at its edges)."""
    i = 1
    while i < len(text) - 1:
        if text[i] in CHINESE_FUNCTION_CHARACTERS:
            end = i
            while end < len(text) and text[end] in CHINESE_FUNCTION_CHARACTERS:
                end += 1
            if end < len(text):
                yield i, end
            i = end
        else:
            i += 1


def _next_piece(text: str, start: int) -> str:
    """``text`` from ``start`` up to its next function character (the least a cut at
    ``start`` leaves on its right)."""
    end = start
    while end < len(text) and text[end] not in CHINESE_FUNCTION_CHARACTERS:
        end += 1
    return text[start:end]


def _letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _in_word(text: str, begin: int, end: int) -> bool:
    """True when a function character in text[begin:end] belongs to a content word."""
    return any(
        text[k - 1 : k + 1] in CHINESE_CONTENT_WORDS or text[k : k + 2] in CHINESE_CONTENT_WORDS
        for k in range(begin, end)
    )


# ---- compounds in the index -----------------------------------------------------------------


def closed_compounds(text: str) -> list[str]:
    """The closed forms of the hyphenated words in ``text``: each two neighbouring parts
    joined, and the whole word when it has more parts ("safety-bottom-line" ->
    "safetybottom", "bottomline", "safetybottomline"). Numbers alone ("2018-2019") are
    not words to close.

    Part of every 100,000-directive build, so it looks only at the runs without spaces
    that hold a hyphen (a compound never spans a space), and remembers each run: tags
    and set phrases repeat across thousands of directives."""
    if not text.isascii():
        text = text.translate(_ONE_HYPHEN)
    return [closed for run in text.split() if "-" in run for closed in _closed_run(run)]


#: Every hyphen as the hyphen-minus, so one `str.find` locates them all.
_ONE_HYPHEN = str.maketrans(dict.fromkeys(HYPHENS[1:], "-"))
#: Punctuation around a word ("(decision-making),").
_AROUND = "\"'()[]{}<>,.;:!?\u201c\u201d\u2018\u2019"
#: Distinct runs remembered by `_closed_run`.
_RUNS_REMEMBERED = 8192


@functools.lru_cache(maxsize=_RUNS_REMEMBERED)
def _closed_run(run: str) -> tuple[str, ...]:
    """The closed forms of the compounds in one run without spaces."""
    parts = run.strip(_AROUND).split("-")
    if not all(part.isalnum() for part in parts):
        found = _pattern("compound").findall(run)
        return tuple(closed for match in found for closed in _closed_run(match))
    if len(parts) < 2 or all(part.isdigit() for part in parts):
        return ()
    joined = [a + b for a, b in pairwise(parts)]
    return (*joined, "".join(parts)) if len(parts) > 2 else tuple(joined)


def index_text(text: str) -> str:
    """A field as the index holds it: its index form (:func:`.textfold.index_form`), then,
    on a line of their own, the closed forms of its hyphenated words. They come after the
    field's words, so the field's phrases keep their positions; a phrase could run from
    the field's last word into them, which no real query asks for."""
    if text.isascii():  # most fields, so the quick test (index_form leaves ASCII alone)
        if "-" not in text:
            return text
        form = text
    else:
        form = textfold.index_form(text)
        if _pattern("hyphen").search(form) is None:
            return form
    closed = closed_compounds(form)
    return f"{form}\n{' '.join(closed)}" if closed else form


# ---- spellings of a query term --------------------------------------------------------------


def spellings(term: str, known: Known) -> tuple[str, ...]:
    """``term`` and the other spellings of its compounds and irregular verbs, at most
    MAX_SPELLINGS, the term as typed first (see the module docstring). Chinese and
    Japanese terms have one."""
    if textfold.has_spaceless(term):
        return (term,)
    found = [term, _pattern("compound").sub(_closed, term)]
    words = [(m.start(), m.end(), m.group()) for m in _pattern("word").finditer(term)]
    joins = list(_joins(term, words))
    splits = list(_splits(term, words))
    asked = {word for _, _, word in joins} | {f"{a} {b}" for *_, a, b in splits}
    knows = set(known(asked)) if asked else set()
    found += [f"{term[:s]}{word}{term[e:]}" for s, e, word in joins if word in knows]
    found += [f"{term[:s]}{a} {b}{term[e:]}" for s, e, a, b in splits if f"{a} {b}" in knows]
    found += [
        f"{term[:s]}{other}{term[e:]}"
        for s, e, word in words
        for other in _OTHER_FORMS.get(word.lower(), ())
    ]
    return tuple(dict.fromkeys(found))[:MAX_SPELLINGS]


def _closed(match: re.Match[str]) -> str:
    return _pattern("hyphen").sub("", match.group())


def _joins(term: str, words: Sequence[tuple[int, int, str]]) -> Iterable[tuple[int, int, str]]:
    """(start, end, closed word) for each two words separated by spaces only."""
    for (s1, e1, w1), (s2, e2, w2) in pairwise(words):
        if term[e1:s2].isspace() and w1.isalpha() and w2.isalpha():
            yield s1, e2, w1 + w2


def _splits(
    term: str, words: Sequence[tuple[int, int, str]]
) -> Iterable[tuple[int, int, str, str]]:
    """(start, end, first part, second part) for each way to cut a closed word in two.
    Words that are part of a hyphenated compound are already split by their hyphens."""
    hyphen = _pattern("hyphen")
    for start, end, word in words:
        before, after = term[start - 1 : start], term[end : end + 1]
        if len(word) > _MAX_SPLIT_WORD or not word.isalpha():
            continue
        if hyphen.match(before) or hyphen.match(after):
            continue
        for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
            first, second = word[:cut], word[cut:]
            if _may_split(first, second):
                yield start, end, first, second


def _may_split(first: str, second: str) -> bool:
    """Not into two function words ("over all", "with out"), nor off a two-letter one
    ("up date", "an other"): those are words of their own, not compounds."""
    stop = [part.lower() in ENGLISH_STOP_WORDS for part in (first, second)]
    if all(stop):
        return False
    return not any(s and len(part) <= 2 for s, part in zip(stop, (first, second), strict=True))
