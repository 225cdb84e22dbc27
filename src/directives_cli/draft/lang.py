"""Which language a report is written in."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("en", "zh")


def detect(text: str) -> str:
    """'zh' when Han characters make up a fair share of the letters, else 'en'.

    A Chinese report quotes Latin names and figures now and then, and an English one
    may carry a Chinese name, so the share decides rather than the first character.
    """
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if han and han * 3 >= latin else "en"
