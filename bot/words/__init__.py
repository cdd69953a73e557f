"""postbode's own words ("Read more", the chat replies, the command menu) in the
languages it speaks, and which of them a language code means (pure).

One module per language holds its `Words`; `tests/test_words.py` holds each to
English's placeholders. Dates in a language are in bot.words.dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.words import bg, cs, de, en, es, fr, it, ja, ko, nl, pl, pt, ru, tr, uk, vi, zh
from bot.words import id as id_  # Indonesian; the name `id` is a builtin's
from bot.words.base import Words

__all__ = ["FALLBACK", "LANGUAGES", "Words", "pick", "resolve", "words"]

# In the order of the README's table: the two the project started with, then by region.
_ALL: Mapping[str, Words] = {
    "en": en.WORDS, "nl": nl.WORDS, "de": de.WORDS, "fr": fr.WORDS, "es": es.WORDS,
    "it": it.WORDS, "pt": pt.WORDS, "pl": pl.WORDS, "cs": cs.WORDS, "uk": uk.WORDS,
    "ru": ru.WORDS, "bg": bg.WORDS, "tr": tr.WORDS, "ja": ja.WORDS, "zh": zh.WORDS,
    "ko": ko.WORDS, "vi": vi.WORDS, "id": id_.WORDS,
}  # fmt: skip
LANGUAGES: tuple[str, ...] = tuple(_ALL)
FALLBACK = "en"  # for a language asked of `words` that postbode does not speak
# The primary subtag: "pt" of "pt-BR", "de" of "de_DE.UTF-8", "sr" of "sr@latin".
_PRIMARY = re.compile(r"[-_.@]")


def words(language: str) -> Words:
    """The words of `language` (one of LANGUAGES), English for any other."""
    return _ALL.get(language) or _ALL[FALLBACK]


def resolve(code: str | None) -> str | None:
    """The language of ours a code names, or None: Telegram's `language_code` ("en",
    "pt-br", "zh-hans"), a front matter `lang` ("en-GB"), a locale ("de_DE.UTF-8").

    Only the primary subtag counts: a Brazilian reader gets our Portuguese and a
    reader of Traditional Chinese our Simplified, which they read better than the
    fallback."""
    if not code:
        return None
    primary = _PRIMARY.split(code.strip().lower(), maxsplit=1)[0]
    return primary if primary in _ALL else None


def pick(*codes: str | None, fallback: str) -> str:
    """The first of `codes` that names a language of ours, else `fallback`."""
    for code in codes:
        found = resolve(code)
        if found is not None:
            return found
    return fallback
