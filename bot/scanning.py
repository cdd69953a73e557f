"""Where the worker's scans run: on a thread of its own with its own connection to the
database, or, for a watcher's batch of a few small files, in the event loop itself;
and the WAL's checkpoints, kept off the event loop's connection.

The thread keeps readers answered and SIGTERM honoured while 100,000 files are read;
one thread means one scan at a time, in the order they were asked for. A new post
that lands alone is read in the loop when that thread is idle: two thread hops and
the GIL handed back and forth cost more than reading it (~0.6 ms of a post's way out).
"""

from __future__ import annotations

import asyncio
import gc
import os
import stat
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.clock import first_of
from bot.jekyll.posts import Post, read_post
from bot.jekyll.site import Site
from bot.state.store import Store
from bot.state.transaction import checkpoint, leave_checkpoints
from bot.summary import MastodonRules, render_mastodon, render_telegram

T = TypeVar("T")

# A watcher batch this small, of regular files this small, may be read in the loop.
INLINE_PATHS = 4
INLINE_BYTES = 64 * 1024
# Seconds between checkpoints of what the event loop's connection wrote (its own are
# off: SQLite's, fsyncs included, would land in the middle of a post's way out); an
# idle worker makes none.
CHECKPOINT_EVERY = 5.0


def small_files(root: Path, paths: Sequence[str]) -> bool:
    """Whether every one of `paths` under `root` is a small regular file, or gone: one
    lstat each (a symlink, a FIFO, a big file go to the scan thread)."""
    if len(paths) > INLINE_PATHS:
        return False
    for relative in paths:
        try:
            info = os.lstat(root / relative)
        except FileNotFoundError:
            continue  # gone: the scan withdraws it
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_size > INLINE_BYTES:
            return False
    return True


class ScanThread:
    """The scan thread and its connection; the loop's connection `store` leaves its
    checkpoints to it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        leave_checkpoints(store.db)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="scan")
        self._own: Store | None = None  # made on the thread: connections stay in theirs
        self._last_scan: Future[object] | None = None  # done when the thread is
        self._checkpointed = 0  # the loop connection's total_changes then

    @property
    def idle(self) -> bool:
        """No scan handed over is still running or waiting (checkpoints do not count:
        they hold up no writer)."""
        return self._last_scan is None or self._last_scan.done()

    def in_loop(self, root: Path, paths: Sequence[str], local: bool) -> bool:
        """Whether these paths are read in the event loop: the thread idle (so the order
        holds), the folder on a local disk (a network one may hang a read), a few
        small files."""
        return self.idle and local and small_files(root, paths)

    async def run(self, work: Callable[[Store], T]) -> T:
        """`work` on the thread, with the thread's connection; a cancelled wait leaves it
        running (`idle` says when it is done)."""
        future = self._pool.submit(self._with_store, work)
        self._last_scan = future  # type: ignore[assignment]
        return await asyncio.wrap_future(future)

    def _with_store(self, work: Callable[[Store], T]) -> T:
        if self._own is None:
            self._own = Store(self.store.path)
        return work(self._own)

    async def checkpoints(self, stop: asyncio.Event) -> None:
        """Every CHECKPOINT_EVERY seconds in which the loop's connection wrote, one
        checkpoint on the thread's connection (a small scan meanwhile still runs in the
        loop)."""
        while not stop.is_set():
            await first_of(asyncio.sleep(CHECKPOINT_EVERY), stop.wait())
            changes = self.store.db.conn.total_changes
            if changes != self._checkpointed and not stop.is_set():
                self._checkpointed = changes
                await asyncio.wrap_future(
                    self._pool.submit(self._with_store, lambda store: checkpoint(store.db))
                )

    async def close(self) -> None:
        """Its connection closed on the thread, then the thread let go."""
        await asyncio.get_running_loop().run_in_executor(self._pool, self._close_store)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _close_store(self) -> None:
        if self._own is not None:
            self._own.close()


# Posts that take the paths a real one takes: the Markdown parser (a reference link
# keeps it off the fast path), HTML, a date in words.
_WARM_UP = {
    "2000-01-01-warm-up.md": b"---\ntitle: Warm up\ncategories: [a]\n---\n\n# A"
    b"\n\nA *lead* with [a link][x] & <b>HTML</b>.\n\n[x]: https://example.org/\n",
    "2000-01-01-warm-up.html": b"---\ntitle: Warm up\n---\n<p>A <a href='/x'>lead</a>.</p>\n",
}


def warm_up(site: Site, language: str) -> None:
    """The first post's imports and first calls (the Markdown parser, dates in words:
    100 ms or more) made once the worker is watching, on the scan thread, rather
    than in the first post's way out."""
    for path, raw in _WARM_UP.items():
        post = read_post(raw, path, site, 0.0)
        if isinstance(post, Post):
            render_telegram(post, language)
            render_mastodon(post, language, MastodonRules())


def settle_heap() -> None:
    """What start-up made (imports, the first scan's leftovers) lives as long as the
    worker: collected once, then frozen out of the collector's view, so that a full
    collection in the middle of a post's way out walks only what came since."""
    gc.collect()
    gc.freeze()
