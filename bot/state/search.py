"""Full-text search over published posts (SPEC §11): SQLite FTS5 indexes of their
folded title, lead, categories and tags (bot.state.search_query folds them and makes
the query), kept by the store in the transactions that change the posts.

Best match first: the posts with all the words in their title, then those with them
in the title, categories and tags, then anywhere; newest first within each. Each of
the three has an index of its own, whose rowid is the post's date (seconds, then the
post id): each is read newest first and stops at the page asked for (less what the
ones before found), so a word in half of 100,000 posts costs what a rare one does.
Ranking by bm25 scores every match instead (100 ms for such a word); one index with
column filters walks a lead's word through every post to find it in no title (5 ms).

The last word is a prefix. It is looked up in the words the posts ever had
(`post_search_words`) and searched for as the words it starts, up to MAX_EXPANSION
of them: FTS5 reads every post a prefix is in when it has no prefix index of that
length (10 ms for a word in every post), and indexes of every length would triple
the index. The title and label indexes have prefix indexes of two and three letters;
the full text has none (they were two thirds of it): there a short word that starts
more words than that is the word itself.

The indexes are contentless (the text is the posts table's): a post is taken out with
the words it went in with, folded again from its row before the row changes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from bot.jekyll.posts import Post, Rejected
from bot.state.search_query import (
    MAX_WORDS,
    Query,
    expression,
    fold,
    match,
    query,
    tokens,
    too_many_words,
)

__all__ = [
    "MAX_OFFSET", "MAX_WORDS", "find", "forget", "index", "indexed", "match", "too_many_words",
]  # fmt: skip

log = logging.getLogger(__name__)

TABLE = "post_search"  # every word: title, lead, labels (categories and tags)
TITLES = "post_search_titles"  # the title's words
NAMES = "post_search_names"  # the title's and the labels' words
ROWS = "post_search_rows"  # a rowid of the three -> its post
WORDS = "post_search_words"  # every word the index ever held, for prefixes
MAX_OFFSET = 1000  # how deep paging goes
MAX_EXPANSION = 64  # words a prefix stands for; more, and FTS5's own prefix is used
_ID_BITS = 24  # the rowid's low bits: the post id, for posts dated within one second
_ID_MASK = (1 << _ID_BITS) - 1
TABLES = (TABLE, TITLES, NAMES)
# id, date, and the folded title, lead, labels: what goes into the index and out again.
Entry = tuple[int, dt.datetime, str, str, str]


def rowid(moment: dt.datetime, post_id: int) -> int:
    """Newer posts have larger rowids: the index reads them newest first."""
    return (math.floor(moment.timestamp()) << _ID_BITS) | (post_id & _ID_MASK)


def indexed(db: sqlite3.Connection) -> int:
    """How many posts the index holds."""
    return int(db.execute(f"select count(*) from {ROWS}").fetchone()[0])


def row_entry(row: Mapping[str, Any]) -> Entry:
    """A post's row (its columns by name) as the index holds it."""
    labels = [*json.loads(row["categories"] or "[]"), *json.loads(row["tags"] or "[]")]
    return (
        row["id"],
        dt.datetime.fromisoformat(row["date_utc"]),
        fold(row["title"] or ""),
        fold(row["lead"] or ""),
        fold(" ".join(labels)),
    )


def entries(posts: Sequence[tuple[int, Post | Rejected]]) -> list[Entry]:
    """The published ones of these posts (with their ids) as the index holds them."""
    return [
        (post_id, post.date, fold(post.title), fold(post.lead),
         fold(" ".join([*post.categories, *post.tags])))
        for post_id, post in posts
        if isinstance(post, Post) and post.published
    ]  # fmt: skip


def index(db: sqlite3.Connection, posts: Sequence[tuple[int, Post | Rejected]]) -> None:
    """Published posts into the index, inside the transaction that writes them (after
    `forget` of what their rows held before)."""
    insert(db, entries(posts))


