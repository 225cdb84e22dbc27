"""Questions asked of an index: filter, sort, look up by id, count, describe, quote.

Pure functions over a `database.Index`: they read it and return model objects. Nothing
here prints, parses YAML or knows about the command line, so every command and the
search module share one meaning for each filter and each sort.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence

from directives_cli.database import (
    BODY_SHIFT,
    DamagedIndex,
    Index,
    decode_list,
    name_words,
    unpack_some,
    unpack_text,
    unstored,
)
from directives_cli.errors import NotFoundError, UsageError
from directives_cli.model import (
    ACTS,
    Category,
    Directive,
    Document,
    Filters,
    Meeting,
    QuoteContext,
    Source,
    Speaker,
    Statistic,
)
from directives_cli.safetext import quoted
from directives_cli.safetext import shown as escaped

TYPE_CHECKING = False  # not typing's: see database.py
if TYPE_CHECKING:
    from typing import Any

    from directives_cli.database import Body

#: The orders `list --sort` accepts. Every sort is stable: ties keep catalogue order.
#: catalogue: as the catalogue lists them; id: natural order (RC-2 before RC-10);
#: category: the order categories are first defined in; act: pointed-out, requested,
#: demanded, stressed; speaker, title: alphabetical ignoring case and accents; meeting: by
#: start date.
SORT_KEYS: tuple[str, ...] = ("catalogue", "id", "category", "act", "speaker", "title", "meeting")

#: The columns `_directives` reads from a directives table aliased ``d``, in order: the
#: short fields (the long ones are packed by blocks in `bodies`: see database.pack_bodies).
_ROW_COLUMNS = (
    "d.position, d.id, (SELECT meeting FROM documents WHERE position = d.document),"
    " d.category, d.title, d.speaker, d.act, d.tags"
)

_ANY = Filters()
#: Rows fetched per statement when materialising directives by position.
_BATCH = 500
#: Up to this many ids, suggestions compare against every id; beyond, against neighbours.
_SMALL = 2000
#: Valid values listed in a usage error, at most.
_LISTED = 40


# ---- rows -----------------------------------------------------------------------------------


def _directives(index: Index, rows: Sequence[Sequence[Any]]) -> list[Directive]:
    """Directives from rows selected with _ROW_COLUMNS, in their order, each long field
    from the row's body block.

    A block damaged since the cache file was checked is found here, as it is inflated:
    the index is rebuilt and the same directives are read again by id (ids stay; the
    positions of a rebuilt index need not)."""
    try:
        bodies = _bodies(index, rows)
    except DamagedIndex:
        if not index.recover():
            raise
        ids = [row[1] for row in rows]
        by_id = _rows_by(index, "id", ids)
        rows = [by_id[did] for did in ids]
        bodies = _bodies(index, rows)
    found = []
    for position, did, meeting, category, title, speaker, act, tags in rows:
        text, quote, addressees, note = bodies[position]
        tagged = decode_list(tags)
        found.append(
            Directive(
                did, meeting, category, title, text, speaker, act, quote, addressees, tagged, note
            )
        )
    return found


def _bodies(index: Index, rows: Sequence[Sequence[Any]]) -> dict[int, Body]:
    """The long fields of these rows' directives by position: each block read and
    inflated once, as far as needed."""
    wanted: dict[int, list[int]] = {}
    within = (1 << BODY_SHIFT) - 1
    for row in rows:
        wanted.setdefault(row[0] >> BODY_SHIFT, []).append(row[0] & within)
    blocks = sorted(wanted)
    bodies: dict[int, Body] = {}
    for start in range(0, len(blocks), _BATCH):
        chunk = blocks[start : start + _BATCH]
        for block, data in index.rows(
            f"SELECT block, data FROM bodies WHERE block IN ({_marks(len(chunk))})", chunk
        ):
            first = block << BODY_SHIFT
            for number, body in unpack_some(data, wanted[block]).items():
                bodies[first + number] = body
    return bodies


def _param(value: str) -> str | bytes:
    """A user-typed value as an SQL parameter. Text that is not valid Unicode (bytes the
    shell could not decode) cannot occur in a catalogue: bind it as a blob, which equals
    no text, instead of letting the driver raise."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")
    return value


