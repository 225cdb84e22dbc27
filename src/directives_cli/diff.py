"""Two catalogues compared: what an edit did, or what one meeting asked that another did not.

`load_side` reads one side (a catalogue file or folder) through its index, so a side
indexed already costs a read of rows, not a YAML parse. `compare` pairs meetings by id,
and categories, directives and statistics by meeting and id; `match_text` pairs
directives by the words they share instead. Both return `Change`s in a deterministic
order; nothing here prints, exits or formats.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from directives_cli import loader, paths, query, store, textfold
from directives_cli.errors import CatalogueError, UsageError
from directives_cli.model import Category, Directive, Document, Statistic
from directives_cli.safetext import shown
from directives_cli.worddiff import word_set

#: The kinds of record a change is about, in the order they are reported per meeting.
KINDS: tuple[str, ...] = ("meeting", "category", "directive", "statistic")
#: What happened to a record.
CHANGES: tuple[str, ...] = ("added", "removed", "changed", "unchanged")
#: The fields whose words `--match text` compares (and the only ones it reports).
WORD_FIELDS: tuple[str, ...] = ("title", "text", "quote")
#: Default `--threshold`: see `match_text`.
DEFAULT_THRESHOLD = 0.5
#: Words of a directive (its rarest) that can make it a candidate pair: see `_candidates`.
PREFIX_WORDS = 8

#: A field's old and new value (None on the side that lacks the record).
FieldChange = tuple[object, object]
#: A record of one kind as the plain values compared.
_Recorder = Callable[[object], dict[str, object]]


@dataclass(frozen=True, slots=True)
class Change:
    """One record added, removed, changed or (with --match text) unchanged."""

    change: str
    kind: str
    #: The meeting id: NEW's, or OLD's for a removal.
    meeting: str
    #: The record's id: NEW's, or OLD's for a removal.
    id: str
    #: Every field that differs, in the record's field order, as (name, (old, new)).
    fields: tuple[tuple[str, FieldChange], ...] = ()
    #: A short name for people (a title, a statistic's subject).
    label: str = ""
    #: With --match text, for a pair: the id of the OLD directive paired with.
    old_id: str | None = None
    #: With --match text, for a pair: the Dice similarity of their words, 0 to 1.
    similarity: float | None = None


@dataclass(frozen=True, slots=True)
class Side:
    """One catalogue as diff reads it: files with their meetings, and every directive."""

    path: str
    documents: tuple[Document, ...]
    directives: tuple[Directive, ...]


@dataclass(frozen=True, slots=True)
class Loaded:
    """A side, and a remark for stderr when its quotes could not be checked."""

    side: Side
    note: str | None = None


# ---- loading ----------------------------------------------------------------------------


def load_side(path: Path, *, use_cache: bool = True, check_quotes: bool = False) -> Loaded:
    """One side, validated: from its (cached) index when it is a valid catalogue.

    An old edition written elsewhere (`git show HEAD~1:x.yaml > old.yaml`, git's own
    temporary files) names a `source.file` that is not beside it. Diff compares catalogue
    data and needs no source text, so unless ``check_quotes``, a side that fails only on
    its sources (unreadable, or quotes not in them) is loaded without them and a note
    says so; any other problem is a CatalogueError, as for every command.
    """
    try:
        with store.open_index(path, use_cache=use_cache) as index:
            docs = query.documents(index)
            directives = tuple(query.iter_directives(index))
    except CatalogueError as error:
        if check_quotes:
            raise
        catalogue = loader.load_files(paths.catalogue_files(path), sources=False)
        note = (
            f"{shown(path)}: quotes not checked: {error.problems[0] if error.problems else error}"
        )
        side = Side(str(path), catalogue.documents, catalogue.directives)
        return Loaded(side, note)
    return Loaded(Side(str(path), tuple(docs), directives))


# ---- pairing by id ----------------------------------------------------------------------


def compare(old: Side, new: Side) -> list[Change]:
    """Every difference, meeting by meeting (NEW's order, then meetings only OLD has);
    within a meeting its own fields, then categories, directives and statistics, each
    in NEW's order with OLD's removed records after them in OLD's order."""
    old_docs = {d.meeting.id: d for d in old.documents}
    new_docs = {d.meeting.id: d for d in new.documents}
    old_by = _by_meeting(old.directives)
    new_by = _by_meeting(new.directives)
    changes: list[Change] = []
    for mid in _union(new_docs, old_docs):
        before, after = old_docs.get(mid), new_docs.get(mid)
        changes.extend(_meeting_changes(before, after))
        kinds: tuple[tuple[str, Mapping[str, object], Mapping[str, object], _Recorder], ...] = (
            ("category", _cats(before), _cats(after), _category_record),
            ("directive", old_by.get(mid, {}), new_by.get(mid, {}), _directive_record),
            ("statistic", _stats(before), _stats(after), _stat_record),
        )
        for kind, old_items, new_items, record in kinds:
            changes.extend(_paired(kind, mid, old_items, new_items, record))
    return changes


def _union(first: Mapping[str, object], second: Mapping[str, object]) -> list[str]:
    return [*first, *(k for k in second if k not in first)]


def _by_meeting(directives: Iterable[Directive]) -> dict[str, dict[str, Directive]]:
    grouped: dict[str, dict[str, Directive]] = {}
    for d in directives:
        grouped.setdefault(d.meeting, {})[d.id] = d
    return grouped


def _cats(doc: Document | None) -> dict[str, Category]:
    return {} if doc is None else {c.id: c for c in doc.categories}


def _stats(doc: Document | None) -> dict[str, Statistic]:
    return {} if doc is None else {s.id: s for s in doc.statistics}


def _meeting_changes(old: Document | None, new: Document | None) -> Iterator[Change]:
    """The meeting record itself: added, removed, or the fields that changed."""
    if old is None and new is None:
        return
    after = None if new is None else _without_id(new.meeting.record())
    before = None if old is None else _without_id(old.meeting.record())
    meeting = (new or old).meeting  # type: ignore[union-attr]
    change = _change_of(before, after)
    if change is not None:
        yield Change(
            change, "meeting", meeting.id, meeting.id, _fields(before, after), meeting.title
        )


def _paired(
    kind: str,
    meeting: str,
    old: Mapping[str, object],
    new: Mapping[str, object],
    record: _Recorder,
) -> Iterator[Change]:
    """Records of one kind in one meeting, paired by id."""
    for ident in _union(new, old):
        before, after = old.get(ident), new.get(ident)
        old_record = None if before is None else record(before)
        new_record = None if after is None else record(after)
        change = _change_of(old_record, new_record)
        if change is not None:
            shown = _label(after if after is not None else before)
            yield Change(change, kind, meeting, ident, _fields(old_record, new_record), shown)


def _change_of(old: Mapping[str, object] | None, new: Mapping[str, object] | None) -> str | None:
    if old is None:
        return "added"
    if new is None:
        return "removed"
    return None if old == new else "changed"


def _fields(
    old: Mapping[str, object] | None, new: Mapping[str, object] | None
) -> tuple[tuple[str, FieldChange], ...]:
    """Each field that differs as (name, (old, new)); an added or removed record lists
    all of its fields, so the record alone says what arrived or went."""
    names = list(new or old or {})
    names += [n for n in (old or {}) if n not in names]
    out = []
    for name in names:
        before = None if old is None else old.get(name)
        after = None if new is None else new.get(name)
        if old is None or new is None or before != after:
            out.append((name, (before, after)))
    return tuple(out)


def _without_id(record: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in record.items() if k not in ("id", "meeting")}


def _directive_record(item: object) -> dict[str, object]:
    assert isinstance(item, Directive)
    return _without_id(item.record())


def _category_record(item: object) -> dict[str, object]:
    assert isinstance(item, Category)
    return {"title": item.title, "description": item.description, "note": item.note}


def _stat_record(item: object) -> dict[str, object]:
    assert isinstance(item, Statistic)
    return _without_id(item.record())


def _label(item: object) -> str:
    """What a person calls a record: its title, or a statistic's subject."""
    return str(getattr(item, "title", None) or getattr(item, "subject", ""))


# ---- pairing by words -------------------------------------------------------------------


def check_threshold(threshold: float) -> None:
    """A threshold is a similarity: above 0 (0 would pair directives sharing no word)
    and at most 1 (identical words)."""
    if not (0 < threshold <= 1) or math.isnan(threshold):
        raise UsageError(f"--threshold must be above 0 and at most 1, not {threshold:g}")


def match_text(old: Side, new: Side, threshold: float = DEFAULT_THRESHOLD) -> list[Change]:
    """Directives paired by their words, ignoring ids and meetings.

    Similarity is the weighted Dice coefficient of the two directives' sets of words
    (title, text and quote, case folded): the share of their words' weight they have in
    common, 2 W(a & b) / (W(a) + W(b)). A word used by n of the N directives of both
    sides weighs ln(1 + N / n), so the phrasing every directive repeats ("the safety
    supervision departments ... at all levels should") counts little and the words that
    make a directive itself count much. Every pair at or above ``threshold`` is a
    candidate; candidates are taken best first (ties: NEW's catalogue order, then OLD's),
    each directive at most once: a greedy assignment, deterministic. Results come in
    NEW's order, then the removed in OLD's.
    """
    check_threshold(threshold)
    pairs = _assign(_candidates(old.directives, new.directives, threshold))
    paired_old = {o for o, _ in pairs.values()}
    changes = [_matched(d, old.directives, pairs.get(n)) for n, d in enumerate(new.directives)]
    changes += [_lone("removed", d) for i, d in enumerate(old.directives) if i not in paired_old]
    return changes


def _words(d: Directive) -> frozenset[str]:
    return word_set(d.title, d.text, d.quote)


def _keys(d: Directive) -> frozenset[str]:
    """What makes a directive a candidate pair: its adjacent word pairs (case folded),
    far rarer than single words, so a posting list stays short even in a catalogue
    written in one vocabulary; its words when it has a single word."""
    words = textfold.words(f"{d.title}\n{d.text}\n{d.quote}".casefold())
    pairs = frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))
    return pairs or frozenset(words)


