"""The long-lived worker: one event loop running the watcher, the reconcile scan
and the outbox, until SIGTERM or SIGINT.

Every watcher batch is treated as "re-check these paths": the kind of change is
not trusted (atomic replaces arrive as added, vim saves as added+deleted). On
Linux the kernel's events are read in the loop itself (bot.folder.events), and
an overflow asks for a full comparison at once; elsewhere watchfiles drops one
silently. Either way a reconcile scan runs at start-up and every
RECONCILE_INTERVAL seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable, Sequence

from bot import app
from bot.channels.base import Channel
from bot.channels.telegram_pace import Overall
from bot.clock import first_of, utc_now
from bot.config import Settings
from bot.folder.scan import Progress, ScanReport, scan
from bot.folder.watch import Watch
from bot.outbox import Outbox
from bot.scanning import ScanThread, settle_heap, warm_up
from bot.state.catalog import Catalog
from bot.state.store import Store
from bot.state.transaction import write_failure
from bot.subscribers.wiring import private_sender, token_budget

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 8.0  # the request in flight may finish within this; then it is abandoned
BUSY_RECHECK = 0.1  # seconds between looks at a file that is still being written
# Seconds between reconcile scans unless RECONCILE_INTERVAL says: a rare safety net where
# every change arrives as an event (an overflow asks for one at once), else every 5 min.
RECONCILE_RELIABLE = 3600.0
RECONCILE_DEFAULT = 300.0


class Worker:
    """Keeps the database in line with the folder and the outbox running.

    Scans run on a thread of their own, with their own connection to the database,
    so that a reader's /latest is answered and SIGTERM honoured while 100,000 files
    are read; one thread means one scan at a time, in the order they were asked for.
    A watcher's batch of a few small files is read in the loop when that thread is
    idle (bot/scanning.py).
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        channels: Sequence[Channel],
        *,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.channels = list(channels)
        self.folder = app.folder_of(settings, channels)
        self.links = app.links_keeper(settings)  # None without LINKS_FILE
        self.outbox = Outbox(
            store, channels, secrets=settings.secrets, on_change=self._links_changed
        )
        # Posts waiting for their page (SPEC §12) go to the outbox as their pages go live.
        self.live = app.live_checker(store, settings, on_release=self.outbox.wake)
        # The bot token's 30 a second, one budget for its channels, the chat's replies and
        # subscribers' messages, also where no channel is on Telegram.
        self.telegram_budget = token_budget(channels) or Overall()
        self.stop = asyncio.Event()
        self.failed = False
        self._progress = progress
        self._stopping = threading.Event()  # `stop`, as the scan thread sees it
        self._scans = ScanThread(store)
        self._busy: set[str] = set()  # to look at again shortly
        self._waiting: set[str] = set()  # announced in the log as being written
        self._busy_changed = asyncio.Event()
        self.watch = Watch(settings.posts_dir, settings.watch_mode, self.rescan, self._look_later)

    async def rescan(self, paths: Iterable[str] | None = None) -> None:
        """Re-check these relative paths (None: the whole folder) and wake the outbox."""
        paths = list(paths) if paths is not None else None
        if paths is not None and self._scans.in_loop(self.folder.root, paths, self.watch.reliable):
            report = scan(self.store, self.folder, utc_now(), paths=paths)  # a few small files
        else:
            report = await self._scans.run(
                lambda store: scan(
                    store, self.folder, utc_now(), paths=paths, stopping=self._stopping.is_set
                )
            )
        self._after_scan(report, paths)

    def _after_scan(self, report: ScanReport, paths: list[str] | None) -> None:
        if report.files or report.withdrawn:  # queued, edited, rescheduled, retracted
            self.outbox.wake()
            self.live.wake()
            self._links_changed()  # a post renamed, withdrawn, back
        if report.busy:
            for path in sorted(set(report.busy) - self._waiting):
                log.info("%s is still being written: reading it when it is complete", path)
            self._waiting.update(report.busy)
            self._look_later(report.busy)
        if paths is not None:  # those of these paths that were read are no longer waiting
            self._waiting -= set(paths) - set(report.busy)

    def _links_changed(self) -> None:
        if self.links is not None:
            self.links.changed()

    def _look_later(self, paths: Iterable[str]) -> None:
        self._busy.update(paths)
        self._busy_changed.set()

    async def run(self) -> int:
        tasks = [asyncio.create_task(self.watch.run(self.stop), name="watcher")]
        # One loop step lets the watcher set up its watches (its first, synchronous
        # step) before the start-up scan: what changes during the scan is not missed.
        await asyncio.sleep(0)
        tasks += self._chat_bot()  # readers are answered while the start-up scan runs
        tasks += self._mastodon_replies()
        for task in tasks:
            task.add_done_callback(self._on_task_done)
        try:
            if await self._start_up():
                started = [
                    asyncio.create_task(self._warm_up(), name="warm-up"),
                    asyncio.create_task(self.outbox.run(self.stop), name="outbox"),
                    asyncio.create_task(self._reconcile(), name="reconcile"),
                    asyncio.create_task(self._settle(), name="settle"),
                    asyncio.create_task(self.live.run(self.stop), name="live check"),
                    asyncio.create_task(self._scans.checkpoints(self.stop), name="checkpoints"),
                ]
                if self.links is not None:
                    started.append(asyncio.create_task(self.links.run(self.stop), name="links"))
                if private := private_sender(
                    self.settings, self.store, self.channels, self.telegram_budget
                ):
                    started.append(asyncio.create_task(private.run(self.stop), name="private"))
                for task in started:
                    task.add_done_callback(self._on_task_done)
                tasks += started
                log.info(
                    "watching %s (%s, reconciling every %.0f s); channels: %s",
                    self.settings.posts_dir, self.settings.watch_mode, self._reconcile_interval(),
                    ", ".join(c.key for c in self.channels),
                )  # fmt: skip
            await self.stop.wait()
            log.info("stopping: letting the request in flight finish")
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.links is not None:  # what the outbox did last is in the file
                await self.links.flush()
        finally:
            await self._scans.close()
            for channel in self.channels:
                with contextlib.suppress(Exception):
                    await channel.close()
        log.info("stopped; state saved in %s", self.settings.state_db)
        return 1 if self.failed else 0

    async def _warm_up(self) -> None:
        """The first post's imports made now, then start-up's heap frozen."""
        site, language = self.folder.site, self.settings.language
        try:
            await self._scans.run(lambda _: warm_up(site, language))
        except Exception:  # only the first post's speed is at stake: never a reason to stop
            log.debug("the warm-up failed", exc_info=True)
        settle_heap()

    def request_stop(self) -> None:
        """Stop (SIGTERM, SIGINT, a part that died): the scan thread sees it at once, the
        event loop's tasks at their next step."""
        self._stopping.set()
        self.stop.set()

    async def _start_up(self) -> bool:
        """The start-up scan (on the scan thread) and the channels' start, side by side;
        False when a stop came first. Neither holds up SIGTERM."""
        index = self._scans.run(
            lambda store: app.index(
                store, self.folder, progress=self._progress, stopping=self._stopping.is_set
            )
        )
        starts = asyncio.gather(*(channel.start() for channel in self.channels))
        both = asyncio.gather(index, starts)
        await first_of(both, self.stop.wait())
        if not both.done() or self.stop.is_set():
            both.cancel()  # the scan thread sees the stop between two batches
            with contextlib.suppress(asyncio.CancelledError):
                await both
            return False
        report, _ = both.result()
        # The URLs of messages an earlier release sent; a platform that hangs does not
        # hold up SIGTERM.
        await first_of(app.learn_urls(self.store, self.channels), self.stop.wait())
        self._after_scan(report, None)  # wakes the outbox; files still being written: soon
        self._log_state()
        return True

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        """A part that dies must not leave the rest running as if all were well: stop,
        exit non-zero, and let the supervisor (systemd, Heroku, Docker) restart us."""
        error = None if task.cancelled() else task.exception()
        if error is None:
            return
        if reason := write_failure(error):  # the disk, not a bug: no traceback
            log.critical(
                "cannot write the state database %s (%s): stopping. Nothing is lost: start"
                " again once the disk has room or is writable", self.settings.state_db, reason,
            )  # fmt: skip
        else:
            log.critical(
                "the %s stopped on an error; the worker stops too", task.get_name(), exc_info=error
            )
        self.failed = True
        self.request_stop()

    def _chat_bot(self) -> list[asyncio.Task[None]]:
        """Readers' commands, in the same loop, when Telegram is configured for them."""
        telegram = self.settings.telegram
        if telegram is None or not telegram.commands:
            return []
        from bot.chat.search import Search
        from bot.chat.subscriptions import Subscriptions
        from bot.chat.telegram import ChatBot, Feature

        features: list[Callable[[ChatBot], Feature]] = [Search]
        if telegram.subscriptions:
            features.append(Subscriptions)
        bot = ChatBot(
            telegram,
            Catalog(self.store.db),
            self.settings.language,
            features=features,
            budget=self.telegram_budget,
        )
        return [asyncio.create_task(bot.run(self.stop), name="chat")]

    def _mastodon_replies(self) -> list[asyncio.Task[None]]:
        """With MASTODON_REPLIES=on, each Mastodon account answers its mentions (one
        listener per account, however many destinations post as it)."""
        if not self.settings.mastodon_replies:
            return []
        from bot.chat.mastodon import listeners

        made = listeners(self.settings, self.channels, self.store)
        return [
            asyncio.create_task(m.run(self.stop), name=f"mentions {m.channel.key}") for m in made
        ]

    def _log_state(self) -> None:
        counts = Catalog(self.store.db).counts()
        pending = {
            channel: info.get("pending", 0) + info.get("sending", 0) + info.get("deleting", 0)
            for channel, info in counts["channels"].items()
        }
        log.info(
            "found %d posts (%s); pending deliveries: %s",
            sum(counts["posts"].values()),
            ", ".join(f"{n} {status}" for status, n in sorted(counts["posts"].items())) or "none",
            ", ".join(f"{n} on {c}" for c, n in sorted(pending.items()) if n) or "none",
        )

    def _reconcile_interval(self) -> float:
        if self.settings.reconcile_interval is not None:
            return self.settings.reconcile_interval
        return RECONCILE_RELIABLE if self.watch.reliable else RECONCILE_DEFAULT

    async def _reconcile(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self._reconcile_interval())
            if not self.stop.is_set():
                await self.rescan()

    async def _settle(self) -> None:
        """Look again at files that were still being written, until they are done."""
        while not self.stop.is_set():
            if not self._busy:
                self._busy_changed.clear()
                await first_of(self._busy_changed.wait(), self.stop.wait())
                continue
            await first_of(asyncio.sleep(BUSY_RECHECK), self.stop.wait())
            paths, self._busy = self._busy, set()
            await self.rescan(paths)


async def run_worker(settings: Settings, store: Store, channels: Sequence[Channel]) -> int:
    """`postbode run`: the worker until SIGTERM / SIGINT."""
    log.info("postbode starting with %s", settings.describe())
    worker = Worker(settings, store, channels)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.request_stop)
    return await worker.run()