def _marks(count: int) -> str:
    return ",".join("?" * count)


# ---- filters --------------------------------------------------------------------------------


def where_clause(filters: Filters, alias: str = "d") -> tuple[str, list[str | bytes]]:
    """The SQL condition (``"1"`` when there is none) and its parameters for ``filters``
    over a directives table aliased ``alias``: values within one filter OR-ed, filters
    AND-ed. Categories, acts and meetings ignore ASCII case (they are slugs); speakers and
    tags match whole values, ignoring case."""
    parts: list[str] = []
    params: list[str | bytes] = []
    for column, values in (("category", filters.categories), ("act", filters.acts)):
        if values:
            parts.append(f"{alias}.{column} IN ({_marks(len(values))})")
            params.extend(_param(v) for v in values)
    if filters.meetings:
        marks = _marks(len(filters.meetings))
        parts.append(
            f"{alias}.document IN (SELECT position FROM documents WHERE meeting IN ({marks}))"
        )
        params.extend(_param(v) for v in filters.meetings)
    if filters.speakers:
        parts.append(
            f"{alias}.speaker IN (SELECT speaker FROM speaker_names"
            f" WHERE {speaker_match(len(filters.speakers))})"
        )
        params.extend(speaker_params(filters.speakers))
    if filters.tags:
        parts.append(_TAG_MATCH.format(tags=f"{alias}.tags", marks=_marks(len(filters.tags))))
        params.extend(_param(v.casefold()) for v in filters.tags)
    return (" AND ".join(parts) or "1"), params


#: A speaker_names row whose name has these words, whole and in a row, or is exactly
#: this name (any case): `--speaker chen` and `--speaker 'Chen Gang'` both find Chen Gang.
_ONE_SPEAKER = "(fold = ? OR instr(words, ?) > 0)"


def speaker_params(speakers: Sequence[str]) -> list[str | bytes]:
    """The parameters of `speaker_match` for these values: each value's folded form and
    its words between spaces (a value without words matches by its folded form alone)."""
    params: list[str | bytes] = []
    for value in speakers:
        words = name_words(value)
        params += [_param(value.casefold()), _param(words if words.strip() else "\x00")]
    return params


def speaker_match(count: int) -> str:
    """The condition on speaker_names for ``count`` --speaker values, OR-ed."""
    return "(" + " OR ".join([_ONE_SPEAKER] * count) + ")"


# Tags are stored by database.encode_list: items each after a \x1f (char 31), or a JSON
# array when an item holds that character itself.
_TAG_MATCH = (
    "EXISTS (SELECT 1 FROM tag_names AS n WHERE n.fold IN ({marks}) AND CASE"
    " WHEN substr({tags}, 1, 1) = '[' THEN"
    " EXISTS (SELECT 1 FROM json_each({tags}) AS j WHERE j.value = n.tag)"
    " ELSE instr(n.tag, char(31)) = 0"
    " AND instr({tags} || char(31), char(31) || n.tag || char(31)) > 0 END)"
)


def check_filters(index: Index, filters: Filters) -> None:
    """Raise UsageError for a category, act or meeting the catalogue does not have,
    listing the valid ones. Speakers and tags are free: matching none is no results."""
    if filters.categories:
        rows = index.rows("SELECT DISTINCT id FROM categories")
        _check("category", filters.categories, sorted({r[0] for r in rows}))
    _check("act", filters.acts, list(ACTS))
    if filters.meetings:
        rows = index.rows("SELECT DISTINCT meeting FROM documents")
        _check("meeting", filters.meetings, sorted({r[0] for r in rows}))


def _check(what: str, values: Sequence[str], valid: Sequence[str]) -> None:
    known = {v.lower() for v in valid}
    for value in values:
        if value.lower() not in known:
            raise UsageError(
                f"unknown {what} {quoted(value)} ({_nearest(value, valid)}{_valid(valid)})"
            )


