"""LINKS_FILE: where each post's messages can be read, for the site's templates.

One JSON object keyed by the post's path as Jekyll's `page.path` gives it, holding
per destination the public URL of its message. The document is built from the
state database (a pure function of its rows), written atomically, and only when
its bytes change: Jekyll rebuilds the site for every new version of a data file.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import operator
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import sqlite_utils

from bot.channels.serial import SerialThread
from bot.clock import first_of
from bot.logs import printable
from bot.state import message_urls

log = logging.getLogger(__name__)

# After a change, the file waits this long for the rest of a burst (a backfill, a
# scan that withdrew many posts), so that the burst becomes one write.
SETTLE = 1.0
# And at least this many times as long as its last rewrite took: at 100,000 posts a
# rewrite costs about a second of CPU, and the file must not take the worker's time.
COST_FACTOR = 10.0
# A file that could not be written (a full disk) is tried again this much later.
RETRY_AFTER = 60.0
# At exit, the last write may take this long (SIGTERM's 10 s include the request in
# flight); a write cut short leaves the old file, and the next start writes the new.
FLUSH_GRACE = 1.5
# One encoder, the C one (json.dumps with `indent` runs in Python, 3 times slower).
_encode = json.JSONEncoder(ensure_ascii=False).encode


def render(rows: Iterable[tuple[str, str, str]], prefix: str = "") -> Iterator[str]:
    """(post path under POSTS_DIR, destination, URL) rows, sorted by path and
    destination, to the file's text: one object keyed by `prefix/path` (the path that
    Jekyll's `page.path` gives), one post a line. Sorted, so that the same links are
    the same bytes (no rewrite, no site rebuild) and a change is a small diff; a piece
    at a time, so that 100,000 posts never sit in memory at once."""
    yield "{"
    separator = "\n"
    for path, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        urls = {destination: url for _, destination, url in group}
        yield f"{separator}  {_encode(f'{prefix}/{path}' if prefix else path)}: {_encode(urls)}"
        separator = ",\n"
    yield "\n}\n" if separator != "\n" else "}\n"


def table(rows: Iterable[tuple[str, str, str]], prefix: str = "") -> list[str]:
    """The same links for people: post, destination and URL in aligned columns (shown
    escaped where a name holds control characters)."""
    cells = [("post", "destination", "URL")] + [
        (printable(f"{prefix}/{path}" if prefix else path), printable(destination), printable(url))
        for path, destination, url in rows
    ]
    widths = [max(len(row[column]) for row in cells) for column in (0, 1)]
    return [f"{p:<{widths[0]}}  {d:<{widths[1]}}  {u}" for p, d, u in cells]


def write_if_changed(path: Path, pieces: Iterable[str], digest: bytes | None) -> bytes:
    """Write the text to `path` whole, unless its digest is `digest` (what the file
    holds); return the text's digest.

    Readers, and a crash at any moment, see the old file or the new one, never a
    part: the text goes to a temporary file, is synced, and renamed over `path`. The
    temporary file has one fixed name, hidden from Jekyll (a dot file, not *.json):
    a kill leaves at most that one behind, and the next write takes it over.
    """
    temp = path.with_name(f".{path.name}.tmp")
    sha = hashlib.sha256()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                data = piece.encode("utf-8")
                sha.update(data)
                out.write(data)
            changed = sha.digest() != digest
            if changed:
                out.flush()
                os.fsync(out.fileno())
        if not changed:
            os.unlink(temp)
            return sha.digest()
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    # The rename itself is durable only once the folder is.
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return sha.digest()


class LinksFile:
    """LINKS_FILE, rewritten from the database when its links changed."""

    def __init__(self, path: Path, prefix: str = "") -> None:
        self.path = path
        self.prefix = prefix
        self._digest: bytes | None = None  # of the bytes in the file, once known

    def refresh(self, db: sqlite_utils.Database) -> bool:
        """Write the links the database holds, if the file holds others; True when
        it was written."""
        if self._digest is None:
            self._digest = _digest_of(self.path)
        before = self._digest
        self._digest = write_if_changed(
            self.path, render(message_urls.live(db), self.prefix), before
        )
        return self._digest != before


def _digest_of(path: Path) -> bytes | None:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:  # not there yet
        return None


class LinksKeeper:
    """Keeps LINKS_FILE in line with the state database while the worker runs.

    `changed()` says the links may differ (a message sent or removed, a post renamed or
    withdrawn); the file is rewritten shortly after, a burst of changes at once. The
    rewrite runs on a thread of its own with its own connection, so that the event
    loop (readers' answers, the outbox) does not wait for 100,000 posts' links; a
    daemon thread, so that a write cut short by the exit leaves the old file whole.
    """

    def __init__(
        self,
        file: LinksFile,
        state_db: Path,
        *,
        settle: float = SETTLE,
        retry_after: float = RETRY_AFTER,
    ) -> None:
        self.file = file
        self.state_db = state_db
        self.settle = settle
        self.retry_after = retry_after
        self._pause = settle
        self._changed = asyncio.Event()
        self._thread = SerialThread("links")
        self._db: sqlite_utils.Database | None = None  # the thread's connection

    def changed(self) -> None:
        self._changed.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Write after each change (and once at the start) until `stop`; `flush` then
        writes what came last."""
        self._changed.set()  # the file as the database has it now (after a restart)
        while not stop.is_set():
            await first_of(self._changed.wait(), stop.wait())
            await first_of(asyncio.sleep(self._pause), stop.wait())
            if not stop.is_set():
                await self._write()

    async def flush(self, timeout: float = FLUSH_GRACE) -> None:
        """The last changes, written before the worker exits, unless that takes longer
        than `timeout` (SIGTERM's 10 seconds): the next start writes them then."""
        try:
            if self._changed.is_set():
                await asyncio.wait_for(self._write(), timeout)
            await self._thread.run(self._close)
        except TimeoutError:
            log.warning("LINKS_FILE: %s is written at the next start", self.file.path)
        finally:
            self._thread.close()

    async def _write(self) -> None:
        self._changed.clear()
        started = time.monotonic()
        try:
            await self._thread.run(self._refresh)
        except OSError as error:
            # The file is the site's business: delivery goes on, and the file is tried
            # again later.
            log.error(
                "LINKS_FILE: cannot write %s (%s); trying again in %.0f s",
                self.file.path, error, self.retry_after,
            )  # fmt: skip
            self._changed.set()
            self._pause = self.retry_after
            return
        self._pause = max(self.settle, COST_FACTOR * (time.monotonic() - started))

    def _refresh(self) -> None:
        """On the thread: SQLite connections belong to the thread that made them."""
        if self._db is None:
            self._db = sqlite_utils.Database(self.state_db)
            self._db.conn.execute("PRAGMA busy_timeout = 5000")
            self._db.conn.execute("PRAGMA query_only = 1")  # it only reads
        if self.file.refresh(self._db):
            log.info("links: wrote %s", self.file.path)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
