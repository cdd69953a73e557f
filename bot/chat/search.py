"""Searching the posts (SPEC §11): /search WORDS in private chats and groups, and
inline mode, `@bot WORDS` typed in any chat, answered with the posts found (the
latest ones for no words), a page at a time. Always on; inline queries arrive only
once inline mode is switched on with @BotFather (README)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, InlineQueryHandler

from bot.chat import search_replies
from bot.chat.flood import FloodGate
from bot.chat.replies import Reply
from bot.chat.search_replies import INLINE_CACHE_SECONDS, INLINE_PAGE
from bot.state import search
from bot.words import Words, words

if TYPE_CHECKING:
    from bot.chat.telegram import ChatBot

# Telegram sends an inline query as the reader types, one every few letters: a reader
# typing is this many queries to one command, in a bucket of their own made like the bot's.
TYPING = 5
_START = "search"  # the start parameter of the button above an inline answer


class Search:
    """/search and inline queries, answered from the search index."""

    updates: tuple[str, ...] = (Update.MESSAGE, Update.INLINE_QUERY)

    def __init__(self, bot: ChatBot) -> None:
        self.bot = bot
        self.typing = FloodGate(
            burst=bot.flood.burst * TYPING, refill=bot.flood.refill / TYPING, clock=bot.flood.clock
        )

    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        return [
            CommandHandler("search", self._search, filters=self.bot.messages),
            InlineQueryHandler(self._inline),
        ]

    def menu(self, said: Words) -> list[BotCommand]:
        return [BotCommand("search", said.cmd_search)]

    def help_text(self, language: str) -> str:
        return ""  # /search is in Words.help

    async def _search(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        language = bot.reader_language(update.effective_user)

        def reply() -> Reply:
            asked = " ".join(context.args or [])
            refused = search_replies.problem(asked, language)
            if refused is not None:
                return refused
            now = bot.clock()
            posts = bot.catalog.search(asked, search_replies.SEARCH_RESULTS, now)
            categories = [] if posts else bot.catalog.categories(now)
            return search_replies.search_reply(asked, posts, categories, language, now)

        await bot.answer(update, reply)

    async def _inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        bot = self.bot
        query = update.inline_query
        if query is None:
            return
        language = bot.reader_language(query.from_user)
        verdict = self.typing.check(query.from_user.id)
        if verdict == "silence":
            return  # the query expires unanswered, as a command over the limit does
        if verdict == "notice":
            await query.answer(
                [], cache_time=0, is_personal=True, button=self._button(words(language).flood)
            )
            return
        now = bot.clock()
        offset = search_replies.parse_offset(query.offset)
        asked = query.query
        if search.too_many_words(asked):  # a short answer, and nothing else
            answer = search_replies.inline_answer([], offset, language, now, too_many=True)
        else:
            found = (
                bot.catalog.search(asked, INLINE_PAGE + 1, now, offset)
                if search.match(asked)
                else bot.catalog.latest(INLINE_PAGE + 1, now, offset)  # no words: the latest
            )
            answer = search_replies.inline_answer(found, offset, language, now)
        await query.answer(
            [
                InlineQueryResultArticle(
                    id=a.id,
                    title=a.title,
                    input_message_content=InputTextMessageContent(
                        a.text,
                        parse_mode=ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(url=a.link),
                    ),
                    url=a.link,
                    description=a.description,
                    thumbnail_url=a.thumbnail,
                )
                for a in answer.articles
            ],
            cache_time=INLINE_CACHE_SECONDS,
            is_personal=True,  # in the reader's language
            next_offset=answer.next_offset,
            button=self._button(answer.notice) if answer.notice else None,
        )

    def _button(self, text: str) -> InlineQueryResultsButton:
        """A line above the results; pressed, it opens the bot's chat (/start: the help)."""
        return InlineQueryResultsButton(text=text, start_parameter=_START)
