"""Per-user flood control for chat commands: a token bucket each.

A user may send `burst` commands at once and one more every `refill` seconds.
The first command over the limit gets a polite notice, the rest silence, until
the bucket has a token again.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["answer", "notice", "silence"]
_FORGET_AFTER = 600.0  # seconds without commands before a user's bucket is dropped


@dataclass
class _Bucket:
    tokens: float
    at: float
    noticed: bool = False


class FloodGate:
    def __init__(
        self, burst: int = 4, refill: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.burst = burst
        self.refill = refill
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def check(self, user_id: int) -> Verdict:
        """Whether to answer this user's command now, tell them to slow down, or say nothing."""
        now = self.clock()
        if len(self._buckets) > 10_000:
            self._forget(now)
        bucket = self._buckets.setdefault(user_id, _Bucket(float(self.burst), now))
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) / self.refill)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.noticed = False
            return "answer"
        if bucket.noticed:
            return "silence"
        bucket.noticed = True
        return "notice"

    def _forget(self, now: float) -> None:
        self._buckets = {u: b for u, b in self._buckets.items() if now - b.at < _FORGET_AFTER}


def flood_key(ident: str) -> int:
    """A FloodGate key for an id given as text: Mastodon's are numbers, others' not."""
    if ident.isdigit() and len(ident) < 30:
        return int(ident)
    return zlib.crc32(ident.encode()) + (1 << 100)