def _nearest(value: str, valid: Sequence[str]) -> str:
    """ "did you mean X? " for the valid value closest to ``value``, or "" when none is."""
    import difflib

    by_lower = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return f"did you mean {by_lower[close[0]]}? " if close else ""


def _valid(valid: Sequence[str]) -> str:
    if not valid:
        return "the catalogue has none"
    shown = ", ".join(valid[:_LISTED])
    more = len(valid) - _LISTED
    return f"valid: {shown}" + (f", and {more} more" if more > 0 else "")


# ---- listing --------------------------------------------------------------------------------


def natural_key(text: str) -> tuple[tuple[str, int], ...]:
    """Sort key that orders digit runs by value and ignores case: RC-2 before RC-10."""
    parts = re.split(r"([0-9]+)", text.casefold())
    return tuple(
        (parts[i], int(parts[i + 1]) if i + 1 < len(parts) else -1) for i in range(0, len(parts), 2)
    )


def alphabetical_key(text: str) -> tuple[str, str]:
    """Sort key for names and titles: case and accents ignored (Élodie with Elodie),
    then case-folded text to order what differs only in accents."""
    import unicodedata

    folded = text.casefold()
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return plain, folded


def list_directives(
    index: Index, filters: Filters = _ANY, *, sort: str = "catalogue", limit: int | None = None
) -> list[Directive]:
    """The directives that match ``filters``, in ``sort`` order, at most ``limit``."""
    return list(iter_directives(index, filters, sort=sort, limit=limit))


def iter_directives(
    index: Index, filters: Filters = _ANY, *, sort: str = "catalogue", limit: int | None = None
) -> Iterator[Directive]:
    """As `list_directives`, but yields directives a batch at a time, so writing 100,000
    of them never holds them all. The sort and limit are checked now, not on first use."""
    if sort not in SORT_KEYS:
        raise UsageError(f"unknown sort key {quoted(sort)} (valid: {', '.join(SORT_KEYS)})")
    if limit is not None and limit < 0:
        raise UsageError(f"the limit must be 0 or more, not {limit}")
    return fetch_directives(index, _positions(index, filters, sort, limit))


def iter_ids(
    index: Index, filters: Filters = _ANY, *, sort: str = "catalogue", limit: int | None = None
) -> Iterator[str]:
    """The ids `iter_directives` would yield, in the same order, reading the id column
    alone: `list -f ids` (the shell loop's usual first step) then costs a fraction of
    building each directive."""
    if sort not in SORT_KEYS:
        raise UsageError(f"unknown sort key {sort!r} (valid: {', '.join(SORT_KEYS)})")
    if limit is not None and limit < 0:
        raise UsageError(f"the limit must be 0 or more, not {limit}")
    if sort == "catalogue":
        where, params = where_clause(filters)
        rows = index.rows(
            f"SELECT d.id FROM directives d WHERE {where} ORDER BY d.position LIMIT ?",
            [*params, _sql_limit(limit)],
        )
        return (row[0] for row in rows)
    return _ids_at(index, _positions(index, filters, sort, limit))


def _ids_at(index: Index, positions: Sequence[int]) -> Iterator[str]:
    for start in range(0, len(positions), _BATCH):
        chunk = positions[start : start + _BATCH]
        found: dict[int, str] = dict(
            index.rows(
                f"SELECT position, id FROM directives WHERE position IN ({_marks(len(chunk))})",
                chunk,
            )
        )
        for position in chunk:
            yield found[position]


def fetch_directives(index: Index, positions: Sequence[int]) -> Iterator[Directive]:
    """The directives at these rowids (catalogue positions), in the order given."""
    for start in range(0, len(positions), _BATCH):
        chunk = positions[start : start + _BATCH]
        found = _rows_by(index, "position", chunk)
        yield from _directives(index, [found[position] for position in chunk])


