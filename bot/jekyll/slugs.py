"""Jekyll's slugify, in all its modes (jekyll/utils.rb `slugify`), pure.

Permalinks use two of them: `:title` is the slug in "pretty" mode with its case kept,
`:slug`, `:name` and `:slugified_categories` are in "default" mode, lower-cased.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

MODES = ("raw", "default", "pretty", "ascii", "latin")
# Kept as they are in "pretty" mode besides letters, marks and digits: readable in a
# URL and allowed in file names.
_PRETTY_EXTRA = frozenset("._~!$&'()+,;=@")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_RUBY_SPACE = re.compile(r"[ \t\r\n\f\v]+")  # Ruby's \s: ASCII whitespace only
# The same rules for ASCII text (most slugs), as one regular expression each.
_ASCII_RUNS = {
    "default": re.compile(r"[^A-Za-z0-9]+"),
    "pretty": re.compile(r"[^A-Za-z0-9._~!$&'()+,;=@]+"),
    "ascii": re.compile(r"[^A-Za-z0-9]+"),
}
# I18n.transliterate's approximations of Latin letters that do not decompose.
_LATIN = str.maketrans(
    {
        "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th",
        "ı": "i", "ŀ": "l", "Ŀ": "L", "ŉ": "'n", "ŋ": "ng", "Ŋ": "NG", "ſ": "s",
    }
)  # fmt: skip


def _letter_mark_or_digit(char: str) -> bool:
    """Ruby's [\\p{M}\\p{L}\\p{Nd}]."""
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


_KEEP: dict[str, Callable[[str], bool]] = {
    "default": _letter_mark_or_digit,
    "pretty": lambda char: char in _PRETTY_EXTRA or _letter_mark_or_digit(char),
    "ascii": _ASCII_ALNUM.__contains__,
    "latin": _ASCII_ALNUM.__contains__,
}


@functools.lru_cache(maxsize=4096)  # categories repeat across posts
def slugify(text: str, mode: str = "default", *, cased: bool = False) -> str:
    """Runs of characters the mode does not keep become one hyphen; one hyphen is
    trimmed from each end; lower-cased unless `cased`. An unknown mode ("none")
    changes nothing but the case."""
    if mode not in MODES:
        return text if cased else text.lower()
    if mode == "raw":
        slug = _RUBY_SPACE.sub("-", text)
    elif text.isascii() and mode != "latin":
        slug = _ASCII_RUNS[mode].sub("-", text)
    else:
        if mode == "latin":
            text = _transliterate(text)
        slug = _replace_runs(text, _KEEP[mode])
    # Ruby's gsub(/^-|-$/, ""): one hyphen at each end, not every one.
    slug = slug[1:] if slug.startswith("-") else slug
    slug = slug[:-1] if slug.endswith("-") else slug
    return slug if cased else slug.lower()


def _replace_runs(text: str, keep: Callable[[str], bool]) -> str:
    out: list[str] = []
    in_run = False
    for char in text:
        if keep(char):
            out.append(char)
            in_run = False
        elif not in_run:
            out.append("-")
            in_run = True
    return "".join(out)


def _transliterate(text: str) -> str:
    """Accents dropped from Latin letters; any other non-ASCII character becomes "?",
    as I18n.transliterate does."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN))
    plain = (char for char in decomposed if not unicodedata.combining(char))
    return "".join(char if char.isascii() else "?" for char in plain)
