"""One daemon thread that runs blocking calls in order, for asyncio code."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Calls = queue.SimpleQueue[tuple[Callable[[], Any], asyncio.Future[Any]] | None]


class SerialThread:
    """Runs calls one at a time on a daemon thread.

    One at a time: Mastodon.py's rate-limit bookkeeping is not thread-safe, for one.
    A daemon thread: a request stuck in the network never holds up the process's exit.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._calls: _Calls | None = None

    async def run(self, call: Callable[[], T]) -> T:
        if self._calls is None:
            self._calls = queue.SimpleQueue()
            threading.Thread(target=_work, args=(self._calls,), name=self.name, daemon=True).start()
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._calls.put((call, future))
        return await future

    def close(self) -> None:
        """The thread ends after the call in hand; a later run() starts a new one."""
        if self._calls is not None:
            self._calls.put(None)
            self._calls = None


def _work(calls: _Calls) -> None:
    """The thread's loop: each call's outcome goes back to the coroutine awaiting it."""
    while (item := calls.get()) is not None:
        call, future = item
        try:
            result = call()
        except BaseException as error:
            _settle(future, None, error)
        else:
            _settle(future, result, None)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    def apply() -> None:
        if future.cancelled():
            return  # the worker stopped waiting (shutdown): the answer is dropped
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    with contextlib.suppress(RuntimeError):  # the event loop is already closed
        future.get_loop().call_soon_threadsafe(apply)
