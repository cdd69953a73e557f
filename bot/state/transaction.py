"""Writing to the state database: one transaction with the write lock taken at its
start, and what a failed write means.

The worker has two connections (its event loop's and its scan thread's). A
deferred BEGIN that reads and then writes fails at once with "database is
locked" when the other connection committed in between: SQLite cannot upgrade
a read snapshot that is out of date, and busy_timeout does not help. BEGIN
IMMEDIATE waits for the lock instead (busy_timeout), then nothing can fail that way.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
from collections.abc import Iterator

import sqlite_utils


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """A transaction; inside an open one it joins it (a scan writes 500 files per
    transaction: a savepoint per file would cost more than the write)."""
    if db.conn.in_transaction:
        yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.conn.execute("COMMIT")
    except BaseException:
        # Also when COMMIT itself failed (a full disk): a transaction left open would
        # swallow every later write into it.
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise


def leave_checkpoints(db: sqlite_utils.Database) -> None:
    """This connection no longer copies the WAL into the database when it grows past
    1,000 pages (SQLite's automatic checkpoint, fsyncs included, would land in the middle
    of a post's way out): another connection calls `checkpoint`."""
    db.conn.execute("PRAGMA wal_autocheckpoint = 0")


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy what the WAL holds into the database, as far as readers allow, without
    waiting for anyone (writers go on meanwhile)."""
    db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


# SQLite's words for a disk that will not take a write.
_DISK_TROUBLE = ("readonly", "read-only", "disk is full", "disk i/o error", "unable to open")


def write_failure(error: BaseException) -> str | None:
    """What stopped a write, when it was the disk (full, read-only, gone), not a bug:
    one line for the operator. None for any other error."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error)
        return text if any(words in text.lower() for words in _DISK_TROUBLE) else None
    if isinstance(error, OSError) and error.errno in _DISK_ERRNOS:
        return error.strerror or str(error)
    return None


_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EIO, errno.EACCES})
