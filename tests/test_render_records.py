"""Model objects as plain records (render/records.py): keys, order and values."""

from __future__ import annotations

import math

import pytest

from directives_cli.errors import UsageError
from directives_cli.model import DIRECTIVE_FIELDS, Hit
from directives_cli.render import SEARCH_FIELDS, Format
from directives_cli.render.formats import default_fields
from directives_cli.render.records import (
    category_records,
    directive_records,
    meeting_records,
    score_value,
)
from fixtures.render import samples


def test_directive_records_hold_every_field_in_contract_order() -> None:
    [record] = directive_records([samples.directive()], DIRECTIVE_FIELDS)
    assert list(record) == list(DIRECTIVE_FIELDS)
    assert record["id"] == "RC-1"
    assert record["addressees"] == ["safety supervision departments", "enterprises"]
    assert record["tags"] == ["risk", "prevention"]


def test_directive_records_keep_the_requested_fields_in_the_requested_order() -> None:
    records = directive_records(samples.directives(2), ("title", "id"))
    assert [list(r.items()) for r in records] == [
        [("title", "Strengthen risk prevention and control 1"), ("id", "RC-1")],
        [("title", "Strengthen risk prevention and control 2"), ("id", "RC-2")],
    ]


def test_hits_add_a_rounded_score_and_the_matched_fields() -> None:
    item = Hit(samples.directive(), 3.14159265, ("title", "tags"), ("risk",))
    [record] = directive_records([item], (*DIRECTIVE_FIELDS, *SEARCH_FIELDS))
    assert list(record)[-2:] == ["score", "matched"]
    assert record["score"] == 3.1416
    assert record["matched"] == ["title", "tags"]


def test_a_note_is_its_own_key_last_and_null_when_absent() -> None:
    [bare, noted] = directive_records(
        [samples.directive(), samples.directive(2, note="A reading.")], DIRECTIVE_FIELDS
    )
    assert list(bare)[-1] == "note" and bare["note"] is None
    assert noted["note"] == "A reading." and noted["text"] != noted["note"]


def test_search_results_keep_score_and_matched_where_they_were_and_add_note_after() -> None:
    fields = default_fields(Format.CSV, search=True)
    assert fields[:10] == DIRECTIVE_FIELDS[:10]
    assert fields[10:] == ("score", "matched", "note")


@pytest.mark.parametrize(
    ("score", "published"),
    [(0.0, 0.0), (-0.0, 0.0), (-0.00001, 0.0), (12.345678, 12.3457), (1e20, 1e20)],
)
def test_scores_are_published_stably(score: float, published: float) -> None:
    value = score_value(score)
    assert value == published
    assert repr(value) == repr(published)


@pytest.mark.parametrize("score", [math.nan, math.inf, -math.inf])
def test_a_score_that_is_not_a_number_is_published_as_null(score: float) -> None:
    assert score_value(score) is None


def test_an_unknown_field_is_a_usage_error_naming_the_valid_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown field 'colour' \(valid: id, meeting, "):
        directive_records([samples.directive()], ("id", "colour"))


def test_a_directive_has_no_score() -> None:
    with pytest.raises(UsageError, match="unknown field 'score'"):
        directive_records([samples.directive()], ("id", "score"))


def test_category_records() -> None:
    records = category_records(samples.category_counts())
    assert records[0] == {
        "meeting": "special-equipment-safety-2019",
        "id": "risk-control",
        "title": "Risk prevention and control",
        "description": "Holding the safety bottom line.",
        "count": 12,
        "note": None,
    }
    keys = ["meeting", "id", "title", "description", "count", "note"]
    assert [list(r) for r in records] == [keys] * 3
    assert [r["count"] for r in records] == [12, 7, 0]


def test_meeting_records_nest_speakers_source_and_statistics() -> None:
    [record] = meeting_records([samples.document()])
    assert record == {
        "id": "special-equipment-safety-2019",
        "title": "National Special Equipment Safety Supervision Work Conference",
        "published_title": "The National Ad Hoc Safety Monitoring Work Conference",
        "start": "2019-01-24",
        "end": "2019-01-25",
        "location": "Hefei, Anhui",
        "organiser": "SAMR",
        "speakers": [
            {"name": "Chen Gang", "role": "a member of the Party Committee"},
            {"name": "Li Si", "role": None},
        ],
        "guided_by": ["the plan"],
        "implemented": ["the National Market Supervision Work Conference"],
        "attendees": ["the Emergency Management Department", "China Special Equipment Institute"],
        "source": {"title": "The report", "file": "sources/report.txt"},
        "note": "Reading of a machine translation: the year is implied.",
        "statistics": [
            {
                "id": "ST-1",
                "subject": "elevator accidents",
                "period": "2018",
                "change": "-45%",
                "quote": "fell by 45%",
                "note": "Year implied.",
            },
            {
                "id": "ST-2",
                "subject": "deaths in accidents",
                "period": "2018",
                "change": "1.10",
                "quote": "no change",
                "note": None,
            },
        ],
    }


def test_a_minimal_meeting_has_every_key_with_empty_values() -> None:
    [full] = meeting_records([samples.document()])
    [minimal] = meeting_records([samples.minimal_document()])
    assert list(minimal) == list(full)
    assert minimal["published_title"] is None
    assert minimal["source"] is None
    assert minimal["speakers"] == minimal["statistics"] == minimal["attendees"] == []
    assert minimal["implemented"] == []
    assert minimal["note"] is None


def test_meeting_records_ignore_directives() -> None:
    with_directives = samples.document(directives=tuple(samples.directives(2)))
    assert meeting_records([with_directives]) == meeting_records([samples.document()])
