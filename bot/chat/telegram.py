"""The Telegram bot readers talk to: /start /help /latest /category and admin /status.

python-telegram-bot's Application runs inside the worker's event loop (started by
hand, polling getUpdates), answering from the state database. Replies share the
bot token's 30-messages-a-second budget with channel publishing, which comes
first: replies are held to REPLIES_PER_SECOND, and to Telegram's 20 a minute in
any one group; each reader to a few commands at a time (bot.chat.flood).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable

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
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.chat import replies
from bot.chat.flood import FloodGate
from bot.chat.ordering import PerChatOrder
from bot.chat.replies import Reply
from bot.clock import first_of, utc_now
from bot.config import TelegramSettings
from bot.state.catalog import Catalog, Category
from bot.words import LANGUAGES, Words, pick, words

log = logging.getLogger(__name__)

# Channel publishing needs at most one message per channel every 3 s; replies get
# the rest of Telegram's 30 per second. The limiter is a leaky bucket, which can let
# twice its rate through within one second (a full bucket, then the steady rate):
# 12 a second keeps replies under 24 in any second, leaving room for the channels.
REPLIES_PER_SECOND = 12
GROUP_REPLIES_PER_MINUTE = 20
RETRY_START = 60.0  # seconds before trying again when the Bot API cannot be reached
_MESSAGES = filters.UpdateType.MESSAGE  # not edits of old commands, not channel posts


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
        self.app: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(settings.token)
            .base_url(f"{settings.api_url}/bot")
            .rate_limiter(AIORateLimiter(overall_max_rate=REPLIES_PER_SECOND, max_retries=2))
            .concurrent_updates(PerChatOrder())
            .job_queue(None)
            .build()
        )
        commands = [
            CommandHandler(["start", "help"], self._help, filters=_MESSAGES),
            CommandHandler("latest", self._latest, filters=_MESSAGES),
            CommandHandler("category", self._category, filters=_MESSAGES),
            CommandHandler("status", self._status, filters=_MESSAGES),
            CallbackQueryHandler(self._pressed, pattern=r"^c[:#]"),
        ]
        for handler in commands:
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
            allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
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
            await bot.set_my_commands(_menu(words(language)), language_code=code)
        said = words(self.language)
        admin_commands = [*_menu(said), BotCommand("status", said.cmd_status)]
        for admin in self.settings.admin_ids:
            # BadRequest: the admin has not started a chat with the bot yet.
            with contextlib.suppress(BadRequest):
                await bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin))

    # -- handlers -------------------------------------------------------------

    def _reader_language(self, user: User | None) -> str:
        """The reader's app language where postbode speaks it, else LANGUAGE."""
        return pick(user.language_code if user else None, fallback=self.language)

    async def _help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = self._reader_language(update.effective_user)
        await self._answer(update, lambda: replies.help_reply(language, self.settings.channels))

    async def _latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = self._reader_language(update.effective_user)

        def reply() -> Reply:
            count = replies.parse_count(context.args or [])
            if count is None:
                return replies.usage_reply(language)
            now = self.clock()
            return replies.latest_reply(self.catalog.latest(count, now), language, now)

        await self._answer(update, reply)

    async def _category(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        language = self._reader_language(update.effective_user)

        def reply() -> Reply:
            categories = self.catalog.categories(self.clock())
            asked = " ".join(context.args or [])
            if not asked:
                return replies.categories_reply(categories, language)
            found = replies.find_category(asked, categories)
            if found is None:
                return replies.unknown_category_reply(asked, categories, language)
            return self._category_posts(found, language)

        await self._answer(update, reply)

    async def _status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is not None and user.id in self.settings.admin_ids:
            if chat is not None and chat.type != ChatType.PRIVATE:  # others read along
                private = words(self._reader_language(user)).private
                await self._answer(update, lambda: Reply(replies.say(private)))
                return
            await self._answer(
                update, lambda: replies.status_reply(self.catalog.report(), self.language)
            )
        else:  # everyone else learns what the bot does, nothing about its state
            await self._help(update, context)

    async def _pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        user = query.from_user.id if query.from_user else 0
        language = self._reader_language(query.from_user)
        if self.flood.check(user) != "answer":
            await query.answer(words(language).flood)  # a toast: plain text, not HTML
            return
        category = replies.category_for_callback(query.data, self.catalog.categories(self.clock()))
        await query.answer()
        if category is None or query.message is None:
            return
        reply = self._category_posts(category, language)
        try:  # the list replaces the menu's text; the buttons stay for the next choice
            await query.edit_message_text(
                reply.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                reply_markup=getattr(query.message, "reply_markup", None),
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    def _category_posts(self, category: Category, language: str) -> Reply:
        now = self.clock()
        posts = self.catalog.in_category(category.key, replies.DEFAULT_LATEST, now)
        return replies.category_reply(category, posts, language, now)

    async def _answer(self, update: Update, build: Callable[[], Reply]) -> None:
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
            flood = words(self._reader_language(user)).flood
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
            link_preview_options=_NO_PREVIEW,
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


def _menu(said: Words) -> list[BotCommand]:
    """The readers' commands, described in one language."""
    return [
        BotCommand("latest", said.cmd_latest),
        BotCommand("category", said.cmd_category),
        BotCommand("help", said.cmd_help),
    ]


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
