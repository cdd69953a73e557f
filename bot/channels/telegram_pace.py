"""Telegram's overall budget for one bot token, shared by its channels and the readers'
private chats (SPEC §11): at most `per_second` messages in any window of a little more
than a second, channels first.

A channel takes the next free place whenever it has a message; a private message takes
one only while no channel waits. So a fan-out to 100,000 readers fills what the
channels leave, and never holds up a channel by more than one place.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

OVERALL_PER_SECOND = 30  # "about 30 messages per second" (Bot API FAQ)
PAID_PER_SECOND = 1000  # with allow_paid_broadcast, paid in Stars past the free 30
# The window is this much longer than a second: requests leave here and arrive there a
# little apart, and a window counted here must never hold one more there.
MARGIN = 0.02
_POLL = 0.005  # seconds between two looks while a channel waits for its place


class Overall:
    """A sliding window of the token's recent sends, with a queue of channels first."""

    def __init__(
        self, per_second: int = OVERALL_PER_SECOND, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second = per_second
        self.window = 1.0 + MARGIN
        self.clock = clock
        self._sent: deque[float] = deque()
        self._channels_waiting = 0
        self._held_until = 0.0

    def _wait(self, held: bool = False) -> float:
        """Seconds until a place is free (0: now); `held`: for a private message, which
        waits out the private chats' 429 too (a channel's own 429 is the outbox's)."""
        now = self.clock()
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        wait = self._held_until - now if held else 0.0
        if len(self._sent) >= self.per_second:
            wait = max(wait, self._sent[0] + self.window - now)
        return max(0.0, wait)

    async def channel(self) -> None:
        """A channel's message: the next free place, before any private one."""
        self._channels_waiting += 1
        try:
            while (wait := self._wait()) > 0:
                await asyncio.sleep(wait)
        finally:
            self._channels_waiting -= 1
        self._sent.append(self.clock())

    async def private(self) -> None:
        """A private message: a free place that no channel is waiting for."""
        while (wait := self._wait(held=True)) > 0 or self._channels_waiting:
            await asyncio.sleep(max(wait, _POLL))
        self._sent.append(self.clock())

    def hold(self, seconds: float) -> None:
        """A 429 for the private chats: none of them sends before it has run out."""
        self._held_until = max(self._held_until, self.clock() + seconds)

    def sent_within(self, seconds: float) -> int:
        """How many went out in the last `seconds` (at most the window)."""
        now = self.clock()
        return sum(1 for at in self._sent if at > now - seconds)
