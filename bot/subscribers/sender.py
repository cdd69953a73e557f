"""The private outbox (SPEC §11): fans each new post out to its subscribers once it is
out, and sends their messages one at a time in the order they fell due, in the places
the channels leave in the token's budget, at most one a second into any one chat.

Each message is marked `sending` before its request and `sent` after, so a kill -9
repeats at most the one in flight. A 429 holds every private message exactly as long
as it says; a reader who blocked the bot is unsubscribed; network trouble backs off.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Iterable
from typing import Protocol

from bot.channels.base import AuthFailed, ChannelError, Permanent, RateLimited, ReaderGone, Sent
from bot.clock import Clock, first_of, utc_now
from bot.jekyll.posts import Post
from bot.logs import Redactor
from bot.outbox import AUTH_PAUSE, Backoff
from bot.state.fanout import Fanout, PrivateDelivery
from bot.state.rows import post_from_row
from bot.state.store import Store
from bot.state.subscribers import Subscribers

log = logging.getLogger(__name__)

# Seconds between two messages into one private chat (Telegram's one a second), counted
# from the answer to the first: it reached Telegram before that.
PER_CHAT = 1.0
BATCH = 50  # deliveries read per query
IDLE = dt.timedelta(seconds=1)  # an idle sender looks for new fan-outs this often


class Chats(Protocol):
    async def send(self, post: Post, chat_id: int, reader_language: str) -> Sent: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class Budget(Protocol):
    def private(self) -> contextlib.AbstractAsyncContextManager[None]: ...

    def hold(self, seconds: float) -> None: ...


class Sender:
    """Fans out and sends until the worker stops."""

    def __init__(
        self,
        store: Store,
        chats: Chats,
        budget: Budget,
        *,
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.fanout = Fanout(store.db)
        self.subscribers = Subscribers(store.db)
        self.chats = chats
        self.budget = budget
        self.clock = clock
        self.backoff = backoff or Backoff()
        self.rng = rng or random.Random()
        self._redact = Redactor(secrets).redact
        self._last: dict[int, float] = {}  # chat id -> when its last message left (loop time)
        self._paused_until: dt.datetime | None = None
        self._wakeup = asyncio.Event()
        self.sent = 0

    def wake(self) -> None:
        """A post may have gone out: look for fan-outs to start now."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        await self.chats.start()
        try:
            await self._run(stop)
        finally:
            await self.chats.close()

    async def drain(self) -> int:
        """Send what is due now, then stop (`run --once`): the fan-outs that may start
        and their messages, at the worker's pace (a chat's next message a second after
        its last one). One held longer (a backoff, a long 429, the token refused, its
        post gone for a moment) waits for the next run. How many went out."""
        before = self.sent
        await self.chats.start()
        try:
            while self._paused_until is None:
                if await self.step():
                    continue
                due = self.fanout.next_due()
                wait = (due - self.clock()).total_seconds() if due else PER_CHAT + 1
                if wait > PER_CHAT:
                    break
                await asyncio.sleep(max(0.0, wait))
        finally:
            await self.chats.close()
        return self.sent - before

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self._paused_until is not None and self._paused_until > self.clock():
                await self._sleep(self._paused_until, stop)
                continue
            if await self.step(stop):
                continue
            alarms = [self.clock() + IDLE, self.fanout.next_due()]
            await self._sleep(min(a for a in alarms if a is not None), stop)

    async def _sleep(self, until: dt.datetime, stop: asyncio.Event) -> None:
        wait = max(0.0, (until - self.clock()).total_seconds())
        await first_of(self._wakeup.wait(), stop.wait(), asyncio.sleep(wait))
        self._wakeup.clear()

    async def step(self, stop: asyncio.Event | None = None) -> int:
        """Start the fan-outs that may start, then handle one batch of due deliveries;
        how many were handled (0: nothing was due)."""
        await self.expand()
        batch = self.fanout.due(self.clock(), BATCH)
        posts: dict[int, Post | None] = {}
        for delivery in batch:
            if stop is not None and stop.is_set():
                break
            if delivery.post_id not in posts:  # read once a batch: an edit shows soon
                posts[delivery.post_id] = self._post(delivery.post_id)
            await self._handle(delivery, posts[delivery.post_id])
            if self._paused_until is not None:
                break
        return len(batch)

    async def expand(self) -> int:
        """Every fan-out that may start, chunk by chunk, the loop free between chunks."""
        made = 0
        for post_id in self.fanout.startable(self.clock()):
            readers = 0
            while (added := self.fanout.expand(post_id, self.clock())) is not None:
                readers += added
                await asyncio.sleep(0)
            log.info("post %d goes to %d subscribers' private chats", post_id, readers)
            made += readers
        return made

    def _post(self, post_id: int) -> Post | None:
        row = self.fanout.post_row(post_id)
        return post_from_row(row) if row and row["status"] == "ready" else None

    async def _handle(self, delivery: PrivateDelivery, post: Post | None) -> None:
        if post is None:  # gone or unpublished since: none go, unless it is soon back
            self.fanout.wait_or_withdraw(delivery.post_id, self.clock())
            return
        if delivery.language is None:  # the reader unsubscribed since
            self.fanout.withdraw(delivery_id=delivery.id)
            return
        loop = asyncio.get_running_loop()
        last = self._last.get(delivery.chat_id)
        if last is not None and loop.time() - last < PER_CHAT:
            later = self.clock() + dt.timedelta(seconds=last + PER_CHAT - loop.time())
            self.fanout.mark_retry(delivery.id, "", later)
            return
        if not self.fanout.mark_sending(delivery.id):
            return
        sent: Sent | Exception
        async with self.budget.private():  # the place: the request alone
            try:
                sent = await self.chats.send(post, delivery.chat_id, delivery.language)
            except Exception as error:  # what it means is _record's
                sent = error
            finally:  # from its answer: the message reached Telegram before that
                self._note(delivery.chat_id, loop.time())
        self._record(delivery, sent)

    def _note(self, chat_id: int, at: float) -> None:
        """Remember when the chat's message left; forget chats quiet for a second."""
        self._last[chat_id] = at
        if len(self._last) > 4 * BATCH:
            self._last = {c: t for c, t in self._last.items() if at - t < PER_CHAT}

    def _record(self, delivery: PrivateDelivery, outcome: Sent | Exception) -> None:
        """The request's outcome in the delivery's row (an error dispatched on its kind)."""
        try:
            if isinstance(outcome, Exception):
                raise outcome
        except ReaderGone as error:
            self.subscribers.drop_reader(delivery.chat_id)
            log.info("reader %d is gone (%s): unsubscribed", delivery.chat_id, error)
        except RateLimited as error:
            # Waited out exactly, by every private message: channels keep their places.
            self.budget.hold(error.retry_after)
            at = self.clock() + dt.timedelta(seconds=error.retry_after)
            self.fanout.mark_retry(delivery.id, self._why(error), at)
            log.warning("private chats rate limited: waiting %.1f s", error.retry_after)
        except Permanent as error:
            self.fanout.mark_failed(delivery.id, self._why(error))
            log.error("private message refused for good (post %d): %s", delivery.post_id, error)
        except AuthFailed as error:
            self._paused_until = self.clock() + AUTH_PAUSE
            self.fanout.mark_retry(delivery.id, self._why(error), self._paused_until)
            log.error("PRIVATE CHATS PAUSED for %s: %s", AUTH_PAUSE, error)
        except Exception as error:  # network, 5xx, or a bug: never the end of the sender
            if not isinstance(error, ChannelError):
                log.exception("unexpected error sending post %d privately", delivery.post_id)
            delay = self.backoff.delay(delivery.attempts + 1, self.rng)
            self.fanout.mark_retry(
                delivery.id, self._why(error), self.clock() + dt.timedelta(seconds=delay)
            )
            log.warning("private message failed, retrying in %.0f s: %s", delay, error)
        else:
            assert isinstance(outcome, Sent)
            self.fanout.mark_sent(delivery.id, outcome.remote_id, self.clock())
            self.sent += 1

    def _why(self, error: Exception) -> str:
        return self._redact(str(error))
