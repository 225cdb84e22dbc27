"""yamlsafe: the small, safe YAML the catalogue is written in.

Every behaviour is checked on both parsers: libyaml (the fast path) and PyYAML's
pure-Python one (what machines without libyaml run).
"""

from __future__ import annotations

import gc

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directives_cli import yamlsafe
from directives_cli.yamlsafe import Flaw, locate, parse

PARSERS = [
    pytest.param(
        True, id="libyaml", marks=pytest.mark.skipif(not yamlsafe.HAVE_LIBYAML, reason="")
    ),
    pytest.param(False, id="pure-python"),
]


@pytest.fixture(params=PARSERS)
def libyaml(request: pytest.FixtureRequest) -> bool:
    """Run the test once per parser."""
    return bool(request.param)


def value_of(data: bytes, libyaml: bool) -> object:
    """The plain data of a document that must parse without any flaw."""
    parsed = parse(data, use_libyaml=libyaml)
    assert parsed.complete and parsed.flaws == (), parsed.flaws
    return parsed.value


def flaws_of(data: bytes, libyaml: bool) -> list[str]:
    """The flaws of a document, as line:column: message."""
    return [f"{f.line}:{f.column}: {f.message}" for f in parse(data, use_libyaml=libyaml).flaws]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("no", "no"),
        ("yes", "yes"),
        ("off", "off"),
        ("true", "true"),
        ("2018", "2018"),
        ("2019-01-24", "2019-01-24"),
        ("2019-01-24 10:00:00", "2019-01-24 10:00:00"),
        ("1.10", "1.10"),
        ("-45%", "-45%"),
        ("0x1F", "0x1F"),
        ("012", "012"),
        ("1e3", "1e3"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("1_000", "1_000"),
        ("<<", "<<"),
        ("=", "="),
        ("'null'", "null"),
        ('"~"', "~"),
        ("''", ""),
        ("|\n  two\n  lines\n", "two\nlines\n"),
        (">-\n  folded\n  text\n", "folded text"),
    ],
)
def test_scalars_stay_the_string_written(written: str, kept: str, libyaml: bool) -> None:
    assert value_of(f"key: {written}\n".encode(), libyaml) == {"key": kept}


@pytest.mark.parametrize("written", ["", "~", "null", "Null", "NULL"])
def test_only_plain_null_forms_are_none(written: str, libyaml: bool) -> None:
    assert value_of(f"key: {written}\n".encode(), libyaml) == {"key": None}


def test_collections_become_dicts_and_lists(libyaml: bool) -> None:
    data = b"a:\n  - x\n  - {b: [1, ~], c: d}\n  - []\ne: {}\n"
    assert value_of(data, libyaml) == {"a": ["x", {"b": ["1", None], "c": "d"}, []], "e": {}}


def test_duplicate_keys_keep_the_first_and_are_reported(libyaml: bool) -> None:
    data = b"a: 1\nb:\n  c: 2\n  c: 3\na: 4\n"
    parsed = parse(data, use_libyaml=libyaml)
    assert parsed.complete
    assert parsed.value == {"a": "1", "b": {"c": "2"}}
    assert flaws_of(data, libyaml) == [
        "4:3: duplicate key 'c' (first at line 3)",
        "5:1: duplicate key 'a' (first at line 1)",
    ]


def test_keys_that_look_alike_in_yaml_11_are_different_strings(libyaml: bool) -> None:
    # PyYAML's SafeLoader would read both keys as True and silently keep one.
    assert value_of(b"yes: 1\ntrue: 2\n", libyaml) == {"yes": "1", "true": "2"}


def test_collection_keys_are_refused(libyaml: bool) -> None:
    assert flaws_of(b"? [a, b]\n: c\nd: e\n", libyaml) == [
        "1:3: a mapping key must be a plain string"
    ]


@pytest.mark.parametrize(
    ("data", "tag"),
    [
        (b"a: !!python/object/apply:os.system ['echo pwned']\n", "!!python/object/apply:os.system"),
        (b"a: !!python/name:os.system\n", "!!python/name:os.system"),
        (b"a: !!str 5\n", "!!str"),
        (b"a: !!int 5\n", "!!int"),
        (b"a: !!binary aGVsbG8=\n", "!!binary"),
        (b"a: !!set {x}\n", "!!set"),
        (b"a: !custom {x: 1}\n", "!custom"),
        (b"a: !<tag:example.com,2000:x> y\n", "tag:example.com,2000:x"),
        (b"%TAG ! tag:example.com,2000:\n---\na: !x y\n", "tag:example.com,2000:x"),
    ],
)
def test_explicit_tags_are_refused(data: bytes, tag: str, libyaml: bool) -> None:
    flaws = parse(data, use_libyaml=libyaml).flaws
    assert [f.message for f in flaws] == [
        f"tag '{tag}' is not allowed: catalogues use plain YAML, no tags"
    ]