def _rows_by(index: Index, column: str, keys: Sequence[object]) -> dict[Any, Sequence[Any]]:
    """The _ROW_COLUMNS rows whose ``column`` (position or id) is one of ``keys``, by
    that value, a batch of keys per statement."""
    found: dict[Any, Sequence[Any]] = {}
    at = 0 if column == "position" else 1
    for start in range(0, len(keys), _BATCH):
        chunk = keys[start : start + _BATCH]
        for row in index.rows(
            f"SELECT {_ROW_COLUMNS} FROM directives d WHERE d.{column} IN ({_marks(len(chunk))})",
            chunk,
        ):
            found[row[at]] = row
    return found


def directives_after(
    index: Index, filters: Filters, after: int, count: int
) -> list[tuple[int, Directive]]:
    """(position, directive) of the first ``count`` directives matching ``filters`` past
    position ``after``, in catalogue order: a page of a scan of the whole catalogue."""
    where, params = where_clause(filters)
    rows = index.rows(
        f"SELECT {_ROW_COLUMNS} FROM directives d"
        f" WHERE {where} AND d.position > ? ORDER BY d.position LIMIT ?",
        [*params, after, count],
    )
    return [(row[0], d) for row, d in zip(rows, _directives(index, rows), strict=True)]


def _positions(index: Index, filters: Filters, sort: str, limit: int | None) -> list[int]:
    where, params = where_clause(filters)
    if sort == "catalogue":
        rows = index.rows(
            f"SELECT d.position FROM directives d WHERE {where} ORDER BY d.position LIMIT ?",
            [*params, _sql_limit(limit)],
        )
        return [row[0] for row in rows]
    column, key = _sorter(index, sort)
    rows = index.rows(
        f"SELECT d.position, d.{column} FROM directives d WHERE {where} ORDER BY d.position",
        params,
    )
    rows.sort(key=lambda row: key(row[1]))  # stable: ties stay in catalogue order
    return [row[0] for row in rows[:limit]]


def _sql_limit(limit: int | None) -> int:
    """A limit as SQLite's LIMIT takes it: -1 for none, and for any limit past its
    integers (2**63 - 1), which no catalogue can reach anyway."""
    return -1 if limit is None or limit >= 2**63 else limit


def _sorter(index: Index, sort: str) -> tuple[str, Callable[[Any], Any]]:
    """The column a sort reads and the key it orders that column's values by."""
    if sort == "id":
        return "id", natural_key
    if sort in ("speaker", "title"):
        return sort, alphabetical_key
    if sort == "act":
        acts = {act: rank for rank, act in enumerate(ACTS)}
        return "act", lambda act: acts.get(act.lower(), len(acts))
    if sort == "category":
        ranks: dict[str, int] = {}
        for (category,) in index.rows("SELECT id FROM categories ORDER BY position"):
            ranks.setdefault(category.lower(), len(ranks))
        return "category", lambda category: ranks.get(category.lower(), len(ranks))
    starts: dict[int, str] = dict(index.rows("SELECT position, start FROM documents"))
    return "document", starts.__getitem__


# ---- summary --------------------------------------------------------------------------------

#: The column each `summary --by` field groups on, and the expression it groups by
#: (speakers as `--speaker` folds them, through speaker_names aliased ``s``).
_GROUPS: dict[str, tuple[str, str]] = {
    "category": ("d.category", "d.category"),
    "act": ("d.act", "d.act"),
    "meeting": ("m.meeting", "m.meeting"),
    "speaker": ("d.speaker", "s.fold"),
}

#: One group of a summary: its value for each `--by` field (None: no tag) and its count.
Group = tuple[tuple[str | None, ...], int]


def check_groups(by: Sequence[str], valid: Sequence[str]) -> tuple[str, ...]:
    """The ``--by`` fields, checked: one or two distinct names of ``valid``."""
    names = tuple(dict.fromkeys(name.strip() for name in by if name.strip()))
    for name in names:
        if name not in valid:
            near = _nearest(name, valid)
            raise UsageError(f"unknown field {name!r} for --by ({near}valid: {', '.join(valid)})")
    if not 1 <= len(names) <= 2:
        raise UsageError("--by takes one field or two, e.g. --by category or --by category,act")
    return names


