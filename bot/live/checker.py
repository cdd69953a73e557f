"""The live check: looks at the pages of the posts that wait for theirs, with backoff,
and lets each post's publications go to the outbox once its page answers 2xx, or once
LIVE_TIMEOUT has passed (with a warning).

It runs beside the outbox in the worker's event loop; `run --once` asks it for one
round. What it knows is in the database (bot/state/waiting.py), so a restart goes on
where it stopped: the looks done, the next one, the deadline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.clock import Clock, first_of, utc_now
from bot.live.page import Answer, Pages
from bot.live.rules import LiveRules, under_site
from bot.state.store import Store
from bot.state.waiting import Waiting, WaitingPost

log = logging.getLogger(__name__)

PARALLEL = 4  # pages looked at side by side: a slow site costs each look its deadline


class LiveChecker:
    """Releases waiting posts to the outbox as their pages go live; `on_release` wakes it."""

    def __init__(
        self,
        store: Store,
        site_url: str | None,
        *,
        rules: LiveRules | None = None,
        pages: Pages | None = None,
        clock: Clock = utc_now,
        on_release: Callable[[], None] | None = None,
    ) -> None:
        self.waiting = Waiting(store.db)
        self.site_url = site_url
        self.rules = rules or LiveRules()
        self.pages = pages or Pages(site_url)
        self.clock = clock
        self.on_release = on_release or (lambda: None)  # the worker wakes its outbox
        self._wakeup = asyncio.Event()

    def wake(self) -> None:
        """Posts may have started waiting (a scan queued them): look at the due ones now."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Look at each page when its look is due, until `stop`."""
        try:
            while not stop.is_set():
                self._wakeup.clear()  # before the round: a wake-up during it is kept
                await self.check_due()
                waits: list[Awaitable[object]] = [self._wakeup.wait(), stop.wait()]
                if (due := self.waiting.next_due()) is not None:
                    waits.append(asyncio.sleep(max(0.0, (due - self.clock()).total_seconds())))
                await first_of(*waits)
        finally:
            await self.close()

    async def close(self) -> None:
        await self.pages.close()

    async def check_due(self) -> int:
        """One look at every page whose look is due; how many posts went to the outbox."""
        return await self._check_all(self.waiting.due(self.clock()))

    async def check_every(self) -> int:
        """One look at every waiting post's page, due or not (`run --once`: for cron, the
        time between two runs is the backoff)."""
        return await self._check_all(self.waiting.every())

    async def _check_all(self, posts: list[WaitingPost]) -> int:
        limit = asyncio.Semaphore(PARALLEL)

        async def one(post: WaitingPost) -> bool:
            async with limit:
                return await self._check(post)

        return sum(await asyncio.gather(*(one(post) for post in posts)))

    async def _check(self, post: WaitingPost) -> bool:
        if not under_site(post.link, self.site_url):  # WAIT_FOR_LIVE off now, or a new link
            return self._release(post, self.clock(), "its link is not under SITE_URL now")
        answer = await self._look(post) if post.ready else Answer(False, "the post is invalid now")
        now = self.clock()
        if answer.live:
            # Only for the link looked at: an edit that changed it meanwhile is looked at next.
            return self._release(post, now, f"its page {answer.why}", link=post.link)
        checks = post.checks + 1
        at = self.rules.next_check(post.since, checks, now)
        if at is None:
            if not self._release(post, now, ""):
                return False
            log.warning(
                "the page of %s did not go live within LIVE_TIMEOUT (%.0f s; %s at the last"
                " look): announcing it anyway", post.path, self.rules.timeout, answer.why,
            )  # fmt: skip
            return True
        self.waiting.look_again(post.post_id, checks, at, answer.why, now)
        if post.checks == 0:
            log.info(
                "%s waits for its page %s (%s) before its first message: looking again with"
                " backoff, at most %.0f s (LIVE_TIMEOUT)", post.path, post.link, answer.why,
                self.rules.timeout,
            )  # fmt: skip
        return False

    async def _look(self, post: WaitingPost) -> Answer:
        try:
            return await self.pages.look(post.link)
        except Exception as error:  # a bug in a look must not stop every announcement
            log.exception("looking at the page of %s failed", post.path)
            return Answer(False, f"{type(error).__name__}: {error}")

    def _release(
        self, post: WaitingPost, now: dt.datetime, why: str, *, link: str | None = None
    ) -> bool:
        if not self.waiting.release(post.post_id, now, link=link):
            return False  # withdrawn meanwhile, or its link changed: nothing goes now
        if why:
            log.info(
                "%s: %s, after %.0f s: announcing it",
                post.path, why, max(0.0, (now - post.since).total_seconds()),
            )  # fmt: skip
        self.on_release()
        return True
