"""Time and waiting, shared by the outbox, the worker and the chat bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

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


async def until_stop(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> None:
    """`work` until it ends (its error raised here) or `stop`, or this is cancelled: then
    it is cancelled too, and what the request cut off raises is no news."""
    working = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not working.done():
            working.cancel()
            await asyncio.wait({working})
        error = None if working.cancelled() else working.exception()
    if error is not None and not stop.is_set():
        raise error
