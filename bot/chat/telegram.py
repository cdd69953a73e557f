"""The Telegram bot readers talk to: its features' commands (bot.chat.browse …).

python-telegram-bot's Application runs inside the worker's event loop (started by
hand, polling getUpdates), answering from the state database. Replies share the
bot token's 30-messages-a-second budget with channel publishing, which comes
first: replies are held to REPLIES_PER_SECOND and take their places in the token's
budget before subscribers' messages (SharedBudget), and to Telegram's 20 a minute in
any one group; each reader to a few commands at a time (bot.chat.flood).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    filters,
)

from bot.channels.telegram_pace import Overall
from bot.chat import replies
from bot.chat.browse import Browse
from bot.chat.flood import FloodGate
from bot.chat.ordering import PerChatOrder
from bot.chat.replies import Reply
from bot.clock import first_of, utc_now
from bot.config import TelegramSettings
from bot.state.catalog import Catalog
from bot.words import LANGUAGES, Words, pick, words

log = logging.getLogger(__name__)

# Channel publishing needs at most one message per channel every 3 s; replies get
# the rest of Telegram's 30 per second. The limiter is a leaky bucket, which can let
# twice its rate through within one second (a full bucket, then the steady rate):
# 12 a second keeps replies under 24 in any second, leaving room for the channels.
REPLIES_PER_SECOND = 12
GROUP_REPLIES_PER_MINUTE = 20
RETRY_START = 60.0  # seconds before trying again when the Bot API cannot be reached


class SharedBudget(AIORateLimiter):
    """Replies held to REPLIES_PER_SECOND, each also taking its place in the token's
    budget that the channels and subscribers' messages share (bot.channels.telegram_pace),
    so a fan-out to subscribers fills what the replies leave instead of drawing 429s."""

    def __init__(self, budget: Overall | None) -> None:
        super().__init__(overall_max_rate=REPLIES_PER_SECOND, max_retries=2)
        self.budget = budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        budget = self.budget
        if budget is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        async def placed(*a: Any, **k: Any) -> Any:
            async with budget.channel():  # the place is taken at the request itself
                return await callback(*a, **k)

        return await super().process_request(placed, args, kwargs, endpoint, data, rate_limit_args)


class Feature(Protocol):
    """A group of the bot's commands (bot.chat.browse is the first): made with the
    ChatBot, whose `answer` sends its replies under flood control."""

    updates: tuple[str, ...]  # the kinds of update it needs from getUpdates

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]: ...

    def menu(self, said: Words) -> list[BotCommand]:
        """Its entries in the command menu, in one language."""
        ...

    def help_text(self, language: str) -> str:
        """Plain text /help adds for it ("" for none), starting with a newline."""
        ...


class ChatBot:
    """Answers readers' commands until the worker stops."""

    def __init__(
        self,
        settings: TelegramSettings,
        catalog: Catalog,
        language: str,
        *,
        flood: FloodGate | None = None,
        groups: FloodGate | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        features: Sequence[Callable[[ChatBot], Feature]] = (),
        budget: Overall | None = None,
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.language = language
        self.flood = flood or FloodGate()
        # Telegram lets a bot send 20 messages a minute into one group: past that, the
        # group's commands get no answer instead of a queue of late ones.
        self.groups = groups or FloodGate(
            burst=GROUP_REPLIES_PER_MINUTE, refill=60 / GROUP_REPLIES_PER_MINUTE
        )
        self.clock = clock
        # Commands only in new messages: not edits of old commands, not channel posts.
        self.messages = filters.UpdateType.MESSAGE
        self.no_preview = LinkPreviewOptions(is_disabled=True)
        self.app: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(settings.token)
            .base_url(f"{settings.api_url}/bot")
            .rate_limiter(SharedBudget(budget))
            .concurrent_updates(PerChatOrder())
            .job_queue(None)
            .build()
        )
        makers: list[Callable[[ChatBot], Feature]] = [Browse, *features]
        self.features = [make(self) for make in makers]
        for feature in self.features:
            for handler in feature.handlers():
                self.app.add_handler(handler)
        self.app.add_error_handler(self._error)

    async def run(self, stop: asyncio.Event) -> None:
        """Answer commands until `stop`."""
        if not await self._start_when_possible(stop):
            return
        try:
            await stop.wait()
        finally:
            await self._stop()

    async def _start_when_possible(self, stop: asyncio.Event) -> bool:
        """Start, trying again while the Bot API cannot be reached; False if never."""
        while not stop.is_set():
            try:
                starting = asyncio.ensure_future(self._start())
                await first_of(asyncio.shield(starting), stop.wait())
                if not starting.done():  # stopping while the Bot API does not answer
                    starting.cancel()
                    with contextlib.suppress(asyncio.CancelledError, TelegramError):
                        await starting
                    await self._stop()
                    return False
                starting.result()
                return True
            except InvalidToken:
                log.error(
                    "chat commands off: the bot token was rejected (check TELEGRAM_BOT_TOKEN)"
                )
                await self._stop()
                return False
            except TelegramError as error:
                log.warning(
                    "chat commands: cannot start (%s), trying again in %.0f s",
                    error.message,
                    RETRY_START,
                )
                await self._stop()
                await first_of(stop.wait(), asyncio.sleep(RETRY_START))
        return False

    async def _start(self) -> None:
        await self.app.initialize()  # getMe: the bot's name, for /latest@name in groups
        await self._set_commands()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            allowed_updates=sorted({u for feature in self.features for u in feature.updates}),
            error_callback=self._polling_error,
        )
        await self.app.start()
        log.info("answering chat commands as @%s", self.app.bot.username)

    async def _stop(self) -> None:
        # Saying goodbye to the Bot API may fail; that is not worth a traceback.
        with contextlib.suppress(TelegramError):
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()

    async def _set_commands(self) -> None:
        """The command menu in LANGUAGE for everyone, and in each language postbode
        speaks for the readers whose app is set to it (Telegram picks by language_code).
        Admins get LANGUAGE's with /status: a chat's own menu has no language of its own."""
        bot = self.app.bot
        for language in LANGUAGES:
            code = None if language == self.language else language
            await bot.set_my_commands(self._menu(words(language)), language_code=code)
        said = words(self.language)
        admin_commands = [*self._menu(said), BotCommand("status", said.cmd_status)]
        for admin in self.settings.admin_ids:
            # BadRequest: the admin has not started a chat with the bot yet.
            with contextlib.suppress(BadRequest):
                await bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin))

    def _menu(self, said: Words) -> list[BotCommand]:
        """The readers' commands of every feature, described in one language."""
        return [command for feature in self.features for command in feature.menu(said)]

    # -- what features share ---------------------------------------------------

    def reader_language(self, user: User | None) -> str:
        """The reader's app language where postbode speaks it, else LANGUAGE."""
        return pick(user.language_code if user else None, fallback=self.language)

    async def answer(self, update: Update, build: Callable[[], Reply]) -> None:
        """Flood control, then the reply, built from the database only when it is sent."""
        message, user = update.effective_message, update.effective_user
        if message is None:
            return
        verdict = self.flood.check(user.id if user else message.chat_id)
        if verdict == "silence":
            return
        if message.chat.type != ChatType.PRIVATE and self.groups.check(message.chat_id) != "answer":
            return
        if verdict == "notice":
            flood = words(self.reader_language(user)).flood
            reply = Reply(replies.say(flood))
        else:
            reply = build()
        markup = None
        if reply.buttons:
            rows = [reply.buttons[i : i + 2] for i in range(0, len(reply.buttons), 2)]
            markup = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in rows
                ]
            )
        await message.reply_text(
            reply.text,
            parse_mode=ParseMode.HTML,
            link_preview_options=self.no_preview,
            reply_markup=markup,
            do_quote=False,
        )

    async def _error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        detail = error.message if isinstance(error, TelegramError) else repr(error)
        log.warning("chat command failed: %s: %s", type(error).__name__, detail)

    def _polling_error(self, error: TelegramError) -> None:
        log.warning(
            "chat commands: getUpdates failed (%s: %s), retrying",
            type(error).__name__,
            error.message,
        )
