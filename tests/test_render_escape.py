"""Escaping catalogue text for terminals and line formats (render/escape.py)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directives_cli.render.escape import (
    DANGEROUS,
    escape_char,
    escape_field,
    unescape_field,
    visible,
)

RAW_DANGER = re.compile(f"[{DANGEROUS}]")

ARBITRARY = st.text(st.characters(blacklist_categories=()))


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]52;c;SGVsbG8=\x07", "\\x1b]52;c;SGVsbG8=\\x07"),
        ("a\x00b", "a\\x00b"),
        ("del\x7f", "del\\x7f"),
        ("\x9b31m", "\\x9b31m"),
        ("\x85", "\\x85"),
        ("tab\tnl\ncr\r", "tab\\tnl\\ncr\\r"),
        ("\u202eevil\u202c", "\\u202eevil\\u202c"),
        ("\u2066x\u2069\u200e\u200f\u061c", "\\u2066x\\u2069\\u200e\\u200f\\u061c"),
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),
        ("zw\u200bsp\ufeff\u2060", "zw\\u200bsp\\ufeff\\u2060"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\ud800", "lone\\ud800"),
    ],
)
def test_visible_escapes_every_dangerous_character(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize(
    "safe",
    [
        "plain words",
        "Use [/] to close [bold]x[link=http://e]y",
        "C:\\temp\\x1b is already text",
        "emoji 👩\u200d👩\u200d👧 and ZWNJ می\u200cخواهم",
        "中文 特种设备安全监察 ، é ñ ü",
        "\u00a0non-breaking and \u3000 ideographic spaces",
    ],
)
def test_visible_leaves_ordinary_text_alone(safe: str) -> None:
    assert visible(safe) == safe


def test_visible_can_keep_line_breaks_for_long_bodies() -> None:
    assert visible("one\ntwo\r\n\tthree\x1b", keep_newlines=True) == "one\ntwo\\r\n\\tthree\\x1b"


def test_escape_field_doubles_backslashes_so_it_is_reversible() -> None:
    assert escape_field("a\\tb\tc") == "a\\\\tb\\tc"
    assert unescape_field("a\\\\tb\\tc") == "a\\tb\tc"


@pytest.mark.parametrize(
    ("char", "spelling"),
    [
        ("\t", "\\t"),
        ("\\", "\\\\"),
        ("\x1b", "\\x1b"),
        ("\u202e", "\\u202e"),
        ("\U000e0001", "\\U000e0001"),
    ],
)
def test_escape_char_uses_python_spellings(char: str, spelling: str) -> None:
    assert escape_char(char) == spelling


@given(ARBITRARY)
def test_escape_field_is_one_safe_line_and_exactly_reversible(value: str) -> None:
    escaped = escape_field(value)
    assert RAW_DANGER.search(escaped) is None
    assert len(escaped.splitlines()) <= 1
    assert unescape_field(escaped) == value


@given(ARBITRARY)
def test_visible_never_lets_a_dangerous_character_through(value: str) -> None:
    assert RAW_DANGER.search(visible(value)) is None
    assert RAW_DANGER.search(visible(value, keep_newlines=True).replace("\n", "")) is None
