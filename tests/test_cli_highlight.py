"""Search matches are highlighted in the table view in every script the search splits
without spaces: the highlight and the index read one table (textfold's)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Invoke, catalogue_text

#: How render.table marks a matched word (bold underline yellow) on a colour terminal.
MATCHED = "\x1b[1;4;33m"

#: (script, a title holding the term, the term searched for)
SAMPLES = [
    ("korean", "산업안전관리를 강화한다", "안전"),
    ("thai", "เสริมสร้างความปลอดภัยของลิฟต์", "ปลอดภัย"),
    ("japanese", "エレベーターの安全管理を強化する", "安全管理"),
    ("chinese", "加强特种设备监察", "设备监察"),
]


@pytest.fixture
def scripts_catalogue(write_catalogue: Callable[[str, str], Path]) -> Path:
    directives = [
        {"id": f"S-{n}", "title": title, "text": f"{title}.", "quote": f"quote {n}"}
        for n, (_, title, _) in enumerate(SAMPLES, start=1)
    ]
    return write_catalogue(catalogue_text(directives), "scripts.yaml")


@pytest.mark.parametrize(("script", "title", "term"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_a_match_in_a_spaceless_script_is_highlighted_in_the_table(
    cli: Invoke, scripts_catalogue: Path, script: str, title: str, term: str
) -> None:
    args = ("search", term, "--catalog", str(scripts_catalogue), "-f", "table")
    result = cli(*args, "--color", "always", env={"COLUMNS": "200", "TERM": "xterm"})
    assert result.code == 0, result.err
    found = cli("search", term, "--catalog", str(scripts_catalogue), "-f", "ids")
    assert found.out.split() == [f"S-{[s[0] for s in SAMPLES].index(script) + 1}"]
    assert f"{MATCHED}{term}" in result.out
