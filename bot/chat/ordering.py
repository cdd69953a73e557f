"""Updates of one chat in the order they came, different chats side by side.

Handled one at a time, a busy group (held by Telegram to 20 replies a minute)
would keep every private chat waiting; handled all at once, a chat's replies
could overtake each other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates in progress at once (most wait for their chat's turn or the rate limiter).
MAX_CONCURRENT = 256


class PerChatOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates=max_concurrent)
        self._turns: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}  # updates holding or waiting for each chat's lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        user = update.effective_user if isinstance(update, Update) else None
        # An inline query has no chat: each reader's in order (their private chat's id is
        # theirs), not every reader's behind one another.
        key = chat.id if chat is not None else user.id if user is not None else 0
        turn = self._turns.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with turn:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:  # nobody holds or waits for it: forget the chat
                del self._queued[key], self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
