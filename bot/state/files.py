"""The files the state database has read, as a scan compares them with the folder: their
(size, mtime_ns) by path, and the hash of the bytes recorded (read-only queries)."""

from __future__ import annotations

from collections.abc import Iterator

import sqlite_utils

# Spelled as the index of migration m008 is: SQLite uses a partial index only for a query
# that repeats its condition; `order by path` is then the index's own order.
FILE_STATES = "select path, size, mtime_ns from posts where status != 'withdrawn' order by path"
# The same, as one string per column made by SQLite: the paths joined by NUL (no file
# name holds one), the sizes and the times by commas. (SQLite keeps the subquery's order
# in practice; if it did not, the strings would differ and the rows be compared.)
_JOINED = (
    "select group_concat(path, char(0)), group_concat(size), group_concat(mtime_ns)"
    f" from ({FILE_STATES})"
)
_IN_CHUNK = 500  # paths per `in (...)`: well under SQLite's limit on parameters


def file_states(db: sqlite_utils.Database) -> tuple[list[str], list[int], list[int]]:
    """The paths of every file we have read, in path order, and at the same index its
    size and mtime_ns: what a full scan compares the folder's listing with. Read from
    an index that holds just these (m008) and turned into columns in C (zip): a restart
    reads 100,000 rows and makes no Python step per row."""
    rows = db.execute(FILE_STATES).fetchall()
    if not rows:
        return [], [], []
    paths, sizes, mtimes = zip(*rows, strict=True)
    return list(paths), list(sizes), list(mtimes)


def joined_file_states(db: sqlite_utils.Database) -> tuple[str, str, str] | None:
    """file_states as three strings (see _JOINED), None for no file: a restart over
    100,000 unchanged files compares these and makes no Python object per row."""
    paths, sizes, mtimes = db.execute(_JOINED).fetchone()
    return None if paths is None else (paths, sizes, mtimes)


def content_hashes(db: sqlite_utils.Database, paths: list[str]) -> dict[str, str]:
    """The hash of the bytes recorded for those of `paths` the database holds (not
    withdrawn): asked for the changed files of a full scan only."""
    hashes: dict[str, str] = {}
    for start in range(0, len(paths), _IN_CHUNK):
        chunk = paths[start : start + _IN_CHUNK]
        marks = ", ".join("?" * len(chunk))
        sql = f"select path, content_hash from posts where status != 'withdrawn' and path in ({marks})"
        hashes.update(db.execute(sql, chunk))
    return hashes


def file_rows(db: sqlite_utils.Database, paths: list[str]) -> Iterator[tuple[str, int, int, str]]:
    """(path, size, mtime_ns, content_hash) of those of `paths` we have read: a watcher
    batch, one indexed lookup each."""
    sql = "select path, size, mtime_ns, content_hash from posts where status != 'withdrawn'"
    for path in paths:
        yield from db.execute(sql + " and path = ?", [path])
