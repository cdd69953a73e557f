"""What the bot answers a search (pure): /search's HTML, like /latest's, and the
articles of an inline answer (`@bot words` in any chat), each with the post's summary
as the message to send.

The reader's words come back only escaped, without controls or invisible characters
(a right-to-left override would turn the rest of the reply around), and cut short.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import hashlib
import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat.replies import Reply, listing, say
from bot.jekyll.posts import Post
from bot.state import search
from bot.state.catalog import Category
from bot.summary import render_telegram
from bot.text import ELLIPSIS, clean_text, search_key, shorten
from bot.words import words
from bot.words.dates import short_date

SEARCH_RESULTS = 10  # posts in a /search reply
INLINE_PAGE = 20  # articles in one inline answer (Telegram takes 50)
# Telegram may keep an inline answer this long (for the reader who asked: the words are
# theirs): a reader typing and deleting letters is answered from its cache, and a new
# post shows within a minute.
INLINE_CACHE_SECONDS = 60
MAX_TITLE, MAX_DESCRIPTION = 120, 160
_DATE = 24  # room for the date before a description: "14 dec 2025 · " and longer
_ECHO = 60


@dataclass(frozen=True)
class Article:
    """One InlineQueryResultArticle: `text` is the message sent (Telegram HTML)."""

    id: str
    title: str
    description: str
    text: str
    link: str
    thumbnail: str | None


@dataclass(frozen=True)
class InlineAnswer:
    articles: tuple[Article, ...]
    next_offset: str  # "" when there are no more
    notice: str | None = None  # a button above the results, for words we do not search


def problem(asked: str, language: str) -> Reply | None:
    """The short answer for words that cannot be searched for, else None."""
    said = words(language)
    if not search.match(asked):
        return Reply(say(said.search_usage))
    if search.too_many_words(asked):
        return Reply(say(said.search_long, most=str(search.MAX_WORDS)))
    return None


def search_reply(
    asked: str,
    posts: Sequence[Post],
    categories: Sequence[Category],
    language: str,
    now: dt.datetime,
) -> Reply:
    """The posts found, as /latest lists them; or "nothing found" and what to try."""
    said = words(language)
    quoted = echo(asked)
    if posts:
        return Reply(
            listing(f"<b>{say(said.search_found, asked=quoted)}</b>", posts, language, now)
        )
    close = close_categories(asked, categories)
    if close:
        names = ", ".join(f"/category {html.escape(c.name)}" for c in close)
        hint = say(said.did_you_mean, names=names)
    else:
        hint = say(said.search_hint)
    return Reply(say(said.search_none, asked=quoted) + "\n" + hint)


def echo(asked: str) -> str:
    """The reader's words as they may be shown back: visible characters, escaped."""
    shown = "".join(ch for ch in clean_text(asked) if unicodedata.category(ch) not in ("Cf", "Co"))
    return html.escape(shorten(" ".join(shown.split()), _ECHO, len))


def close_categories(asked: str, categories: Sequence[Category]) -> list[Category]:
    """Categories whose names are close to the words, or to one of them."""
    by_key = {c.key: c for c in categories}
    found: list[Category] = []
    for word in [asked, *asked.split()[: search.MAX_WORDS]]:
        for key in difflib.get_close_matches(search_key(word)[:100], list(by_key), n=3, cutoff=0.7):
            if by_key[key] not in found:
                found.append(by_key[key])
    return found[:3]


def parse_offset(offset: str) -> int:
    """The offset Telegram hands back from our `next_offset`; anything else is the start."""
    if offset.isascii() and offset.isdigit() and len(offset) <= 4:
        return min(int(offset), search.MAX_OFFSET)
    return 0


def inline_answer(
    posts: Sequence[Post], offset: int, language: str, now: dt.datetime, *, too_many: bool = False
) -> InlineAnswer:
    """A page of articles from `posts` (up to INLINE_PAGE + 1 of them: one more says
    there is a next page)."""
    shown = posts[:INLINE_PAGE]
    following = offset + INLINE_PAGE
    more = len(posts) > INLINE_PAGE and following < search.MAX_OFFSET
    notice = None
    if too_many:
        notice = words(language).search_long.format(most=search.MAX_WORDS)
    return InlineAnswer(
        tuple(article(post, language, now) for post in shown),
        str(following) if more else "",
        notice,
    )


def article(post: Post, language: str, now: dt.datetime) -> Article:
    """A post as an inline result: its title, its date and lead, its channel summary
    as a text message (the link's preview shows the page, and its image)."""
    made = _article(post, language)
    date = short_date(post.date, language, now)
    description = f"{date} · {made.description}" if made.description else date
    return Article(made.id, made.title, description, made.text, made.link, made.thumbnail)


@functools.lru_cache(maxsize=1024)  # a reader typing asks for the same posts again and again
def _article(post: Post, language: str) -> Article:
    """What of an article is the post's alone (the description: its lead, cut short)."""
    image = post.image_url if (post.image_url or "").startswith(("https://", "http://")) else None
    # A text message: the link's preview shows the image (a caption would be held to 1024).
    as_text = post if post.image_url is None else dataclasses.replace(post, image_url=None)
    summary = render_telegram(as_text, language)
    return Article(
        id=hashlib.sha1(post.path.encode("utf-8", "surrogatepass")).hexdigest()[:32],
        title=shorten(clean_text(post.title), MAX_TITLE, len) or post.link,
        description=_cut(clean_text(post.lead), MAX_DESCRIPTION - _DATE),
        text=summary.text,
        link=post.link,
        thumbnail=image,
    )


def _cut(text: str, budget: int) -> str:
    """A description Telegram shows on two lines: cut at a space, with "…"."""
    if len(text) <= budget:
        return text
    space = text.rfind(" ", budget // 2, budget)
    return text[: space if space > 0 else budget - 1].rstrip() + ELLIPSIS
