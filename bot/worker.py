"""The long-lived worker: one event loop running the watcher, the reconcile scan
and the outbox, until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from pathlib import Path

from watchfiles import Change, awatch

from bot import app
from bot.channels.base import Channel
from bot.config import Settings
from bot.outbox import Outbox, utc_now
from bot.posts import is_post_path
from bot.scan import scan
from bot.store import Store

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 300.0  # a full (size, mtime) comparison catches lost events
SHUTDOWN_GRACE = 8.0  # the request in flight may finish within this; then it is abandoned


class Worker:
    """Keeps the database in line with the folder and the outbox running."""

    def __init__(self, settings: Settings, store: Store, channels: Sequence[Channel]) -> None:
        self.settings = settings
        self.store = store
        self.channels = list(channels)
        self.outbox = Outbox(store, channels)
        self.stop = asyncio.Event()

    def rescan(self, paths: Sequence[str] | None = None) -> None:
        """Re-check these relative paths (None: the whole folder) and wake the outbox."""
        report = scan(
            self.store,
            self.settings.posts_dir,
            self.settings.site,
            [c.key for c in self.channels],
            utc_now(),
            paths=paths,
            delete_remote=self.settings.on_delete == "delete",
        )
        if report.queued or report.edits or report.withdrawn:
            self.outbox.wake()

    async def run(self) -> int:
        app.index(self.store, self.settings, self.channels)
        for channel in self.channels:
            await channel.start()
        tasks = [asyncio.create_task(self._watch(), name="watcher")]
        # One loop step lets awatch set up its inotify watches (its first, synchronous
        # step); a rescan then catches what changed since the start-up scan.
        await asyncio.sleep(0)
        self.rescan()
        tasks += [
            asyncio.create_task(self.outbox.run(self.stop), name="outbox"),
            asyncio.create_task(self._reconcile(), name="reconcile"),
        ]
        log.info(
            "watching %s; channels: %s",
            self.settings.posts_dir,
            ", ".join(c.key for c in self.channels),
        )
        try:
            await self.stop.wait()
            log.info("stopping: finishing the request in flight")
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for channel in self.channels:
                with contextlib.suppress(Exception):
                    await channel.close()
        log.info("stopped")
        return 0

    async def _watch(self) -> None:
        root = self.settings.posts_dir
        async for changes in awatch(
            root, stop_event=self.stop, watch_filter=None, debounce=1600, step=50
        ):
            relative = [_relative(root, path) for _, path in changes]
            if any(not is_post_path(p) for p in relative if p) or any(
                c == Change.deleted and not p for c, p in changes
            ):
                self.rescan()  # a folder moved or an unknown kind of change: compare everything
            else:
                self.rescan([p for p in relative if p])

    async def _reconcile(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), RECONCILE_SECONDS)
            if not self.stop.is_set():
                self.rescan()


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return ""


async def run_worker(settings: Settings, store: Store, channels: Sequence[Channel]) -> int:
    """`postbode run`: the worker until SIGTERM / SIGINT."""
    log.info("postbode starting with %s", settings.describe())
    worker = Worker(settings, store, channels)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.stop.set)
    return await worker.run()
