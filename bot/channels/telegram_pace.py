"""Telegram's overall budget for one bot token, shared by its channels and the readers'
private chats (SPEC §11): at most `per_second` messages in any second, channels first.

A place is taken when a request leaves and counted from when its answer came back:
the request reached Telegram somewhere in between, so a window counted here never
holds one more there, however the network's delays vary. A channel takes the next
free place whenever it has a message; a private message takes one only while no
channel waits. So a fan-out to 100,000 readers fills what the channels leave, and
never holds up a channel by more than one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable

OVERALL_PER_SECOND = 30  # "about 30 messages per second" (Bot API FAQ)
PAID_PER_SECOND = 1000  # with allow_paid_broadcast, paid in Stars past the free 30
WINDOW = 1.0  # seconds
# Private messages leave at least this share of the even spacing apart: a little less
# than all of it, since a sleep wakes late; the window still holds them to the limit.
SPACING = 0.9
_POLL = 0.005  # seconds between two looks while a place is taken by a request in flight


class Overall:
    """A sliding window of the token's recent requests, channels first."""

    def __init__(
        self, per_second: int = OVERALL_PER_SECOND, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.clock = clock
        self._done: deque[float] = deque()  # when the answers of recent requests came
        self._in_flight = 0
        self._channels_waiting = 0
        self._held_until = 0.0
        self._last_private = -WINDOW  # when the last private message left

    def _wait(self, held: bool = False) -> float:
        """Seconds until a place is free (0: now); `held`: for a private message, which
        waits out the private chats' 429 too (a channel's own 429 is the outbox's)."""
        now = self.clock()
        while self._done and self._done[0] <= now - WINDOW:
            self._done.popleft()
        wait = self._held_until - now if held else 0.0
        if len(self._done) + self._in_flight >= self.per_second:
            wait = max(wait, self._done[0] + WINDOW - now if self._done else _POLL)
        return max(0.0, wait)

    @contextlib.asynccontextmanager
    async def channel(self) -> AsyncIterator[None]:
        """A channel's request: the next free place, before any private one."""
        self._channels_waiting += 1
        try:
            while (wait := self._wait()) > 0:
                await asyncio.sleep(wait)
        finally:
            self._channels_waiting -= 1
        async with self._taken():
            yield

    @contextlib.asynccontextmanager
    async def private(self) -> AsyncIterator[None]:
        """A private message: a free place that no channel is waiting for, and evenly
        spaced, not in bursts, so that a channel's message finds the next place within a
        thirtieth of a second, not after a burst has filled the second."""
        while True:
            spaced = self._last_private + SPACING * WINDOW / self.per_second - self.clock()
            wait = max(self._wait(held=True), spaced)
            if wait <= 0 and not self._channels_waiting:
                break
            await asyncio.sleep(max(wait, _POLL))
        self._last_private = self.clock()
        async with self._taken():
            yield

    @contextlib.asynccontextmanager
    async def _taken(self) -> AsyncIterator[None]:
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._done.append(self.clock())

    def hold(self, seconds: float) -> None:
        """A 429 for the private chats: none of them sends before it has run out."""
        self._held_until = max(self._held_until, self.clock() + seconds)
