"""The model as plain records: dicts of str, int, float, None, lists and dicts.

Every machine format is a different spelling of the same records, so building them once
here keeps the formats in agreement: the same keys, in the same order, with the same
values, whichever format a script asks for. Key order is part of the output contract.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from directives_cli.errors import UsageError
from directives_cli.model import (
    Category,
    Directive,
    Document,
    Hit,
    Meeting,
    QuoteContext,
    Statistic,
)

#: Places a score keeps: enough to order results, few enough to print the same everywhere.
SCORE_PLACES = 4


def directive_records(
    items: Sequence[Directive | Hit], fields: Sequence[str]
) -> list[dict[str, object]]:
    """One record per directive or search hit, holding ``fields`` in the order given.

    A Hit adds ``score`` (rounded) and ``matched`` (the fields that matched) to its
    directive's own fields.
    """
    return [pick(_directive_record(item), fields) for item in items]


def _directive_record(item: Directive | Hit) -> dict[str, object]:
    if isinstance(item, Directive):
        return dict(item.record())
    record: dict[str, object] = dict(item.directive.record())
    record["score"] = score_value(item.score)
    record["matched"] = list(item.matched)
    return record


def score_value(score: float) -> float | None:
    """A score as published: rounded, -0.0 folded to 0.0, None if not a finite number.

    NaN or infinity would make `json` output that strict parsers reject.
    """
    if not math.isfinite(score):
        return None
    return round(score, SCORE_PLACES) + 0.0


def pick(record: Mapping[str, object], fields: Sequence[str]) -> dict[str, object]:
    """Keep ``fields`` in their order; an unknown one is a usage error naming the valid ones.

    The CLI checks ``--fields`` first; this is the backstop so a bad name can never
    surface as a KeyError traceback.
    """
    unknown = [name for name in fields if name not in record]
    if unknown:
        valid = ", ".join(record)
        raise UsageError(f"unknown field '{unknown[0]}' (valid: {valid})")
    return {name: record[name] for name in fields}


def shown_record(directive: Directive, context: QuoteContext | None) -> dict[str, object]:
    """A directive's record plus `context`: the source sentence its quote stands in
    (null when the catalogue names no source), so `show`'s keys never vary."""
    record: dict[str, object] = dict(directive.record())
    record["context"] = (
        None if context is None else f"{context.before}{context.quote}{context.after}"
    )
    return record


def category_records(counts: Sequence[tuple[Category, int]]) -> list[dict[str, object]]:
    """One record per category: meeting, id, title, description, count, note."""
    return [
        {
            "meeting": category.meeting,
            "id": category.id,
            "title": category.title,
            "description": category.description,
            "count": count,
            "note": category.note,
        }
        for category, count in counts
    ]


def meeting_records(documents: Sequence[Document]) -> list[dict[str, object]]:
    """One record per meeting, with its speakers, source and statistics nested.

    Optional fields are present with None rather than missing, so every record has the
    same keys and a csv header fits every row.
    """
    return [_meeting_record(doc.meeting, doc.statistics) for doc in documents]


def _meeting_record(meeting: Meeting, statistics: Sequence[Statistic]) -> dict[str, object]:
    return {**meeting.record(), "statistics": [_statistic_record(s) for s in statistics]}


def _statistic_record(statistic: Statistic) -> dict[str, object]:
    """A statistic without its meeting id: it sits inside its meeting's record."""
    return {
        "id": statistic.id,
        "subject": statistic.subject,
        "period": statistic.period,
        "change": statistic.change,
        "quote": statistic.quote,
        "note": statistic.note,
    }
