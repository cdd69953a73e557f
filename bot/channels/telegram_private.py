"""A new post in a subscriber's private chat (SPEC §11): the channel's summary, its
"Read more" in the reader's language, through the channels' own Bot and adapter code;
a reader who blocked the bot or whose account is gone is told apart (ReaderGone)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.base import ReaderGone, Sent
from bot.channels.telegram import TelegramChannel
from bot.config import TelegramSettings
from bot.jekyll.posts import Post
from bot.summary import TelegramMessage, render_telegram

# 400s that say the chat is no more: an account deleted, a chat never started.
_NO_CHAT = ("chat not found", "user not found", "user is deactivated")
_RENDERED = 64  # summaries kept: a few posts in a few languages


class PrivateChat(TelegramChannel):
    """One reader's private chat, as a channel that only publishes."""

    def __init__(
        self,
        settings: TelegramSettings,
        chat_id: int,
        language: str,
        reader_language: str,
        bot: Bot,
        *,
        paid: bool = False,
        rendered: dict[tuple[Post, str], TelegramMessage] | None = None,
    ) -> None:
        super().__init__(settings, str(chat_id), language, bot)
        self.reader_language = reader_language
        self.paid = paid
        self.rendered = {} if rendered is None else rendered

    def _render(self, post: Post) -> TelegramMessage:
        """Made once per post and language: a fan-out sends the same one 100,000 times."""
        key = (post, self.reader_language)
        if key not in self.rendered:
            if len(self.rendered) > _RENDERED:
                self.rendered.clear()
            self.rendered[key] = render_telegram(post, self.language, words_in=self.reader_language)
        return self.rendered[key]

    def _placement(self, chosen: tuple[str, int] | None) -> dict[str, Any]:
        # Telegram's paid higher limit, when the operator pays for it.
        return {"allow_paid_broadcast": True} if self.paid else {}

    def _public_link(self, sent: Message) -> str:
        return ""  # a private chat has no public address

    async def _call(
        self, request: Awaitable[Message | bool], *, not_modified_ok: bool = False
    ) -> Message:
        return await super()._call(_reader_errors(request), not_modified_ok=not_modified_ok)


async def _reader_errors(request: Awaitable[Message | bool]) -> Message | bool:
    """A 403 in a private chat is the reader's doing: blocked, deactivated, never started."""
    try:
        return await request
    except Forbidden as error:
        raise ReaderGone(error.message) from None
    except BadRequest as error:
        if any(words in error.message.lower() for words in _NO_CHAT):
            raise ReaderGone(error.message) from None
        raise


class PrivateChats:
    """Sends to any reader's chat with the bot the channels use."""

    def __init__(
        self, settings: TelegramSettings, language: str, bot: Bot, *, owned: bool = False
    ) -> None:
        self.settings = settings
        self.language = language
        self.bot = bot
        self.owned = owned  # made for the private chats alone: they start and close it
        self._rendered: dict[tuple[Post, str], TelegramMessage] = {}

    async def send(self, post: Post, chat_id: int, reader_language: str) -> Sent:
        chat = PrivateChat(
            self.settings,
            chat_id,
            self.language,
            reader_language,
            self.bot,
            paid=self.settings.paid_broadcast,
            rendered=self._rendered,
        )
        return await chat.publish(post, "")

    async def start(self) -> None:
        if self.owned:
            with contextlib.suppress(TelegramError):  # a message will say what is wrong
                await self.bot.initialize()

    async def close(self) -> None:
        if self.owned:
            with contextlib.suppress(TelegramError):
                await self.bot.shutdown()