def word_weights(sets: Iterable[frozenset[str]]) -> dict[str, float]:
    """Each word's weight, ln(1 + N / n) for a word in n of the N sets: rare words weigh more."""
    frequency = _frequency(sets)
    total = frequency.pop("", 0)
    return {w: math.log1p(total / n) for w, n in frequency.items()}


def _frequency(sets: Iterable[frozenset[str]]) -> dict[str, int]:
    """How many sets hold each item; "" holds how many sets there are."""
    frequency: dict[str, int] = {"": 0}
    for items in sets:
        frequency[""] += 1
        for w in items:
            frequency[w] = frequency.get(w, 0) + 1
    return frequency


def similarity(a: frozenset[str], b: frozenset[str], weights: Mapping[str, float]) -> float:
    """Weighted Dice: 2 W(a & b) / (W(a) + W(b)), 0 to 1."""
    return _similarity(a, b, _weight(a, weights), _weight(b, weights), weights)


def _weight(words: frozenset[str], weights: Mapping[str, float]) -> float:
    """A set's weight. `math.fsum` is exactly rounded, so it does not depend on the
    (hash-seeded) order a set is walked in: the output is the same on every run."""
    return math.fsum(weights[w] for w in words)


def _similarity(
    a: frozenset[str], b: frozenset[str], wa: float, wb: float, weights: Mapping[str, float]
) -> float:
    if wa + wb == 0:
        return 1.0
    return min(1.0, 2 * _weight(a & b, weights) / (wa + wb))