def forget(db: sqlite3.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Posts out of the index, given their rows as they were indexed (before the
    change): withdrawn, unpublished, or about to be indexed as they are now."""
    entries = [row_entry(row) for row in rows if row["status"] == "ready"]
    found = [
        (row, entry)
        for entry in entries
        for (row,) in db.execute(f"select row from {ROWS} where post_id = ?", [entry[0]])
    ]
    db.executemany(
        f"insert into {TABLE} ({TABLE}, rowid, title, lead, labels) values ('delete', ?, ?, ?, ?)",
        [(row, title, lead, labels) for row, (_, _, title, lead, labels) in found],
    )
    db.executemany(
        f"insert into {TITLES} ({TITLES}, rowid, title) values ('delete', ?, ?)",
        [(row, title) for row, (_, _, title, _, _) in found],
    )
    db.executemany(
        f"insert into {NAMES} ({NAMES}, rowid, names) values ('delete', ?, ?)",
        [(row, f"{title} {labels}") for row, (_, _, title, _, labels) in found],
    )
    db.executemany(f"delete from {ROWS} where row = ?", [(row,) for row, _ in found])


def insert(db: sqlite3.Connection, entries: Sequence[Entry], taken: set[int] | None = None) -> None:
    """`taken`: every rowid in the index, when the caller holds them (a rebuild; the
    words are then its to add); else each is looked up."""
    seen = set() if taken is None else taken
    rows = []
    for post_id, date, title, lead, labels in entries:
        row = rowid(date, post_id)
        while row in seen or (
            taken is None and db.execute(f"select 1 from {ROWS} where row = ?", [row]).fetchone()
        ):
            row -= 1  # two posts in one second, 16 million ids apart: the next free one
        seen.add(row)
        rows.append((row, post_id, title, lead, labels))
    # In rowid order: FTS5 writes out what it holds whenever a rowid is lower than the
    # one before (a segment each time: a day's posts, in file-name order, cost 3 times).
    rows.sort()
    db.executemany(f"insert into {ROWS} (row, post_id) values (?, ?)", [r[:2] for r in rows])
    db.executemany(
        f"insert into {TABLE} (rowid, title, lead, labels) values (?, ?, ?, ?)",
        [(r[0], *r[2:]) for r in rows],
    )
    db.executemany(
        f"insert into {TITLES} (rowid, title) values (?, ?)", [(r[0], r[2]) for r in rows]
    )
    db.executemany(
        f"insert into {NAMES} (rowid, names) values (?, ?)",
        [(r[0], f"{r[2]} {r[4]}") for r in rows],
    )
    if taken is None:
        words = {word for r in rows for text in r[2:] for word in tokens(text) if len(word) > 2}
        db.executemany(f"insert or ignore into {WORDS} (word) values (?)", [(w,) for w in words])


def find(
    db: sqlite3.Connection, words: str, count: int, now: dt.datetime, offset: int = 0
) -> list[int]:
    """The ids of published posts dated up to `now` that hold all of `words`: best
    match first, newer first among equals, `count` of them from `offset` on."""
    asked = query(words)
    offset = max(offset, 0)
    wanted = offset + max(count, 0)
    if asked is None or wanted == 0 or offset >= MAX_OFFSET:
        return []
    latest = rowid(now, _ID_MASK)
    found: dict[int, None] = {}  # rowids, best first
    try:
        matches = _matches(db, asked)
        for table in (TITLES, NAMES, TABLE):
            # What the tiers before found is found here again (each holds the one before).
            for (row,) in db.execute(
                f"select rowid from {table} where {table} match ? and rowid <= ?"
                " order by rowid desc limit ?",
                [matches[table], latest, wanted],
            ):
                found.setdefault(row)
            if len(found) >= wanted:
                break
        rows = list(found)[offset:wanted]
        marks = ", ".join("?" * len(rows))
        ids = dict(db.execute(f"select row, post_id from {ROWS} where row in ({marks})", rows))
    except sqlite3.Error as error:  # never a reader's problem: the tests hold the query to FTS5
        log.warning("search failed for a query of %d characters: %s", len(words), error)
        return []
    return [ids[row] for row in rows if row in ids]


def _matches(db: sqlite3.Connection, asked: Query) -> dict[str, str]:
    """Each index's query: the last word's prefix as the words it starts (up to
    MAX_EXPANSION), else FTS5's own prefix, which the posts' full text has no index
    for: there a short word beginning so many words is the word itself."""
    own = expression(asked)
    if not asked.prefix:
        return dict.fromkeys((TITLES, NAMES, TABLE), own)
    last = asked.last
    found = [
        word
        for (word,) in db.execute(
            f"select word from {WORDS} where word > ? and word < ? limit ?",
            [last, last + "\U0010ffff", MAX_EXPANSION],
        )
    ]
    starting = [last, *found]
    if len(starting) <= MAX_EXPANSION:
        each = expression(asked, starting)
        return {
            TITLES: own if len(last) <= 3 else each,
            NAMES: own if len(last) <= 3 else each,
            TABLE: each,
        }
    return {TITLES: own, NAMES: own, TABLE: expression(asked, [last]) if len(last) <= 3 else own}
