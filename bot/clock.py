"""Time and waiting, shared by the outbox, the worker and the chat bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@functools.lru_cache(maxsize=256)  # a scan asks for its `now`, and a post's date, often
def utc_text(moment: dt.datetime) -> str:
    """Sortable UTC text for a moment, the form every time column uses."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


async def first_of(*waits: Awaitable[object]) -> None:
    """Wait until the first of these finishes; cancel the others."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
