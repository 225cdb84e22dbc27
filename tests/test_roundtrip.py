"""Arbitrary text in every field survives the whole trip: catalogue file, loader, index,
CLI, and back out through every lossless format, one record per line in plain."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, catalogue_text

#: Text a catalogue may hold: anything but lone surrogates (not UTF-8), and not blank
#: (the loader refuses empty text, by design).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda t: t.strip() != ""
)


@st.composite
def directives(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(min_value=1, max_value=3))
    return [
        {
            "id": f"X-{n}",
            "title": draw(TEXT),
            "text": draw(TEXT),
            "speaker": draw(TEXT),
            "quote": draw(TEXT),
            "addressees": draw(st.lists(TEXT, max_size=2)),
            "tags": draw(st.lists(TEXT, max_size=2)),
        }
        for n in range(1, count + 1)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(written=directives())
def test_every_field_round_trips_through_the_cli(
    cli: Invoke, written: list[dict[str, object]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalogue.yaml"
        path.write_text(catalogue_text(written), encoding="utf-8")
        catalog = ["--catalog", str(path), "--no-cache"]
        keys = ("id", "title", "text", "speaker", "quote", "addressees", "tags")

        def expected() -> list[dict[str, object]]:
            return [{k: d[k] for k in keys} for d in written]

        def picked(records: list[dict[str, object]]) -> list[dict[str, object]]:
            return [{k: r[k] for k in keys} for r in records]

        result = cli("list", "-f", "json", *catalog)
        assert result.code == 0, result.err
        assert picked(json.loads(result.out)) == expected()
        lines = cli("list", "-f", "jsonl", *catalog).out.splitlines()
        assert picked([json.loads(line) for line in lines]) == expected()
        assert picked(yaml.safe_load(cli("list", "-f", "yaml", *catalog).out)) == expected()
        rows = list(csv.DictReader(io.StringIO(cli("list", "-f", "csv", *catalog).out, newline="")))
        for row in rows:
            row["addressees"] = json.loads(row["addressees"])
            row["tags"] = json.loads(row["tags"])
        assert picked(rows) == expected()  # type: ignore[arg-type]
        plain = cli("list", "-f", "plain", "--fields", "id,title,text,quote", *catalog).out
        assert [line.split("\t")[0] for line in plain.split("\n")[:-1]] == [
            d["id"] for d in written
        ]