def test_tagged_values_are_never_constructed(libyaml: bool) -> None:
    parsed = parse(b"a: !!python/object/new:builtins.set [[1]]\n", use_libyaml=libyaml)
    assert parsed.value == {"a": [["1"]]}


@pytest.mark.parametrize(
    ("data", "flaw"),
    [
        (b"a: &x 1\n", "1:4: anchor '&x' is not allowed: catalogues use no anchors or aliases"),
        (b"a: *x\n", "1:4: alias '*x' is not allowed: catalogues use no anchors or aliases"),
        (b"- &a [*a]\n", "1:3: anchor '&a' is not allowed: catalogues use no anchors or aliases"),
        (
            b"{a: &k b, c: *k}",
            "1:5: anchor '&k' is not allowed: catalogues use no anchors or aliases",
        ),
        (
            b"&root\nkey: value\n",
            "1:1: anchor '&root' is not allowed: catalogues use no anchors or aliases",
        ),
    ],
)
def test_anchors_and_aliases_are_refused(data: bytes, flaw: str, libyaml: bool) -> None:
    parsed = parse(data, use_libyaml=libyaml)
    assert not parsed.complete
    assert flaws_of(data, libyaml) == [flaw]


def test_billion_laughs_stops_at_the_first_anchor(libyaml: bool) -> None:
    lines = [b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, prev in zip(b"bcdefghi", b"abcdefgh", strict=True):
        refs = b",".join([b"*" + bytes([prev])] * 9)
        lines.append(bytes([name]) + b": &" + bytes([name]) + b" [" + refs + b"]")
    data = b"\n".join(lines) + b"\n"
    assert flaws_of(data, libyaml) == [
        "1:4: anchor '&a' is not allowed: catalogues use no anchors or aliases"
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"title: R&D and safety\n",
        b"text: 5 * 3 = 15\n",
        b"text: '&quoted *words'\n",
        b"text: a&b\n",
        b"text: x *\n",
        b"text: & alone\n".replace(b"& alone", b"a & b"),
    ],
)
def test_ampersands_and_stars_in_text_are_plain_text(data: bytes, libyaml: bool) -> None:
    parsed = parse(data, use_libyaml=libyaml)
    assert parsed.complete and not parsed.flaws


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a: R&D\n", False),
        (b"a: 5 * 3\n", False),
        (b"a: b&\n", False),
        (b"a: &x 1\n", True),
        (b"a: *x\n", True),
        (b"&x a: 1\n", True),
        (b"[&x a]", True),
        (b"{a:*x}", True),
        (b"\xef\xbb\xbf&x a\n", True),
        (b"text: '*quoted*'\n", False),
        (b"text: a *b c\n", True),  # a false alarm: only slower, never wrong
        ("a: [1,\u2028&x b]\n".encode(), True),  # after a Unicode line separator
        ("- x\u2029- &y z\n".encode(), True),
        ("a: 1\u0085&x b\n".encode(), True),
    ],
)
def test_anchor_prefilter_never_misses(data: bytes, expected: bool) -> None:
    assert yamlsafe.may_hold_anchors(data) is expected


@pytest.mark.parametrize("depth", [65, 1000, 50_000])
def test_deep_nesting_is_refused_without_recursion_error(depth: int, libyaml: bool) -> None:
    for data in (b"[" * depth + b"]" * depth, b"- " * depth + b"x", b"{a: " * depth + b"}" * depth):
        parsed = parse(data, use_libyaml=libyaml)
        assert not parsed.complete
        (flaw,) = parsed.flaws
        assert "nesting" in flaw.message


def test_nesting_up_to_the_limit_is_fine(libyaml: bool) -> None:
    depth = yamlsafe.MAX_DEPTH
    value = value_of(b"[" * depth + b"]" * depth, libyaml)
    for _ in range(depth - 1):
        assert isinstance(value, list)
        value = value[0]
    assert value == []


