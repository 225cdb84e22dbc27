"""Drafting a catalogue from a report's text: `directives draft REPORT`.

The steps live in their own modules, one job each: `lang` tells English from Chinese,
`sentences` cuts the text into sentences with their positions, `english` and `chinese`
find the instructions and split them into one clause per instruction, `meeting` and
`figures` read the meeting's facts, `words` makes titles and tags, `categorize` suggests
categories, `compose` puts a draft together and `yamlwrite` writes it.

Every drafted value is a stretch of the report or built from such stretches: the
drafting code never invents data, never prints, and imports nothing above `model`,
`errors` and `loader` (the loader only to read a catalogue of categories).
"""

from __future__ import annotations

from directives_cli.draft.compose import DraftRequest, draft_report

__all__ = ["DraftRequest", "draft_report"]
