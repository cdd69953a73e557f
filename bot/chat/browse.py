"""Browsing the posts: /start, /help, /latest, /category (with its buttons), and the
admins' /status. The bot's first feature; the others follow its shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import BotCommand, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat import replies
from bot.chat.replies import Reply
from bot.state.catalog import Category
from bot.words import Words, words

if TYPE_CHECKING:
    from bot.chat.telegram import ChatBot


class Browse:
    """The readers' lists of posts, and the operator's report."""

    updates: tuple[str, ...] = (Update.MESSAGE, Update.CALLBACK_QUERY)

    def __init__(self, bot: ChatBot) -> None:
        self.bot = bot

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        messages = self.bot.messages
        return [
            CommandHandler(["start", "help"], self.help, filters=messages),
            CommandHandler("latest", self._latest, filters=messages),
            CommandHandler("category", self._category, filters=messages),
            CommandHandler("status", self._status, filters=messages),
            CallbackQueryHandler(self._pressed, pattern=r"^c[:#]"),
        ]

    def menu(self, said: Words) -> list[BotCommand]:
        return [
            BotCommand("latest", said.cmd_latest),
            BotCommand("category", said.cmd_category),
            BotCommand("help", said.cmd_help),
        ]

    def help_text(self, language: str) -> str:
        return ""  # the help itself is Words.help

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        language = bot.reader_language(update.effective_user)
        extra = "".join(feature.help_text(language) for feature in bot.features)

        def reply() -> Reply:
            answer = replies.help_reply(language, bot.settings.channels)
            return Reply(answer.text + replies.say(extra) if extra else answer.text)

        await bot.answer(update, reply)

    async def _latest(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        language = bot.reader_language(update.effective_user)

        def reply() -> Reply:
            count = replies.parse_count(context.args or [])
            if count is None:
                return replies.usage_reply(language)
            now = bot.clock()
            return replies.latest_reply(bot.catalog.latest(count, now), language, now)

        await bot.answer(update, reply)

    async def _category(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        language = bot.reader_language(update.effective_user)

        def reply() -> Reply:
            categories = bot.catalog.categories(bot.clock())
            asked = " ".join(context.args or [])
            if not asked:
                return replies.categories_reply(categories, language)
            found = replies.find_category(asked, categories)
            if found is None:
                return replies.unknown_category_reply(asked, categories, language)
            return self._category_posts(found, language)

        await bot.answer(update, reply)

    async def _status(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        user, chat = update.effective_user, update.effective_chat
        if user is not None and user.id in bot.settings.admin_ids:
            if chat is not None and chat.type != ChatType.PRIVATE:  # others read along
                private = words(bot.reader_language(user)).private
                await bot.answer(update, lambda: Reply(replies.say(private)))
                return
            await bot.answer(
                update, lambda: replies.status_reply(bot.catalog.report(), bot.language)
            )
        else:  # everyone else learns what the bot does, nothing about its state
            await self.help(update, context)

    async def _pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        query = update.callback_query
        if query is None or query.data is None:
            return
        user = query.from_user.id if query.from_user else 0
        language = bot.reader_language(query.from_user)
        if bot.flood.check(user) != "answer":
            await query.answer(words(language).flood)  # a toast: plain text, not HTML
            return
        category = replies.category_for_callback(query.data, bot.catalog.categories(bot.clock()))
        await query.answer()
        if category is None or query.message is None:
            return
        reply = self._category_posts(category, language)
        try:  # the list replaces the menu's text; the buttons stay for the next choice
            await query.edit_message_text(
                reply.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=bot.no_preview,
                reply_markup=getattr(query.message, "reply_markup", None),
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    def _category_posts(self, category: Category, language: str) -> Reply:
        bot = self.bot
        now = bot.clock()
        posts = bot.catalog.in_category(category.key, replies.DEFAULT_LATEST, now)
        return replies.category_reply(category, posts, language, now)