def count_directives(index: Index, filters: Filters = _ANY) -> int:
    """How many directives match ``filters``: what `list` would print, counted."""
    where, params = where_clause(filters)
    return int(index.rows(f"SELECT count(*) FROM directives d WHERE {where}", params)[0][0])


def summary_counts(
    index: Index, filters: Filters, by: Sequence[str]
) -> tuple[list[Group], list[str | None]]:
    """How many directives matching ``filters`` fall in each group of the ``by`` fields,
    groups that hold none left out, with the second field's values in order (a
    cross-table's columns; none for one field). Values group as the filters match them (ignoring
    case), so each count is what `list` gives with that value added as a filter. A
    directive counts once under each of its tags, and under None when it has none.
    Counted in SQL, but for tags, which are decoded from each directive's row."""
    where, params = where_clause(filters)
    join = " JOIN speaker_names s ON s.speaker = d.speaker" if "speaker" in by else ""
    if "meeting" in by:
        join += " JOIN documents m ON m.position = d.document"
    if "tag" in by:
        groups = _tag_groups(index, where, params, join, by)
    else:
        shown = ", ".join(f"min({_GROUPS[f][0]})" for f in by)
        keys = ", ".join(_GROUPS[f][1] for f in by)
        groups = [
            (tuple(row[: len(by)]), row[len(by)], row[len(by) + 1])
            for row in index.rows(
                f"SELECT {shown}, count(*), min(d.position) FROM directives d{join}"
                f" WHERE {where} GROUP BY {keys}",
                params,
            )
        ]
    return _ordered(index, groups, by)


def _tag_groups(
    index: Index, where: str, params: list[str | bytes], join: str, by: Sequence[str]
) -> list[_Counted]:
    other = next((f for f in by if f != "tag"), None)
    column = _GROUPS[other][0] if other else "NULL"
    shown: dict[tuple[str | None, ...], tuple[str | None, ...]] = {}
    counts: dict[tuple[str | None, ...], int] = {}
    firsts: dict[tuple[str | None, ...], int] = {}
    for position, value, stored in index.rows(
        f"SELECT d.position, {column}, d.tags FROM directives d{join} WHERE {where}", params
    ):
        tags: dict[str | None, str | None] = {t.casefold(): t for t in decode_list(stored)[::-1]}
        for fold, tag in (tags or {None: None}).items():
            folded = tuple(fold if f == "tag" else _fold(value) for f in by)
            shown.setdefault(folded, tuple(tag if f == "tag" else value for f in by))
            counts[folded] = counts.get(folded, 0) + 1
            firsts.setdefault(folded, position)
    return [(shown[k], counts[k], firsts[k]) for k in counts]


def _fold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


#: A group before ordering: its values, its count, and its first directive's position.
_Counted = tuple[tuple[str | None, ...], int, int]


def _ranks(
    index: Index, groups: Sequence[_Counted], by: Sequence[str]
) -> list[Callable[[str | None], tuple[Any, ...]]]:
    """For each `--by` field, the sort key of its values: categories as `categories`
    lists them, meetings as the catalogue first uses them, acts as the contract lists
    them, speakers and tags alphabetically (no tag last)."""
    acts = {act: rank for rank, act in enumerate(ACTS)}
    keys: list[Callable[[str | None], tuple[Any, ...]]] = []
    for slot, field in enumerate(by):
        if field == "act":
            keys.append(lambda v: (acts.get(str(v).lower(), len(acts)), str(v)))
        elif field in ("speaker", "tag"):
            keys.append(lambda v: (v is None, alphabetical_key(v or "")))
        else:
            firsts: dict[str | None, int] = {}
            for values, _, first in groups:
                key = _fold(values[slot])
                firsts[key] = min(first, firsts.get(key, first))
            if field == "category":
                ranks: dict[str, int] = {}
                for (cid,) in index.rows("SELECT id FROM categories ORDER BY position"):
                    ranks.setdefault(cid.casefold(), len(ranks))
                firsts = {k: ranks.get(str(k), len(ranks) + v) for k, v in firsts.items()}
            keys.append(_by_first(firsts))
    return keys


