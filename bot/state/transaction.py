"""One write transaction, with the write lock taken at its start.

The worker has two connections (its event loop's and its scan thread's). A
deferred BEGIN that reads and then writes fails at once with "database is
locked" when the other connection committed in between: SQLite cannot upgrade
a read snapshot that is out of date, and busy_timeout does not help. BEGIN
IMMEDIATE waits for the lock instead (busy_timeout), then nothing can fail that way.
"""

from __future__ import annotations

import contextlib
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
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
