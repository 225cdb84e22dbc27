"""Drafting a catalogue from a report's text: `directives draft REPORT`.

The steps live in their own modules, one job each: `lang` tells English from Chinese,
`sentences` cuts the text into sentences with their positions, `english` and `chinese`
find the instructions and split them into one clause per instruction, `meeting` and
`figures` read the meeting's facts, `words` makes titles and tags, `categorize` suggests
categories, `compose` puts a draft together and `yamlwrite` writes it.

Every drafted value is a stretch of the report or built from such stretches: the
drafting code never invents data, never prints, and imports nothing above `model`,
`errors` and `loader` (the loader only to read a catalogue of categories).

This file imports nothing: its modules import each other through the package
(`from directives_cli.draft import lexicon`), so a re-export here would put the package
on an import cycle. Callers take `compose.draft_report` from its own module.
"""