def _by_first(firsts: dict[str | None, int]) -> Callable[[str | None], tuple[Any, ...]]:
    return lambda value: (firsts.get(_fold(value), 0),)


def _ordered(
    index: Index, groups: list[_Counted], by: Sequence[str]
) -> tuple[list[Group], list[str | None]]:
    """The groups ordered field by field, and the values of the second field (if any)
    in its own order, as a cross-table's columns."""
    keys = _ranks(index, groups, by)
    ordered = sorted(groups, key=lambda g: tuple(k(v) for k, v in zip(keys, g[0], strict=True)))
    columns: dict[str | None, str | None] = {}
    if len(by) == 2:
        for values, _, _ in sorted(groups, key=lambda g: keys[1](g[0][1])):
            columns.setdefault(_fold(values[1]), values[1])
    return [(values, count) for values, count, _ in ordered], list(columns.values())


# ---- by id ----------------------------------------------------------------------------------


def get_directives(index: Index, ids: Sequence[str]) -> list[Directive]:
    """The directives with these ids, in the order asked. An id matches exactly, else
    ignoring case when that names exactly one directive; otherwise NotFoundError names the
    first missing id and suggests close ones."""
    found: list[Directive] = []
    every: list[str] | None = None
    select = f"SELECT {_ROW_COLUMNS} FROM directives d WHERE d.id = ?"
    for wanted in ids:
        rows = index.rows(select, (_param(wanted),))
        if not rows:
            every = every if every is not None else [r[0] for r in index.rows(_ALL_IDS)]
            folded = wanted.casefold()
            same = sorted((i for i in every if i.casefold() == folded), key=natural_key)
            if len(same) != 1:
                raise NotFoundError(_no_directive(wanted, same or suggest_ids(index, wanted)))
            rows = index.rows(select, (same[0],))
        found += _directives(index, rows[:1])
    return found


# Answered from the id index alone (it holds every id), never from the wide rows.
_ALL_IDS = "SELECT id FROM directives INDEXED BY directives_id"


def _no_directive(wanted: str, suggestions: Sequence[str]) -> str:
    message = f"no directive {quoted(wanted)}"
    if suggestions:
        return message + f" (did you mean {', '.join(map(escaped, suggestions))}?)"
    return message + " (see 'directives list -f ids' for the ids there are)"


def suggest_ids(index: Index, wanted: str, limit: int = 3) -> list[str]:
    """Ids close to ``wanted``, best first. A large catalogue compares against the ids
    that sort next to it (as typed, upper- and lower-cased), which is where a typo in a
    long id lands, so the cost stays flat at 100,000 directives."""
    import difflib

    if index.directive_count <= _SMALL:
        pool = [r[0] for r in index.rows(_ALL_IDS)]
    else:
        pool = _neighbours(index, wanted)
    by_fold: dict[str, str] = {}
    for candidate in sorted(pool, key=natural_key):
        by_fold.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(wanted.casefold(), list(by_fold), n=limit, cutoff=0.6)
    return [by_fold[c] for c in close]


def _neighbours(index: Index, wanted: str, each: int = 25) -> list[str]:
    pool: set[str] = set()
    for probe in {wanted, wanted.upper(), wanted.lower()}:
        value = _param(probe)
        for sql in (
            "SELECT id FROM directives WHERE id >= ? ORDER BY id LIMIT ?",
            "SELECT id FROM directives WHERE id < ? ORDER BY id DESC LIMIT ?",
        ):
            pool.update(r[0] for r in index.rows(sql, (value, each)))
    return list(pool)


# ---- categories and meetings ----------------------------------------------------------------


