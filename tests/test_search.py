"""Search: the right directive first, for the reasons a reader expects.

The relevance suite asks the bundled 2019 conference the questions a reader would, each
with the directive that must come first; the rest pins every matching rule on small
catalogues built here (synthetic, Chinese and Japanese) and the regex guard.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from directives_cli import search, store
from directives_cli.errors import UsageError
from directives_cli.model import (
    DIRECTIVE_FIELDS,
    Catalogue,
    Category,
    Directive,
    Document,
    Filters,
    Hit,
    Meeting,
    Statistic,
)
from directives_cli.search import SearchQuery

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "directives.yaml"
MEETING = "test-meeting"


# ---- catalogues ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> store.Index:
    """The bundled catalogue, indexed in memory."""
    return store.open_index(BUNDLED, use_cache=False)


def directive(ident: str, **fields: object) -> Directive:
    values: dict[str, object] = {
        "id": ident,
        "meeting": MEETING,
        "category": "general",
        "title": f"Item {ident}",
        "text": "Nothing to see.",
        "speaker": "the conference",
        "act": "stressed",
        "quote": "nothing",
        "addressees": (),
        "tags": (),
    }
    values.update(fields)
    return Directive(**values)  # type: ignore[arg-type]


def document(
    directives: Sequence[Directive],
    *,
    meeting: str = MEETING,
    categories: Sequence[tuple[str, str]] = (("general", "General matters"),),
    statistics: Sequence[Statistic] = (),
) -> Document:
    return Document(
        path=f"/catalogue/{meeting}.yaml",
        meeting=Meeting(id=meeting, title="A work conference", start="2020-01-01", location="X"),
        categories=tuple(Category(c, t, "About it.", meeting) for c, t in categories),
        directives=tuple(directives),
        statistics=tuple(statistics),
    )


def index_of(*documents: Document) -> store.Index:
    """An index built the way the store builds every index, in memory."""
    catalogue = Catalogue(tuple(documents))
    conn = sqlite3.connect(":memory:", isolation_level=None)
    store.build(catalogue, conn)
    return store.Index(conn, (), "", None, len(catalogue.directives))


def run(index: store.Index, *terms: str, **options: object) -> list[Hit]:
    return search.search(index, SearchQuery(terms=terms, **options))  # type: ignore[arg-type]


def ids(hits: Sequence[Hit]) -> list[str]:
    return [hit.directive.id for hit in hits]


SAMPLE = index_of(
    document(
        [
            directive(
                "A-1",
                title="Deepen the reform of safety supervision",
                text="Departments should deepen the reform of safety supervision.",
                tags=("reform", "supervision"),
                category="reform",
            ),
            directive(
                "A-2",
                title="Prevent serious accidents",
                text="Serious accidents must be strictly prevented; report every accident.",
                speaker="Chen Gang",
                act="demanded",
                tags=("accidents",),
                category="risk",
            ),
            directive(
                "A-3",
                title="Play a role in credit supervision",
                text="Credit supervision and social insurance mechanisms work together.",
                speaker="Chen Gang",
                addressees=("market supervision departments",),
                tags=("credit",),
            ),
            directive(
                "A-4",
                title="Deepen the reform of “distribution service”",
                text="Keep reforming post–event supervision and reforms of the Réforme office.",
                speaker="Li Wei",
                act="requested",
                category="reform",
                tags=("distribution-service",),
            ),
            directive(
                "A-5",
                title="Innovate the working mechanism",
                text="Innovation of mechanisms: AND, OR, NOT and NEAR are ordinary words here.",
                quote="x-ray : column",
                tags=("mechanism",),
                category="risk",
            ),
        ],
        categories=(
            ("general", "General matters"),
            ("reform", "Reform and opening"),
            ("risk", "Risk prevention"),
        ),
        statistics=(Statistic("ST-1", MEETING, "elevator accidents", "2018", "-45%", "q"),),
    )
)


# ---- the relevance suite: questions a reader of the 2019 conference asks ------------------------

RELEVANCE = [
    # (terms as typed, the directive that must come first)
    (["credit supervision"], "RS-5"),
    (["insurance"], "RS-4"),
    (["social insurance"], "RS-4"),
    (["personnel training"], "CB-5"),
    (["training", "personnel"], "CB-5"),
    (["grassroots"], "CB-2"),
    (["strengthen", "grassroots"], "CB-2"),
    (["double prevention"], "RC-9"),
    (["long-term mechanism"], "RC-9"),
    (["post-event supervision"], "RF-4"),
    (["fair competition"], "RF-11"),
    (["market", "competition"], "RF-11"),
    (["serious accidents"], "RC-5"),
    (["preventing", "serious", "accidents"], "RC-5"),
    (["accident"], "RC-5"),
    (["distribution service"], "RF-8"),
    (["“distribution service”"], "RF-8"),
    (["top-level design"], "RF-15"),
    (["top level design"], "RF-15"),
    (["responsibility of enterprises"], "RS-3"),
    (["enterprises", "responsibility"], "RS-3"),
    (["improve", "responsibility", "system"], "RS-1"),
    (["reforming", "supervision"], "RF-1"),
    (["supervision", "reform", "market"], "RF-9"),
    (["accelerating", "reform"], "RF-16"),
    (["reform", "objectives"], "RF-12"),
    (["innovating", "mechanisms"], "RF-2"),
    (["hidden dangers"], "RC-8"),
    (["risk prevention"], "RC-1"),
    (["market vitality"], "RF-5"),
    (["domestic demand"], "RF-7"),
    (["endogenous power"], "RF-6"),
    (["energy conservation"], "OV-4"),
    (["life first"], "RC-4"),
    (["safety first"], "RC-4"),
    (["forerunner"], "RF-10"),
    (["guardian"], "RC-6"),
    (["efficient", "supervision"], "RS-2"),
    (["interactions"], "RF-14"),
    (["supporting measures"], "RF-13"),
    (["politics"], "OV-1"),
    (["institutional reform"], "OV-2"),
    (["two mistakes"], "OV-2"),
    (["central government"], "RC-3"),
    (["safety work"], "RC-3"),
    (["capacity building"], "CB-3"),
    (["basic support"], "CB-4"),
    (["new situation"], "OV-3"),
    (["Chen Gang", "insurance"], "RS-4"),
]


@pytest.mark.parametrize(("terms", "first"), RELEVANCE, ids=[" ".join(t) for t, _ in RELEVANCE])
def test_relevance(real: store.Index, terms: list[str], first: str) -> None:
    hits = run(real, *terms)
    assert hits, f"nothing found for {terms}"
    assert hits[0].directive.id == first, ids(hits)[:5]


def test_relevance_matched_words_are_spelt_as_in_the_text(real: store.Index) -> None:
    (hit,) = run(real, "accident")
    assert hit.terms == ("accidents",)
    hits = run(real, "reforming", "supervision")
    assert {"reform", "supervision"} <= {t.lower() for t in hits[0].terms}
    (hit,) = run(real, "distribution service")
    assert "distribution service" in hit.terms


def test_elevators_are_only_statistics(real: store.Index) -> None:
    assert run(real, "elevator") == []
    assert search.suggest(real, ["elevater"]) == ["elevator"]


# ---- matching -----------------------------------------------------------------------------------


def test_every_term_must_match_unless_any() -> None:
    assert ids(run(SAMPLE, "credit", "accidents")) == []
    assert sorted(ids(run(SAMPLE, "credit", "accidents", any_term=True))) == ["A-2", "A-3"]


def test_any_ranks_directives_matching_more_terms_first() -> None:
    hits = run(SAMPLE, "credit", "insurance", "accidents", any_term=True)
    assert ids(hits)[0] == "A-3"


def test_a_term_with_spaces_is_a_phrase() -> None:
    assert ids(run(SAMPLE, "credit supervision")) == ["A-3"]
    assert ids(run(SAMPLE, "supervision credit")) == []
    assert ids(run(SAMPLE, "supervision", "credit")) == ["A-3"]


def test_case_is_ignored() -> None:
    assert ids(run(SAMPLE, "CREDIT")) == ids(run(SAMPLE, "credit")) == ["A-3"]


def test_accents_are_folded_both_ways() -> None:
    assert "A-4" in ids(run(SAMPLE, "reforme"))
    assert "A-4" in ids(run(SAMPLE, "RÉFORME"))
    assert ids(run(SAMPLE, "crédit")) == ["A-3"]


def test_typographic_quotes_and_dashes_are_folded() -> None:
    assert ids(run(SAMPLE, '"distribution service"')) == ["A-4"]
    assert ids(run(SAMPLE, "“distribution service”")) == ["A-4"]
    assert ids(run(SAMPLE, "post-event supervision")) == ["A-4"]  # the text has an en dash
    assert ids(run(SAMPLE, "post—event")) == ["A-4"]


def test_english_inflections_match() -> None:
    assert set(ids(run(SAMPLE, "reforms"))) == {"A-1", "A-4"}
    assert set(ids(run(SAMPLE, "reforming"))) == {"A-1", "A-4"}
    assert ids(run(SAMPLE, "accident")) == ["A-2"]
    assert ids(run(SAMPLE, "prevention")) == ["A-2", "A-5"]  # A-5 by its category's title


def test_covers_every_search_field() -> None:
    cases = {
        "title": ("working", "A-5"),
        "text": ("together", "A-3"),
        "quote": ("column", "A-5"),
        "tags": ("distribution-service", "A-4"),
        "addressees": ("departments", "A-3"),
        "speaker": ("Li Wei", "A-4"),
        "category": ("opening", "A-1"),
    }
    for name, (term, expected) in cases.items():
        hits = run(SAMPLE, term)
        assert expected in ids(hits), name
        hit = next(h for h in hits if h.directive.id == expected)
        assert name in hit.matched


def test_in_narrows_the_fields() -> None:
    assert set(ids(run(SAMPLE, "supervision"))) == {"A-1", "A-3", "A-4"}
    assert set(ids(run(SAMPLE, "supervision", fields=("title",)))) == {"A-1", "A-3"}
    assert ids(run(SAMPLE, "supervision", fields=("addressees",))) == ["A-3"]
    assert ids(run(SAMPLE, "opening", fields=("category",))) == ["A-1", "A-4"]
    assert ids(run(SAMPLE, "opening", fields=("title", "text"))) == []
    hit = run(SAMPLE, "credit", fields=("tags", "text"))[0]
    assert hit.matched == ("text", "tags")


def test_matched_fields_in_output_order() -> None:
    (hit,) = run(SAMPLE, "credit")
    assert hit.matched == ("title", "text", "tags")
    order = [DIRECTIVE_FIELDS.index(f) for f in hit.matched]
    assert order == sorted(order)
    assert search.MATCHED_ORDER == (
        "category", "title", "text", "speaker", "quote", "addressees", "tags", "note",
    )  # fmt: skip


def test_a_note_is_searched_at_the_lowest_weight_and_reported() -> None:
    index = index_of(
        document(
            [
                directive("N-1", note="Most likely: delegate power."),
                directive("N-2", addressees=("the delegate power office",)),
                directive("N-3", speaker="Delegate Power"),
                directive("N-4", text="Nothing about it."),
            ]
        )
    )
    hits = run(index, "delegate power")
    assert set(ids(hits)[:2]) == {"N-2", "N-3"} and ids(hits)[2:] == ["N-1"]
    assert hits[-1].matched == ("note",)
    assert hits[-1].terms == ("delegate power",)
    assert ids(run(index, "delegate", fields=("note",))) == ["N-1"]
    assert ids(run(index, "delegate", fields=("text",))) == []
    assert search.WEIGHTS["note"] < min(w for f, w in search.WEIGHTS.items() if f != "note")


def test_matched_fields_cover_any_term() -> None:
    hits = run(SAMPLE, "credit", "chen", any_term=True)
    by_id = {h.directive.id: h for h in hits}
    assert by_id["A-3"].matched == ("title", "text", "speaker", "tags")
    assert by_id["A-2"].matched == ("speaker",)


def test_terms_are_the_words_as_the_text_spells_them() -> None:
    (hit,) = run(SAMPLE, "accident")
    assert {t.casefold() for t in hit.terms} == {"accidents", "accident"}
    hit = next(h for h in run(SAMPLE, "reforme") if h.directive.id == "A-4")
    assert hit.terms == ("reform", "reforming", "reforms", "Réforme")
    (hit,) = run(SAMPLE, "post-event supervision")
    assert hit.terms == ("post–event supervision",)


def test_terms_where_folding_changes_the_length() -> None:
    """ "ß" folds to "ss": positions no longer line up, so the folded word is reported."""
    index = index_of(document([directive("G-1", text="Die Straße der Reform")]))
    (hit,) = run(index, "reform")
    assert [t.casefold() for t in hit.terms] == ["reform"]
    (hit,) = run(index, "strasse")
    assert hit.terms == ("strasse",)


def test_terms_follow_the_order_of_the_query() -> None:
    (hit,) = run(SAMPLE, "social", "credit")
    assert [t.casefold() for t in hit.terms] == ["social", "credit"]


def test_with_terms_false_skips_only_the_words() -> None:
    full = run(SAMPLE, "supervision")
    bare = run(SAMPLE, "supervision", with_terms=False)
    assert [(h.directive, h.score, h.matched) for h in full] == [
        (h.directive, h.score, h.matched) for h in bare
    ]
    assert all(h.terms == () for h in bare)
    assert all(h.terms for h in full)


def test_filters_apply_to_search() -> None:
    assert ids(run(SAMPLE, "supervision", filters=Filters(speakers=("chen gang",)))) == ["A-3"]
    assert ids(run(SAMPLE, "supervision", filters=Filters(categories=("reform",)))) == [
        "A-1",
        "A-4",
    ]
    assert ids(run(SAMPLE, "supervision", filters=Filters(acts=("requested",)))) == ["A-4"]
    assert ids(run(SAMPLE, "supervision", filters=Filters(tags=("credit",)))) == ["A-3"]
    assert ids(run(SAMPLE, "supervision", filters=Filters(meetings=("elsewhere",)))) == []


def test_filters_apply_across_meetings() -> None:
    index = index_of(
        document([directive("M-1", title="Reform work", meeting="first")], meeting="first"),
        document([directive("M-2", title="Reform work", meeting="second")], meeting="second"),
    )
    assert ids(run(index, "reform")) == ["M-1", "M-2"]
    assert ids(run(index, "reform", filters=Filters(meetings=("second",)))) == ["M-2"]


# ---- input is never query syntax ----------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    ["AND", "OR", "NOT", "NEAR(", "NEAR(a b)", "-x", "x-ray", "title:", "column:", "{title}",
     "a*", "^credit", 'credit"', '"credit"', "credit)", "(credit", "+credit", "credit OR x"],
)  # fmt: skip
def test_query_syntax_in_terms_is_just_text(term: str) -> None:
    run(SAMPLE, term)  # never raises


def test_operators_are_ordinary_words() -> None:
    assert "A-5" in ids(run(SAMPLE, "AND"))
    assert ids(run(SAMPLE, "NEAR(")) == ["A-5"]
    assert ids(run(SAMPLE, "NOT")) == ["A-5"]
    assert ids(run(SAMPLE, "-ray")) == ["A-5"]
    assert ids(run(SAMPLE, "x-ray : column")) == ["A-5"]
    assert ids(run(SAMPLE, "credit OR accidents")) == []


def test_control_characters_and_invisible_marks_only_separate() -> None:
    assert ids(run(SAMPLE, "cre\x00dit")) == []
    assert ids(run(SAMPLE, "credit\x00")) == ["A-3"]
    assert ids(run(SAMPLE, "\u200bcredit")) == ["A-3"]
    assert ids(run(SAMPLE, "credit\u00ad")) == ["A-3"]


@pytest.mark.parametrize("term", ["*", '"', ":", "-", "()", "“”", "   ", "abc\udcff"])
def test_a_term_without_letters_or_digits_is_a_usage_error(term: str) -> None:
    with pytest.raises(UsageError):
        run(SAMPLE, term)


# ---- ranking ------------------------------------------------------------------------------------


def test_a_title_match_outranks_a_body_match() -> None:
    index = index_of(
        document(
            [
                directive("B-1", title="Other things", text="Also mentions insurance once."),
                directive("B-2", title="Insurance", text="Other things entirely."),
                directive("B-3", title="Other things", text="More", tags=("insurance",)),
            ]
        )
    )
    hits = run(index, "insurance")
    assert ids(hits) == ["B-2", "B-3", "B-1"]


def test_scores_are_positive_rounded_and_best_first() -> None:
    hits = run(SAMPLE, "supervision")
    scores = [h.score for h in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert all(round(s, search.SCORE_DECIMALS) == s for s in scores)


def test_a_word_in_most_directives_still_ranks() -> None:
    """FTS5's bm25() would floor such a word's weight to zero; ours keeps it."""
    index = index_of(
        document(
            [
                directive("C-1", title="Safety", text="safety"),
                directive("C-2", title="Other", text="safety"),
                directive("C-3", title="Other", text="safety"),
            ]
        )
    )
    hits = run(index, "safety")
    assert ids(hits)[0] == "C-1"
    assert hits[0].score > hits[1].score > 0


def test_ties_keep_catalogue_order() -> None:
    same = {"title": "Same words", "text": "Same text."}
    index = index_of(document([directive(f"T-{n}", **same) for n in (3, 1, 2)]))
    hits = run(index, "same")
    assert ids(hits) == ["T-3", "T-1", "T-2"]
    assert len({h.score for h in hits}) == 1


def test_results_are_deterministic(real: store.Index) -> None:
    first = run(real, "reform", "supervision", any_term=True)
    again = run(real, "reform", "supervision", any_term=True)
    assert first == again


def test_limit_keeps_the_best() -> None:
    hits = run(SAMPLE, "supervision")
    assert run(SAMPLE, "supervision", limit=2) == hits[:2]
    assert run(SAMPLE, "supervision", limit=0) == []


def test_iter_search_yields_what_search_returns(real: store.Index) -> None:
    query = SearchQuery(terms=("reform",))
    assert list(search.iter_search(real, query)) == search.search(real, query)


@pytest.fixture(scope="module")
def padded() -> store.Index:
    """The bundled catalogue and 5,000 unrelated directives of realistic length in a
    second meeting: the same questions must find the same directives first."""
    from directives_cli import loader

    words = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "iota", "kappa",
             "lambda", "omicron", "sigma")  # fmt: skip
    filler = [
        directive(
            f"F-{n}",
            meeting="filler",
            title=" ".join(words[(n + k) % len(words)] for k in range(6)),
            text=" ".join(words[(n * k) % len(words)] for k in range(40)),
            quote=" ".join(words[(n + 2 * k) % len(words)] for k in range(12)),
            tags=(words[n % len(words)],),
        )
        for n in range(5000)
    ]
    catalogue = loader.load(BUNDLED)
    return index_of(*catalogue.documents, document(filler, meeting="filler"))


@pytest.mark.parametrize(("terms", "first"), RELEVANCE, ids=[" ".join(t) for t, _ in RELEVANCE])
def test_relevance_at_scale(padded: store.Index, terms: list[str], first: str) -> None:
    """One search at every size."""
    assert ids(run(padded, *terms))[:1] == [first]


def test_same_hits_whatever_the_catalogue_size(real: store.Index, padded: store.Index) -> None:
    for terms in (["reform"], ["supervision"], ["capacity building"], ["safety"]):
        assert set(ids(run(padded, *terms))) == set(ids(run(real, *terms))), terms


# ---- text written without spaces ----------------------------------------------------------------


CJK = index_of(
    document(
        [
            directive(
                "ZH-1",
                title="加强特种设备安全监察",
                text="各级特种设备安全监察部门要加强风险防控，守住安全底线。",
                quote="加强风险防控",
                tags=("风险防控",),
                category="risk",
            ),
            directive(
                "ZH-2",
                title="推进电梯维保改革",
                text="深化“放管服”改革，推进电梯维护保养模式改革。",
                quote="推进电梯维保改革",
                category="reform",
            ),
            directive(
                "ZH-3",
                title="落实企业主体责任",
                text="企业要落实安全主体责任，建立ISO9001质量体系。",
                quote="落实企业主体责任",
                speaker="陈钢",
            ),
            directive(
                "JA-1",
                title="エレベーターの安全点検",
                text="エレベーターの定期点検を強化する。",
                quote="定期点検",
            ),
        ],
        categories=(("general", "一般"), ("risk", "风险防控"), ("reform", "改革")),
    )
)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("安全监察", ["ZH-1"]),  # a word
        ("全监", ["ZH-1"]),  # any substring, across word boundaries
        ("电梯", ["ZH-2"]),  # two characters
        ("梯", ["ZH-2"]),  # one character
        ("放管服", ["ZH-2"]),  # inside typographic quotes
        ("责任", ["ZH-3"]),
        ("陈钢", ["ZH-3"]),  # the speaker
        ("ISO9001", ["ZH-3"]),  # Latin inside Chinese text
        ("ＩＳＯ９００１", ["ZH-3"]),  # full-width forms
        ("エレベーター", ["JA-1"]),
        ("点検", ["JA-1"]),
        ("安全改革", []),  # both words occur, but not as one run
    ],
)
def test_spaceless_scripts_match_substrings(term: str, expected: list[str]) -> None:
    assert ids(run(CJK, term)) == expected


def test_spaceless_terms_combine_and_rank() -> None:
    assert sorted(ids(run(CJK, "安全"))) == ["JA-1", "ZH-1", "ZH-3"]
    assert ids(run(CJK, "安全", "企业")) == ["ZH-3"]
    assert ids(run(CJK, "安全"))[0] == "ZH-1"  # in its title, twice in its text
    assert ids(run(CJK, "风险防控", fields=("category",))) == ["ZH-1"]


def test_spaceless_matches_report_fields_and_words() -> None:
    (hit,) = run(CJK, "安全监察")
    assert hit.matched == ("title", "text")
    assert hit.terms == ("安全监察",)
    (hit,) = run(CJK, "ｉｓｏ９００１")
    assert hit.terms == ("ISO9001",)


# ---- misspellings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["elevater"], ["elevator"]),  # known only from a statistic
        (["acidents"], ["accidents"]),
        (["credt"], ["credit"]),
        (["mecanism"], ["mechanism"]),
        (["supervison"], ["supervision"]),
        (["serious acidents"], ["serious accidents"]),  # a phrase comes back whole
        (["credit", "insurence"], []),  # "insurence" stems like "insurance": not misspelled
        (["credit", "accidents"], []),  # both known: nothing to suggest
        (["qwxzv"], []),  # nothing close
        (["安全改革"], []),
    ],
)
def test_suggest(terms: list[str], expected: list[str]) -> None:
    index = CJK if terms == ["安全改革"] else SAMPLE
    assert search.suggest(index, terms) == expected


@pytest.mark.parametrize("term", ["don't", "staff", "a a", "x"])
def test_no_far_fetched_suggestions(real: store.Index, term: str) -> None:
    assert search.suggest(real, [term]) == []


def test_words_only_in_the_meeting_record_are_named(real: store.Index) -> None:
    assert search.outside_directives(real, ["elevator", "credit", "Xinjiang"]) == [
        "elevator",
        "xinjiang",
    ]
    assert search.outside_directives(real, ["qwxzv"]) == []


def test_suggest_from_the_real_catalogue(real: store.Index) -> None:
    assert search.suggest(real, ["grasroots"]) == ["grassroots"]
    assert search.suggest(real, ["rsik"]) == ["risk"]
    assert search.suggest(real, ["dubble prevention"]) == ["double prevention"]
    assert search.suggest(real, ["responsability"]) == []  # stems like responsibility


# ---- checking a query ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SearchQuery(terms=()), "give at least one search term"),
        (SearchQuery(terms=("credit", " ")), "a search term is empty"),
        (SearchQuery(terms=("x",), fields=("body",)), "unknown field 'body' for --in (valid:"),
        (SearchQuery(terms=("x",), limit=-1), "the limit must be 0 or more"),
        (SearchQuery(terms=("*",)), "use --regex to search for punctuation"),
        (SearchQuery(terms=("x\udcff",)), "is not valid text (undecodable bytes)"),
        (SearchQuery(terms=("(a",), regex=True), "missing ), unterminated subpattern"),
        (SearchQuery(terms=("a" * 1001,), regex=True), "the limit is 1000"),
    ],
)
def test_check_query(query: SearchQuery, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        search.check_query(query)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


def test_valid_queries_pass() -> None:
    search.check_query(SearchQuery(terms=("credit",), fields=search.SEARCH_FIELDS_ALLOWED))
    search.check_query(SearchQuery(terms=(r"\*",), regex=True))
    search.check_query(SearchQuery(terms=("a+",), regex=True, limit=0))


# ---- regex --------------------------------------------------------------------------------------


def test_regex_matches_fields_case_insensitively() -> None:
    hits = run(SAMPLE, r"supervis(ion|ed)\b", regex=True)
    assert set(ids(hits)) == {"A-1", "A-3", "A-4"}
    assert all(h.terms == ("supervision",) for h in hits)
    assert ids(run(SAMPLE, "RÉFORME", regex=True)) == ["A-4"]


def test_regex_anchors_apply_to_each_tag() -> None:
    assert ids(run(SAMPLE, "^supervision$", regex=True, fields=("tags",))) == ["A-1"]


def test_regex_honours_fields_filters_any_and_limit() -> None:
    assert ids(run(SAMPLE, "credit", regex=True, fields=("tags",))) == ["A-3"]
    assert ids(run(SAMPLE, "opening", regex=True, fields=("category",))) == ["A-1", "A-4"]
    assert ids(run(SAMPLE, "credit", "accident", regex=True)) == []
    assert set(ids(run(SAMPLE, "credit", "accident", regex=True, any_term=True))) == {
        "A-2",
        "A-3",
    }
    filtered = run(SAMPLE, "supervision", regex=True, filters=Filters(acts=("requested",)))
    assert ids(filtered) == ["A-4"]
    assert len(run(SAMPLE, "e", regex=True, limit=2)) == 2


def test_regex_ranks_by_weighted_matches() -> None:
    hits = run(SAMPLE, "supervision", regex=True)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    (title_only,) = run(SAMPLE, "working", regex=True)
    assert title_only.score == search.WEIGHTS["title"]
    assert title_only.matched == ("title",)


def test_regex_searches_spaceless_text() -> None:
    assert ids(run(CJK, "电梯.{0,4}改革", regex=True)) == ["ZH-2"]


PATHOLOGICAL = [
    (r"(a+)+$", "a" * 40 + "!"),
    (r"(a|a)*b", "a" * 40),
    (r"(.*a){20}", ("x" * 30 + "a") * 19),
]


@pytest.mark.parametrize(("pattern", "text"), PATHOLOGICAL, ids=[p for p, _ in PATHOLOGICAL])
def test_a_pathological_regex_is_stopped(pattern: str, text: str) -> None:
    index = index_of(document([directive("OK-1"), directive("BAD-1", text=text)]))
    started = time.monotonic()
    with pytest.raises(UsageError) as caught:
        run(index, pattern, regex=True)
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert "ran for over 1 s on directive BAD-1" in message
    assert "simplify the pattern" in message
    assert elapsed < 30  # a sanity bound only: without the guard this takes years


def test_the_guard_restores_the_previous_alarm_handler() -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGALRM, mine)
    try:
        run(SAMPLE, "credit", regex=True)
        with pytest.raises(UsageError):
            index = index_of(document([directive("BAD-1", text="a" * 40 + "!")]))
            run(index, r"(a+)+$", regex=True)
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_regex_is_refused_off_the_main_thread() -> None:
    import threading

    errors: list[BaseException] = []

    def work() -> None:
        try:
            run(SAMPLE, "credit", regex=True)
        except UsageError as exc:
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert len(errors) == 1
    assert "main thread" in str(errors[0])


# ---- the index ----------------------------------------------------------------------------------


def test_index_directives_builds_its_tables_from_rows() -> None:
    conn = sqlite3.connect(":memory:")
    rows = [(0, directive("R-1", title="Credit"), "General"), (1, directive("R-2"), "Risk")]
    store.index_directives(conn, iter(rows))
    assert conn.execute("SELECT value FROM search_meta WHERE name = 'rows'").fetchone() == (2,)
    found = conn.execute("SELECT rowid FROM search_words WHERE search_words MATCH 'credit'")
    assert found.fetchall() == [(0,)]
    found = conn.execute("SELECT rowid FROM search_words WHERE search_words MATCH 'risk'")
    assert found.fetchall() == [(1,)]


def test_possessives_find_the_plain_word(real: store.Index) -> None:
    plain = [h.directive.id for h in run_query(real, "market")]
    assert plain
    assert [h.directive.id for h in run_query(real, "market's")] == plain
    assert [h.directive.id for h in run_query(real, "market\u2019s")] == plain
    assert [h.directive.id for h in run_query(real, "government's")] == [
        h.directive.id for h in run_query(real, "government")
    ]


def run_query(index: store.Index, term: str) -> list[Hit]:
    return search.search(index, SearchQuery(terms=(term,)))


# ---- how people ask: function words, compounds (issue 14) ---------------------------------------


def test_function_words_are_not_required_outside_a_phrase(real: store.Index) -> None:
    assert ids(run(real, "training", "of", "personnel"))[:1] == ["CB-5"]
    assert ids(run(real, "how", "to", "prevent", "serious", "accidents"))[:1] == ["RC-5"]
    assert run(real, "the", "role", "of", "credit") == run(real, "role", "credit")


def test_a_phrase_keeps_every_word_in_order(real: store.Index) -> None:
    assert "RC-1" in ids(run(real, "prevention and control"))
    assert run(real, "control and prevention") == []
    assert run(real, "training of personnel") == []  # the text says "personnel training"


def test_a_query_of_function_words_only_searches_for_them() -> None:
    hits = run(SAMPLE, "the", "of")
    assert hits and all({"the", "of"} <= {t.casefold() for t in h.terms} for h in hits)


def test_matched_fields_and_words_leave_function_words_out() -> None:
    index = index_of(
        document(
            [
                directive(
                    "W-1", title="Credit", text="Nothing.", quote="q", addressees=("all of them",)
                )
            ]
        )
    )
    (hit,) = run(index, "credit", "of", "them")
    assert hit.matched == ("title",)
    assert hit.terms == ("Credit",)


def test_chinese_terms_are_cut_at_function_characters() -> None:
    assert ids(run(CJK, "特种设备的安全")) == ["ZH-1"]
    assert ids(run(CJK, "风险防控与安全底线")) == ["ZH-1"]
    (hit,) = run(CJK, "特种设备的安全监察")
    assert hit.terms == ("特种设备", "安全监察")
    assert ids(run(CJK, "的")) == []  # searched for, and no directive has it


SPELLINGS = index_of(
    document(
        [
            directive("S-1", title="Strengthen grassroots capacity"),
            directive("S-2", title="Strengthen grass-roots capacity"),
            directive("S-3", title="Strengthen grass roots capacity"),
            directive("S-4", title="Roots of grass"),
            directive("S-5", title="Over all the country", text="The overall situation."),
        ]
    )
)


@pytest.mark.parametrize(
    "term",
    ["grassroots", "grass-roots", "grass roots", "Grass‑Roots", "grass-root", "grassroot",
     "grassroots capacity", "grass-roots capacity", "grass roots capacity"],
)  # fmt: skip
def test_a_compound_matches_in_every_spelling(term: str) -> None:
    assert sorted(ids(run(SPELLINGS, term))) == ["S-1", "S-2", "S-3"]


def test_compound_words_are_reported_as_the_text_spells_them() -> None:
    by_id = {h.directive.id: h.terms for h in run(SPELLINGS, "grassroots")}
    assert by_id == {"S-1": ("grassroots",), "S-2": ("grass-roots",), "S-3": ("grass roots",)}
    by_id = {h.directive.id: h.terms for h in run(SPELLINGS, "grass-roots", "capacity")}
    assert by_id["S-1"] == ("grassroots", "capacity")


def test_function_words_are_never_a_compound() -> None:
    assert ids(run(SPELLINGS, "overall")) == ["S-5"]
    assert ids(run(SPELLINGS, "over all")) == ["S-5"]  # a phrase: "overall" is no spelling of it


def test_compounds_in_the_bundled_catalogue(real: store.Index) -> None:
    for term in (["grass-roots", "capacity"], ["grassroots"], ["grass roots"]):
        assert ids(run(real, *term))[:1] == ["CB-2"], term
    for term in (["post event"], ["postevent"], ["post-event"]):
        assert ids(run(real, *term))[:1] == ["RF-4"], term
    for term in (["top level"], ["toplevel"], ["top-level"]):
        assert ids(run(real, *term)) == ["RF-15"], term


def test_count_some_counts_what_any_would_find(real: store.Index) -> None:
    query = SearchQuery(terms=("insurance", "and", "credit"))
    assert run(real, *query.terms) == []
    assert search.count_some(real, query) == len(run(real, *query.terms, any_term=True)) == 2
    assert search.count_some(real, SearchQuery(terms=("insurance",))) == 0
    assert search.count_some(real, SearchQuery(terms=("insurance", "the"))) == 0
    assert search.count_some(real, SearchQuery(terms=("a", "b"), regex=True)) == 0
    filtered = SearchQuery(terms=query.terms, filters=Filters(categories=("reform",)))
    assert search.count_some(real, filtered) == 0
