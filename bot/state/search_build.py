"""Filling the search indexes (bot.state.search) in bulk: made anew from the posts
table (the migration that creates them, or a repair), and a big import's batches.

A big import (a first run's 100,000 posts) indexes each batch in the transaction that
writes it, as every scan does, but as cheaply as FTS5 allows: the rowids taken are
kept in a set (no lookup per row), the words for prefixes are left to the end, and
FTS5's merging of small segments is held off (`automerge` 0: each 500-post commit
would otherwise merge the ones before again). The scan's end then merges each index
into one segment (`optimize`, about a quarter of the indexing) and adds the words;
a note in meta says that is owed, so a crash before it is made good at the next scan.
Searches meanwhile find every post written, only slower.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.jekyll.posts import Post, Rejected
from bot.state.search import (
    NAMES,
    ROWS,
    TABLE,
    TABLES,
    TITLES,
    WORDS,
    entries,
    indexed,
    insert,
    row_entry,
)

__all__ = ["BULK", "Bulk", "create", "finish", "for_import", "rebuild"]

VOCAB = "post_search_vocab"  # TABLE's words, read at the finish (a temporary table)
# New files in one scan from which they are indexed in bulk (half the CPU of one by one).
BULK = 1000
# In meta, from the first bulk batch to the finish (merging, the words, automerge back).
OWED = "search_merge"
# Of an older release: posts written without the index, a rebuild owed.
STALE = "search_stale"
_AUTOMERGE = 4  # FTS5's default, kept between imports
_OPTIONS = (
    "content = '', tokenize = 'unicode61 remove_diacritics 0'"  # scannable: no columnsize = 0
)
_PREFIXES = "prefix = '2 3'"  # for the title and label tiers, which hold few words


def create(db: sqlite3.Connection) -> None:
    """The indexes, filled with the published posts (migration m009)."""
    db.execute(f"create virtual table {TABLE} using fts5(title, lead, labels, {_OPTIONS})")
    db.execute(f"create virtual table {TITLES} using fts5(title, {_OPTIONS}, {_PREFIXES})")
    db.execute(f"create virtual table {NAMES} using fts5(names, {_OPTIONS}, {_PREFIXES})")
    db.execute(f"create table {ROWS} (row integer primary key, post_id integer not null)")
    db.execute(f"create table {WORDS} (word text primary key) without rowid")
    rebuild(db)


def for_import(db: sqlite3.Connection, new_posts: int) -> Bulk | None:
    """The bulk indexing of a scan of this many new files, if it is worth one: many, and
    more than a quarter of the posts indexed (the final merge rewrites them all)."""
    return Bulk(db) if new_posts >= BULK and 4 * new_posts >= indexed(db) else None


class Bulk:
    """One big import's indexing: every batch's published posts, in its transaction."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.taken = {row for (row,) in db.execute(f"select row from {ROWS}")}

    def index(self, db: sqlite3.Connection, posts: Sequence[tuple[int, Post | Rejected]]) -> None:
        # Both every batch (a few rows): a batch rolled back takes its note with it.
        db.execute("insert or replace into meta (key, value) values (?, '1')", [OWED])
        _set_automerge(db, 0)
        insert(db, entries(posts), self.taken)


def finish(db: sqlite3.Connection) -> bool:
    """What a big import (or an older release's crash) left owed, inside the caller's
    transaction; whether anything was."""
    if _meta(db, STALE):
        rebuild(db)
    elif _meta(db, OWED):
        for table in TABLES:
            db.execute(f"insert into {table} ({table}) values ('optimize')")
        _add_words(db)
    else:
        return False
    _set_automerge(db, _AUTOMERGE)
    db.execute("delete from meta where key in (?, ?)", [STALE, OWED])
    return True


def rebuild(db: sqlite3.Connection) -> None:
    """The indexes made anew from the published posts, inside the caller's transaction:
    a chunk of posts at a time, one segment per MB of words (FTS5's hashsize)."""
    for table in TABLES:
        db.execute(f"insert into {table} ({table}) values ('delete-all')")
    db.execute(f"delete from {ROWS}")
    taken: set[int] = set()
    posts = db.execute(
        "select id, date_utc, title, lead, categories, tags from posts where status = 'ready'"
    )
    while chunk := posts.fetchmany(500):
        insert(db, [row_entry(dict(zip(_COLUMNS, row, strict=True))) for row in chunk], taken)
    _add_words(db)


_COLUMNS = ("id", "date_utc", "title", "lead", "categories", "tags")


def _add_words(db: sqlite3.Connection) -> None:
    """The full index's words into WORDS, read from the index itself (tokens(): as
    FTS5 splits them)."""
    db.execute(
        f"create virtual table if not exists temp.{VOCAB} using fts5vocab(main, {TABLE}, row)"
    )
    db.execute(
        f"insert or ignore into {WORDS} (word) select term from temp.{VOCAB} where length(term) > 2"
    )


def _set_automerge(db: sqlite3.Connection, segments: int) -> None:
    for table in TABLES:
        db.execute(f"insert into {table} ({table}, rank) values ('automerge', ?)", [segments])


def _meta(db: sqlite3.Connection, key: str) -> bool:
    return db.execute("select 1 from meta where key = ?", [key]).fetchone() is not None