def category_counts(index: Index, filters: Filters = _ANY) -> list[tuple[Category, int]]:
    """Every category (of the filtered meetings, and only the filtered categories when
    some are given) in catalogue order, with how many directives match ``filters``;
    categories with none are kept, with 0."""
    meetings = {m.lower() for m in filters.meetings}
    chosen = {c.lower() for c in filters.categories}
    where, params = where_clause(filters)
    counts = {
        (document, category.lower()): count
        for document, category, count in index.rows(
            f"SELECT d.document, d.category, count(*) FROM directives d WHERE {where}"
            " GROUP BY d.category, d.document",
            params,
        )
    }
    result: list[tuple[Category, int]] = []
    for document, meeting, cid, title, description, note in index.rows(
        "SELECT document, meeting, id, title, description, note FROM categories ORDER BY position"
    ):
        if (meetings and meeting.lower() not in meetings) or (chosen and cid.lower() not in chosen):
            continue
        category = Category(cid, title, description, meeting, note)
        result.append((category, counts.get((document, cid.lower()), 0)))
    return result


def documents(index: Index, *, with_source: bool = False) -> list[Document]:
    """Every catalogue file's meeting, categories and statistics, in catalogue order.

    ``directives`` is always empty (use `list_directives`), and the source text is left
    out unless ``with_source``: both can be large, and most callers want neither. A
    source text damaged since the cache file was checked rebuilds the index, once.
    """
    try:
        return _documents(index, with_source)
    except DamagedIndex:
        if not index.recover():
            raise
        return _documents(index, with_source)


def _documents(index: Index, with_source: bool) -> list[Document]:
    categories: dict[int, list[Category]] = {}
    for doc, meeting, cid, title, description, note in index.rows(
        "SELECT document, meeting, id, title, description, note FROM categories ORDER BY position"
    ):
        categories.setdefault(doc, []).append(Category(cid, title, description, meeting, note))
    source = "source" if with_source else "NULL"
    return [
        Document(
            path=unstored(path),
            meeting=_meeting(json.loads(meeting), unpack_text(text)),
            categories=tuple(categories.get(position, ())),
            statistics=tuple(Statistic(s[0], mid, *s[1:]) for s in json.loads(statistics)),
        )
        for position, path, mid, meeting, statistics, text in index.rows(
            f"SELECT position, path, meeting, meeting_json, statistics, {source}"
            " FROM documents ORDER BY position"
        )
    ]


def _meeting(record: dict[str, Any], text: str | None) -> Meeting:
    source = record["source"]
    return Meeting(
        id=record["id"],
        title=record["title"],
        start=record["start"],
        location=record["location"],
        published_title=record["published_title"],
        end=record["end"],
        organiser=record["organiser"],
        speakers=tuple(Speaker(s["name"], s["role"]) for s in record["speakers"]),
        guided_by=tuple(record["guided_by"]),
        implemented=tuple(record["implemented"]),
        attendees=tuple(record["attendees"]),
        source=None if source is None else Source(source["title"], source["file"], text),
        note=record["note"],
    )


# ---- source context -------------------------------------------------------------------------


def source_context(index: Index, directive: Directive) -> QuoteContext | None:
    """The directive's quote set in the sentence(s) of its meeting's source text around
    it; None when the meeting has no source text or the quote is not in it."""
    text = _source_text(
        index,
        "SELECT doc.source FROM directives d JOIN documents doc ON doc.position = d.document"
        " WHERE d.id = ?",
        _param(directive.id),
    )
    if text is None:
        return None
    from directives_cli import quotes  # only `show` sets quotes in context

    return quotes.quote_context(text, directive.quote)


def _source_text(index: Index, sql: str, key: str | bytes) -> str | None:
    """The source text the one-parameter query ``sql`` selects (None: none), rebuilding
    the index once if the text was damaged since the cache file was checked."""
    for attempt in range(2):
        rows = index.rows(sql, (key,))
        try:
            return unpack_text(rows[0][0]) if rows else None
        except DamagedIndex:
            if attempt or not index.recover():
                raise
    return None