@pytest.mark.parametrize(
    ("data", "flaw"),
    [
        (b"a: b\x00c\n", "1:5: not UTF-8 text: NUL byte (is this a binary file?)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "3:1: not UTF-8 text: NUL byte (is this a binary file?)"),
        (
            b"a: 1\nb: na\xefve\n",
            "2:6: not UTF-8 text: invalid byte 0xEF (Latin-1 or another encoding? save the file"
            " as UTF-8)",
        ),
        (
            "a: Zürich\nb: café\n".encode().replace(b"caf\xc3\xa9", b"caf\xe9"),
            "2:7: not UTF-8 text: invalid byte 0xE9 (Latin-1 or another encoding? save the file"
            " as UTF-8)",
        ),
        (b"\xff\xfea\x00:\x00", "1:1: not UTF-8 text: the file is UTF-16; save it as UTF-8"),
    ],
)
def test_files_that_are_not_utf8_text(data: bytes, flaw: str) -> None:
    assert flaws_of(data, True) == [flaw]
    assert yamlsafe.text_flaw(data) is not None


def test_utf8_bom_is_accepted(libyaml: bool) -> None:
    assert value_of(b"\xef\xbb\xbfa: b\n", libyaml) == {"a": "b"}


def test_non_ascii_text_is_kept(libyaml: bool) -> None:
    assert value_of("a: 特种设备 “安全”\n".encode(), libyaml) == {"a": "特种设备 “安全”"}


def test_columns_count_characters_not_bytes(libyaml: bool) -> None:
    # "é" is two bytes: the ':' is the sixth character of line 2 but its eighth byte.
    (flaw,) = flaws_of("a: 1\nb: éé: c: d\n".encode(), libyaml)
    assert flaw.startswith("2:6: invalid YAML: mapping values are not allowed")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a: [b\n", "2:1: invalid YAML: "),
        (b"a:\n\tb: 1\n", "2:1: invalid YAML: a tab cannot be used here; indent with spaces"),
        (b"a: 1\n b: 2\n", "2:3: invalid YAML: mapping values are not allowed"),
        (b"a: 'open\n", "2:1: invalid YAML: found unexpected end of stream"),
        (b"a: b\x07\n", "1:5: invalid YAML: control character U+0007 is not allowed"),
        (
            b"a: 1\n---\nb: 2\n",
            "2:1: invalid YAML: but found another document",
        ),
    ],
)
def test_syntax_errors_name_their_position(data: bytes, expected: str, libyaml: bool) -> None:
    parsed = parse(data, use_libyaml=libyaml)
    assert not parsed.complete
    (flaw,) = parsed.flaws
    assert f"{flaw.line}:{flaw.column}: {flaw.message}".startswith(expected)


@pytest.mark.parametrize("data", [b"", b"\n\n", b"# nothing\n", b"\n# c\n\n", b"---\n"])
def test_empty_documents(data: bytes, libyaml: bool) -> None:
    parsed = parse(data, use_libyaml=libyaml)
    if parsed.complete:  # "---" alone is a document holding null
        assert parsed.value is None
    else:
        assert [f.message for f in parsed.flaws] == [
            "empty file: expected a mapping with schema, meeting, categories, directives"
        ]


def test_locate_finds_values_and_keys(libyaml: bool) -> None:
    data = b"a:\n  b: [x, y]\n  c:\n    - d: 1\n      e: 2\n"
    paths: list[tuple[yamlsafe.YamlPath, bool]] = [
        ((), False),
        (("a", "b", 1), False),
        (("a", "b"), True),
        (("a", "c", 0, "e"), False),
        (("a", "c", 0, "e"), True),
        (("a", "missing"), True),
        (("a", "b", 7), False),
    ]
    # A path that does not exist gives the deepest place it reaches.
    assert locate(data, paths) == [(1, 1), (2, 10), (2, 3), (5, 10), (5, 7), (1, 1), (2, 6)]


def test_locate_points_at_the_first_of_duplicate_keys() -> None:
    assert locate(b"a: 1\na: 2\n", [(("a",), True)]) == [(1, 1)]


def test_gc_paused_restores_the_previous_state() -> None:
    assert gc.isenabled()
    with yamlsafe.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), yamlsafe.gc_paused():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with yamlsafe.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_flaw_is_a_plain_value() -> None:
    assert Flaw(1, 2, "x") == Flaw(1, 2, "x")


# --- the two parsers agree ------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["no", "2018", "2019-01-24", "1.10", "~", "&x", "*y", "!t", "R&D"]),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS, st.booleans())
def test_parsers_agree_on_dumped_documents(document: object, flow: bool) -> None:
    data = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True).encode()
    fast, slow = parse(data), parse(data, use_libyaml=False)
    assert fast.complete == slow.complete
    assert fast.value == slow.value
    assert [(f.line, f.column) for f in fast.flaws] == [(f.line, f.column) for f in slow.flaws]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_parse_takes_any_bytes(data: bytes) -> None:
    for libyaml in (True, False):
        parsed = parse(data, use_libyaml=libyaml)
        assert parsed.complete or parsed.flaws
        assert all(f.line >= 1 and f.column >= 1 for f in parsed.flaws)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab:-[]{},&*!|>'\"#?\n \t~", max_size=80))
def test_parse_takes_any_yaml_punctuation(text: str) -> None:
    for libyaml in (True, False):
        parsed = parse(text.encode(), use_libyaml=libyaml)
        assert parsed.complete or parsed.flaws


def test_locate_in_a_document_that_no_longer_parses_gives_the_start() -> None:
    assert locate(b"[", [((), False), (("a", 1), True)]) == [(1, 1), (1, 1)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab&*:-[]{},?! \n\t\u0085\u2028\u2029\ufeff'\"", max_size=40))
def test_anchor_prefilter_has_no_false_negatives(text: str) -> None:
    """Whatever libyaml reads as an anchor or alias, the prefilter must have flagged."""
    data = text.encode()
    try:
        events = list(yaml.parse(data, Loader=yaml.CSafeLoader))
    except yaml.YAMLError:
        return
    if any(getattr(event, "anchor", None) is not None for event in events):
        assert yamlsafe.may_hold_anchors(data)
