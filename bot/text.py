"""Plain-text helpers shared by post reading and summaries (pure functions)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

ELLIPSIS = "…"

# Whitespace but a single space (that stays as it is: most of a text's whitespace).
_WHITESPACE = re.compile(r"(?: \s|[^\S ])\s*")
_SPACE = re.compile(r"\s")
# Unicode category Cc (C0 and C1 controls) and Cs (lone surrogates).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) and a space.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s)")


def clean_text(text: str) -> str:
    """Drop control characters and collapse all whitespace to single spaces.

    Format characters (zero-width joiners in emoji, RTL marks) are kept: they are
    part of the text a reader sees.
    """
    # Printable: no control and no whitespace but spaces (a test in C, faster than the
    # regexes' scans), so most text only needs its ends trimmed.
    if text.isprintable() and "  " not in text:
        return text.strip()
    # Whitespace controls (tab, newline) become spaces first; the other controls go.
    return _CONTROLS.sub("", _WHITESPACE.sub(" ", text)).strip()


def strip_controls(text: str) -> str:
    """Remove control characters but keep newlines (for multi-line console output)."""
    if text.replace("\n", "").isprintable():  # most text: no control to look for
        return text
    return _CONTROLS_BUT_NEWLINE.sub("", text)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts in. Encoded, not counted
    per character: rendering measures every candidate cut. A lone surrogate counts 1."""
    if text.isascii():  # a flag of the string, not a scan
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def shorten(text: str, budget: int, measure: Callable[[str], int]) -> str:
    """Return `text`, or its longest prefix that fits `budget` as counted by `measure`.

    Cuts at the end of a sentence when that keeps at least a third of the
    budget, else at a word boundary followed by "…"; a text without spaces is cut
    between graphemes. `measure` must grow with the length of its argument.
    """
    if measure(text) <= budget:
        return text
    if budget <= 0:
        return ""
    # No cut past a prefix that is over budget on its own can fit (measure grows with
    # length): where a budget's worth of characters is, only the cuts before it count.
    head = text[: budget + 1]
    if len(head) == len(text) or measure(head.rstrip()) <= budget:
        head = text
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    sentence_cut, size = _longest_fitting(sentence_ends, text, "", budget, measure)
    if sentence_cut and size * 3 >= budget:
        return sentence_cut
    word_ends = [m.start() for m in _SPACE.finditer(head)]
    word_cut, size = _longest_fitting(word_ends, text, ELLIPSIS, budget, measure)
    if word_cut and size * 3 >= budget:
        return word_cut
    grapheme_ends = _grapheme_boundaries(text, budget)
    return _longest_fitting(grapheme_ends, text, ELLIPSIS, budget, measure)[0]


def _longest_fitting(
    cuts: list[int], text: str, suffix: str, budget: int, measure: Callable[[str], int]
) -> tuple[str, int]:
    """Binary-search the cut positions for the longest prefix (+ suffix) within budget;
    with what it measures."""
    best, best_size = "", 0
    lo, hi = 0, len(cuts) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        prefix = text[: cuts[mid]].rstrip()
        if not prefix:
            lo = mid + 1
            continue
        candidate = prefix + suffix
        size = measure(candidate)
        if size <= budget:
            best, best_size = candidate, size
            lo = mid + 1
        else:
            hi = mid - 1
    return best, best_size


def _grapheme_boundaries(text: str, budget: int) -> list[int]:
    """Code-point offsets after each of the first `budget` graphemes."""
    import grapheme  # rarely needed (a text without spaces): not imported at start-up

    ends = []
    offset = 0
    for cluster in grapheme.graphemes(text):
        offset += len(cluster)
        ends.append(offset)
        if len(ends) > budget:
            break
    return ends


@functools.lru_cache(maxsize=4096)  # categories repeat: a first run asks 100,000 times
def search_key(text: str) -> str:
    """What two spellings of a name share: "ÉCONOMIE", "Economie" and "economie" all
    give "economie" (accents dropped, case folded, spaces collapsed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())