def context_finder(index: Index) -> Callable[[Directive], QuoteContext | None]:
    """`source_context` for many directives: each meeting's source text read once, when
    its first directive asks, and kept for the call with where its last quote was
    found, so `list --fields id,context` streams 100,000 directives without reading or
    scanning a whole source per record (`quotes.ContextFinder`)."""
    from directives_cli import quotes

    finders: dict[str, quotes.ContextFinder | None] = {}

    def find(directive: Directive) -> QuoteContext | None:
        key = directive.meeting.casefold()
        if key not in finders:
            text = _source_text(
                index,
                "SELECT source FROM documents WHERE meeting = ? ORDER BY position LIMIT 1",
                _param(directive.meeting),
            )
            finders[key] = None if text is None else quotes.ContextFinder(text)
        finder = finders[key]
        return None if finder is None else finder.context(directive.quote)

    return find


def figures(
    index: Index, meetings: Sequence[str] = ()
) -> list[tuple[Statistic, QuoteContext | None]]:
    """Every statistic of the meetings named (all when none are), in catalogue order, each
    with its quote set in the source sentence around it (None without a source)."""
    from directives_cli import quotes

    wanted = {m.casefold() for m in meetings}
    found: list[tuple[Statistic, QuoteContext | None]] = []
    for doc in documents(index, with_source=True):
        if wanted and doc.meeting.id.casefold() not in wanted:
            continue
        source = doc.meeting.source
        text = source.text if source is not None else None
        found += [
            (s, None if text is None else quotes.quote_context(text, s.quote))
            for s in doc.statistics
        ]
    return found


# ---- completion -----------------------------------------------------------------------------


def known_ids(index: Index, prefix: str = "") -> list[str]:
    """Directive ids starting with ``prefix`` (exact case), in catalogue order."""
    if prefix:
        rows = index.rows(
            "SELECT position, id FROM directives INDEXED BY directives_id WHERE id >= ? AND id < ?",
            (_param(prefix), _param(prefix + "\U0010ffff")),
        )
    else:
        rows = index.rows("SELECT position, id FROM directives INDEXED BY directives_id")
    rows.sort()
    return [row[1] for row in rows]


def _names(name: str) -> tuple[str, str, str]:
    return (*alphabetical_key(name), name)  # total: names differing in case keep one order


def known_values(index: Index) -> dict[str, list[str]]:
    """The values each filter can take, for completion and help: categories and meetings
    in catalogue order, acts in contract order, speakers and tags alphabetically."""
    categories: dict[str, None] = {}
    for (cid,) in index.rows("SELECT id FROM categories ORDER BY position"):
        categories.setdefault(cid, None)
    meetings = dict.fromkeys(
        r[0] for r in index.rows("SELECT meeting FROM documents ORDER BY position")
    )
    speakers = sorted((r[0] for r in index.rows("SELECT speaker FROM speaker_names")), key=_names)
    tags = sorted((r[0] for r in index.rows("SELECT tag FROM tag_names")), key=_names)
    return {
        "categories": list(categories),
        "acts": list(ACTS),
        "speakers": speakers,
        "tags": tags,
        "meetings": list(meetings),
    }


def unmatched_values(index: Index, filters: Filters) -> list[str]:
    """A note for each --speaker or --tag value that no directive has.

    Speakers and tags are free text, so an unknown one is not a usage error (the list is
    simply empty, exit 0); but a slip such as 'Chen Gan' deserves a word on stderr
    rather than silence, with the values that come close.
    """
    if not filters.speakers and not filters.tags:
        return []
    known = known_values(index)
    notes = []
    for value in filters.speakers:
        if not index.rows(
            f"SELECT 1 FROM speaker_names WHERE {speaker_match(1)} LIMIT 1", speaker_params([value])
        ):
            notes.append(_unmatched_note("speaker", value, known["speakers"]))
    folded = {name.casefold() for name in known["tags"]}
    notes += [
        _unmatched_note("tag", value, known["tags"])
        for value in filters.tags
        if value.casefold() not in folded
    ]
    return notes


def _unmatched_note(kind: str, value: str, names: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    shown = close or list(names[:_LISTED_NOTE])
    more = "" if close or len(names) <= _LISTED_NOTE else ", ..."
    label = "did you mean" if close else f"{kind}s"
    listed = ", ".join(escaped(name) for name in shown)
    return f"no {kind} {quoted(value)} in the catalogue ({label}: {listed}{more})"


_LISTED_NOTE = 8