def _candidates(
    old: Sequence[Directive], new: Sequence[Directive], threshold: float
) -> list[tuple[float, int, int]]:
    """Every (similarity, new, old) at or above ``threshold`` among the likely pairs.

    Comparing all N x M pairs is out of reach at scale, so candidates come from an
    inverted index: a NEW directive is compared (exactly) only with the OLD ones that
    share one of its PREFIX_WORDS rarest word pairs, each side indexed by its own
    rarest. A rewording keeps most of a directive's rare word pairs while two unrelated
    directives almost never share one, so the pairs found are the ones that matter; a
    pair sharing only common phrasing may be missed, and would score low anyway.
    """
    old_words = [_words(d) for d in old]
    new_words = [_words(d) for d in new]
    weights = word_weights((*old_words, *new_words))
    old_keys = [_keys(d) for d in old]
    new_keys = [_keys(d) for d in new]
    rarity = _frequency((*old_keys, *new_keys))
    postings: dict[str, list[int]] = {}
    for i, keys in enumerate(old_keys):
        for k in _rarest(keys, rarity):
            postings.setdefault(k, []).append(i)
    old_weight = [_weight(w, weights) for w in old_words]
    found: list[tuple[float, int, int]] = []
    for n, keys in enumerate(new_keys):
        words = new_words[n]
        weight = _weight(words, weights)
        for o in sorted({o for k in _rarest(keys, rarity) for o in postings.get(k, ())}):
            score = _similarity(old_words[o], words, old_weight[o], weight, weights)
            if score >= threshold:
                found.append((score, n, o))
    return found


def _rarest(keys: frozenset[str], rarity: Mapping[str, int]) -> list[str]:
    """The PREFIX_WORDS rarest keys, ties in string order (deterministic)."""
    return sorted(keys, key=lambda k: (rarity[k], k))[:PREFIX_WORDS]


def _assign(candidates: list[tuple[float, int, int]]) -> dict[int, tuple[int, float]]:
    """Greedy, best first: NEW index -> (OLD index, similarity), each used once."""
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken: set[int] = set()
    pairs: dict[int, tuple[int, float]] = {}
    for score, n, o in candidates:
        if n in pairs or o in taken:
            continue
        pairs[n] = (o, score)
        taken.add(o)
    return pairs


def _matched(d: Directive, old: Sequence[Directive], pair: tuple[int, float] | None) -> Change:
    if pair is None:
        return _lone("added", d)
    before = old[pair[0]]
    fields = tuple(
        (name, (getattr(before, name), getattr(d, name)))
        for name in WORD_FIELDS
        if getattr(before, name) != getattr(d, name)
    )
    return Change(
        "changed" if fields else "unchanged",
        "directive",
        d.meeting,
        d.id,
        fields,
        d.title,
        old_id=before.id,
        similarity=round(pair[1], 4),
    )


def _lone(change: str, d: Directive) -> Change:
    """A directive with no partner: all its word fields, on the side it is on."""
    fields = tuple(
        (name, (None, getattr(d, name)) if change == "added" else (getattr(d, name), None))
        for name in WORD_FIELDS
    )
    return Change(change, "directive", d.meeting, d.id, fields, d.title)


def differ(changes: Iterable[Change]) -> bool:
    """Whether anything changed: what decides diff's exit status (1, else 0)."""
    return any(c.change != "unchanged" for c in changes)
