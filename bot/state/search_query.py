"""What a reader's words look for (pure): the text folded as the search index holds
it, and the FTS5 query the words make (bot.state.search runs it).

The text is folded here, in Python, on both sides, because FTS5's own folding
(unicode61, remove_diacritics 2) leaves ł, ß, æ, œ, ø, đ and ı alone and makes a run
of Chinese or Japanese one word. Folded, `lodz` finds Łódź, `strasse` Straße, `oeuvre`
Œuvre, and 東京 finds 東京都 (each ideograph and kana is a word of its own; a reader's
word of several is a phrase).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

MAX_WORDS = 10  # a reader's words beyond these are not searched for

# Controls become spaces and lone surrogates go (sqlite3 cannot encode them); format
# characters go: zero-width spaces and joiners, bidi overrides, soft hyphens, BOMs,
# variation selectors and tags are invisible, so `ca\u200bfé` reads as café.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_HIDDEN = re.compile(
    "[\ud800-\udfff\u00ad\u061c\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U000e0000-\U000e0fff]"
)
# Accents on Latin and Greek letters; a Cyrillic letter keeps its (й is not и).
_ACCENTS = re.compile("(?<![\u0400-\u04ff])[\u0300-\u036f]+")
# Letters with no decomposition, as readers without them on their keyboard write them.
_LETTERS = str.maketrans(
    {"ł": "l", "đ": "d", "ð": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th",
     "ħ": "h", "ŧ": "t", "ё": "е"}
)  # fmt: skip
# Kana and ideographs: a word each, as a reader's 東京 is written within 東京都.
_IDEOGRAPHS = re.compile(
    "([\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f])"
)


def fold(text: str) -> str:
    """Text as the index holds it and a query looks for it: case and accents folded,
    ligatures and wide forms undone, invisible characters gone.

    The index is built with this: a change to it needs a migration that rebuilds the
    index (`build`), or old posts are folded one way and queries another."""
    if text.isascii():
        return _CONTROLS.sub(" ", text).lower()
    text = _HIDDEN.sub("", _CONTROLS.sub(" ", text))
    bare = _ACCENTS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    folded = unicodedata.normalize("NFC", bare).translate(_LETTERS)
    return _IDEOGRAPHS.sub(r" \1 ", folded)


_TOKEN = re.compile(r"[^\W_]+")  # FTS5's unicode61 words: letters and digits


def tokens(folded: str) -> list[str]:
    """The words of folded text, as FTS5 finds them in it."""
    return _TOKEN.findall(folded)


@dataclass(frozen=True)
class Query:
    """A reader's words: each a phrase of its tokens, all required; the last one's
    last token a prefix when `prefix`."""

    phrases: tuple[tuple[str, ...], ...]
    prefix: bool

    @property
    def last(self) -> str:
        """The token a prefix is of."""
        return self.phrases[-1][-1]


def query(words: str) -> Query | None:
    """The reader's words, folded and split as the index holds them; None for words
    with nothing to look for. FTS5 syntax (`"`, `*`, `-`, `:`, `^`, parentheses) is no
    word; AND, OR, NOT and NEAR are words like any other."""
    phrases: list[tuple[str, ...]] = []
    for word in words.split():
        found = tuple(tokens(fold(word)))
        if found and found not in phrases:
            phrases.append(found)
        if len(phrases) == MAX_WORDS:
            break
    if not phrases:
        return None
    return Query(tuple(phrases), prefix=len(phrases[-1][-1]) > 1)  # one letter: most words


def expression(query: Query, last: Sequence[str] | None = None) -> str:
    """The FTS5 query: quoted phrases (FTS5 reads nothing in them as syntax) joined
    by AND. The last one's prefix is FTS5's own (`"word"*`), or, given `last`, the
    words that have it, one phrase each (FTS5 reads every post a prefix is in when it
    has no index for it; a phrase it reads newest first, stopping at the page)."""
    quoted = [_quoted(phrase) for phrase in query.phrases]
    if query.prefix and last:
        head = query.phrases[-1][:-1]
        quoted[-1] = "(" + " OR ".join(_quoted((*head, word)) for word in last) + ")"
    elif query.prefix:
        quoted[-1] += "*"
    return " AND ".join(quoted)


def _quoted(phrase: Sequence[str]) -> str:
    return '"' + " ".join(phrase).replace('"', '""') + '"'


def match(words: str) -> str:
    """The FTS5 query for a reader's words with FTS5's own prefix; "" for none."""
    found = query(words)
    return expression(found) if found else ""


def too_many_words(words: str) -> bool:
    """More words than are searched for (the chat says so)."""
    return len(words.split(maxsplit=MAX_WORDS)) > MAX_WORDS
