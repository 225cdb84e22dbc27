"""Queries over the index: filters, sorts, ids, counts, meetings, quote context, completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from directives_cli import database, loader, query, quotes, store
from directives_cli.errors import NotFoundError, UsageError
from directives_cli.model import ACTS, Catalogue, Filters, QuoteContext
from fixtures.store.catalogues import MEETING, directive, document, memory_index

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "directives.yaml"
ANY = Filters()


@pytest.fixture
def real(bundled_index: store.Index) -> store.Index:
    """The bundled catalogue, indexed once for the session (conftest)."""
    return bundled_index


@pytest.fixture(scope="module")
def real_catalogue() -> Catalogue:
    return loader.load(BUNDLED)


SAMPLE = Catalogue(
    (
        document(
            [
                directive(
                    "RC-10",
                    category="risk-control",
                    act="requested",
                    speaker="the conference",
                    title="banana",
                    tags=("Risk", "safety"),
                ),
                directive(
                    "RC-2",
                    category="risk-control",
                    act="stressed",
                    speaker="Chen Gang",
                    title="Apple",
                    tags=("risk-control",),
                    addressees=("departments",),
                ),
                directive(
                    "RF-1",
                    category="reform",
                    act="demanded",
                    speaker="ÉLODIE Martin",
                    title="cherry",
                    tags=("reform", "safety"),
                ),
                directive(
                    "rf-3",
                    category="reform",
                    act="pointed-out",
                    speaker="Chen Gang",
                    title="apple",
                    tags=("odd\x1fitem", "safety"),
                ),
            ]  # fmt: skip
        ),
        document(
            [
                directive(
                    "OT-1",
                    meeting="later-2021",
                    category="reform",
                    act="stressed",
                    speaker="chen gang",
                    title="Date",
                    addressees=("a", "b"),
                ),
            ],  # fmt: skip
            meeting="later-2021",
            start="2021-05-01",
            path="/catalogue/later.yaml",
            categories=(("reform", "Reform again"), ("unused", "Nothing here")),
        ),
        document(
            [directive("EA-1", meeting="early-2019", category="capacity", title="Egg")],
            meeting="early-2019",
            start="2019-01-01",
            path="/catalogue/early.yaml",
        ),
    )
)


@pytest.fixture
def sample() -> store.Index:
    return memory_index(SAMPLE)


def ids(items: list[object]) -> list[str]:
    return [d.id for d in items]  # type: ignore[attr-defined]


# ---- rows round-trip ---------------------------------------------------------------------------


def test_every_directive_reads_back_exactly(sample: store.Index) -> None:
    assert query.list_directives(sample) == list(SAMPLE.directives)


def test_real_catalogue_reads_back_in_catalogue_order(
    real: store.Index, real_catalogue: Catalogue
) -> None:
    assert query.list_directives(real) == list(real_catalogue.directives)


def test_a_list_item_holding_the_separator_survives(sample: store.Index) -> None:
    (got,) = query.get_directives(sample, ["rf-3"])
    assert got.tags == ("odd\x1fitem", "safety")


@pytest.mark.parametrize(
    "items", [(), ("",), ("a",), ("a", ""), ("x\x1fy",), ("[not json",), ("é", "漢字")]
)
def test_list_encoding_round_trips(items: tuple[str, ...]) -> None:
    assert database.decode_list(database.encode_list(items)) == items


# ---- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["RC-10", "RC-2", "RF-1", "rf-3", "OT-1", "EA-1"]),
        (Filters(categories=("risk-control",)), ["RC-10", "RC-2"]),
        (Filters(categories=("risk-control", "capacity")), ["RC-10", "RC-2", "EA-1"]),
        (Filters(categories=("REFORM",)), ["RF-1", "rf-3", "OT-1"]),
        (Filters(acts=("stressed", "demanded")), ["RC-2", "RF-1", "OT-1", "EA-1"]),
        (Filters(categories=("reform",), acts=("stressed",)), ["OT-1"]),
        (Filters(speakers=("CHEN GANG",)), ["RC-2", "rf-3", "OT-1", "EA-1"]),
        (Filters(speakers=("élodie martin",)), ["RF-1"]),
        (Filters(speakers=("Chen",)), ["RC-2", "rf-3", "OT-1", "EA-1"]),
        (Filters(speakers=("martin",)), ["RF-1"]),
        (Filters(speakers=("Che",)), []),
        (Filters(speakers=("gang chen",)), []),
        (Filters(speakers=("conference",)), ["RC-10"]),
        (Filters(speakers=("the conference", "élodie MARTIN")), ["RC-10", "RF-1"]),
        (Filters(tags=("safety",)), ["RC-10", "RF-1", "rf-3"]),
        (Filters(tags=("RISK",)), ["RC-10"]),
        (Filters(tags=("risk", "reform")), ["RC-10", "RF-1"]),
        (Filters(tags=("odd\x1fitem",)), ["rf-3"]),
        (Filters(tags=("odd",)), []),
        (Filters(tags=("item",)), []),
        (Filters(meetings=("later-2021",)), ["OT-1"]),
        (
            Filters(meetings=("later-2021", MEETING), categories=("reform",)),
            ["RF-1", "rf-3", "OT-1"],
        ),
        (Filters(categories=("capacity",), meetings=("later-2021",)), []),
    ],
)
def test_filters_or_within_and_across(
    sample: store.Index, filters: Filters, expected: list[str]
) -> None:
    assert ids(query.list_directives(sample, filters)) == expected


def test_a_tag_matches_whole_tags_only(real: store.Index) -> None:
    found = query.list_directives(real, Filters(tags=("risk",)))
    assert found and all("risk" in d.tags for d in found)
    assert not any(d.tags == ("risk-control",) for d in found)


def test_empty_filters_are_no_condition() -> None:
    assert query.where_clause(Filters()) == ("1", [])


def test_where_clause_uses_the_alias_and_parameters() -> None:
    sql, params = query.where_clause(Filters(categories=("a", "b"), acts=("stressed",)), "x")
    assert sql == "x.category IN (?,?) AND x.act IN (?)"
    assert params == ["a", "b", "stressed"]


def test_undecodable_filter_values_match_nothing(sample: store.Index) -> None:
    # A shell argument that was not valid UTF-8 arrives with surrogate escapes.
    filters = Filters(speakers=("Chen\udce9",), tags=("\udcff",))
    assert query.list_directives(sample, filters) == []


def test_unknown_category_lists_the_valid_ones(sample: store.Index) -> None:
    with pytest.raises(UsageError) as caught:
        query.check_filters(sample, Filters(categories=("reform", "reformm")))
    assert str(caught.value) == (
        "unknown category 'reformm' "
        "(did you mean reform? valid: capacity, reform, risk-control, unused)"
    )


def test_unknown_act_lists_the_acts(sample: store.Index) -> None:
    with pytest.raises(UsageError) as caught:
        query.check_filters(sample, Filters(acts=("urged",)))
    assert str(caught.value) == f"unknown act 'urged' (valid: {', '.join(ACTS)})"


def test_unknown_meeting_lists_the_meetings(sample: store.Index) -> None:
    with pytest.raises(UsageError) as caught:
        query.check_filters(sample, Filters(meetings=("nope",)))
    assert str(caught.value) == (
        f"unknown meeting 'nope' (valid: early-2019, later-2021, {MEETING})"
    )


def test_known_values_pass_in_any_case_and_free_values_always(sample: store.Index) -> None:
    query.check_filters(
        sample,
        Filters(
            categories=("Risk-Control",),
            acts=("STRESSED",),
            meetings=("Later-2021",),
            speakers=("nobody at all",),
            tags=("no such tag",),
        ),
    )


def test_real_catalogue_category_error(real: store.Index) -> None:
    with pytest.raises(UsageError, match=r"^unknown category 'x' \(valid: capacity, overall, "):
        query.check_filters(real, Filters(categories=("x",)))


# ---- sorting and limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("catalogue", ["RC-10", "RC-2", "RF-1", "rf-3", "OT-1", "EA-1"]),
        ("id", ["EA-1", "OT-1", "RC-2", "RC-10", "RF-1", "rf-3"]),
        # categories in the order first defined: risk-control, reform, capacity
        ("category", ["RC-10", "RC-2", "RF-1", "rf-3", "OT-1", "EA-1"]),
        ("act", ["rf-3", "RC-10", "RF-1", "RC-2", "OT-1", "EA-1"]),
        ("speaker", ["RC-2", "rf-3", "OT-1", "EA-1", "RF-1", "RC-10"]),
        ("title", ["RC-2", "rf-3", "RC-10", "RF-1", "OT-1", "EA-1"]),
        ("meeting", ["EA-1", "RC-10", "RC-2", "RF-1", "rf-3", "OT-1"]),
    ],
)
def test_sorts_are_stable_with_ties_in_catalogue_order(
    sample: store.Index, sort: str, expected: list[str]
) -> None:
    assert ids(query.list_directives(sample, sort=sort)) == expected


def test_every_sort_key_is_accepted(sample: store.Index) -> None:
    for sort in query.SORT_KEYS:
        assert len(query.list_directives(sample, sort=sort)) == len(SAMPLE.directives)


def test_natural_id_order() -> None:
    found = sorted(["RC-10", "RC-2", "rc-1", "RC-1.10", "RC-1.9", "RC", "RB-100"],
                   key=query.natural_key)  # fmt: skip
    assert found == ["RB-100", "RC", "rc-1", "RC-1.9", "RC-1.10", "RC-2", "RC-10"]


def test_real_catalogue_id_sort_is_natural(real: store.Index) -> None:
    rc = [d.id for d in query.list_directives(real, sort="id") if d.id.startswith("RC-")]
    assert rc == [f"RC-{n}" for n in range(1, len(rc) + 1)]


def test_unknown_sort_lists_the_keys(sample: store.Index) -> None:
    with pytest.raises(UsageError) as caught:
        query.list_directives(sample, sort="date")
    assert str(caught.value) == (
        "unknown sort key 'date' (valid: catalogue, id, category, act, speaker, title, meeting)"
    )


def test_iter_directives_checks_its_arguments_at_once(sample: store.Index) -> None:
    with pytest.raises(UsageError):
        query.iter_directives(sample, sort="nope")  # no next() needed


@pytest.mark.parametrize("sort", ["catalogue", "id", "title"])
@pytest.mark.parametrize("limit", [0, 1, 2, 100])
def test_limit_takes_the_first_after_sorting(sample: store.Index, sort: str, limit: int) -> None:
    every = ids(query.list_directives(sample, sort=sort))
    assert ids(query.list_directives(sample, sort=sort, limit=limit)) == every[:limit]


def test_negative_limit_is_a_usage_error(sample: store.Index) -> None:
    with pytest.raises(UsageError):
        query.list_directives(sample, limit=-1)


def test_batches_keep_the_order_of_a_large_listing() -> None:
    many = [directive(f"N-{i}", title=f"t{(i * 7919) % 1201:05d}") for i in range(1201)]
    index = memory_index(Catalogue((document(many),)))
    assert query.list_directives(index) == many
    by_title = query.list_directives(index, sort="title")
    assert [d.title for d in by_title] == sorted(d.title for d in many)
    assert ids(list(query.iter_directives(index, sort="id", limit=3))) == ["N-0", "N-1", "N-2"]


# ---- by id -------------------------------------------------------------------------------------


def test_get_keeps_the_order_asked(sample: store.Index) -> None:
    assert ids(query.get_directives(sample, ["OT-1", "RC-2", "OT-1"])) == ["OT-1", "RC-2", "OT-1"]


def test_get_falls_back_to_ignoring_case(sample: store.Index) -> None:
    assert ids(query.get_directives(sample, ["rc-2", "RF-3", "ea-1"])) == ["RC-2", "rf-3", "EA-1"]


def test_missing_id_suggests_close_ones(real: store.Index) -> None:
    with pytest.raises(NotFoundError) as caught:
        query.get_directives(real, ["RC-1", "RC-99"])
    message = str(caught.value)
    assert message.startswith("no directive 'RC-99' (did you mean RC-9")
    assert message.endswith("?)")


def test_missing_id_without_anything_close(sample: store.Index) -> None:
    with pytest.raises(NotFoundError) as caught:
        query.get_directives(sample, ["zzzzzzzzzz"])
    assert str(caught.value) == (
        "no directive 'zzzzzzzzzz' (see 'directives list -f ids' for the ids there are)"
    )


def test_ambiguous_case_is_not_guessed() -> None:
    index = memory_index(Catalogue((document([directive("AB-1"), directive("ab-1")]),)))
    assert ids(query.get_directives(index, ["ab-1"])) == ["ab-1"]
    with pytest.raises(NotFoundError) as caught:
        query.get_directives(index, ["Ab-1"])
    assert str(caught.value) == "no directive 'Ab-1' (did you mean AB-1, ab-1?)"


def test_undecodable_id_is_simply_not_found(sample: store.Index) -> None:
    with pytest.raises(NotFoundError):
        query.get_directives(sample, ["RC-\udce9"])


def test_suggestions_in_a_large_catalogue_come_from_neighbours() -> None:
    many = [directive(f"M{m:02d}-RC-{i}", meeting=f"m{m}") for m in range(3) for i in range(1000)]
    docs = tuple(
        document(many[m * 1000 : (m + 1) * 1000], meeting=f"m{m}", path=f"/c/{m}.yaml")
        for m in range(3)
    )
    index = memory_index(Catalogue(docs))
    assert index.directive_count > 2000
    assert query.suggest_ids(index, "M01-RC-5000")[0] == "M01-RC-500"
    assert "M02-RC-17" in query.suggest_ids(index, "m02-rc-17x")


# ---- categories and meetings -------------------------------------------------------------------


def counts(index: store.Index, filters: Filters = ANY) -> list[tuple[str, str, int]]:
    return [(c.meeting, c.id, n) for c, n in query.category_counts(index, filters)]


def test_category_counts_in_catalogue_order_with_zeros(sample: store.Index) -> None:
    assert counts(sample) == [
        (MEETING, "risk-control", 2),
        (MEETING, "reform", 2),
        (MEETING, "capacity", 0),
        ("later-2021", "reform", 1),
        ("later-2021", "unused", 0),
        ("early-2019", "risk-control", 0),
        ("early-2019", "reform", 0),
        ("early-2019", "capacity", 1),
    ]


def test_category_counts_apply_the_filters(sample: store.Index) -> None:
    assert counts(sample, Filters(meetings=("later-2021",))) == [
        ("later-2021", "reform", 1),
        ("later-2021", "unused", 0),
    ]
    assert counts(sample, Filters(categories=("reform",), speakers=("chen gang",))) == [
        (MEETING, "reform", 1),
        ("later-2021", "reform", 1),
        ("early-2019", "reform", 0),
    ]


def test_real_category_counts_add_up(real: store.Index, real_catalogue: Catalogue) -> None:
    found = query.category_counts(real)
    assert [c for c, _ in found] == list(real_catalogue.categories)
    assert sum(n for _, n in found) == len(real_catalogue.directives)


def test_documents_hold_meetings_categories_and_statistics(real_catalogue: Catalogue) -> None:
    index = memory_index(real_catalogue)
    (got,) = query.documents(index)
    (want,) = real_catalogue.documents
    assert got.meeting.source is not None and want.meeting.source is not None
    assert got.meeting.source.text is None  # left out unless asked for
    assert got.directives == ()
    assert (got.categories, got.statistics) == (want.categories, want.statistics)
    (full,) = query.documents(index, with_source=True)
    assert full.meeting == want.meeting


def test_documents_in_catalogue_order(sample: store.Index) -> None:
    assert [d.meeting.id for d in query.documents(sample)] == [MEETING, "later-2021", "early-2019"]


# ---- source context ----------------------------------------------------------------------------


def test_context_is_the_sentence_around_the_quote(real: store.Index) -> None:
    (rc1,) = query.get_directives(real, ["RC-1"])
    context = query.source_context(real, rc1)
    assert context is not None
    assert context.quote == rc1.quote
    assert context.before == (
        "The meeting requested that the safety supervision departments of special equipment"
        " at all levels should "
    )
    assert context.after.startswith(" and adhere to the safety bottom line;")
    assert context.after.endswith("in the safety of special equipment.")


def test_every_real_quote_has_a_contiguous_context(real: store.Index) -> None:
    source = (REPO / "data" / "sources" / "special-equipment-conference-2019.txt").read_text(
        encoding="utf-8"
    )
    for item in query.list_directives(real):
        context = query.source_context(real, item)
        assert context is not None, item.id
        assert context.before + context.quote + context.after in source
        assert len(context.before) <= quotes.CONTEXT_CHARS
        assert len(context.after) <= quotes.CONTEXT_CHARS


def test_typographic_quotes_are_found_and_kept(real: store.Index) -> None:
    item = next(d for d in query.list_directives(real) if "“distribution service”" in d.quote)
    plain = item.quote.replace("“", '"').replace("”", '"')
    context = quotes.quote_context(_source(real), plain)
    assert context is not None
    assert context.quote == item.quote  # the source's own characters, not the query's


def _source(index: store.Index) -> str:
    (doc,) = query.documents(index, with_source=True)
    assert doc.meeting.source is not None and doc.meeting.source.text is not None
    return doc.meeting.source.text


TEXT = (
    "First sentence here. The leader said: “keep the ‘bottom line’\n   of safety” firmly, "
    "and more. Is this next? Yes!\n\nNew paragraph without end"
)


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (
            "keep the 'bottom line' of safety\"",
            QuoteContext(
                "The leader said: “", "keep the ‘bottom line’\n   of safety”", " firmly, and more."
            ),
        ),
        (
            "said:   “keep",
            QuoteContext(
                "The leader ", "said: “keep", " the ‘bottom line’\n   of safety” firmly, and more."
            ),
        ),
        ("First", QuoteContext("", "First", " sentence here.")),
        (
            "and more.",
            QuoteContext(
                "The leader said: “keep the ‘bottom line’\n   of safety” firmly, ", "and more.", ""
            ),
        ),
        ("Is this", QuoteContext("", "Is this", " next?")),
        ("paragraph", QuoteContext("New ", "paragraph", " without end")),
        ("Yes!", QuoteContext("", "Yes!", "")),
        (
            "here. The leader",
            QuoteContext(
                "First sentence ",
                "here. The leader",
                " said: “keep the ‘bottom line’\n   of safety” firmly, and more.",
            ),
        ),
    ],  # fmt: skip
)
def test_quote_context_folds_whitespace_and_quotes(quote: str, expected: QuoteContext) -> None:
    assert quotes.quote_context(TEXT, quote) == expected


def test_quote_not_in_source_has_no_context() -> None:
    assert quotes.quote_context(TEXT, "not there at all") is None
    assert quotes.quote_context(TEXT, "   ") is None


def test_context_is_capped_at_clause_or_word_boundaries() -> None:
    clauses = "; ".join(f"clause number {i} goes on for a while" for i in range(40))
    text = f"Intro. {clauses}, the QUOTE here, {clauses}. Outro."
    context = quotes.quote_context(text, "the QUOTE here")
    assert context is not None
    assert context.before.startswith("clause number ")  # starts at a clause
    assert context.after.endswith(";")  # ends at a clause
    assert len(context.before) <= 400 and len(context.after) <= 400
    assert context.before + context.quote + context.after in text
    words = "word " * 200
    context = quotes.quote_context(f"{words}QUOTE {words}", "QUOTE", cap=50)
    assert context == QuoteContext("word " * 9, "QUOTE", " word" * 9)


def test_no_source_text_means_no_context(sample: store.Index) -> None:
    (item,) = query.get_directives(sample, ["RC-2"])
    assert query.source_context(sample, item) is None


def test_context_comes_from_the_directives_own_meeting() -> None:
    first = document(
        [directive("A-1", quote="same words")], source_text="One. The same words here."
    )
    second = document(
        [directive("B-1", meeting="other", quote="same words")],
        meeting="other",
        path="/c/other.yaml",
        source_text="Two. Not the same words there.",
    )
    index = memory_index(Catalogue((first, second)))
    contexts = [query.source_context(index, d) for d in query.get_directives(index, ["A-1", "B-1"])]
    assert contexts == [
        QuoteContext("The ", "same words", " here."),
        QuoteContext("Not the ", "same words", " there."),
    ]


# ---- completion --------------------------------------------------------------------------------


def test_known_ids_by_prefix_in_catalogue_order(sample: store.Index) -> None:
    assert query.known_ids(sample) == ["RC-10", "RC-2", "RF-1", "rf-3", "OT-1", "EA-1"]
    assert query.known_ids(sample, "RC") == ["RC-10", "RC-2"]
    assert query.known_ids(sample, "RC-1") == ["RC-10"]
    assert query.known_ids(sample, "X") == []


def test_known_values(sample: store.Index) -> None:
    assert query.known_values(sample) == {
        "categories": ["risk-control", "reform", "capacity", "unused"],
        "acts": list(ACTS),
        "speakers": ["Chen Gang", "chen gang", "ÉLODIE Martin", "the conference"],
        "tags": ["odd\x1fitem", "reform", "Risk", "risk-control", "safety"],
        "meetings": [MEETING, "later-2021", "early-2019"],
    }
