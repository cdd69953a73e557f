"""Watching the posts folder: its changes become calls to look at paths again.

On Linux the kernel's inotify events are read in the event loop itself
(bot.folder.events): waiting costs nothing and an overflow asks for a full
comparison at once. Elsewhere, and for WATCH_MODE=poll, watchfiles does the
work. When events fail (the watch limit), polling takes over; a folder that
goes away is waited for, and compared whole once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal

from bot.clock import first_of
from bot.folder import events
from bot.jekyll.names import is_post_path

log = logging.getLogger(__name__)

POLL_DELAY_MS = 1000
FOLDER_RECHECK = 1.0  # seconds between looks for a posts folder that went away
# watchfiles (polling, or events outside Linux) yields a batch once no change came for
# this long, waking this often to look.
WATCH_STEP_MS = 50

Mode = Literal["events", "poll", "off"]
# Look at these relative paths again now (None: compare the whole folder).
Rescan = Callable[[list[str] | None], Awaitable[None]]
# Look at these soon: created, and maybe still being written.
Later = Callable[[set[str]], None]


class Watch:
    """The posts folder's changes for as long as `run` runs."""

    def __init__(self, root: Path, mode: Mode, rescan: Rescan, later: Later) -> None:
        self.root = root
        self.mode = mode
        self.rescan = rescan
        self.later = later
        self._watcher: events.Watcher | None = None
        self._network: str | None = None

    @property
    def reliable(self) -> bool:
        """Whether every change reaches us as an event: kernel events on a local
        filesystem. Then the reconcile scan is only a rare safety net."""
        return self._watcher is not None and self._network is None

    async def run(self, stop: asyncio.Event) -> None:
        if self.mode == "off":
            return
        polling = self.mode == "poll"
        while not stop.is_set():
            try:
                if not polling and events.available():
                    await self._natively(stop)
                else:
                    await self._with_watchfiles(polling, stop)
                return
            except events.FolderGone:
                log.warning("%s is gone: waiting for it to come back", self.root)
                if await self._folder_back(stop):
                    log.info("%s is back: comparing it with the database", self.root)
                    await self.rescan(None)
            except (OSError, RuntimeError) as error:
                if polling:
                    log.error(
                        "cannot watch %s even by polling: %s; relying on the reconcile scan",
                        self.root,
                        error,
                    )
                    return
                log.warning(
                    "file events do not work here (%s): polling %s instead", error, self.root
                )
                polling = True

    async def _natively(self, stop: asyncio.Event) -> None:
        # Made before the first await: the start-up scan misses nothing that follows.
        self._watcher = watcher = events.Watcher(self.root)
        self._network = events.network_filesystem(self.root)
        if self._network:
            log.info(
                "%s is on %s: changes made on other machines send no event here; the"
                " reconcile scan finds them", self.root, self._network,
            )  # fmt: skip
        try:
            async with contextlib.aclosing(watcher.changes(stop)) as batches:
                async for changes in batches:
                    if changes.everything:
                        await self.rescan(None)
                    elif changes.paths:
                        await self.rescan(sorted(changes.paths))
                    # Only created (a hard link, or a writer not done yet): look again soon.
                    if fresh := changes.opened - changes.paths:
                        self.later(fresh)
        finally:
            watcher.close()
            self._watcher = None

    async def _folder_back(self, stop: asyncio.Event) -> bool:
        """Wait until the posts folder exists again; False when stopping first."""
        while not stop.is_set():
            if self.root.is_dir():
                return True
            await first_of(asyncio.sleep(FOLDER_RECHECK), stop.wait())
        return False

    async def _with_watchfiles(self, polling: bool, stop: asyncio.Event) -> None:
        from watchfiles import awatch  # only off Linux or for polling: not at every start

        async for changes in awatch(
            self.root, stop_event=stop, watch_filter=None, debounce=1600, step=WATCH_STEP_MS,
            force_polling=polling, poll_delay_ms=POLL_DELAY_MS,
        ):  # fmt: skip
            relative = [_relative(self.root, path) for _, path in changes]
            if all(p and is_post_path(p) for p in relative):
                await self.rescan(relative)
            else:
                # A folder appeared, moved or vanished (cp -r, git checkout): compare everything.
                await self.rescan(None)


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return ""
