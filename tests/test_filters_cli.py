"""Friendly filters end to end: speakers by whole words, comma lists on every repeatable
filter (both parsers), and the nearest valid value named for a typo."""

from __future__ import annotations

import pytest
import yaml

from conftest import BUNDLED, Invoke

pytestmark = pytest.mark.usefixtures("shared_cache")


def _ids(cli: Invoke, *args: str) -> list[str]:
    result = cli("list", *args, "-f", "ids")
    assert result.code == 0, result.err
    return result.out.splitlines()


def _bundled() -> list[dict[str, object]]:
    return list(yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))["directives"])


@pytest.mark.parametrize("value", ["chen", "CHEN", "gang", "Chen Gang", "chen  gang"])
def test_speaker_matches_whole_words_of_the_name(cli: Invoke, value: str) -> None:
    expected = [str(d["id"]) for d in _bundled() if d["speaker"] == "Chen Gang"]
    assert len(expected) == 29
    result = cli("list", "--speaker", value, "-f", "ids")
    assert result.code == 0, result.err
    assert result.out.splitlines() == expected
    assert result.err == ""


@pytest.mark.parametrize("value", ["che", "gang chen", "chen gangs"])
def test_speaker_part_of_a_word_matches_nothing_and_says_so(cli: Invoke, value: str) -> None:
    result = cli("list", "--speaker", value, "-f", "ids")
    assert result.code == 0
    assert result.out == ""
    assert result.err.startswith(f"directives: note: no speaker {value!r} in the catalogue (")
    assert "Chen Gang" in result.err


@pytest.mark.parametrize(
    ("comma", "repeated"),
    [
        (("-c", "reform,capacity"), ("-c", "reform", "-c", "capacity")),
        (("--act", "stressed,demanded"), ("--act", "stressed", "--act", "demanded")),
        (("--speaker", "chen,conference"), ("--speaker", "chen", "--speaker", "conference")),
        (
            ("--act", "stressed, demanded", "-c", "reform"),
            ("--act=stressed", "--act=demanded", "-c", "reform"),
        ),
    ],
)
def test_every_repeatable_filter_takes_a_comma_list(
    cli: Invoke, comma: tuple[str, ...], repeated: tuple[str, ...]
) -> None:
    got = _ids(cli, *comma)
    assert got
    assert got == _ids(cli, *repeated)


def test_comma_list_of_tags_and_meetings(cli: Invoke) -> None:
    meeting = "special-equipment-safety-2019"
    assert _ids(cli, "--meeting", f"{meeting},{meeting}") == _ids(cli)
    tags = sorted({str(t) for d in _bundled() for t in d.get("tags") or []})  # type: ignore[attr-defined]
    two = tags[:2]
    expected = [str(d["id"]) for d in _bundled() if set(d.get("tags") or []) & set(two)]  # type: ignore[arg-type]
    assert _ids(cli, "--tag", ",".join(two)) == expected


def test_search_takes_comma_lists_too(cli: Invoke) -> None:
    both = cli("search", "supervision", "--act", "stressed,demanded", "-f", "ids")
    assert both.code == 0, both.err
    expected = [
        i
        for i in cli("search", "supervision", "-f", "ids").out.splitlines()
        if i in set(_ids(cli, "--act", "stressed") + _ids(cli, "--act", "demanded"))
    ]
    assert both.out.splitlines() == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-c", "reforms"), "unknown category 'reforms' (did you mean reform? valid: "),
        (("-c", "risk-contrl"), "unknown category 'risk-contrl' (did you mean risk-control? "),
        (("--act", "stresed"), "unknown act 'stresed' (did you mean stressed? valid: "),
        (
            ("--meeting", "special-equipment-safety-2018"),
            "unknown meeting 'special-equipment-safety-2018' (did you mean "
            "special-equipment-safety-2019? valid: ",
        ),
    ],
)
def test_unknown_value_names_the_nearest_before_listing_all(
    cli: Invoke, args: tuple[str, ...], message: str
) -> None:
    result = cli("list", *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"directives: error: {message}")


def test_unknown_value_far_from_any_lists_them_all(cli: Invoke) -> None:
    result = cli("list", "-c", "zzzz")
    assert result.code == 2
    assert result.err == (
        "directives: error: unknown category 'zzzz' "
        "(valid: capacity, overall, reform, responsibility, risk-control)\n"
    )
