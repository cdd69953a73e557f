"""Full-text search over published posts (SPEC §11): an SQLite FTS5 index of their
title, lead, categories and tags, kept by the store in the transactions that change
the posts, and the query a reader's words make.

The text is folded here, in Python, on both sides, because FTS5's own folding
(unicode61, remove_diacritics 2) leaves ł, ß, æ, œ, ø, đ and ı alone and makes a run
of Chinese or Japanese one word. Folded, `lodz` finds Łódź, `strasse` Straße, `oeuvre`
Œuvre, and 東京 finds 東京都 (each ideograph and kana is a word of its own; a reader's
word of several is a phrase).

Best match first: the posts with all the words in their title, then those with them
in the title, categories and tags, then anywhere; newest first within each. The
index's rowid is the post's date (seconds, then the post id), so each of the three
is read newest first and stops at the page asked for: a word in half of 100,000 posts
costs what a rare one does. (Ranking by bm25 scores every match: 100 ms for such a
word.)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence

from bot.jekyll.posts import Post, Rejected

log = logging.getLogger(__name__)

TABLE = "post_search"
ROWS = "post_search_rows"  # post id -> its rowid in TABLE, to take it out again
MAX_WORDS = 10  # a reader's words beyond these are not searched for
MAX_OFFSET = 1000  # how deep paging goes
_ID_BITS = 24  # the rowid's low bits: the post id, for posts dated within one second
_ID_MASK = (1 << _ID_BITS) - 1

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


def match(words: str) -> tuple[str, ...]:
    """The FTS5 queries for a reader's words, best matches' first: () for words with
    nothing to look for.

    Each word is a quoted string (FTS5 then reads none of its syntax: `"`, `*`, `-`,
    `:`, `^`, parentheses, AND, OR, NOT and NEAR are text) and all are required; the
    last is a prefix when it ends in two letters or more."""
    phrases: list[str] = []
    for word in words.split():
        folded = fold(word).strip()
        if not any(ch.isalnum() for ch in folded):
            continue  # FTS5 would find no token in it: a phrase that matches nothing
        phrase = '"' + " ".join(folded.replace('"', '""').split()) + '"'
        if phrase not in phrases:
            phrases.append(phrase)
        if len(phrases) == MAX_WORDS:
            break
    if not phrases:
        return ()
    if len(phrases[-1][1:-1].split()[-1]) > 1:  # a prefix of one letter is most words
        phrases[-1] += "*"
    every = " AND ".join(phrases)
    return (
        f"{{title}} : ({every})",
        f"{{title labels}} : ({every}) NOT {{title}} : ({every})",
        f"({every}) NOT {{title labels}} : ({every})",
    )


def too_many_words(words: str) -> bool:
    """More words than are searched for (the chat says so)."""
    return len(words.split(maxsplit=MAX_WORDS)) > MAX_WORDS


def rowid(moment: dt.datetime, post_id: int) -> int:
    """Newer posts have larger rowids: the index reads them newest first."""
    return (math.floor(moment.timestamp()) << _ID_BITS) | (post_id & _ID_MASK)


# -- the index: created by migration m009, written by the store ----------------------


def create(db: sqlite3.Connection) -> None:
    """The index and its map of post ids, filled with the published posts."""
    # The prefix indexes make a last word of two or three letters as quick as a whole one.
    db.execute(
        f"create virtual table {TABLE} using fts5(title, lead, labels, post_id unindexed,"
        " tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3')"
    )
    db.execute(f"create table {ROWS} (post_id integer primary key, row integer not null)")
    rows = db.execute(
        "select id, date_utc, title, lead, categories, tags from posts where status = 'ready'"
    ).fetchall()
    _insert(
        db,
        (
            (post_id, dt.datetime.fromisoformat(date_utc), title or "", lead or "",
             [*json.loads(categories or "[]"), *json.loads(tags or "[]")])
            for post_id, date_utc, title, lead, categories, tags in rows
        ),
    )  # fmt: skip


Entry = tuple[int, dt.datetime, str, str, Sequence[str]]  # id, date, title, lead, labels


def index(db: sqlite3.Connection, posts: Sequence[tuple[int, Post | Rejected]]) -> None:
    """Posts as they are now into the index, in place of what it held for them (a
    rejected or unpublished one is taken out): inside the transaction that writes them."""
    forget(db, [post_id for post_id, _ in posts])
    _insert(
        db,
        (
            (post_id, post.date, post.title, post.lead, [*post.categories, *post.tags])
            for post_id, post in posts
            if isinstance(post, Post) and post.published
        ),
    )


def forget(db: sqlite3.Connection, post_ids: Sequence[int]) -> None:
    """Posts out of the index (withdrawn, unpublished, or about to be written again)."""
    if not post_ids:
        return
    found = [(post_id, row) for post_id, row in _rows_of(db, post_ids)]
    db.executemany(f"delete from {TABLE} where rowid = ?", [(row,) for _, row in found])
    db.executemany(f"delete from {ROWS} where post_id = ?", [(post_id,) for post_id, _ in found])


def _rows_of(db: sqlite3.Connection, post_ids: Sequence[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for start in range(0, len(post_ids), 500):  # SQLite's limit on parameters
        chunk = post_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        found += db.execute(
            f"select post_id, row from {ROWS} where post_id in ({marks})", list(chunk)
        ).fetchall()
    return found


def _insert(db: sqlite3.Connection, entries: Iterable[Entry]) -> None:
    rows = [
        (rowid(date, post_id), fold(title), fold(lead), fold(" ".join(labels)), post_id)
        for post_id, date, title, lead, labels in entries
    ]
    # Two posts dated within one second whose ids agree in their low 24 bits (16
    # million posts apart) share a rowid: the later one is found, not an error.
    db.executemany(
        f"insert or replace into {TABLE} (rowid, title, lead, labels, post_id)"
        " values (?, ?, ?, ?, ?)",
        rows,
    )
    db.executemany(
        f"insert or replace into {ROWS} (post_id, row) values (?, ?)",
        [(row[4], row[0]) for row in rows],
    )


def find(
    db: sqlite3.Connection, words: str, count: int, now: dt.datetime, offset: int = 0
) -> list[int]:
    """The ids of published posts dated up to `now` that hold all of `words`: best
    match first, newer first among equals, `count` of them from `offset` on."""
    queries = match(words)
    offset = max(offset, 0)
    wanted = offset + max(count, 0)
    if not queries or wanted == 0 or offset >= MAX_OFFSET:
        return []
    latest = rowid(now, _ID_MASK) | _ID_MASK
    found: list[int] = []
    try:
        for query in queries:
            found += [
                post_id
                for (post_id,) in db.execute(
                    f"select post_id from {TABLE} where {TABLE} match ? and rowid <= ?"
                    " order by rowid desc limit ?",
                    [query, latest, wanted - len(found)],
                )
            ]
            if len(found) >= wanted:
                break
    except sqlite3.Error as error:  # never a reader's problem: the tests hold match() to FTS5
        log.warning("search failed for a query of %d characters: %s", len(words), error)
        return []
    return found[offset:wanted]
