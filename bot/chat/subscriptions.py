"""Subscriptions (SPEC §11, TELEGRAM_SUBSCRIPTIONS=on): /subscribe, /unsubscribe and
/subscriptions, in private chats only. A reader changes only their own: the chat is
the one the command or button came from, and a button works only in its own chat.
Changes are held to a few a minute per reader (CHANGES), on top of the bot's flood
control; the messages themselves go out through bot.subscribers.sender."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import BotCommand, InlineKeyboardMarkup, Update, User
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat import subscription_replies as answers
from bot.chat.flood import FloodGate
from bot.chat.replies import Reply, find_category, say, unknown_category_reply
from bot.state.subscribers import EVERY, Subscribers
from bot.text import search_key
from bot.words import Words, words

if TYPE_CHECKING:
    from bot.chat.telegram import ChatBot

# Ten changes at once, then one every six seconds: a reader sorting out their
# categories is never stopped, a script subscribing in a loop is.
CHANGES = (10, 6.0)


class Subscriptions:
    """A reader's subscriptions, changed from their private chat with the bot."""

    updates: tuple[str, ...] = (Update.MESSAGE, Update.CALLBACK_QUERY)

    def __init__(self, bot: ChatBot) -> None:
        self.bot = bot
        self.subscribers = Subscribers(bot.catalog.db)
        self.changes = FloodGate(burst=CHANGES[0], refill=CHANGES[1])

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        messages = self.bot.messages
        return [
            CommandHandler("subscribe", self._subscribe, filters=messages),
            CommandHandler("unsubscribe", self._unsubscribe, filters=messages),
            CommandHandler("subscriptions", self._subscriptions, filters=messages),
            CallbackQueryHandler(self._pressed, pattern=r"^[su][:#]"),
        ]

    def menu(self, said: Words) -> list[BotCommand]:
        return [
            BotCommand("subscribe", said.cmd_subscribe),
            BotCommand("unsubscribe", said.cmd_unsubscribe),
            BotCommand("subscriptions", said.cmd_subscriptions),
        ]

    def help_text(self, language: str) -> str:
        return "\n" + words(language).subscribe_help

    # -- commands ----------------------------------------------------------------

    async def _subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        asked = " ".join(context.args or [])
        await self._change(update, lambda chat, language: self._subscribed(chat, asked, language))

    async def _unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        asked = " ".join(context.args or [])
        await self._change(update, lambda chat, language: self._unsubscribed(chat, asked, language))

    async def _subscriptions(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        chat, language = self._private(update)
        if chat is None:
            await bot.answer(update, lambda: Reply(say(words(language).subscribe_private)))
            return
        live = {c.key for c in bot.catalog.categories(bot.clock())}
        await bot.answer(update, lambda: answers.listing(self.subscribers.of(chat), live, language))

    def _private(self, update: Update) -> tuple[int | None, str]:
        """The reader's own chat (None: not a private chat), and their language."""
        chat, user = update.effective_chat, update.effective_user
        language = self.bot.reader_language(user)
        if chat is None or user is None or chat.type != ChatType.PRIVATE or chat.id != user.id:
            return None, language
        return chat.id, language

    async def _change(self, update: Update, build: Any) -> None:
        """A change in the reader's own private chat, within CHANGES."""
        bot = self.bot
        chat, language = self._private(update)
        if chat is None:  # in a group: say where it works, change nothing
            await bot.answer(update, lambda: Reply(say(words(language).subscribe_private)))
            return
        verdict = self.changes.check(chat)
        if verdict == "silence":
            return
        if verdict == "notice":
            await bot.answer(update, lambda: Reply(say(words(language).subscribe_slow)))
            return
        await bot.answer(update, lambda: build(chat, language))

    def _subscribed(self, chat: int, asked: str, language: str) -> Reply:
        bot = self.bot
        categories = bot.catalog.categories(bot.clock())
        if not asked or answers.means_all(asked, language):
            new = self.subscribers.subscribe(chat, EVERY, "", language, bot.clock())
            already = not new and any(s.key == EVERY for s in self.subscribers.of(chat))
            if not new and not already:
                return answers.limit(language)
            return answers.subscribed_all(categories, language, already=already)
        found = find_category(asked, categories)
        if found is None:
            return unknown_category_reply(asked, categories, language, "/subscribe")
        return self._subscribe_to(chat, found.key, found.name, language)

    def _subscribe_to(self, chat: int, key: str, name: str, language: str) -> Reply:
        new = self.subscribers.subscribe(chat, key, name, language, self.bot.clock())
        if not new and not any(s.key == key for s in self.subscribers.of(chat)):
            return answers.limit(language)
        return answers.subscribed(name, language, already=not new)

    def _unsubscribed(self, chat: int, asked: str, language: str) -> Reply:
        have = self.subscribers.of(chat)
        if not asked:
            return answers.unsubscribe_menu(have, language)
        if answers.means_all(asked, language):
            self.subscribers.unsubscribe(chat)
            return answers.unsubscribed_all(language)
        # By its key: a category gone from the site can still be left.
        return self._leave(chat, search_key(asked), language)

    def _leave(self, chat: int, key: str, language: str) -> Reply:
        had = next((s for s in self.subscribers.of(chat) if s.key == key), None)
        if had is not None:
            self.subscribers.unsubscribe(chat, key)
        return answers.unsubscribed(had, language)

    # -- buttons -----------------------------------------------------------------

    async def _pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot, query = self.bot, update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        user: User | None = query.from_user
        language = bot.reader_language(user)
        chat = query.message.chat
        if user is None or chat.type != ChatType.PRIVATE or chat.id != user.id:
            await query.answer()
            return
        if bot.flood.check(user.id) != "answer" or self.changes.check(user.id) != "answer":
            await query.answer(words(language).subscribe_slow)  # a toast: plain text
            return
        await query.answer()
        reply, keep = self._press(chat.id, query.data, language)
        if reply is None:
            return
        markup = getattr(query.message, "reply_markup", None) if keep else None
        try:
            await query.edit_message_text(
                reply.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=bot.no_preview,
                reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    def _press(self, chat: int, data: str, language: str) -> tuple[Reply | None, bool]:
        """What a button does, and whether its buttons stay (to pick more categories)."""
        bot = self.bot
        categories = bot.catalog.categories(bot.clock())
        have = self.subscribers.of(chat)
        keys = [c.key for c in categories] + [s.key for s in have] + [EVERY + EVERY]
        found = answers.pressed(data, keys)
        if found is None:
            return None, False
        action, key = found
        if action == answers.UNSUBSCRIBE:
            if key == EVERY + EVERY:
                self.subscribers.unsubscribe(chat)
                return answers.unsubscribed_all(language), False
            return self._leave(chat, key, language), False
        # Narrowing "every post" down to categories: the one for everything goes.
        name = next((c.name for c in categories if c.key == key), key)
        reply = self._subscribe_to(chat, key, name, language)
        if any(s.key == key for s in self.subscribers.of(chat)):
            self.subscribers.unsubscribe(chat, EVERY)
        return reply, True
