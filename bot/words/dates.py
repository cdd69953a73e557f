"""A post's date in a reader's language, short enough for a list line (pure).

"14 mei", "May 14", "14. Mai", "5月14日": CLDR's own pattern for a day and a month in
each language (through Babel), with the year when it is not this year. Babel costs
~30 ms to import and ~15 ms per language to load its data, so it is imported at the
first date asked for, not when postbode starts. A date then takes ~10 µs, and one
already shown (the same posts are asked for again and again) a lookup.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from bot.words import FALLBACK, LANGUAGES

if TYPE_CHECKING:
    from babel import Locale

SKELETON = "MMMd"  # CLDR skeletons: the fields wanted, each language orders and spells them
SKELETON_WITH_YEAR = "yMMMd"


def short_date(when: dt.datetime, language: str, now: dt.datetime) -> str:
    """`when` as its own zone has it; the year is left out when it is `now`'s there.
    A language postbode does not speak gets English, as its words do."""
    language = language if language in LANGUAGES else FALLBACK
    this_year = when.year == now.astimezone(when.tzinfo).year
    return _formatted(when.date(), language, SKELETON if this_year else SKELETON_WITH_YEAR)


@functools.lru_cache(maxsize=4096)
def _formatted(day: dt.date, language: str, skeleton: str) -> str:
    from babel.dates import format_date

    locale, pattern = _pattern(language, skeleton)
    return format_date(day, format=pattern, locale=locale)


@functools.cache
def _pattern(language: str, skeleton: str) -> tuple[Locale, str]:
    """The language's pattern for a skeleton: looked up once, it is CLDR data."""
    from babel import Locale
    from babel.dates import match_skeleton

    locale = Locale.parse(language)
    skeletons = locale.datetime_skeletons
    best = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    assert best is not None, skeleton  # CLDR has both for every language (tests/test_words.py)
    return locale, skeletons[best].pattern
