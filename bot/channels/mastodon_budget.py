"""What is left of an account's statuses: Mastodon lets an account create 300 per 3
hours (the "statuses" family, fixed windows). Publishing and the answers to mentions
(bot.chat.mastodon) share one budget per account; answers stop while fewer than
REPLY_RESERVE remain, so that publishing always has those.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

from bot.channels.base import RateLimited

# Enforced here only for a server that sends no rate-limit headers; otherwise they rule.
STATUS_LIMIT, STATUS_PERIOD = 300, 3 * 3600.0
REPLY_RESERVE = 100  # statuses of the window kept for publishing: answers stop there


class StatusBudget:
    """The statuses an account may still create, from the headers of its last status
    creation (publishing's or an answer's), else counted here."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._created: collections.deque[float] = collections.deque()
        self._blocked_until = 0.0
        self._server_counts = False  # whether the instance sends rate-limit headers
        self._remaining: int | None = None  # the last creation's X-RateLimit-Remaining
        self._reset = 0.0  # … and its reset

    def created(self, remaining: int | None, reset: float | None, headers: bool) -> None:
        """A status was created; its answer's headers say what is left until when."""
        self._created.append(self.clock())
        self.note(remaining, reset, headers)

    def note(self, remaining: int | None, reset: float | None, headers: bool) -> None:
        self._server_counts = headers
        if headers and remaining is not None:
            self._remaining, self._reset = remaining, float(reset or 0.0)
        if remaining is not None and remaining <= 0 and reset:
            self._blocked_until = max(self._blocked_until, float(reset))

    def block(self, until: float) -> None:
        """A 429 said: nothing before `until`."""
        self._blocked_until = until

    def left(self) -> int:
        """Statuses still allowed in this window."""
        now = self.clock()
        while self._created and self._created[0] <= now - STATUS_PERIOD:
            self._created.popleft()
        if now < self._blocked_until:
            return 0
        if self._server_counts:
            if self._remaining is None or now >= self._reset:
                return STATUS_LIMIT  # a new window
            return self._remaining
        return max(0, STATUS_LIMIT - len(self._created))

    def check(self) -> None:
        """Refuse before asking when the headers (or, without them, the 300 statuses
        per 3 hours) say the next status would be refused."""
        now = self.clock()
        wait = self._blocked_until - now
        if self.left() <= 0 and not self._server_counts and self._created:
            wait = max(wait, self._created[0] + STATUS_PERIOD - now)
        if wait > 0:
            raise RateLimited(f"Mastodon rate limit: next status in {wait:.0f} s", wait)

    def allows_reply(self) -> bool:
        """An answer to a mention leaves publishing its REPLY_RESERVE."""
        return self.left() > REPLY_RESERVE
