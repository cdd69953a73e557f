"""Telegram channel adapter (python-telegram-bot): one adapter per channel chat.

With an image, the summary goes as a photo caption (sendPhoto by URL); without,
as a text message with a link preview. A destination puts a new message in its forum
topic and silences it in its silent hours; an edit leaves the message where it is.
Library errors become our four kinds; BadRequest is caught before NetworkError, of
which it is a subclass.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable
from typing import Any

import httpx
from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import AuthFailed, Permanent, RateLimited, Retryable, Sent
from bot.channels.telegram_bot import make_bot
from bot.channels.telegram_chat import missing_topic, missing_topics, posting_refused, thread_id
from bot.channels.telegram_pace import Overall
from bot.clock import Clock, utc_now
from bot.config import TelegramSettings
from bot.jekyll.posts import Post
from bot.jekyll.site import normalize_url
from bot.routing.destinations import Destination
from bot.routing.rules import is_silent, topic_choice
from bot.summary import TelegramMessage, render_telegram

log = logging.getLogger(__name__)

# httpx errors (PTB's NetworkError.__cause__) raised after the request went out.
_ANSWER_LOST = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)
# Telegram could not fetch or use the photo URL: send the summary as text instead.
_PHOTO_PROBLEMS = ("wrong file identifier", "http url", "failed to get http url", "photo", "image")
_OVERALL_PER_SECOND = 30


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after is an int today and a timedelta tomorrow (PTB 22.2+)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class TelegramChannel:
    """Publishes summaries into one Telegram channel."""

    def __init__(
        self,
        settings: TelegramSettings,
        chat: str,
        language: str,
        bot: Bot | None = None,
        *,
        destination: Destination | None = None,
        zone: dt.tzinfo = dt.UTC,
        clock: Clock = utc_now,
        overall: Overall | None = None,
    ) -> None:
        self.chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
        self.key = destination.key if destination else f"telegram:{chat}"
        self.destination = destination
        self.extra_tags = destination.hashtags if destination else ()
        self.zone = zone  # the site's: silent hours are read in it
        self.clock = clock
        self.language = language
        self.bot = bot or make_bot(settings)
        self.overall = overall  # the token's 30 a second, shared with private chats
        # The channel's public name (t.me links): "" for a private one, None until known.
        self._username: str | None = chat[1:] if isinstance(self.chat_id, str) else None
        # The channel's per-minute budget, and never more than Telegram's 30/s overall;
        # 2 % more, so that the jitter of the network never puts N+1 in a minute.
        per_minute = (destination and destination.max_per_minute) or settings.max_per_minute
        self.min_interval = max(60.0 / per_minute, 1.0 / _OVERALL_PER_SECOND) * 1.02

    async def start(self) -> None:
        try:
            await self.bot.initialize()
        except InvalidToken:
            log.error("%s: the bot token was rejected (401): check TELEGRAM_BOT_TOKEN", self.key)
        except TelegramError as error:
            log.warning("%s: could not reach the Bot API at start: %s", self.key, _describe(error))

    async def close(self) -> None:
        try:
            await self.bot.shutdown()
        except TelegramError as error:
            log.warning("%s: closing the connection failed: %s", self.key, _describe(error))

    async def publish(self, post: Post, idempotency_key: str) -> Sent:
        """Send the summary; the remote id records whether it is a photo or a text."""
        chosen = topic_choice(post, self.destination) if self.destination else None
        try:
            return await self._publish(post, self._placement(chosen))
        except Permanent as error:
            clearer = missing_topic(error, self.destination, chosen)
            if clearer is None:
                raise
            raise clearer from None

    def _placement(self, chosen: tuple[str, int] | None) -> dict[str, Any]:
        """Where and how a new message lands: its forum topic, silent in silent hours."""
        placement: dict[str, Any] = {}
        if (thread := thread_id(chosen)) is not None:
            placement["message_thread_id"] = thread
        if self.destination and is_silent(self.destination, self.clock(), self.zone):
            placement["disable_notification"] = True
        return placement

    async def _publish(self, post: Post, placement: dict[str, Any]) -> Sent:
        message = self._render(post)
        if message.method == "sendPhoto":
            try:
                sent = await self._call(self._send_photo(message, placement))
                return Sent(f"photo:{sent.message_id}", self._public_link(sent))
            except Permanent as error:
                if not any(p in str(error).lower() for p in _PHOTO_PROBLEMS):
                    raise
                log.warning(
                    "%s: photo refused (%s), sending %s as text", self.key, error, post.path
                )
                message = self._render(dataclasses.replace(post, image_url=None))
        sent = await self._call(self._send_text(message, placement))
        return Sent(f"text:{sent.message_id}", self._public_link(sent))

    def _render(self, post: Post) -> TelegramMessage:
        """The message as this destination shows it: its words ("Read more" in its
        `language`, or its own `read_more`) and its hashtags."""
        here = self.destination
        return render_telegram(
            post,
            self.language,
            words_in=here.language if here else None,
            read_more=here.read_more if here else None,
            extra_tags=self.extra_tags,
        )

    def _public_link(self, sent: Message) -> str:
        """t.me/<channel>/<id> when the channel is public (it has a username); a private
        channel's t.me/c/ links open only for its members, so it has none."""
        self._username = sent.chat.username or ""
        return (normalize_url(sent.link) or "") if self._username else ""

    async def public_url(self, remote_id: str) -> str | None:
        """From the channel's username: its @name, or what getChat says (once)."""
        if self._username is None:
            try:
                chat = await self.bot.get_chat(self.chat_id)
            except TelegramError as error:
                log.warning("%s: cannot tell its public name now: %s", self.key, _describe(error))
                return None
            self._username = chat.username or ""
        if not self._username:
            return ""
        # A release-0.1 id may be bare; ours are "text:<id>" or "photo:<id>".
        return normalize_url(f"https://t.me/{self._username}/{remote_id.rpartition(':')[2]}") or ""

    async def edit(self, post: Post, remote_id: str) -> None:
        kind, _, message_id = remote_id.partition(":")
        if kind == "photo":
            # A photo stays a photo: its caption keeps the 1024 budget even if the
            # post has lost its image since.
            as_photo = dataclasses.replace(post, image_url=post.image_url or "-")
            caption = self._render(as_photo).text
            await self._call(
                self.bot.edit_message_caption(
                    chat_id=self.chat_id,
                    message_id=int(message_id),
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                ),
                not_modified_ok=True,
            )
        else:
            text = self._render(dataclasses.replace(post, image_url=None))
            await self._call(
                self.bot.edit_message_text(
                    chat_id=self.chat_id,
                    message_id=int(message_id),
                    text=text.text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(url=text.preview_url),
                ),
                not_modified_ok=True,
            )

    async def delete(self, post: Post, remote_id: str) -> None:
        _, _, message_id = remote_id.partition(":")
        try:
            await self._call(
                self.bot.delete_message(chat_id=self.chat_id, message_id=int(message_id))
            )
        except Permanent as error:
            if "not found" not in str(error).lower():
                raise  # e.g. older than 48 hours: Telegram no longer lets bots delete it
            log.info("%s: message %s was already gone", self.key, message_id)

    async def check(self) -> str | None:
        """None when the token works, the bot may post here and a forum has the topics
        the destination names, else the problem."""
        try:
            await self.bot.initialize()  # getMe: checks the token
            me = self.bot.bot
            member = await self.bot.get_chat_member(self.chat_id, me.id)
            chat = await self.bot.get_chat(self.chat_id)
            problem = posting_refused(member, chat, me.username)
            if problem is None and self.destination and self.destination.topics:
                problem = await missing_topics(self.bot, chat, self.destination)
        except InvalidToken:
            return "the bot token was rejected: check TELEGRAM_BOT_TOKEN"
        except TelegramError as error:
            return _describe(error)
        return problem

    def _send_photo(
        self, message: TelegramMessage, placement: dict[str, Any]
    ) -> Awaitable[Message]:
        return self.bot.send_photo(
            chat_id=self.chat_id,
            photo=message.photo or "",
            caption=message.text,
            parse_mode=ParseMode.HTML,
            **placement,
        )

    def _send_text(self, message: TelegramMessage, placement: dict[str, Any]) -> Awaitable[Message]:
        return self.bot.send_message(
            chat_id=self.chat_id,
            text=message.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(
                url=message.preview_url, prefer_large_media=True
            ),
            **placement,
        )

    async def _call(
        self, request: Awaitable[Message | bool], *, not_modified_ok: bool = False
    ) -> Message:
        """Await a Bot API call and translate its errors into the channel vocabulary."""
        # A place in the token's budget, before any reader's (SPEC §11).
        place = self.overall.channel() if self.overall else contextlib.nullcontext()
        try:
            async with place:
                return await request  # type: ignore[return-value]
        except RetryAfter as error:
            raise RateLimited(
                f"Telegram flood control: retry after {retry_after_seconds(error):g} s",
                retry_after_seconds(error),
            ) from None
        except InvalidToken:
            raise AuthFailed("the bot token was rejected (401): check TELEGRAM_BOT_TOKEN") from None
        except Forbidden as error:
            raise AuthFailed(f"forbidden in {self.chat_id}: {error.message}") from None
        except ChatMigrated as error:
            raise AuthFailed(
                f"{self.chat_id} became {error.new_chat_id}: update TELEGRAM_CHANNEL"
            ) from None
        except BadRequest as error:  # before NetworkError: it is one
            if not_modified_ok and "not modified" in error.message.lower():
                return True  # type: ignore[return-value]
            raise _refusal(self.chat_id, error.message) from None
        except (NetworkError, TelegramError) as error:  # TimedOut is one too
            # Sent, but the answer was lost: the message may be there. The one way a
            # Telegram duplicate can come about, short of a crash.
            # Or answered with a body that is not JSON ("Invalid server response").
            uncertain = isinstance(error.__cause__, _ANSWER_LOST) or _garbled(error)
            raise Retryable(f"Telegram: {_describe(error)}", uncertain=uncertain) from None


def _refusal(chat_id: int | str, message: str) -> AuthFailed | Permanent:
    """A 400 in our vocabulary. A chat we cannot reach, or rights we lost, come back when
    someone fixes the channel: the channel pauses. Anything else is this message's fault."""
    lowered = message.lower()
    if "chat not found" in lowered:
        return AuthFailed(f"{chat_id}: chat not found (is the bot in the channel?)")
    if "rights" in lowered:  # "need administrator rights in the channel chat"
        return AuthFailed(f"{chat_id}: {message}")
    return Permanent(f"Telegram refused the message: {message}")


def _garbled(error: TelegramError) -> bool:
    return error.message == "Invalid server response"


def _describe(error: TelegramError) -> str:
    return f"{type(error).__name__}: {error.message}"
