"""Full-text search over published posts (SPEC §11): SQLite FTS5 indexes of their
title, lead, categories and tags, kept by the store in the transactions that change
the posts, and the query a reader's words make.

The text is folded here, in Python, on both sides, because FTS5's own folding
(unicode61, remove_diacritics 2) leaves ł, ß, æ, œ, ø, đ and ı alone and makes a run
of Chinese or Japanese one word. Folded, `lodz` finds Łódź, `strasse` Straße, `oeuvre`
Œuvre, and 東京 finds 東京都 (each ideograph and kana is a word of its own; a reader's
word of several is a phrase).

Best match first: the posts with all the words in their title, then those with them
in the title, categories and tags, then anywhere; newest first within each. Each of
the three has an index of its own, whose rowid is the post's date (seconds, then the
post id): each is read newest first and stops at the page asked for (less what the
ones before found), so a word in half of 100,000 posts costs what a rare one does.
Ranking by bm25 scores every match instead (100 ms for such a word); one index with
column filters walks a lead's word through every post to find it in no title (5 ms);
and a prefix FTS5 has no prefix index for reads every post that has it (10 ms for a
word in every post): prefixes of 2 to 12 letters are indexed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import sqlite3
import unicodedata
from collections.abc import Sequence

from bot.jekyll.posts import Post, Rejected

log = logging.getLogger(__name__)

TABLE = "post_search"  # every word: title, lead, labels (categories and tags)
TITLES = "post_search_titles"  # the title's words
NAMES = "post_search_names"  # the title's and the labels' words
ROWS = "post_search_rows"  # post id -> its rowid in the three, to take it out again
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


def match(words: str) -> str:
    """The FTS5 query for a reader's words: "" for words with nothing to look for.

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
        return ""
    if len(phrases[-1][1:-1].split()[-1]) > 1:  # a prefix of one letter is most words
        phrases[-1] += "*"
    return " AND ".join(phrases)


def too_many_words(words: str) -> bool:
    """More words than are searched for (the chat says so)."""
    return len(words.split(maxsplit=MAX_WORDS)) > MAX_WORDS


def rowid(moment: dt.datetime, post_id: int) -> int:
    """Newer posts have larger rowids: the index reads them newest first."""
    return (math.floor(moment.timestamp()) << _ID_BITS) | (post_id & _ID_MASK)


# -- the index: created by migration m009, written by the store ----------------------


def create(db: sqlite3.Connection) -> None:
    """The indexes and the map of post ids, filled with the published posts."""
    options = "tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3 4 5 6 7 8 9 10 11 12'"
    db.execute(
        f"create virtual table {TABLE} using fts5(title, lead, labels, post_id unindexed,"
        f" {options})"
    )
    # Contentless: what they index is TABLE's, read back from it to take a post out.
    db.execute(f"create virtual table {TITLES} using fts5(title, content = '', {options})")
    db.execute(f"create virtual table {NAMES} using fts5(names, content = '', {options})")
    db.execute(f"create table {ROWS} (post_id integer primary key, row integer not null)")
    rows = db.execute(
        "select id, date_utc, title, lead, categories, tags from posts where status = 'ready'"
    ).fetchall()
    _insert(
        db,
        [
            (post_id, dt.datetime.fromisoformat(date_utc), title or "", lead or "",
             [*json.loads(categories or "[]"), *json.loads(tags or "[]")])
            for post_id, date_utc, title, lead, categories, tags in rows
        ],
    )  # fmt: skip


Entry = tuple[int, dt.datetime, str, str, Sequence[str]]  # id, date, title, lead, labels


def index(db: sqlite3.Connection, posts: Sequence[tuple[int, Post | Rejected]]) -> None:
    """Posts as they are now into the index, in place of what it held for them (a
    rejected or unpublished one is taken out): inside the transaction that writes them."""
    forget(db, [post_id for post_id, _ in posts])
    _insert(
        db,
        [
            (post_id, post.date, post.title, post.lead, [*post.categories, *post.tags])
            for post_id, post in posts
            if isinstance(post, Post) and post.published
        ],
    )


def forget(db: sqlite3.Connection, post_ids: Sequence[int]) -> None:
    """Posts out of the index (withdrawn, unpublished, or about to be written again)."""
    found: list[tuple[int, int, str, str]] = []
    for start in range(0, len(post_ids), 500):  # SQLite's limit on parameters
        chunk = list(post_ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        found += db.execute(
            f"select r.post_id, r.row, s.title, s.labels from {ROWS} r"
            f" join {TABLE} s on s.rowid = r.row where r.post_id in ({marks})",
            chunk,
        ).fetchall()
    if not found:
        return
    db.executemany(
        f"insert into {TITLES} ({TITLES}, rowid, title) values ('delete', ?, ?)",
        [(row, title) for _, row, title, _ in found],
    )
    db.executemany(
        f"insert into {NAMES} ({NAMES}, rowid, names) values ('delete', ?, ?)",
        [(row, f"{title} {labels}") for _, row, title, labels in found],
    )
    db.executemany(f"delete from {TABLE} where rowid = ?", [(row,) for _, row, _, _ in found])
    db.executemany(f"delete from {ROWS} where post_id = ?", [(post_id,) for post_id, *_ in found])


def _insert(db: sqlite3.Connection, entries: Sequence[Entry]) -> None:
    rows = []
    for post_id, date, title, lead, labels in entries:
        row = rowid(date, post_id)
        if post_id > _ID_MASK:  # 16 million posts: a rowid may be taken; the next free one
            while db.execute(f"select 1 from {TABLE} where rowid = ?", [row]).fetchone():
                row -= 1
        rows.append((row, fold(title), fold(lead), fold(" ".join(labels)), post_id))
    db.executemany(
        f"insert into {TABLE} (rowid, title, lead, labels, post_id) values (?, ?, ?, ?, ?)",
        rows,
    )
    db.executemany(
        f"insert into {TITLES} (rowid, title) values (?, ?)", [(r[0], r[1]) for r in rows]
    )
    db.executemany(
        f"insert into {NAMES} (rowid, names) values (?, ?)",
        [(r[0], f"{r[1]} {r[3]}") for r in rows],
    )
    db.executemany(f"insert into {ROWS} (post_id, row) values (?, ?)", [(r[4], r[0]) for r in rows])


def find(
    db: sqlite3.Connection, words: str, count: int, now: dt.datetime, offset: int = 0
) -> list[int]:
    """The ids of published posts dated up to `now` that hold all of `words`: best
    match first, newer first among equals, `count` of them from `offset` on."""
    query = match(words)
    offset = max(offset, 0)
    wanted = offset + max(count, 0)
    if not query or wanted == 0 or offset >= MAX_OFFSET:
        return []
    latest = rowid(now, _ID_MASK)
    found: dict[int, None] = {}  # rowids, best first
    try:
        for table in (TITLES, NAMES, TABLE):
            # What the tiers before found is found here again (each holds the one before).
            for (row,) in db.execute(
                f"select rowid from {table} where {table} match ? and rowid <= ?"
                " order by rowid desc limit ?",
                [query, latest, wanted],
            ):
                found.setdefault(row)
            if len(found) >= wanted:
                break
        rows = list(found)[offset:wanted]
        marks = ", ".join("?" * len(rows))
        ids = dict(db.execute(f"select rowid, post_id from {TABLE} where rowid in ({marks})", rows))
    except sqlite3.Error as error:  # never a reader's problem: the tests hold match() to FTS5
        log.warning("search failed for a query of %d characters: %s", len(words), error)
        return []
    return [ids[row] for row in rows if row in ids]
